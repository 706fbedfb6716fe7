"""The one dual-write wrapper, for every domain.

What happens in dual mode, in one place:
- Postgres primary (`dual`): the Postgres write and an outbox row commit in
  one transaction; after commit the Mongo copy is refreshed from Postgres
  (cutover.mirror.dispatch), and a failure leaves the row for the repair task.
- Mongo primary (`dual_mongo_primary`): what Postgres would refuse refuses the
  write before Mongo is written (a trial copy of each record about to be
  written, cutover.store.write_checks); then the Mongo write, then the Postgres
  copy is refreshed from Mongo; a failure of that is recorded in the outbox
  (or logged when Postgres itself is down), never raised.
- A failure of the primary is raised and nothing reaches the other store.
- Every write runs under the domain's write fence (cutover.modes.fence), in one
  Postgres transaction that re-reads the live mode: a write whose cached mode
  is out of date is routed by the live one, so two processes never act as
  primary on different stores. A Mongo-primary write is acknowledged only once
  that transaction (with its Postgres mirror or outbox row) has committed.
- Reads go to the primary; a sample is shadow-read from the other store.
- Each store's part is timed (cutover.mirror.counters.STORE_SECONDS): the leader's read or write, the
  follower's shadow read and mirror write (the latter in cutover.mirror.copy).
"""

import functools
import logging
import random
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db import DataError, IntegrityError, connection, transaction

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.copy import lock_record_copies, mirror_record
from cutover.mirror.counters import READ, SHADOW_READ, WRITE, timed_store
from cutover.mirror.dispatch import mirror_after_commit
from cutover.mirror.outbox import outbox_enqueue, outbox_mark_failed
from cutover.mirror.shadow import shadow_compare
from cutover.modes.fence import fenced_write, write_by_live_mode
from cutover.modes.store_mode import StoreMode
from cutover.store.backends.errors import ImmutableRecordConflict
from cutover.store.backends.postgres import as_sole_write
from cutover.store.ports import StoreRepository
from cutover.store.write_checks import checking_writes

logger = logging.getLogger("cutover.mirror.dual")


class DualRepository:
    def __init__(
        self,
        *,
        domain: str,
        port: type[StoreRepository],
        primary: StoreRepository,
        secondary_factory: Callable[[], StoreRepository],
        live_repository: Callable[[], Any],
        shadow_read_percent: int = 0,
    ):
        """`live_repository`: the domain's repository for its mode as committed now (the composition
        point's, passed in so this module need not import it), for a write whose cached mode moved."""
        self.domain = domain
        self._live_repository = live_repository
        self.port = port
        self.primary = primary
        self._secondary_factory = secondary_factory
        self.shadow_read_percent = shadow_read_percent
        self.store = f"dual:{primary.store}"

    @functools.cached_property
    def secondary(self) -> StoreRepository:
        return self._secondary_factory()

    def __getattr__(self, name: str) -> Any:
        if name in self.port.WRITE_METHODS:
            return functools.partial(write_by_live_mode, self, name)
        if name in self.port.READ_METHODS:
            return functools.partial(self._read, name)
        raise AttributeError(f"{self.port.__name__} has no read or write method {name!r}")

    @property
    def _mode(self) -> StoreMode:
        return StoreMode.DUAL if self.primary.store == "postgres" else StoreMode.DUAL_MONGO_PRIMARY

    def fenced_write(self, name: str, args: tuple, kwargs: dict) -> Any:
        if self._mode is StoreMode.DUAL:
            return self._write_postgres_primary(name, args, kwargs)
        return self._write_mongo_primary(name, args, kwargs)

    def live_repository(self) -> Any:
        return self._live_repository()

    def _write_postgres_primary(self, name: str, args: tuple, kwargs: dict) -> Any:
        with fenced_write(self.domain, StoreMode.DUAL):
            # its failure rolls the fence transaction back whole: no savepoint needed
            with as_sole_write(), timed_store(self.domain, "postgres", WRITE):
                result = getattr(self.primary, name)(*args, **kwargs)
            entries = [
                outbox_enqueue(domain=self.domain, collection=collection, record_id=record_id, target="mongo")
                for collection, record_id in self._written(result, name)
            ]
        for entry in entries:
            mirror_after_commit(entry)
        return result

    def _write_mongo_primary(self, name: str, args: tuple, kwargs: dict) -> Any:
        # The fence is held across the Mongo write: a change to `dual` waits until this write's
        # Postgres copy (or its outbox row) has committed, and the change then drains that row.
        with fenced_write(self.domain, StoreMode.DUAL_MONGO_PRIMARY):
            # The trial copies of one use case accumulate (a second record is tried against the first one's
            # trial: a new default address after the old one's reset) and are all rolled back after it.
            trials = transaction.savepoint()
            try:
                # The Mongo write's time includes its records' trial copies: Postgres refusing refuses it.
                with (
                    checking_writes(functools.partial(_postgres_would_accept, self.secondary)),
                    timed_store(self.domain, "mongo", WRITE),
                ):
                    result = getattr(self.primary, name)(*args, **kwargs)
            finally:
                transaction.savepoint_rollback(trials)
            for collection, record_id in self._written(result, name):
                try:
                    # A savepoint: a failed mirror keeps the fence transaction usable for its outbox row.
                    with transaction.atomic(), _constraints_immediate():
                        mirror_record(self.domain, collection, record_id, "postgres")
                except Exception as error:
                    _note_postgres_mirror_failure(self.domain, collection, record_id, error)
        return result

    def _written(self, result: Any, method: str) -> list[tuple[str, str]]:
        """(collection, id) of each record a write method returned. The return contract of every write
        method: the record it changed, a list of them, or None / [] when it changed nothing (deleting a
        record that is already gone is legal in every mode and mirrors nothing)."""
        if result is None:
            return []
        records = result if isinstance(result, list | tuple) else [result]
        written = []
        for record in records:
            record_id = getattr(record, "id", None)
            if not isinstance(record_id, str):
                raise TypeError(f"write method {method} must return the record(s) it changed, got {result!r}")
            written.append((self.port.collection_of(record), record_id))
        return written

    def _read(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        with timed_store(self.domain, self.primary.store, READ):
            result = getattr(self.primary, name)(*args, **kwargs)
        if self._shadow_sampled():
            shadow_compare(
                domain=self.domain,
                method=name,
                primary_store=self.primary.store,
                primary_result=result,
                secondary_call=functools.partial(self._shadow_read, name, args, kwargs),
            )
        return result

    def _shadow_read(self, name: str, args: tuple, kwargs: dict) -> Any:
        follower = "mongo" if self.primary.store == "postgres" else "postgres"
        with timed_store(self.domain, follower, SHADOW_READ):
            return getattr(self.secondary, name)(*args, **kwargs)

    def _shadow_sampled(self) -> bool:
        if self.shadow_read_percent <= 0 or mongo_breaker.is_open:
            return False
        return random.random() * 100 < self.shadow_read_percent


_REFUSALS = (IntegrityError, DataError, ImmutableRecordConflict)  # ProtectedError is an IntegrityError


def _postgres_would_accept(postgres: StoreRepository, collection: str, record_id: str, record: Any) -> None:
    """Copy `record` (None: delete it) into Postgres in a savepoint, constraints checked immediately: raises the
    refusal the mirror would meet (a constraint, a value the column cannot hold, an insert-only row that
    differs), so the write is refused before Mongo has it, as one. The trial stays until the use case's own
    savepoint is rolled back (_write_mongo_primary), so its next record is tried against it. Any other failure
    is not a refusal of this record (Postgres unwell, a bug): the write goes on and the copy's own failure
    is recorded as ever (outbox row). The real copy still reads Mongo's state afterwards.

    The record's copy lock is taken first, as every copy does (cutover.mirror.copy: the copy lock, then the
    row): a trial that changed the row before it made a backfill batch holding that lock wait for this whole
    transaction (PostgreSQL makes a waiter on a released savepoint's row wait for the top transaction, even
    once the savepoint is rolled back), while this write waited for the batch's copy lock: a deadlock. The lock
    is released with the trials' savepoint; the real copy takes it again."""
    lock_record_copies(collection, [record_id])
    try:
        with transaction.atomic(), _constraints_immediate():
            if record is None:
                postgres.delete_snapshot(collection, record_id)
            else:
                postgres.put_snapshot(record)
    except _REFUSALS:
        raise
    except Exception as error:  # noqa: BLE001 - not a refusal: the copy after the write records it
        logger.info("trial copy of %s/%s failed (%s); the write goes on", collection, record_id, error)


@contextmanager
def _constraints_immediate():
    """Foreign keys checked at each statement inside a savepoint, not at commit: deferred, a refusal came at
    commit, after the copy's savepoint, and rolled the outbox row back with the copy, leaving Mongo's
    document unrecorded. A savepoint rolled back undoes the setting; on success it is set back to deferred
    (every deferrable constraint here is a foreign key Django made INITIALLY DEFERRED)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _note_postgres_mirror_failure(domain: str, collection: str, record_id: str, error: Exception) -> None:
    """Keep the failure for the repair task, in the write's fence transaction: a switch to `dual`
    mirrors it before Postgres leads. If even that fails, Postgres is unusable and the write is
    raised (not acknowledged): a switch could not know about it."""
    logger.warning("Postgres mirror of %s/%s failed: %s", collection, record_id, error)
    with transaction.atomic():
        entry = outbox_enqueue(domain=domain, collection=collection, record_id=record_id, target="postgres")
        outbox_mark_failed([entry.pk], error)
