"""Reverse backfill: bring Mongo up to date from Postgres, in the legacy document shape,
before a domain rolls back from `postgres` towards `mongo`.

It rewrites Mongo documents, so it is careful:
- it refuses while Mongo is the authoritative store (modes `mongo` and `dual_mongo_primary`):
  there, Postgres is the copy, and writing it back would revert edits made in Mongo and
  resurrect deleted documents;
- each batch is copied as a mirror copies a record (cutover.mirror.copy), in one transaction: under
  the domain's fence (shared) and the batch's copy locks, from Postgres's state read after taking
  them (the leader's, whatever the clocks say), changing only the keys whose value differs, each
  update guarded by the values it replaces (one bulk read, one bulk write; when a document changed
  under us, the batch is redone through the Mongo backend's put_snapshot); so a concurrent dual write is
  never reverted, a batch redone after a kill is harmless, the checkpoint is saved after its
  batch's writes, and `written` counts the documents it changed (0 on a rerun with nothing new,
  as its dry run says);
- a dry run reads both stores and counts what would change; it writes nothing, saves no
  checkpoint, and its run is recorded as a dry run (which no precondition counts).
"""

import time
from typing import Any

from bson import ObjectId
from django.db import transaction
from django.utils import timezone
from pymongo import InsertOne, UpdateOne
from pymongo.errors import BulkWriteError

from cutover.backfill import stopping
from cutover.backfill.control import Throttle
from cutover.backfill.elements import element_maps, reverse_elements
from cutover.backfill.load import TableLoader
from cutover.backfill.progress import Progress
from cutover.backfill.rejects import storable_record_id
from cutover.backfill.run import BackfillRefused, backfill_run, deadline_after
from cutover.backfill.runner import CollectionSummary
from cutover.backfill.source import MongoDocumentSource
from cutover.backfill.stopping import stop_reason
from cutover.mirror.copy import lock_record_copies
from cutover.models import BackfillCheckpoint, BackfillReject, BackfillRun
from cutover.modes.cache import current_mode, invalidate_mode_cache
from cutover.modes.fence import FenceBusy, hold_fence_shared_unless_busy
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.store.backends.errors import ImmutableRecordConflict
from cutover.store.clocks import note_backwards_version
from cutover.store.legacy import HEX24, LegacyValueError
from cutover.store.mongo_writes import guarded, id_candidates

MONGO_LEADS = (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY)


class ReverseBackfillRefused(BackfillRefused):
    pass


def reverse_backfill_domain(
    domain: str,
    *,
    batch_size: int = 1000,
    dry_run: bool = False,
    restart: bool = False,
    max_minutes: float | None = None,
    show_progress: bool = False,
    throttle: Throttle | None = None,
) -> BackfillRun:
    spec = domain_spec(domain)
    refuse_while_mongo_leads(spec.name)
    deadline = deadline_after(max_minutes)
    reverse = BackfillRun.Direction.REVERSE
    with backfill_run(spec.name, dry_run=dry_run, direction=reverse, throttle=throttle) as progress:
        for collection in spec.collections:
            summary = progress.summaries[collection] = _reverse_collection(
                spec, collection, progress.run, batch_size, restart, deadline, show_progress, dry_run
            )
            progress.summaries.update(getattr(summary, "element_summaries", {}))
            if summary.stopped:
                break
            summary.deleted = remove_documents_without_rows(spec, collection, batch_size=batch_size, dry_run=dry_run)
    return progress.run


def refuse_while_mongo_leads(domain: str) -> None:
    invalidate_mode_cache()  # this decides whether Mongo may be rewritten: read the mode as it is now
    mode = current_mode(domain)
    if mode in MONGO_LEADS:
        raise ReverseBackfillRefused(
            f"refused: {domain} is in {mode.value}, where Mongo is the authoritative store; a reverse backfill "
            f"would overwrite it with the Postgres copy (reverting edits, resurrecting deleted documents). "
            f"It is for rolling back from Postgres-primary modes (dual, postgres) only. Nothing was written."
        )


def _reverse_collection(
    spec, collection, run, batch_size, restart, deadline, show_progress, dry_run
) -> CollectionSummary:
    started, summary, elements = time.monotonic(), CollectionSummary(), CollectionSummary()
    if spec.record_map(collection).element_keys:  # reported beside the collection, as the forward run does
        summary.element_summaries = {m.collection: elements for m in element_maps(spec, collection)}
    postgres, mongo = spec.build_postgres_repository(), spec.build_mongo_repository()
    record_map = spec.record_map(collection)
    checkpoint = _checkpoint(spec.name, collection, restart, dry_run)
    progress = (
        Progress(f"{spec.name}/{collection} → mongo", postgres.count_all(collection))
        if show_progress
        else None
    )
    stopping.start_collection(collection, lambda: postgres.count_all(collection))
    while not checkpoint.done:
        if reason := stop_reason(deadline, done=summary.read):
            summary.stopped, summary.stopped_by = True, reason
            break
        size = stopping.batch_size(batch_size)
        records = postgres.read_id_range(collection, checkpoint.last_key or None, None, size)
        if dry_run:
            changing = _would_change(mongo, record_map, records)
        else:  # under the batch's copy locks, re-read: a concurrent dual write is never reverted
            changing = _copy_batch(spec.name, record_map, postgres, mongo, [record.id for record in records])
        if record_map.element_keys:  # chat messages: element by element, after their chat
            elements.written += reverse_elements(spec, record_map, records, dry_run=dry_run)
        checkpoint.done = len(records) < size
        checkpoint.last_key = records[-1].id if records else checkpoint.last_key
        summary.read += len(records)
        summary.written += changing
        summary.unchanged += len(records) - changing
        if not dry_run:
            _save(checkpoint, run, len(records), changing)
        if progress:
            progress.update(summary.read)
    if progress:
        progress.finish()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _would_change(mongo, record_map, records: list[Any]) -> int:
    """How many of these records differ from their Mongo documents (or have none): what a real run writes,
    at most."""
    wanted = [form for record in records for form in id_candidates(record.id, record.legacy_id)]
    current = {}
    for doc in mongo.database[record_map.collection].find({"_id": {"$in": wanted}}):
        try:
            stored = record_map.from_document(doc)
        except LegacyValueError:
            continue  # an unreadable document would be rewritten
        current[stored.id] = stored
    return sum(1 for record in records if current.get(record.id) != record)


def _copy_batch(domain: str, record_map, postgres, mongo, ids: list[str]) -> int:
    """Copy a batch of records to Mongo as the mirror copies one (cutover.mirror.copy), in one transaction:
    the domain's fence held shared (a mode change waits, and Postgres must still lead), the batch's copy
    locks, its rows read after taking them (the leader's state, whatever the clocks), its documents in one
    read and the changed keys of each in one bulk write, each update guarded by the values it replaces. A
    document changed (or created) under us fails its guard (or its insert), and the batch's writes are
    redone one by one through put_snapshot, on the state then. Rows deleted since the range read are left to the
    deletes pass (remove_documents_without_rows), which spares unmigrated rejects. Returns how many
    documents it changed (0 on a rerun with nothing new, as the dry run counts)."""
    if not ids:
        return 0
    with transaction.atomic():
        _hold_fence_while_postgres_leads(domain)
        lock_record_copies(record_map.collection, ids)
        records = postgres.read_ids(record_map.collection, tuple(ids))
        stored = _stored_documents(mongo.database[record_map.collection], record_map, records)
        writes = [(record, _write(record_map, stored.get(record.id), record)) for record in records]
        writes = [(record, write) for record, write in writes if write is not None]
        if writes and not _all_applied(mongo.database[record_map.collection], [write for _, write in writes]):
            for record, _ in writes:  # a concurrent writer got there first: each again, on its state now
                mongo.put_snapshot(record)
    return len(writes)


def _write(record_map, stored: dict | None, record: Any) -> InsertOne | UpdateOne | None:
    """The write making the document read as `record`: a new document, or the changed keys of the stored
    one guarded by their values (None when it reads so already)."""
    if stored is None:
        return InsertOne(record_map.to_document(record))
    if record_map.insert_only:
        if record_map.from_document(stored) != record:
            raise ImmutableRecordConflict(record_map.collection, record.id)
        return None
    now = record_map.stored_values(stored)
    if record_map.version_field:  # reported only: the copy holds the leader's state, whatever its clock
        note_backwards_version(record_map, record, now[record_map.version_field])
    update = record_map.owned_update(stored, record, now=now)
    return UpdateOne(guarded(stored, update), update) if update else None


def _all_applied(collection, writes: list) -> bool:
    """One bulk write; False when a guard did not match or a document appeared meanwhile (a duplicate
    `_id`), so that the batch is redone record by record. Any other failure is raised."""
    try:
        done = collection.bulk_write(writes, ordered=False)
    except BulkWriteError as error:
        if any(failure.get("code") != 11000 for failure in error.details.get("writeErrors", [])):
            raise
        return False
    updates = sum(1 for write in writes if isinstance(write, UpdateOne))
    return done.matched_count == updates


def _hold_fence_while_postgres_leads(domain: str) -> None:
    """The domain's write fence, shared until the batch commits; refused when a mode change holds it or
    moved the lead back to Mongo since the run began (its copy must not overwrite the leader)."""
    try:
        mode = hold_fence_shared_unless_busy(domain)
    except FenceBusy as busy:
        raise ReverseBackfillRefused(f"{busy}: the reverse backfill stopped; rerun it after the change") from None
    if mode in MONGO_LEADS:
        raise ReverseBackfillRefused(f"refused: {domain} moved to {mode.value} (Mongo leads) while it ran")


def _stored_documents(collection, record_map, records: list[Any]) -> dict[str, dict]:
    """Each record's own document (as `locate(of_record=True)` finds it: its legacy string `_id`, else its
    ObjectId), in one read."""
    wanted = {}
    for record in records:
        for form in ([record.legacy_id] if record.legacy_id is not None else []) + [ObjectId(record.id)]:
            wanted.setdefault(form, record.id)
    found = {doc["_id"]: doc for doc in collection.find({"_id": {"$in": list(wanted)}}, _without_elements(record_map))}
    documents = {}
    for record in records:
        forms = ([record.legacy_id] if record.legacy_id is not None else []) + [ObjectId(record.id)]
        doc = next((found[form] for form in forms if form in found), None)
        if doc is not None:
            documents[record.id] = doc
    return documents


def _without_elements(record_map) -> dict | None:
    """The arrays held as element records are copied element by element (reverse_elements), never read whole."""
    return {key: 0 for key in record_map.element_keys} or None


def _save(checkpoint: BackfillCheckpoint, run: BackfillRun, count: int, written: int) -> None:
    checkpoint.read += count
    checkpoint.written += written
    checkpoint.run = run
    checkpoint.save()


def _checkpoint(domain: str, collection: str, restart: bool, dry_run: bool) -> BackfillCheckpoint:
    if dry_run:  # from the start, never saved
        return BackfillCheckpoint(domain=domain, collection=collection, direction=BackfillRun.Direction.REVERSE)
    checkpoint, _ = BackfillCheckpoint.objects.get_or_create(
        collection=collection, direction=BackfillRun.Direction.REVERSE, shard=0, defaults={"domain": domain}
    )
    if restart or checkpoint.done:
        checkpoint.last_key, checkpoint.done, checkpoint.read, checkpoint.written = "", False, 0, 0
        checkpoint.updated_at = timezone.now()
        checkpoint.save()
    return checkpoint


def remove_documents_without_rows(spec, collection: str, *, batch_size: int, dry_run: bool) -> int:
    """Delete the Mongo documents whose record Postgres no longer has: deletes made while Postgres led (in
    `postgres` mode nothing copies them) must not come back on the rollback. A document whose record was
    never migrated (an open or acknowledged backfill reject) is kept: Postgres never had it. Each delete
    happens under the record's copy lock, after checking again that the row is still absent."""
    database = spec.build_mongo_repository().database
    source, loader = MongoDocumentSource(database), TableLoader(spec, collection)
    removed = 0
    for phase in ("objectId", "string"):
        after = None
        while docs := source.batch(collection, phase=phase, after=after, limit=batch_size):
            after = docs[-1]["_id"]
            ids = {str(doc["_id"]).lower(): doc["_id"] for doc in docs if _hex24(doc["_id"])}
            missing = set(ids) - loader.existing_ids(list(ids))
            kept = set(
                BackfillReject.objects.filter(
                    collection=collection,
                    record_id__in=[storable_record_id(str(ids[key])) for key in missing],
                    status__in=BackfillReject.UNRESOLVED,
                ).values_list("record_id", flat=True)
            )
            for key in sorted(missing):
                if storable_record_id(str(ids[key])) in kept:
                    continue
                removed += 1
                if dry_run:
                    continue
                with transaction.atomic():
                    lock_record_copies(collection, [key])
                    if not loader.existing_ids([key]):
                        database[collection].delete_one({"_id": ids[key]})
    return removed


def _hex24(identity) -> bool:
    return isinstance(identity, ObjectId) or (isinstance(identity, str) and bool(HEX24.match(identity)))
