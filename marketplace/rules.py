"""Purchase request rules, as pure functions every store applies: which status may follow
which, and what a transition stamps (accepted_at and the seller, completed_at)."""

import dataclasses

from cutover.store.legacy import next_moment

from .records import REQUEST_TRANSITIONS, PurchaseRequestRecord


class InvalidTransition(ValueError):
    pass


def advanced(request: PurchaseRequestRecord, to_status: str, seller_id: str | None) -> PurchaseRequestRecord:
    if to_status not in REQUEST_TRANSITIONS[request.status]:
        raise InvalidTransition(f"a purchase request cannot go from {request.status} to {to_status}")
    at = next_moment(request.updated_at)
    changes = {"status": to_status, "updated_at": at}
    if to_status == "accepted":
        if not (seller_id or request.seller_id):
            raise InvalidTransition("accepting a purchase request needs the seller")
        changes |= {"accepted_at": at, "seller_id": seller_id or request.seller_id}
    if to_status == "completed":
        changes["completed_at"] = at
    return dataclasses.replace(request, **changes)
