"""One lock order, the record's copy lock before its row, held at the critical point: a Mongo-primary write
has made its trial copy (cutover.mirror.dual: the Postgres row changed in a savepoint) and not yet written
Mongo when a forward backfill batch of the same record starts. Without the copy lock in the trial, the batch
takes the copy lock, its upsert waits for the write's whole transaction (PostgreSQL makes a waiter on a
released savepoint's row wait for the top transaction), and the write then waits for the batch's copy lock:
PostgreSQL ends one of them as a deadlock. With it, the batch waits for the trial, and both finish."""

import logging

import pytest
from django.db import connection

import cutover.backfill.load
import cutover.mirror.dual
from cutover.backfill.service import backfill_domain
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from disputes.services import dispute_add_evidence
from tests.cutover.fence_helpers import disputes_in_both_stores, poll
from tests.factories import a_user
from tests.locks.critical_point import CriticalPoint, race

URL = "http://critical/point"


@pytest.fixture
def dispute_in_mongo_primary(transactional_db):
    (dispute_id,) = disputes_in_both_stores(1)
    set_store_mode("dispute", "dual_mongo_primary")
    return dispute_id


def _racing(monkeypatch, dispute_id: str) -> list:
    point = CriticalPoint(hold_seconds=3.0)  # the write after its trial copy; the batch after its copy locks
    trial, batch_locks = cutover.mirror.dual._postgres_would_accept, cutover.backfill.load.lock_record_copies
    monkeypatch.setattr(cutover.mirror.dual, "_postgres_would_accept", _then_waited_for(point.wrap(trial)))
    monkeypatch.setattr(cutover.backfill.load, "lock_record_copies", point.wrap(batch_locks))
    uploader = a_user().id

    def write():
        dispute_add_evidence(dispute_id=dispute_id, url=URL, uploaded_by_id=uploader)

    return race(point, write, lambda: backfill_domain("dispute"))


def _then_waited_for(trial):
    """The trial, then (the batch having its copy locks, or never getting them) a wait until the batch waits
    for this write's transaction, as its upsert does without the lock order (at most a second)."""

    def trial_then_waited_for(*args):
        trial(*args)
        poll(_a_transaction_is_waited_for, seconds=1.0)

    return trial_then_waited_for


def _a_transaction_is_waited_for() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted)")
        return cursor.fetchone()[0]


def _evidence_everywhere(dispute_id: str) -> dict[str, bool]:
    stores = domain_spec("dispute").backends()
    return {name: URL in {item.url for item in store.get(dispute_id).evidence} for name, store in stores.items()}


def test_a_backfill_batch_waits_for_a_mongo_primary_write_that_holds_its_record(
    dispute_in_mongo_primary, monkeypatch, caplog
):
    with caplog.at_level(logging.WARNING, logger="cutover.backfill"):
        errors = _racing(monkeypatch, dispute_in_mongo_primary)
    assert errors == []
    assert not [record for record in caplog.records if "deadlock" in record.getMessage()]
    monkeypatch.undo()
    assert _evidence_everywhere(dispute_in_mongo_primary) == {"mongo": True, "postgres": True}


def test_a_batch_ended_by_a_deadlock_is_loaded_again(dispute_in_mongo_primary, monkeypatch, caplog):
    """A writer taking its locks in another order (here: the trial's copy lock taken away) still deadlocks
    with the batch; PostgreSQL ends the batch, which waited first: the batch is loaded again, the backfill
    finishes."""
    monkeypatch.setattr(cutover.mirror.dual, "lock_record_copies", lambda collection, ids: None)
    with caplog.at_level(logging.WARNING, logger="cutover.backfill"):
        errors = _racing(monkeypatch, dispute_in_mongo_primary)
    assert errors == []
    assert [record for record in caplog.records if "deadlock" in record.getMessage()]
    monkeypatch.undo()
    assert _evidence_everywhere(dispute_in_mongo_primary) == {"mongo": True, "postgres": True}
