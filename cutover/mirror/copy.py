"""Bring one record's copy in the other store up to date.

The copy is always taken from the source store's *current* state, never from
the write that triggered it, so a retried or reordered mirror is harmless.
Copies of one record are serialized by a Postgres advisory lock taken *before*
the source is read (the backfill takes the same lock before it re-reads a
document whose row it is about to change, and a Mongo-primary write its trial copy: one order everywhere,
the copy lock before the row, or a batch and a write deadlock): whichever copy runs last read the
source last, so no copy can put an older state over a newer one. A copy goes
toward the follower only: one whose target leads the domain now (read under the
write fence) is not made, the leader's state being the truth. No clock
is compared (updatedAt values come from different writers: the legacy app's
clock, ours): the source's state read under the lock is what is written.

Records of an element map (cutover.store.elements: chat messages, elements of an embedded array) are
copied the same way, one element per copy: the backends' snapshot primitives push or update
that element alone, so mirroring one new message never sends or rewrites the whole array.
"""

import logging

from django.db import connection, transaction
from pymongo.errors import ConnectionFailure

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.counters import MIRROR_WRITE, timed_store
from cutover.modes.fence import FenceBusy, hold_fence_shared_unless_busy
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode

logger = logging.getLogger("cutover.mirror.copy")


class MirrorSkipped(Exception):
    """The Mongo breaker is open; the outbox row waits for the repair task."""


def mirror_record(domain: str, collection: str, record_id: str, target: str) -> None:
    """Copy one record of `domain` into `target` ("mongo" or "postgres") from the other store."""
    if not mongo_breaker.allow():  # one side is always Mongo
        raise MirrorSkipped(f"Mongo breaker open; {collection}/{record_id} left for repair")
    stores = domain_spec(domain).backends()
    source, sink = stores["postgres" if target == "mongo" else "mongo"], stores[target]
    try:
        with timed_store(domain, target, MIRROR_WRITE), transaction.atomic():
            if _toward_the_leader(domain, target, f"{collection}/{record_id}"):
                return
            lock_record_copies(collection, [record_id])
            record = source.get_snapshot(collection, record_id)
            if record is None:
                sink.delete_snapshot(collection, record_id, spare=_rejected_twins(collection, record_id))
            else:
                sink.put_snapshot(record)
    except ConnectionFailure:
        mongo_breaker.record_failure()
        raise
    mongo_breaker.record_success()


def mirror_records_to_mongo(domain: str, collection: str, record_ids: list[str]) -> None:
    """`mirror_record(..., "mongo")` for several records of one collection at once (the background
    mirror's bursts): their copy locks in one statement, their rows in one read, then each document put
    or deleted, in one transaction. Raises as mirror_record does; the caller retries one by one."""
    if not mongo_breaker.allow():
        raise MirrorSkipped(f"Mongo breaker open; {len(record_ids)} {collection} left for repair")
    stores = domain_spec(domain).backends()
    source, sink = stores["postgres"], stores["mongo"]
    try:
        with timed_store(domain, "mongo", MIRROR_WRITE, records=len(record_ids)), transaction.atomic():
            if _toward_the_leader(domain, "mongo", f"{len(record_ids)} {collection}"):
                return
            lock_record_copies(collection, record_ids)
            records = {record.id: record for record in source.read_ids(collection, tuple(record_ids))}
            for record_id in record_ids:
                if record_id in records:
                    sink.put_snapshot(records[record_id])
                else:
                    sink.delete_snapshot(collection, record_id, spare=_rejected_twins(collection, record_id))
    except ConnectionFailure:
        mongo_breaker.record_failure()
        raise
    mongo_breaker.record_success()


def _toward_the_leader(domain: str, target: str, what: str) -> bool:
    """Whether `target` leads `domain` now, read under its write fence (shared, until the copy's transaction
    ends, taken before the copy locks as every fenced writer does). A copy goes toward the follower only: an
    entry left from before a switch of primary must not put the follower's state over the leader's."""
    try:
        mode = hold_fence_shared_unless_busy(domain)
    except FenceBusy as busy:
        raise MirrorSkipped(f"{busy}; {what} left pending for it (or the next repair)") from None
    if mode is None or target != ("postgres" if mode.position >= StoreMode.DUAL.position else "mongo"):
        return False
    logger.warning("%s of %s not copied to %s, which leads in %s: its state is the truth", what, domain, target, mode)
    return True


def _rejected_twins(collection: str, record_id: str) -> frozenset[str]:
    """String `_id`s normalizing to `record_id` whose documents are open rejects: not the record, never
    deleted in its name (an id clash twin holds data that was never migrated)."""
    from cutover.models import BackfillReject

    return frozenset(
        BackfillReject.objects.filter(
            collection=collection, record_id__in=[record_id, record_id.upper()], status__in=BackfillReject.UNRESOLVED
        ).values_list("record_id", flat=True)
    )


def lock_record_copies(collection: str, record_ids: list[str]) -> None:
    """Take the copy locks of these records until the end of the transaction (in id order, so two
    lockers of overlapping sets cannot deadlock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('copy:' || %s || ':' || id)) "
            "FROM (SELECT unnest(%s::text[]) AS id ORDER BY 1) AS ids",
            [collection, sorted(record_ids)],
        )
