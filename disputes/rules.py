"""The legacy Mongoose pre('save') behaviour, as pure functions every store applies:
a `created` timeline entry on creation, a `status_changed` entry whenever the
status changes. And which status may follow which (DISPUTE_STATES), checked by the
port on the stored dispute inside the store's update, so a stale read cannot pass it."""

import dataclasses
from datetime import datetime

from cutover.store.legacy import new_id
from cutover.store.validation import StateMachine, TransitionRefused

from .records import OUTCOMES, DisputeDraft, DisputeRecord, TimelineEntry


def dispute_from_draft(draft: DisputeDraft, *, at: datetime) -> DisputeRecord:
    created = TimelineEntry(at=at, actor_id=draft.opened_by_id, action="created", from_status=None, to_status="open")
    return DisputeRecord(
        id=new_id(),
        purchase_request_id=draft.purchase_request_id,
        payment_id=draft.payment_id,
        opened_by_id=draft.opened_by_id,
        against_user_id=draft.against_user_id,
        admin_id=None,
        reason=draft.reason,
        description=draft.description,
        status="open",
        priority=draft.priority,
        resolution=None,
        evidence=(),
        timeline=(created,),
        created_at=at,
        updated_at=at,
    )


# Open work moves between the three working statuses; a resolution may still be closed; closed is final.
DISPUTE_STATES = StateMachine(
    "dispute",
    {
        "open": frozenset({"under_review", "awaiting_response"}) | OUTCOMES,
        "under_review": frozenset({"awaiting_response"}) | OUTCOMES,
        "awaiting_response": frozenset({"under_review"}) | OUTCOMES,
        "resolved_buyer": frozenset({"closed"}),
        "resolved_seller": frozenset({"closed"}),
        "closed": frozenset(),
    },
)


def check_resolution(record: DisputeRecord, *, outcome: str, resolution: str) -> None:
    """A resolution is written once: resolving again with the same outcome may only repeat it (a retry)."""
    DISPUTE_STATES.check(record.status, outcome)
    if record.status == outcome and record.resolution not in (None, resolution):
        raise TransitionRefused(f"dispute {record.id} is already {outcome!r} with another resolution")


def status_change_entry(
    record: DisputeRecord, *, to_status: str, actor_id: str | None, note: str, at: datetime
) -> TimelineEntry | None:
    """The timeline entry a status change adds, or None when the status stays; a change the state machine
    does not allow is refused (TransitionRefused)."""
    DISPUTE_STATES.check(record.status, to_status)
    if record.status == to_status:
        return None
    return TimelineEntry(
        at=at, actor_id=actor_id, action="status_changed", from_status=record.status, to_status=to_status, note=note
    )


def with_changes(record: DisputeRecord, **changes) -> DisputeRecord:
    return dataclasses.replace(record, **changes)
