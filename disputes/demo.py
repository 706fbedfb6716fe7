"""Demo disputes for seed_demo, written through the services (so through the live store mode)."""

from random import Random

from cutover.legacy import new_id

from . import services
from .records import PRIORITIES, REASONS

_FLOWS = [[], ["under_review"], ["under_review", "awaiting_response"], ["under_review", "resolved_buyer"]]


def seed_demo_disputes(*, size: int, rng: Random) -> int:
    """`size` disputes in assorted states; returns how many were written."""
    users = [new_id() for _ in range(max(4, size // 5))]
    admins = [new_id() for _ in range(3)]
    for _ in range(size):
        buyer, seller = rng.sample(users, 2)
        dispute = services.dispute_open(
            purchase_request_id=new_id(),
            opened_by_id=buyer,
            against_user_id=seller,
            reason=rng.choice(sorted(REASONS)),
            priority=rng.choice(sorted(PRIORITIES)),
            description=rng.choice(["Item never arrived.", "Not as described — wrong colour.", "Zahlung fehlt."]),
        )
        if rng.random() < 0.5:
            services.dispute_add_evidence(
                dispute_id=dispute.id, url=f"https://files.example/{dispute.id}.jpg", uploaded_by_id=buyer
            )
        _walk(dispute.id, rng.choice(_FLOWS), rng.choice(admins))
    return size


def _walk(dispute_id: str, flow: list[str], admin_id: str) -> None:
    if flow:
        services.dispute_assign_admin(dispute_id=dispute_id, admin_id=admin_id)
    for status in flow:
        if status.startswith("resolved"):
            services.dispute_resolve(dispute_id=dispute_id, outcome=status, resolution="Refunded.", actor_id=admin_id)
        else:
            services.dispute_change_status(dispute_id=dispute_id, to_status=status, actor_id=admin_id)
