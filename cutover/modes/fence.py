"""The write fence: a change of store mode takes effect for every process at once.

Why: each process caches modes for CUTOVER_MODE_CACHE_SECONDS, so right after a
change some processes still write as `dual_mongo_primary` and others as `dual`.
Each builds the next version of a record from its own primary, each mirror
copies its own primary's state over the other store, and one branch (an
acknowledged write) vanishes from both stores (issue 17).

How: one Postgres advisory lock per domain, taken in each dual write's own
transaction, and the mode is re-read under it.
- A dual write starts its transaction with `cutover_mode_fence(domain)`
  (migration 0005): the fence in *shared* mode, then the live mode, read after
  the lock is granted. If the mode is not the one the cached repository was
  built for, the write rolls back before touching any store and is routed by
  the live mode (cutover.mirror.dual). A Mongo-primary write keeps its transaction
  open across the Mongo write and its Postgres mirror, so it holds the fence
  until it is acknowledged.
- A mode change takes the fence in *exclusive* mode (cutover.operations.mode_changes): it
  waits for the writes in flight, and every write that arrives meanwhile waits
  for it. Under the fence it mirrors every pending outbox entry to the store
  that becomes primary, then commits the new mode, which releases the writers.
Why that is safe: a write is acknowledged only after its transaction commits
while holding the shared fence, so it either committed before the change took
the fence (and the change then copies it into the new primary before
committing) or it waited for the change and saw the new mode. Hence no write
is acknowledged by the old primary after the change, and the new primary
starts from every acknowledged write. Postgres lock waits are FIFO, so a
change is not starved by a stream of writes; both waits are bounded (a writer
15 s, a change CHANGE_WAIT_SECONDS) and end in an error, never in a lost write.
Cost: one statement per write (an in-memory lock, no row is written).

Requires READ COMMITTED (Django's default): the fence read needs a fresh
snapshot. `mongo` and `postgres` mode writes are fenced the same way
(cutover.mirror.single): a process whose cache still says `postgres` after
`postgres → dual` finds `dual` under the fence and writes the outbox row too, so
no write of a stale process escapes the next step's gate (issue 22).
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction

from cutover.modes.cache import invalidate_mode_cache
from cutover.modes.store_mode import StoreMode

logger = logging.getLogger("cutover.modes.fence")

FENCE_LOCK_CLASS = 1297040453  # 'MODE' in ASCII; must match migration 0005
CHANGE_WAIT_SECONDS = 5  # a change waits this long for in-flight writes, then is refused
FENCED_DRAIN_SECONDS = 5.0  # and spends at most this long mirroring under the fence
WRITER_WAIT_SECONDS = 15  # the function's lock_timeout in migration 0005
MAX_REROUTES = 5  # more mode changes than this during one write call: give up loudly
_LOCK_NOT_AVAILABLE = "55P03"
_DEADLOCK_DETECTED = "40P01"


class ModeMoved(Exception):
    """The domain's live mode differs from the cached one: route the write again."""

    def __init__(self, domain: str, mode: StoreMode):
        super().__init__(f"{domain} is now in {mode.value}")
        self.domain, self.mode = domain, mode


class FenceBusy(RuntimeError):
    """The fence was held longer than the caller may wait; nothing was written."""


@contextmanager
def fenced_write(domain: str, expected: StoreMode) -> Iterator[None]:
    """A transaction holding `domain`'s fence (shared) in which its mode is `expected`.

    Raises ModeMoved (after rolling back) if the live mode is another one."""
    with transaction.atomic():
        live = _fenced_mode(domain)
        if live is not expected:
            raise ModeMoved(domain, live)
        yield


def write_by_live_mode(repository, name: str, /, *args, **kwargs):
    """Call write method `name` on `repository` (a DualRepository or SingleStoreRepository) under the
    fence; while the live mode turns out to be another one, route it again by the live mode."""
    domain = repository.domain
    for _ in range(MAX_REROUTES):
        try:
            return repository.fenced_write(name, args, kwargs)
        except ModeMoved as moved:
            logger.info("%s.%s: cached mode out of date, %s; routed again", domain, name, moved)
            invalidate_mode_cache()
            repository = repository.live_repository()
    raise RuntimeError(f"{domain} changed store mode {MAX_REROUTES} times during one {name}; not written")


def hold_fence_for_change(domain: str) -> float:
    """Take `domain`'s fence exclusively until the surrounding transaction ends.

    Waits for the writes in flight; returns the deadline for the work done under
    the fence. The lock_timeout also bounds every later lock wait of the change."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{CHANGE_WAIT_SECONDS}s'")
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [FENCE_LOCK_CLASS, domain])
        except OperationalError as error:
            if _sqlstate(error) == _LOCK_NOT_AVAILABLE:
                raise FenceBusy(
                    f"writes to {domain} kept the fence for more than {CHANGE_WAIT_SECONDS} s; nothing changed"
                ) from error
            raise
    return time.monotonic() + FENCED_DRAIN_SECONDS


def hold_fence_shared(domain: str) -> StoreMode | None:
    """Take `domain`'s fence as a dual write does (shared, until the surrounding transaction ends) and
    return its live mode read under it (None: no mode stored yet). For other writers that must not act
    on a mode a change is replacing: a backfill batch, a backfill's delete of a row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cutover_mode_fence(%s)", [domain])
        (mode,) = cursor.fetchone()
    return StoreMode(mode) if mode else None


def hold_fence_shared_unless_busy(domain: str) -> StoreMode | None:
    """hold_fence_shared without waiting: raises FenceBusy while a mode change holds or waits for the fence.
    For a copy that already holds outbox rows the change may need to drain (the relay, the repair): waiting
    there would deadlock with the change; backing off leaves the entry pending, for the change or the next try."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock_shared(1297040453, hashtext(%s))", [domain])
        if not cursor.fetchone()[0]:
            raise FenceBusy(f"a mode change of {domain} holds its write fence")
        cursor.execute("SELECT mode FROM cutover_store_modes WHERE domain = %s", [domain])
        row = cursor.fetchone()
    return StoreMode(row[0]) if row and row[0] else None


@dataclass(frozen=True)
class FenceHolders:
    change_holding: bool  # a mode change holds the fence: the domain's dual writes wait
    change_waiting: bool  # a mode change waits for the writes in flight
    writes_in_flight: int  # dual writes holding the fence now
    writes_waiting: int


def fence_holders(domain: str) -> FenceHolders:
    """Who holds or waits for `domain`'s fence right now (pg_locks), for admin and the CLI."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mode, granted, count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = %s AND objid = hashtext(%s)::oid AND objsubid = 2 GROUP BY mode, granted",
            [FENCE_LOCK_CLASS, domain],
        )
        counts = {(mode, granted): count for mode, granted, count in cursor.fetchall()}
    return FenceHolders(
        change_holding=bool(counts.get(("ExclusiveLock", True))),
        change_waiting=bool(counts.get(("ExclusiveLock", False))),
        writes_in_flight=counts.get(("ShareLock", True), 0),
        writes_waiting=counts.get(("ShareLock", False), 0),
    )


def _fenced_mode(domain: str) -> StoreMode:
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT cutover_mode_fence(%s)", [domain])
        except OperationalError as error:
            if _sqlstate(error) == _LOCK_NOT_AVAILABLE:
                raise FenceBusy(
                    f"a store mode change of {domain} held the write fence for more than "
                    f"{WRITER_WAIT_SECONDS} s; this write was not made, retry it"
                ) from error
            raise
        (mode,) = cursor.fetchone()
    return StoreMode(mode)


def is_lock_contention(error: Exception) -> bool:
    """A lock wait past its lock_timeout, or a deadlock Postgres broke (a change draining a record
    the relay is mirroring at the same moment): nothing was done, trying again is the fix."""
    return _sqlstate(error) in (_LOCK_NOT_AVAILABLE, _DEADLOCK_DETECTED)


def _sqlstate(error: Exception) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)
