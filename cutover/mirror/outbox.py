"""The mirror outbox: durable notes that a record's copy must be refreshed.

In `dual` mode the note is written in the same transaction as the Postgres
write, so a crash or a Mongo outage can delay the Mongo copy but never lose
it. `outbox_repair_pending` is the repair task's body: fixed-size chunks, rows
locked with SKIP LOCKED so several workers never mirror the same row at once.
`outbox_drain` is the mode change's: everything pending for one domain and
target, due or not, before that store becomes primary.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.copy import MirrorSkipped, mirror_record, mirror_records_to_mongo
from cutover.mirror.counters import count_mirror_attempts
from cutover.models import MirrorOutboxEntry

logger = logging.getLogger("cutover.mirror.outbox")
Status = MirrorOutboxEntry.Status


@dataclass
class RepairReport:
    repaired: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0


_INSERT = (
    f"INSERT INTO {MirrorOutboxEntry._meta.db_table} (domain, collection, record_id, target, status, attempts, "
    "last_error, next_attempt_at, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, 0, '', %s, %s, %s) RETURNING id"
)


def outbox_enqueue(*, domain: str, collection: str, record_id: str, target: str) -> MirrorOutboxEntry:
    """Insert a pending entry (in the caller's transaction: a dual write's own). One plain statement: every
    dual write pays it, and the ORM's `create` cost twice as much (0.6 ms against 0.27 ms, bench/dual_write.py)."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [domain, collection, record_id, target, Status.PENDING.value, now, now, now])
        (entry_id,) = cursor.fetchone()
    return MirrorOutboxEntry(
        id=entry_id,
        domain=domain,
        collection=collection,
        record_id=record_id,
        target=target,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def outbox_process_entry(entry: MirrorOutboxEntry) -> bool:
    """Mirror one entry now; mark it done or failed. True when done."""
    try:
        mirror_record(entry.domain, entry.collection, entry.record_id, entry.target)
    except MirrorSkipped:
        return False
    except Exception as error:  # any failure is kept on the row for the repair task
        outbox_mark_failed([entry.pk], error)
        count_mirror_attempts(entry.domain, 1, failed=True)
        return False
    count_mirror_attempts(entry.domain, 1)
    MirrorOutboxEntry.objects.filter(pk=entry.pk, status=Status.PENDING).update(
        status=Status.DONE, updated_at=timezone.now()
    )
    return True


def outbox_process_entries(entries: list[MirrorOutboxEntry]) -> int:
    """Mirror a burst of entries (the in-process background mirror's) as the repair does: each record once,
    the records of one collection copied to Mongo together, a failed burst retried one record at a time so a
    failure stays on its own entries. Returns how many entries were mirrored."""
    report = RepairReport()
    _repair_entries(entries, report)
    return report.repaired


RecordKey = tuple[str, str, str, str]  # domain, collection, record id, target


@dataclass
class Bursts:
    done: list[RecordKey] = field(default_factory=list)
    skipped: list[RecordKey] = field(default_factory=list)  # the breaker is open
    one_by_one: list[RecordKey] = field(default_factory=list)  # not bound for Mongo, or their burst failed


def _mirror_bursts(by_record: dict[RecordKey, list[int]]) -> Bursts:
    """Copy the Mongo-bound records a collection at a time (cutover.mirror.copy.mirror_records_to_mongo: one
    copy-lock statement and one read of the rows for all; record by record, those round trips and their
    Python were most of a mirror's CPU, taken from the cores the requests run on)."""
    bursts, by_collection = Bursts(), {}
    for key in by_record:
        if key[3] == MirrorOutboxEntry.Target.MONGO:
            by_collection.setdefault(key[:2], []).append(key)
        else:
            bursts.one_by_one.append(key)
    for (domain, collection), keys in by_collection.items():
        try:
            with transaction.atomic():  # a savepoint in a caller's transaction: the retries start from a usable one
                mirror_records_to_mongo(domain, collection, [key[2] for key in keys])
        except MirrorSkipped:
            bursts.skipped += keys
        except Exception:  # noqa: BLE001 - tried again one by one, where each failure is kept
            bursts.one_by_one += keys
        else:
            bursts.done += keys
    return bursts


def _by_record(entries: list[MirrorOutboxEntry]) -> dict[RecordKey, list[int]]:
    by_record: dict[RecordKey, list[int]] = {}
    for entry in entries:
        by_record.setdefault(_record_key(entry), []).append(entry.pk)
    return by_record


def outbox_mark_failed(entry_ids: list[int], error: Exception) -> None:
    """Count an attempt, push the next one back exponentially, dead-letter at the limit. An error that
    says it is `permanent` (retrying cannot help: cutover.store.elements.DocumentLimitReached) is dead at once."""
    permanent = getattr(error, "permanent", False) is True
    (logger.error if permanent else logger.warning)("mirror failed for outbox %s: %s", entry_ids, error)
    now = timezone.now()
    for entry in MirrorOutboxEntry.objects.filter(pk__in=entry_ids, status=Status.PENDING):
        attempts = entry.attempts + 1
        dead = permanent or attempts >= settings.CUTOVER_OUTBOX_MAX_ATTEMPTS
        MirrorOutboxEntry.objects.filter(pk=entry.pk).update(
            attempts=attempts,
            status=Status.DEAD if dead else Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + _backoff(attempts),
            updated_at=now,
        )


def repair_due_entries() -> int:
    """The scheduled repair's job: retry what is due, return how many were repaired."""
    return outbox_repair_pending().repaired


def outbox_repair_pending(*, domain: str | None = None, limit: int = 500) -> RepairReport:
    """Retry due pending entries, one mirror per (domain, record, target)."""
    report = RepairReport()
    with transaction.atomic():
        due = MirrorOutboxEntry.objects.select_for_update(skip_locked=True).filter(
            status=Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        # A domain an operator names (`repair_mirror --domain`) is mirrored whatever its mode; the scheduled
        # task and the relay leave alone the domains that no longer use Mongo.
        due = due.filter(domain=domain) if domain else due.exclude(domain__in=_domains_without_mongo())
        if mongo_breaker.retry_in() > 0:
            due = due.exclude(target=MirrorOutboxEntry.Target.MONGO)  # Mongo is down: leave them unlocked
        _repair_entries(list(due.order_by("id")[:limit]), report)
    # An idle relay asks every second: only a pass that did something is worth a line at INFO.
    busy = report.repaired or report.failed or report.skipped
    (logger.info if busy else logger.debug)("mirror repair: %s", report)
    return report


@dataclass(frozen=True)
class DrainReport:
    remaining: int  # entries still pending
    failed: bool  # stopped by a failed (or breaker-skipped) mirror, not by the deadline


def outbox_drain(*, domain: str, target: str, deadline: float, wait_for_locked: bool, chunk: int = 200) -> DrainReport:
    """Mirror every pending entry of `domain` to `target` now (due or backing off). Stops at the
    first failure (the store is down: no point hammering it) or at `deadline` (time.monotonic()).

    Under a mode change's fence, `wait_for_locked` waits for entries a relay or the repair task
    is mirroring right now (their copy must be in place before the switch) instead of skipping them.
    """
    pending = MirrorOutboxEntry.objects.filter(domain=domain, target=target, status=Status.PENDING)
    last_id = pending.order_by("-id").values_list("id", flat=True).first()  # what arrives later is not ours
    failed = False
    while last_id is not None and time.monotonic() < deadline:
        report = RepairReport()
        with transaction.atomic():
            rows = pending.filter(id__lte=last_id).select_for_update(skip_locked=not wait_for_locked)
            entries = list(rows.order_by("id")[:chunk])
            _repair_entries(entries, report)
        failed = bool(report.failed or report.skipped)
        if not entries or failed:
            break
    return DrainReport(remaining=pending.count(), failed=failed)


def _repair_entries(entries: list[MirrorOutboxEntry], report: RepairReport) -> None:
    """Mirror entries (locked ones, but for the background thread's), each record once, in bursts
    (_mirror_bursts); a record whose burst failed is tried alone, so each failure is counted and kept on its
    own entries."""
    by_record = _by_record(entries)
    bursts = _mirror_bursts(by_record)
    done = [entry_id for key in bursts.done for entry_id in by_record[key]]
    if done:
        _mark_done(done)
        report.repaired += len(done)
    for key in bursts.done:
        count_mirror_attempts(key[0], len(by_record[key]))
    report.skipped += sum(len(by_record[key]) for key in bursts.skipped)
    for key in sorted(bursts.one_by_one):
        _repair_record(key, by_record[key], report)


def _repair_record(key: RecordKey, entry_ids: list[int], report: RepairReport) -> None:
    try:
        with transaction.atomic():  # a savepoint: one record's failure keeps the others' marks
            mirror_record(*key)
    except MirrorSkipped:
        report.skipped += len(entry_ids)
        return
    except Exception as error:
        outbox_mark_failed(entry_ids, error)
        count_mirror_attempts(key[0], len(entry_ids), failed=True)
        report.failed += len(entry_ids)
        report.dead += MirrorOutboxEntry.objects.filter(pk__in=entry_ids, status=Status.DEAD).count()
        return
    _mark_done(entry_ids)
    count_mirror_attempts(key[0], len(entry_ids))
    report.repaired += len(entry_ids)


def _mark_done(entry_ids: list[int]) -> None:
    # Only while pending: the background thread's entries are not locked, and one the repair task marked
    # meanwhile (failed, dead) keeps its mark.
    MirrorOutboxEntry.objects.filter(pk__in=entry_ids, status=Status.PENDING).update(
        status=Status.DONE, updated_at=timezone.now()
    )


def _domains_without_mongo() -> list[str]:
    """Domains whose mode no longer uses Mongo (or Mongo is disabled). Every copy goes to or from Mongo, so
    background repair leaves their entries alone and opens no client; `cutover_check` reports them and
    `repair_mirror --domain NAME` mirrors them when an operator asks."""
    from cutover.modes.mongo_usage import mongo_may_be_used_for
    from cutover.modes.registry import domain_names

    return [name for name in domain_names() if not mongo_may_be_used_for(name)]


def _record_key(entry: MirrorOutboxEntry) -> RecordKey:
    return entry.domain, entry.collection, entry.record_id, entry.target


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 3600))
