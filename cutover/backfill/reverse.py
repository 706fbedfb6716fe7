"""Reverse backfill: bring Mongo up to date from Postgres, in the legacy document shape,
before a domain rolls back from `postgres` towards `mongo`.

It rewrites Mongo documents, so it is careful:
- it refuses while Mongo is the authoritative store (modes `mongo` and `dual_mongo_primary`):
  there, Postgres is the copy, and writing it back would revert edits made in Mongo and
  resurrect deleted documents;
- each record is copied as a mirror copies it (cutover.mirror.copy): under its per-record copy
  lock, from Postgres's state read after taking it (the leader's, whatever the clocks say), through
  the Mongo backend's put_snapshot, which changes only the keys whose value differs; so a
  concurrent dual write is never reverted, a batch redone after a kill is harmless, and the
  checkpoint is saved after its batch's writes;
- a dry run reads both stores and counts what would change; it writes nothing, saves no
  checkpoint, and its run is recorded as a dry run (which no precondition counts).
"""

import time
from typing import Any

from bson import ObjectId
from django.db import transaction
from django.utils import timezone

from cutover.backfill.embedded import element_maps, reverse_elements
from cutover.backfill.load import TableLoader
from cutover.backfill.progress import Progress
from cutover.backfill.rejects import storable_record_id
from cutover.backfill.run import BackfillRefused, backfill_run, deadline_after
from cutover.backfill.runner import CollectionSummary
from cutover.backfill.source import MongoDocumentSource
from cutover.backfill.stopping import stop_reason
from cutover.mirror.copy import lock_record_copies, mirror_record
from cutover.models import BackfillCheckpoint, BackfillReject, BackfillRun
from cutover.modes.cache import current_mode, invalidate_mode_cache
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.store.legacy import HEX24, LegacyValueError
from cutover.store.mongo_writes import id_candidates

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
) -> BackfillRun:
    spec = domain_spec(domain)
    refuse_while_mongo_leads(spec.name)
    deadline = deadline_after(max_minutes)
    with backfill_run(spec.name, dry_run=dry_run, direction=BackfillRun.Direction.REVERSE) as progress:
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
    while not checkpoint.done:
        if reason := stop_reason(deadline):
            summary.stopped, summary.stopped_by = True, reason
            break
        records = postgres.read_id_range(collection, checkpoint.last_key or None, None, batch_size)
        changing = _would_change(mongo, record_map, records) if dry_run else len(records)
        if not dry_run:
            for record in records:  # each under its copy lock, re-read: a concurrent dual write is never reverted
                mirror_record(spec.name, record_map.collection, record.id, "mongo")
        if record_map.element_keys:  # chat messages: element by element, after their chat
            elements.written += reverse_elements(spec, record_map, records, dry_run=dry_run)
        checkpoint.done = len(records) < batch_size
        checkpoint.last_key = records[-1].id if records else checkpoint.last_key
        summary.read += len(records)
        summary.written += changing
        summary.unchanged += len(records) - changing
        if not dry_run:
            _save(checkpoint, run, len(records))
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


def _save(checkpoint: BackfillCheckpoint, run: BackfillRun, count: int) -> None:
    checkpoint.read += count
    checkpoint.written += count
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
