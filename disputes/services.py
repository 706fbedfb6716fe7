"""Dispute writes, through whichever store(s) the domain's mode selects."""

from cutover.factory import repository_for
from cutover.store.legacy import object_id_hex
from cutover.store.validation import require_one_of

from .records import OUTCOMES, PRIORITIES, REASONS, STATUSES, DisputeDraft, DisputeRecord

DOMAIN = "dispute"


class InvalidDisputeInput(ValueError):
    pass


def _require(value: str, allowed: frozenset[str], name: str) -> str:
    return require_one_of(value, allowed, name, error=InvalidDisputeInput)


def _id(value: str | None, name: str, *, optional: bool = False) -> str | None:
    try:
        return object_id_hex(value, name, optional=optional)
    except ValueError as error:
        raise InvalidDisputeInput(str(error)) from None


def dispute_open(
    *,
    purchase_request_id: str,
    opened_by_id: str,
    against_user_id: str,
    reason: str,
    description: str = "",
    priority: str = "medium",
    payment_id: str | None = None,
) -> DisputeRecord:
    draft = DisputeDraft(
        purchase_request_id=_id(purchase_request_id, "purchase_request_id"),
        opened_by_id=_id(opened_by_id, "opened_by_id"),
        against_user_id=_id(against_user_id, "against_user_id"),
        reason=_require(reason, REASONS, "reason"),
        description=description,
        priority=_require(priority, PRIORITIES, "priority"),
        payment_id=_id(payment_id, "payment_id", optional=True),
    )
    return repository_for(DOMAIN).create(draft)


def dispute_change_status(*, dispute_id: str, to_status: str, actor_id: str | None, note: str = "") -> DisputeRecord:
    """`actor_id`: the marketplace user who acts, or None for an operator (the API records who, api.changes)."""
    _require(to_status, STATUSES, "to_status")
    return repository_for(DOMAIN).change_status(
        _id(dispute_id, "dispute_id"), to_status=to_status, actor_id=_id(actor_id, "actor_id", optional=True), note=note
    )


def dispute_assign_admin(*, dispute_id: str, admin_id: str) -> DisputeRecord:
    return repository_for(DOMAIN).assign_admin(_id(dispute_id, "dispute_id"), admin_id=_id(admin_id, "admin_id"))


def dispute_add_evidence(*, dispute_id: str, url: str, uploaded_by_id: str) -> DisputeRecord:
    if not url.strip():
        raise InvalidDisputeInput("evidence needs a url")
    return repository_for(DOMAIN).add_evidence(
        _id(dispute_id, "dispute_id"), url=url.strip(), uploaded_by_id=_id(uploaded_by_id, "uploaded_by_id")
    )


def dispute_resolve(*, dispute_id: str, outcome: str, resolution: str, actor_id: str | None) -> DisputeRecord:
    """`actor_id` as for dispute_change_status."""
    _require(outcome, OUTCOMES, "outcome")
    return repository_for(DOMAIN).resolve(
        _id(dispute_id, "dispute_id"),
        outcome=outcome,
        resolution=resolution,
        actor_id=_id(actor_id, "actor_id", optional=True),
    )
