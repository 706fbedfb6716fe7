"""Demo disputes for seed_demo, written through the services (so through the live store mode)."""

from random import Random

from . import services
from .records import PRIORITIES, REASONS

_FLOWS = [[], ["under_review"], ["under_review", "awaiting_response"], ["under_review", "resolved_buyer"]]


def seed_demo_disputes(*, size: int, rng: Random, context: dict) -> int:
    """A dispute on about one payment in three, in assorted states; returns how many were written."""
    payments = context["payments"][: max(1, size // 3)]
    for payment in payments:
        dispute = services.dispute_open(
            purchase_request_id=payment.purchase_request_id,
            payment_id=payment.id,
            opened_by_id=payment.buyer_id,
            against_user_id=payment.seller_id,
            reason=rng.choice(sorted(REASONS)),
            priority=rng.choice(sorted(PRIORITIES)),
            description=rng.choice(["Item never arrived.", "Not as described — wrong colour.", "Zahlung fehlt."]),
        )
        if rng.random() < 0.5:
            services.dispute_add_evidence(
                dispute_id=dispute.id, url=f"https://files.example/{dispute.id}.jpg", uploaded_by_id=payment.buyer_id
            )
        _walk(dispute.id, rng.choice(_FLOWS), rng.choice(context["admins"]))
    return len(payments)


def _walk(dispute_id: str, flow: list[str], admin_id: str) -> None:
    if flow:
        services.dispute_assign_admin(dispute_id=dispute_id, admin_id=admin_id)
    for status in flow:
        if status.startswith("resolved"):
            services.dispute_resolve(dispute_id=dispute_id, outcome=status, resolution="Refunded.", actor_id=admin_id)
        else:
            services.dispute_change_status(dispute_id=dispute_id, to_status=status, actor_id=admin_id)
