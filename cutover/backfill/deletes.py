"""Deletes follow the leader: while Mongo leads (`mongo`, `dual_mongo_primary`), a forward backfill removes
the rows whose documents are gone (deleted by the legacy application, an admin, or a process whose mode
cache was stale). The forward twin of the reverse run's remove_documents_without_rows.

- Which rows: each collection's rows by id, a batch at a time: a row whose document the run's source
  (MIGRATION_MONGO_URL, else MONGO_URL) has under none of the `_id` forms its record may have (the ObjectId,
  the 24-hex string in either case, its legacy string `_id`) is a candidate. Only the leading Mongo
  (MONGO_URL) decides: it is asked again, under the locks, before anything is removed (a replica may lag).
- Each candidate is removed in its own transaction, holding the domain's write fence (shared) with the live
  mode still Mongo-led (once Postgres leads, a row without a document is the truth: a create whose Mongo
  copy is pending), then the record's copy lock, after looking for its document once more. A concurrent
  re-creation, mirror or mode change is never undone.
- Children first: collections are swept in the reverse of the load order, each after its element records (a
  chat message pulled from its chat's array loses its row), and a record's child tables go with it (ON DELETE
  CASCADE). A row that other rows still reference (PROTECT: e.g. a user a payment names)
  stays, and becomes an open reject saying which rows hold it: its referencing documents need fixing first.
- Insert-only rows (the funds ledger) are never deleted: a deleted document becomes an open `deleted_entry`
  reject naming the entry and its balance effect, resolved only by `manage.py resolve_deleted_entry`
  (cutover.operations.deleted_entries: a compensating entry, or an audited decision that it stands).
Open rejects block the move to a Postgres-primary mode, so neither case can be stepped over unseen.
"""

import logging
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from cutover.backfill.element_reads import read_slice
from cutover.backfill.elements import SLICE, element_maps
from cutover.backfill.load import fenced_live_mode, live_mode
from cutover.backfill.rejects import ROW_STAYS, reject_row_that_stays
from cutover.mirror.copy import lock_record_copies
from cutover.models import BackfillReject, BackfillRun
from cutover.modes.registry import DomainSpec
from cutover.modes.store_mode import StoreMode

logger = logging.getLogger("cutover.backfill.deletes")

MONGO_LEADS = (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY)
DELETED_ENTRY, STILL_REFERENCED = ROW_STAYS  # an insert-only row; a row other rows reference


@dataclass
class Sweep:
    deleted: int = 0
    kept: int = 0  # rows that stay, each an open reject (insert-only, or still referenced)


def sweep_domain(
    spec: DomainSpec, summaries: dict, run: BackfillRun, source, *, batch_size: int, dry_run: bool
) -> None:
    """Remove the rows of every collection of `spec` whose documents are gone, children first; each count
    goes to its collection's summary (`deleted`; kept rows count as `rejected`). Nothing while Postgres leads."""
    if live_mode(spec.name) not in MONGO_LEADS:
        return
    for collection in reversed(spec.collections):
        for element_map in element_maps(spec, collection):
            swept = remove_elements_gone(spec, element_map, source, batch_size=batch_size, dry_run=dry_run)
            if element_map.collection in summaries:
                summaries[element_map.collection].deleted += swept.deleted
        swept = remove_rows_without_documents(spec, collection, run, source, batch_size=batch_size, dry_run=dry_run)
        summary = summaries.get(collection)
        if summary is not None:
            summary.deleted += swept.deleted
            summary.rejected += swept.kept


def remove_rows_without_documents(
    spec: DomainSpec, collection: str, run: BackfillRun | None, source, *, batch_size: int, dry_run: bool = False
) -> Sweep:
    model = spec.postgres_model(collection)
    database = spec.build_mongo_repository().database
    swept, after = Sweep(), None
    rows = model.objects.order_by("pk").values_list("pk", "legacy_id")
    while batch := list((rows.filter(pk__gt=after) if after is not None else rows)[:batch_size]):
        after = batch[-1][0]
        found = _documents_found(_scanned(source, database), collection, batch)
        for record_id, legacy_id in batch:
            if found.isdisjoint(_forms(record_id, legacy_id)):
                if dry_run:
                    swept.deleted += 1
                else:
                    _remove(spec, collection, record_id, legacy_id, database, run, swept)
    if not dry_run:
        _resolve_settled(spec, collection, database)
    return swept


def remove_elements_gone(spec: DomainSpec, element_map, source, *, batch_size: int, dry_run: bool = False) -> Sweep:
    """Element rows (chat messages) whose element was pulled from a parent document that is still there (a
    parent document gone takes its row, and that its element rows, ON DELETE CASCADE)."""
    model = spec.postgres_model(element_map.collection)
    database = spec.build_mongo_repository().database
    parent_field = element_map.embedded_in.parent_field
    swept, after = Sweep(), None
    rows = model.objects.order_by("pk").values_list("pk", parent_field)
    while batch := list((rows.filter(pk__gt=after) if after is not None else rows)[:batch_size]):
        after = batch[-1][0]
        arrays = _element_ids(_scanned(source, database), element_map, {parent for _, parent in batch})
        for element_id, parent_id in batch:
            if parent_id in arrays and element_id not in arrays[parent_id]:
                if dry_run:
                    swept.deleted += 1
                else:
                    swept.deleted += _remove_element(spec, element_map, element_id, parent_id, database)
    return swept


def _element_ids(database, element_map, parent_ids: set[str]) -> dict[str, set[str]]:
    """Parent id -> the ids (lowercase hex, as element records have them) in its document's array, for the
    parents whose document is there with an array (read a slice at a time, as the backfill reads it). A parent
    whose field is not an array is left out: a malformed array is the backfill's reject, never a reason to
    remove rows."""
    embedded = element_map.embedded_in
    forms = [form for parent_id in parent_ids for form in _forms(parent_id, None)]
    parents = database[embedded.parent_collection].find({"_id": {"$in": forms}}, {"_id": 1})
    arrays = {str(parent["_id"]).lower(): _array_ids(database, element_map, parent["_id"]) for parent in parents}
    return {parent_id: ids for parent_id, ids in arrays.items() if ids is not None}


def _array_ids(database, element_map, parent_key) -> set[str] | None:
    """The element ids of one parent's array, or None when its field is (or turns) something else."""
    ids, skip = set(), 0
    while items := read_slice(database, element_map, parent_key, skip, SLICE):
        ids |= {str(item["_id"]).lower() for item in items if isinstance(item, dict) and "_id" in item}
        skip += len(items)
    return None if items is None else ids


def _remove_element(spec, element_map, element_id: str, parent_id: str, database) -> int:
    with transaction.atomic():
        if fenced_live_mode(spec.name) not in MONGO_LEADS:
            return 0
        lock_record_copies(element_map.collection, [element_id])
        arrays = _element_ids(database, element_map, {parent_id})
        if parent_id not in arrays or element_id in arrays[parent_id]:
            return 0  # back meanwhile, or the parent went (its own row's delete takes this one)
        spec.postgres_model(element_map.collection).objects.filter(pk=element_id).delete()
    logger.info("%s %s: element pulled from its parent in Mongo, row removed", element_map.collection, element_id)
    return 1


def _scanned(source, leader):
    """The database the run read (a source without one: the leader's). Compared with None: a pymongo
    Database refuses truth testing (NotImplementedError), so `or` crashed every sweep over a real server."""
    database = getattr(source, "database", None)
    return leader if database is None else database


def _forms(record_id: str, legacy_id: str | None) -> list[Any]:
    forms: list[Any] = [ObjectId(record_id), record_id, record_id.upper()]
    return forms + ([legacy_id] if legacy_id is not None else [])


def _documents_found(database, collection: str, rows: list[tuple[str, str | None]]) -> set:
    forms = [form for record_id, legacy_id in rows for form in _forms(record_id, legacy_id)]
    return {doc["_id"] for doc in database[collection].find({"_id": {"$in": forms}}, {"_id": 1})}


def _remove(spec, collection: str, record_id: str, legacy_id: str | None, database, run, swept: Sweep) -> None:
    record_map = spec.record_map(collection)
    with transaction.atomic():
        if fenced_live_mode(spec.name) not in MONGO_LEADS:
            return  # Postgres leads now: its row is the truth
        lock_record_copies(collection, [record_id])
        with connection.cursor() as cursor:  # a reference the delete breaks refuses it here, not at commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if _documents_found(database, collection, [(record_id, legacy_id)]):
            return  # created again (or renamed) meanwhile
        record = spec.build_postgres_repository().get_snapshot(collection, record_id)
        if record is None:
            return  # deleted meanwhile
        if record_map.insert_only:
            swept.kept += _open(spec, collection, record, run, DELETED_ENTRY, _deleted_entry_reason(record))
            return
        try:
            with transaction.atomic():  # a savepoint: a refused delete keeps the transaction for its reject
                spec.postgres_model(collection).objects.filter(pk=record_id).delete()
        except (ProtectedError, IntegrityError) as error:
            reason = _still_referenced_reason(collection, record_id, error)
            swept.kept += _open(spec, collection, record, run, STILL_REFERENCED, reason)
            return
        BackfillReject.objects.filter(
            collection=collection, record_id=record_id, status__in=BackfillReject.UNRESOLVED
        ).update(status=BackfillReject.Status.RESOLVED, resolved_at=timezone.now())  # nothing left to migrate
        swept.deleted += 1
        logger.info("%s %s: document deleted from Mongo, row removed", collection, record_id)


def _deleted_entry_reason(record: Any) -> str:
    effect = getattr(record, "balance_effect", "")
    return (
        f"deleted from Mongo, but its row is append-only and stays{f': {effect}' if effect else ''}. "
        f"Resolve with `manage.py resolve_deleted_entry ID --compensate` (a compensating entry cancels its "
        f"effect) or `--stands` (an audited decision that it stands), both with --user NAME --reason '...'"
    )


def _still_referenced_reason(collection: str, record_id: str, error: Exception) -> str:
    held_by = sorted({obj._meta.db_table for obj in getattr(error, "protected_objects", ())})
    by = f"rows of {', '.join(held_by)}" if held_by else "other rows"
    return (
        f"deleted from Mongo, but {by} still reference {collection} {record_id}, so its row stays. Fix or delete "
        f"the referencing documents (or restore this one), then rerun `manage.py backfill` on their domains "
        f"and this one"
    )


def _open(spec, collection: str, record: Any, run, kind: str, reason: str) -> int:
    """The row's open reject (the row as its document kept with it); counts 1 per sweep that keeps it."""
    reject_row_that_stays(spec, collection, run, spec.record_map(collection).to_document(record), kind, reason)
    logger.warning("%s %s: %s", collection, record.id, reason)
    return 1


def _resolve_settled(spec, collection: str, database) -> None:
    """This sweep's kinds of reject whose question went away: the row is gone (a resolution removed it) or
    its document is back (restored, or re-created by the legacy application)."""
    model = spec.postgres_model(collection)
    for reject in BackfillReject.objects.filter(collection=collection, kind__in=ROW_STAYS, status="open"):
        row = model.objects.filter(pk=reject.record_id).values_list("legacy_id", flat=True).first()
        if row is None and not model.objects.filter(pk=reject.record_id).exists():
            settled = True
        else:
            settled = bool(_documents_found(database, collection, [(reject.record_id, row)]))
        if settled:
            reject.status, reject.resolved_at = BackfillReject.Status.RESOLVED, timezone.now()
            reject.save(update_fields=["status", "resolved_at"])
