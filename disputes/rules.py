"""The legacy Mongoose pre('save') behaviour, as pure functions every store applies:
a `created` timeline entry on creation, a `status_changed` entry whenever the
status changes."""

import dataclasses
from datetime import datetime

from cutover.store.legacy import new_id

from .records import DisputeDraft, DisputeRecord, TimelineEntry


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


def status_change_entry(
    record: DisputeRecord, *, to_status: str, actor_id: str | None, note: str, at: datetime
) -> TimelineEntry | None:
    """The timeline entry a status change adds, or None when the status stays."""
    if record.status == to_status:
        return None
    return TimelineEntry(
        at=at, actor_id=actor_id, action="status_changed", from_status=record.status, to_status=to_status, note=note
    )


def with_changes(record: DisputeRecord, **changes) -> DisputeRecord:
    return dataclasses.replace(record, **changes)
