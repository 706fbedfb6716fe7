"""The forward backfill of one domain: each collection by `_id` keyset, in batches,
each batch with its checkpoint in one transaction, so a kill at any moment loses
nothing and duplicates nothing: the next run resumes at the last checkpoint."""

import logging
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

import psycopg
from bson import ObjectId
from django.db import DatabaseError, connection, transaction

from cutover.backfill.digest import RangeDigests, range_low
from cutover.backfill.elements import backfill_elements, dry_run_elements
from cutover.backfill.load import LoadResult, RowsRefused, TableLoader
from cutover.backfill.pipeline import read_ahead, read_ahead_in_workers
from cutover.backfill.progress import Progress
from cutover.backfill.raw import RawBatch
from cutover.backfill.rejects import reject_other_ids, retry_open_rejects, save_batch_outcome
from cutover.backfill.source import PHASES, DocumentSource, decode_key, encode_key
from cutover.backfill.stopping import batch_size, start_collection, stop_reason
from cutover.backfill.transform import Transformed, transform
from cutover.backfill.workers import prepared, prepares_in_workers, submit_copy_lines
from cutover.models import BackfillCheckpoint, BackfillReject, BackfillRun
from cutover.modes.registry import DomainSpec
from cutover.store.legacy import now_ms

DEADLOCK_DETECTED = "40P01"
DEADLOCK_ATTEMPTS = 3  # a batch ended by a deadlock is loaded again, up to this many times in all

logger = logging.getLogger("cutover.backfill")

CATCH_UP_SECONDS = 120


@dataclass
class CollectionSummary:
    read: int = 0
    written: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    resolved: int = 0  # open rejects of earlier runs that loaded this time
    caught_up: int = 0  # written by the catch-up pass: inserted behind the cursor while the pass ran
    deleted: int = 0  # reverse runs: Mongo documents whose record Postgres deleted
    seconds: float = 0.0
    stopped: bool = False
    stopped_by: str = ""  # why it stopped early: "max-minutes" or a signal (cutover.backfill.stopping)

    def add(self, other: "CollectionSummary") -> None:
        for name in ("read", "written", "unchanged", "rejected", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class PassOptions:
    batch_size: int = 1000
    dry_run: bool = False
    deadline: float | None = None  # time.monotonic() value to stop at (a batch boundary)
    show_progress: bool = True
    skip_unchanged: bool = True  # skip ranges unchanged since they last loaded cleanly (a restart loads all)


def checkpoint_for(
    spec: DomainSpec, collection: str, *, shard: int = 0, restart: bool = False, lower: str = "", upper: str = ""
) -> BackfillCheckpoint:
    """The collection's checkpoint; a finished (or restarted) one starts a fresh pass."""
    checkpoint, _ = BackfillCheckpoint.objects.get_or_create(
        collection=collection, direction="forward", shard=shard, defaults={"domain": spec.name}
    )
    if restart or checkpoint.done or (checkpoint.lower_id, checkpoint.upper_id) != (lower, upper):
        checkpoint.phase, checkpoint.last_key, checkpoint.done = PHASES[0], "", False
        checkpoint.read = checkpoint.written = checkpoint.unchanged = checkpoint.rejected = 0
        checkpoint.lower_id, checkpoint.upper_id = lower, upper
        checkpoint.save()
    return checkpoint


def backfill_collection(
    spec: DomainSpec,
    collection: str,
    source: DocumentSource,
    run: BackfillRun,
    checkpoint: BackfillCheckpoint,
    options: PassOptions,
) -> CollectionSummary:
    """One pass over a collection (or one shard of it) from its checkpoint."""
    started = time.monotonic()
    summary = CollectionSummary()
    reader = _BatchReader(spec, collection, source, checkpoint, options)
    loader = TableLoader(spec, collection, reread=reader.reread, documents_exist=reader.documents_exist)
    phases = PHASES if checkpoint.shard == 0 else PHASES[:1]  # shards split the ObjectId range only
    progress = (
        Progress(f"{spec.name}/{collection}#{checkpoint.shard}", source.count(collection))
        if options.show_progress
        else None
    )
    start_collection(collection, lambda: progress.total if progress else source.count(collection))
    with _commits_without_waiting_for_the_disk():
        while checkpoint.phase in phases and not summary.stopped:
            summary.stopped_by = _phase(checkpoint, reader, loader, run, options, summary, progress)
            summary.stopped = bool(summary.stopped_by)
            if not summary.stopped and checkpoint.phase == "objectId" and not options.dry_run:
                _catch_up(checkpoint, reader, loader, run, options, summary)
            if not summary.stopped:
                _next_phase(checkpoint, phases, options.dry_run)
    if not summary.stopped and checkpoint.shard == 0 and not options.dry_run:
        summary.rejected += reject_other_ids(spec, collection, source, run)

        def load_elements(out, result) -> None:  # the embedded records of the parents a retry loaded
            load_elements_of_loaded(spec, collection, source, run, out, result, reader.element_totals)

        summary.resolved = retry_open_rejects(spec, collection, source, run, loader, load_elements)
    summary.element_summaries = reader.element_totals  # not a field: reported beside the collection
    if progress:
        progress.finish()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _phase(checkpoint, reader, loader, run, options, summary, progress) -> bool:
    """The batches of one _id phase; why it stopped early (at a batch boundary: the deadline, a signal), or "".

    The next batches are read and transformed (by worker processes or on a worker thread,
    cutover.backfill.pipeline) while this one loads. A range that loaded cleanly before
    and did not change since is skipped untransformed (cutover.backfill.digest)."""
    digests = None
    if checkpoint.phase == "objectId" and not options.dry_run and RangeDigests.apply_to(loader, reader.expiry):
        digests = RangeDigests(loader, reader.collection)
    inspect = None
    if digests:
        skip = options.skip_unchanged and not reader.has_open_rejects
        low = checkpoint.lower_id
        inspect = lambda after, docs: digests.inspect(range_low(after, low), docs, skip=skip)  # noqa: E731
    batches = _batches(checkpoint, reader, inspect)
    try:
        while True:
            if reason := stop_reason(options.deadline, clock=time.monotonic, done=summary.read):
                return reason
            docs, out = next(batches, (None, None))
            if not docs:
                return ""
            if out is None:
                summary.add(_unchanged_batch(docs, run, checkpoint))
            else:
                summary.add(_batch(reader, loader, docs, out, run, checkpoint, options, digests))
            if progress:
                progress.update(summary.read)
    finally:
        batches.close()


def _batches(checkpoint, reader, inspect):
    """The phase's batches, read ahead: prepared by worker processes where the source hands them over as
    raw BSON and the records are plain rows (cutover.backfill.workers), else transformed on a thread."""
    after = decode_key(checkpoint.last_key)
    if checkpoint.phase == "objectId" and reader.prepares_in_workers:
        return read_ahead_in_workers(
            lambda after: reader.fetch_raw(checkpoint.phase, after),
            lambda pool, batch: submit_copy_lines(pool, reader.spec, reader.collection, batch),
            lambda batch, result: prepared(reader.spec, reader.collection, batch, result),
            after,
            inspect,
        )
    return read_ahead(lambda after: reader.fetch(checkpoint.phase, after), reader.transform, after, inspect)


def _unchanged_batch(docs, run, checkpoint) -> CollectionSummary:
    batch = CollectionSummary(read=len(docs), unchanged=len(docs))
    with transaction.atomic():
        checkpoint.last_key = encode_key(docs[-1]["_id"])
        checkpoint.read += batch.read
        checkpoint.unchanged += batch.unchanged
        checkpoint.run = run
        checkpoint.save()
    return batch


def _catch_up(checkpoint, reader, loader, run, options, summary) -> None:
    """Read once more the ObjectIds created since shortly before this run began.

    A keyset scan misses documents that other writers insert behind its cursor: ObjectIds made by
    different processes are not ordered within a second (nor across clock skew). Those are recent ids,
    so the window since the run started (less CATCH_UP_SECONDS) holds them; rows already right are not
    rewritten. Documents inserted after this pass are the mirror's job (dual_mongo_primary) or the next
    run's; verify reports any that are still missing."""
    window = ObjectId.from_datetime(run.started_at - timedelta(seconds=CATCH_UP_SECONDS))
    lower = ObjectId(checkpoint.lower_id) if checkpoint.lower_id else None
    after = max(window, lower) if lower else window
    while ids := reader.source.ids_after(
        reader.collection, after=after, limit=options.batch_size, upper=checkpoint.upper_id
    ):
        after = ids[-1]
        missed = _not_seen_yet(loader, reader.collection, ids)
        if missed:
            docs = reader.source.find(reader.collection, missed)
            out = transform(reader.record_map, docs, skip_expired_field=reader.expiry, now=now_ms())
            batch = _batch(reader, loader, docs, out, run, checkpoint, options)
            summary.caught_up += batch.written
            summary.rejected += batch.rejected


def _not_seen_yet(loader: TableLoader, collection: str, ids: list) -> list:
    """The ids that have neither a row nor an unresolved reject: the documents the scan missed. (Rows are
    asked first: most ids have one, so the rejects are looked up for the few that do not.)"""
    texts = [str(identity) for identity in ids]
    without_row = set(texts) - loader.existing_ids(texts)
    if not without_row:
        return []
    rejected = set(
        BackfillReject.objects.filter(
            collection=collection, record_id__in=without_row, status__in=BackfillReject.UNRESOLVED
        ).values_list("record_id", flat=True)
    )
    return [identity for identity in ids if str(identity) in without_row - rejected]


class _BatchReader:
    def __init__(self, spec, collection, source, checkpoint, options):
        self.spec, self.collection, self.source = spec, collection, source
        self.checkpoint, self.options = checkpoint, options
        self.record_map = spec.record_map(collection)
        self.expiry = dict(spec.backfill_skips_expired).get(collection)
        # Only then can a batch load a document an earlier run rejected (one query per pass, not per batch).
        self.has_open_rejects = BackfillReject.objects.filter(collection=collection, status="open").exists()
        self.element_totals: dict[str, CollectionSummary] = {}  # element collection -> its counts
        self.prepares_in_workers = prepares_in_workers(spec, collection, source, self.expiry)

    def fetch(self, phase: str, after) -> list[dict]:
        return self._read(self.source.batch, phase, after)

    def fetch_raw(self, phase: str, after) -> RawBatch:
        return self._read(self.source.raw_batch, phase, after)

    def _read(self, read_batch, phase: str, after):
        """The next batch of this pass's range after `after`, decoded (`source.batch`) or raw."""
        return read_batch(
            self.collection,
            phase=phase,
            after=after,
            limit=batch_size(self.options.batch_size),
            lower=self.checkpoint.lower_id,
            upper=self.checkpoint.upper_id,
        )

    def transform(self, docs: list[dict]) -> Transformed:
        return transform(self.record_map, docs, skip_expired_field=self.expiry, now=now_ms())

    def documents_exist(self, ids: list) -> set:
        return {doc["_id"] for doc in self.source.find(self.collection, ids)}

    def reread(self, records: list) -> list:
        """These records' documents as they are now (those still there and still readable)."""
        docs = self.source.find(self.collection, [self.record_map.document_id(record) for record in records])
        return transform(self.record_map, docs).records


def _batch(reader, loader, docs, out, run, checkpoint, options, digests=None) -> CollectionSummary:
    batch = CollectionSummary(read=len(docs), skipped=out.skipped)
    if options.dry_run:  # validate, orphan check included, and write nothing
        would_reject = LoadResult()
        loadable = loader.without_orphans(out.records, would_reject)
        loadable = _without_earlier_twins(reader, loader.without_id_clashes(loadable, would_reject), would_reject)
        batch.written, batch.rejected = len(loadable), len(out.rejects) + len(would_reject.rejects)
        checkpoint.last_key = encode_key(docs[-1]["_id"])
        if reader.record_map.element_keys:
            found = dry_run_elements(reader.spec, reader.record_map, loadable, reader.source.database)
            _add_element_totals(reader.element_totals, found)
        return batch
    result = _load_unless_refused_again(reader, loader, docs, out, run, checkpoint, batch, digests)
    logger.debug("%s: batch of %d up to %s", reader.collection, len(docs), docs[-1]["_id"])
    load_elements_of_loaded(reader.spec, reader.collection, reader.source, run, out, result, reader.element_totals)
    return batch


def _load_unless_refused_again(*batch_parts) -> LoadResult:
    """The batch loaded; a batch PostgreSQL ends as a deadlock's victim (rolled back whole, its checkpoint
    unmoved) is loaded again. Writers take a record's copy lock before its row as the batch does, but a
    use case that changes several records locks them in its own order, not the batch's sorted one."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            try:
                return _load_batch(*batch_parts, first_try=True)
            except RowsRefused:  # rolled back whole: again, isolating what the database refuses
                return _load_batch(*batch_parts, first_try=False)
        except (DatabaseError, psycopg.Error) as error:
            if _sqlstate(error) != DEADLOCK_DETECTED or attempt == DEADLOCK_ATTEMPTS:
                raise
            logger.warning(
                "%s: batch ended by a deadlock with a writer (%s); loading it again", batch_parts[0].collection, error
            )
    raise AssertionError("unreachable")


def _sqlstate(error: Exception) -> str:
    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    return getattr(cause, "sqlstate", "") or ""


def _load_batch(reader, loader, docs, out, run, checkpoint, batch, digests, *, first_try: bool) -> LoadResult:
    """The batch's rows, its rejects, its range note and its checkpoint: one transaction."""
    with transaction.atomic():
        result = loader.load(out.records, first_try=first_try)
        rejected = save_batch_outcome(
            reader.spec, reader.collection, run, out, result, resolve_earlier=reader.has_open_rejects
        )
        batch.written, batch.rejected = len(result.written), rejected
        batch.unchanged = len(out.records) - len(result.written) - len(result.rejects)
        if digests:
            clean = not (out.rejects or result.rejects or out.skipped or loader.postgres_leads)
            digests.note(range_low(decode_key(checkpoint.last_key), checkpoint.lower_id), docs, clean)
        checkpoint.last_key = encode_key(docs[-1]["_id"])
        for name in ("read", "written", "unchanged", "rejected"):
            setattr(checkpoint, name, getattr(checkpoint, name) + getattr(batch, name))
        checkpoint.run = run
        checkpoint.save()
    return result


def load_elements_of_loaded(spec, collection, source, run, out, result, totals: dict) -> None:
    """Each parent that loaded gets its embedded element records (chat messages) loaded, slice by slice,
    after its own batch committed (cutover.backfill.elements)."""
    record_map = spec.record_map(collection)
    if not record_map.element_keys:
        return
    refused = {record_id for record_id, _, _ in result.rejects}
    parents = [record for record in out.records if record.id not in refused]
    _add_element_totals(totals, backfill_elements(spec, record_map, parents, source.database, run))


def _add_element_totals(totals: dict, found: dict) -> None:
    for name, element_summary in found.items():
        total = totals.setdefault(name, CollectionSummary())
        total.read, total.written = total.read + element_summary.read, total.written + element_summary.written
        total.rejected += element_summary.rejected
        total.unchanged += element_summary.read - element_summary.written - element_summary.rejected


@contextmanager
def _commits_without_waiting_for_the_disk():
    """The batches' commits return before their WAL reaches the disk (it gets there within a few hundred
    milliseconds). Safe here: each batch's rows and checkpoint are in the one transaction, so a crash that
    loses the last batches loses them together, and the next run loads them again from the checkpoint it
    finds; nothing else waits on these commits. (One flush per batch was a third of a first run's time.)
    Set for the pass's session, not per transaction: SET LOCAL was a round trip a batch."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with suppress(DatabaseError), connection.cursor() as cursor:  # (a lost connection has no setting left)
            cursor.execute("RESET synchronous_commit")


def _without_earlier_twins(reader, records: list, result: LoadResult) -> list:
    """A dry run loads nothing, so the table cannot show an id clash: a string-`_id` document whose id an
    earlier-read document also has (the ObjectId, or a string that sorts first) would be rejected as one."""
    strings = [record for record in records if record.legacy_id is not None]
    if not strings:
        return records
    forms = [form for record in strings for form in (ObjectId(record.id), record.id, record.id.upper())]
    found = {doc["_id"] for doc in reader.source.find(reader.collection, forms)}
    twins = set()
    for record in strings:
        earlier = [f for f in found if f != record.legacy_id and (isinstance(f, ObjectId) or f < record.legacy_id)]
        if [f for f in earlier if str(f).lower() == record.id]:
            twins.add(record.id)
            result.rejects.append((record.id, "unique_clash", f"id clash: another document's _id is {record.id}"))
    return [record for record in records if record.id not in twins]


def _next_phase(checkpoint: BackfillCheckpoint, phases: tuple[str, ...], dry_run: bool) -> None:
    index = phases.index(checkpoint.phase) + 1
    checkpoint.phase = phases[index] if index < len(phases) else "done"
    checkpoint.last_key = ""
    checkpoint.done = checkpoint.phase == "done"
    if not dry_run:
        checkpoint.save()
