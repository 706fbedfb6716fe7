"""Resolving an insert-only entry whose document was deleted from Mongo (a `deleted_entry` reject, made by
the forward backfill's delete sweep, cutover.backfill.deletes). An append-only ledger never loses an entry,
so both resolutions first put the entry's document back in Mongo from its row, under the record's copy
lock (the history is whole again, in both stores), then:
- compensate: a new entry cancels the deleted one's balance effect (the domain's `compensating_entry`,
  through its services, written as the live mode writes), so the balance is what the deletion meant;
- stands: nothing more, an explicit decision that the entry is right and the deletion was the mistake.
Either is recorded on the reject (who, when, which resolution, why) and needs the permission that
acknowledging a reject needs; the reject is then resolved, which unblocks the step to a Postgres-primary mode.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cutover.audit import audited_decision
from cutover.backfill.deletes import DELETED_ENTRY
from cutover.backfill.review import ACKNOWLEDGE_PERMISSION
from cutover.mirror.copy import lock_record_copies
from cutover.models import BackfillReject
from cutover.modes.registry import domain_spec
from cutover.store.backends.errors import UniqueConflict

logger = logging.getLogger("cutover.operations.deleted_entries")


class DeletedEntryResolutionRefused(Exception):
    """str() says what was refused and why; nothing was changed."""


def resolve_deleted_entry(*, reject_id: int, user, reason: str, compensate: bool, reference: str = "") -> str:
    """Resolve one open `deleted_entry` reject; returns what was done, in one line."""
    reject = _open_deleted_entry(reject_id, user, reason)
    spec = domain_spec(reject.domain)
    if compensate and not spec.compensating_entry:
        raise DeletedEntryResolutionRefused(f"{spec.name} has no compensating entry; resolve with --stands")
    _restore_document(spec, reject.collection, reject.record_id)
    done = f"document of {reject.collection} {reject.record_id} restored in Mongo"
    # Resolved before compensating: an entry with an unresolved reject counts in no balance (ledger/quarantine.py),
    # so only now does the compensating entry's balanceAfter start from a balance that holds the entry.
    _record(reject, user, f"{done}. Why: {reason.strip()}")
    if compensate:
        reference = reference or f"compensates-deleted:{reject.record_id}"
        try:
            entry = import_string(spec.compensating_entry)(reject.record_id, reference)
            done += f"; compensated by entry {entry.id} (reference {reference!r})"
        except UniqueConflict:  # an earlier attempt compensated it and stopped before recording that
            done += f"; compensating entry with reference {reference!r} was there already"
        _record(reject, user, f"{done}. Why: {reason.strip()}")
    else:
        done += "; the entry stands"
        _record(reject, user, f"{done}. Why: {reason.strip()}")
    logger.warning("deleted entry %s/%s resolved by %s: %s", reject.collection, reject.record_id, user, done)
    return done


def _open_deleted_entry(reject_id: int, user, reason: str) -> BackfillReject:
    audited_decision(
        user=user,
        permissions=[ACKNOWLEDGE_PERMISSION],
        reason=reason,
        what="resolving a deleted entry (--reason '...')",
        refused=DeletedEntryResolutionRefused,
    )
    reject = BackfillReject.objects.filter(pk=reject_id).first()
    if reject is None:
        raise DeletedEntryResolutionRefused(f"no backfill reject with id {reject_id}")
    if reject.kind != DELETED_ENTRY or reject.status != BackfillReject.Status.OPEN:
        raise DeletedEntryResolutionRefused(
            f"#{reject_id} is a{'n' if reject.status == 'open' else ''} {reject.status} {reject.kind} reject, "
            f"not an open {DELETED_ENTRY} one (list them: `manage.py backfill_rejects --status open`)"
        )
    return reject


def _restore_document(spec, collection: str, record_id: str) -> None:
    """The entry's document, made from its row, put back in Mongo (kept if another is there already)."""
    stores = spec.backends()
    with transaction.atomic():
        lock_record_copies(collection, [record_id])
        record: Any = stores["postgres"].get_snapshot(collection, record_id)
        if record is None:
            raise DeletedEntryResolutionRefused(f"{collection} {record_id} has no row any more; nothing to restore")
        stores["mongo"].put_snapshot(record)


def _record(reject: BackfillReject, user, account: str) -> None:
    now = timezone.now()
    reject.status, reject.resolved_at = BackfillReject.Status.RESOLVED, now
    reject.acknowledged_by, reject.acknowledged_by_name = user, user.get_username()
    reject.acknowledged_at, reject.acknowledgement_reason = now, account
    reject.save(
        update_fields=[
            "status",
            "resolved_at",
            "acknowledged_by",
            "acknowledged_by_name",
            "acknowledged_at",
            "acknowledgement_reason",
        ]
    )
