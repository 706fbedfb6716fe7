"""The backfill runner's bookkeeping (cutover/backfill/runner.py): checkpoint counters, restarts, dry runs, the
log line per batch, progress, and how a run ends. Operators decide from these numbers, so they are pinned."""

import io
import logging
from unittest import mock

import pytest
from bson import Decimal128

from cutover.backfill import runner
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillCheckpoint, BackfillReject, BackfillRun
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from payments.models import Payment


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _checkpoint(collection: str = "payments") -> BackfillCheckpoint:
    return BackfillCheckpoint.objects.get(collection=collection, direction="forward", shard=0)


def test_checkpoint_counts_add_up_over_batches_and_runs(legacy):
    ids = sorted(legacy.payment()["_id"] for _ in range(5))
    legacy.payment(amount="ten")  # rejected before the load: a bad value
    _parents()
    legacy.payment()  # its parents are not backfilled: rejected by the load, an orphan
    first = backfill_domain("payment", batch_size=2).summary["payments"]
    assert {k: first[k] for k in ("read", "written", "unchanged", "rejected", "skipped", "resolved", "stopped")} == {
        "read": 7,
        "written": 5,
        "unchanged": 0,
        "rejected": 2,
        "skipped": 0,
        "resolved": 0,
        "stopped": False,
    }
    checkpoint = _checkpoint()
    assert (checkpoint.read, checkpoint.written, checkpoint.unchanged, checkpoint.rejected) == (7, 5, 0, 2)
    first_run = BackfillRun.objects.filter(domain="payment").order_by("pk").last()
    assert set(BackfillReject.objects.values_list("run_id", "status")) == {(first_run.pk, "open")}
    assert (checkpoint.phase, checkpoint.done, checkpoint.last_key) == ("done", True, "")
    assert checkpoint.run == BackfillRun.objects.filter(domain="payment").order_by("pk").last()

    legacy.db.payments.update_one(
        {"_id": ids[0]}, {"$set": {"confirmations": 8, "updatedAt": legacy.at.replace(year=2099)}}
    )
    rerun = backfill_domain("payment", batch_size=2).summary["payments"]
    assert (rerun["read"], rerun["written"], rerun["unchanged"], rerun["rejected"]) == (7, 1, 4, 2)
    checkpoint = _checkpoint()  # a finished checkpoint starts a fresh pass: this run's counts only
    assert (checkpoint.read, checkpoint.written, checkpoint.unchanged, checkpoint.rejected) == (7, 1, 4, 2)


def test_restart_starts_over_from_the_first_document(legacy):
    ids = sorted(legacy.payment()["_id"] for _ in range(6))
    _parents()
    with (
        pytest.raises(KeyboardInterrupt),
        mock.patch.object(runner, "save_batch_outcome", side_effect=[0, KeyboardInterrupt()]),
    ):
        backfill_domain("payment", batch_size=2)
    assert _checkpoint().read == 2 and Payment.objects.count() == 2

    restarted = backfill_domain("payment", batch_size=2, restart=True).summary["payments"]
    assert (restarted["read"], restarted["written"], restarted["unchanged"]) == (6, 4, 2)
    assert _checkpoint().read == 6
    assert sorted(Payment.objects.values_list("id", flat=True)) == [str(i) for i in ids]


def test_a_dry_run_reports_what_it_would_do_and_saves_no_checkpoint(legacy):
    legacy.payment()
    legacy.payment()
    legacy.payment(amount="ten")
    _parents()
    legacy.payment()  # an orphan: its parents are not backfilled
    legacy.db.payments.insert_one({"_id": {"legacy": 1}, "amount": 1})  # an _id no keyset phase reads
    run = backfill_domain("payment", dry_run=True, batch_size=2)
    summary = run.summary["payments"]
    # what the real run would do, the odd _id it rejects after its keyset phases included
    assert (summary["read"], summary["written"], summary["rejected"], summary["unchanged"]) == (4, 2, 3, 0)
    assert run.dry_run and run.status == "finished"
    assert not Payment.objects.exists() and not BackfillReject.objects.exists()
    assert not BackfillCheckpoint.objects.filter(collection="payments").exists()
    real = backfill_domain("payment", batch_size=2).summary["payments"]
    assert (real["read"], real["written"], real["rejected"]) == (4, 2, 3)  # nothing was skipped by the dry run


def test_a_batch_logs_its_size_and_last_id(legacy, caplog):
    ids = sorted(legacy.payment()["_id"] for _ in range(3))
    _parents()
    with caplog.at_level(logging.DEBUG, logger="cutover.backfill"):
        backfill_domain("payment", batch_size=2)
    assert [r.getMessage() for r in caplog.records if r.name == "cutover.backfill"] == [
        f"payments: batch of 2 up to {ids[1]}",
        f"payments: batch of 1 up to {ids[2]}",
    ]


def test_progress_is_shown_per_collection_when_asked(legacy):
    legacy.payment()
    legacy.payment()
    _parents()
    stream = io.StringIO()
    with mock.patch("cutover.backfill.progress.sys.stderr", stream):
        backfill_domain("payment", batch_size=1, show_progress=True)
    assert stream.getvalue().startswith("payment/payments#0: 2/2 documents")
    stream = io.StringIO()
    with mock.patch("cutover.backfill.progress.sys.stderr", stream):
        backfill_domain("payment", batch_size=1)
    assert stream.getvalue() == ""


def test_progress_counts_the_documents_read_so_far(legacy):
    for _ in range(3):
        legacy.payment()
    _parents()
    seen = []
    with mock.patch.object(runner.Progress, "update", lambda self, done: seen.append(done)):
        backfill_domain("payment", batch_size=2, show_progress=True)
    assert seen == [2, 3]


def test_how_a_run_ends(legacy):
    legacy.payment()
    _parents()
    run = backfill_domain("payment")
    assert run.status == "finished" and run.error == "" and run.finished_at >= run.started_at
    assert 0 <= run.summary["payments"]["seconds"] < 60

    legacy.db.payments.insert_one({"_id": {"legacy": 1}, "amount": 1})  # an _id no keyset phase reads
    stopped = backfill_domain("payment", max_minutes=1e-9, restart=True)
    assert stopped.status == "stopped" and stopped.summary["payments"]["stopped"] is True
    assert not BackfillReject.objects.exists()  # odd ids are reported when a pass completes, not when it stops
    finished = backfill_domain("payment")
    assert finished.summary["payments"]["rejected"] == 1
    assert BackfillReject.objects.get().kind == "bad_id" and BackfillReject.objects.get().run_id == finished.pk

    with (
        mock.patch.object(runner.TableLoader, "load", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        backfill_domain("payment", restart=True)
    failed = BackfillRun.objects.filter(domain="payment").order_by("pk").last()
    assert (failed.status, failed.error) == ("failed", "RuntimeError: disk full")
    assert failed.finished_at is not None


def test_open_rejects_are_retried_and_resolved_when_the_document_is_fixed(legacy):
    payment = legacy.payment(amount="ten")
    _parents()
    assert backfill_domain("payment").summary["payments"]["rejected"] == 1
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": Decimal128("10")}})
    summary = backfill_domain("payment").summary["payments"]
    assert (summary["read"], summary["written"], summary["rejected"]) == (1, 1, 0)
    assert BackfillReject.objects.get().status == "resolved"


def test_short_lived_documents_past_their_expiry_are_counted_as_skipped(legacy):
    from datetime import UTC, datetime

    from bson import ObjectId

    base = {"email": "a@example.com", "codeHash": "h", "purpose": "email_verify", "attempts": 0}
    legacy.db.tempverifications.insert_many(
        [
            base | {"_id": ObjectId(), "expiresAt": datetime(2020, 1, 1, tzinfo=UTC), "createdAt": legacy.at},
            base | {"_id": ObjectId(), "expiresAt": datetime(2999, 1, 1, tzinfo=UTC), "createdAt": legacy.at},
        ]
    )
    summary = backfill_domain("auth").summary["tempverifications"]
    assert (summary["read"], summary["skipped"], summary["written"]) == (2, 1, 1)


def test_collection_summaries_add_up():
    total = runner.CollectionSummary(read=1, written=2, unchanged=3, rejected=4, skipped=5, resolved=6, seconds=7.0)
    total.add(runner.CollectionSummary(read=10, written=20, unchanged=30, rejected=40, skipped=50, resolved=60))
    assert (total.read, total.written, total.unchanged, total.rejected, total.skipped) == (11, 22, 33, 44, 55)
    assert (total.resolved, total.seconds) == (6, 7.0)  # per pass, not summed


def test_the_checkpoint_of_a_domain_is_created_with_its_name(legacy):
    checkpoint = runner.checkpoint_for(domain_spec("payment"), "payments")
    assert (checkpoint.domain, checkpoint.collection, checkpoint.direction, checkpoint.shard) == (
        "payment",
        "payments",
        "forward",
        0,
    )
    assert (checkpoint.phase, checkpoint.last_key, checkpoint.done) == ("objectId", "", False)


class _ClockThatStopsAfterTheFirstBatch:
    """The runner's clock: time stands still until the second batch is due, then the deadline has passed."""

    def __init__(self):
        self.calls = 0

    def monotonic(self) -> float:
        self.calls += 1
        return 0.0 if self.calls <= 2 else 1e12  # the pass's start, the first batch's check; then late


def test_a_reject_resolved_by_a_batch_stays_resolved_when_the_run_stops_after_that_batch(legacy):
    bad = legacy.payment(amount="ten")
    for _ in range(3):
        legacy.payment()
    _parents()
    backfill_domain("payment")
    legacy.db.payments.update_one({"_id": bad["_id"]}, {"$set": {"amount": Decimal128("10")}})
    with mock.patch.object(runner, "time", _ClockThatStopsAfterTheFirstBatch()):
        stopped = backfill_domain("payment", batch_size=1, max_minutes=60, restart=True)
    assert stopped.status == "stopped" and stopped.summary["payments"]["read"] == 1
    assert BackfillReject.objects.get().status == "resolved"  # by its batch, not by the retry at the end of a pass


def test_forward_and_reverse_backfills_keep_their_own_checkpoints(legacy):
    from cutover.backfill.reverse import reverse_backfill_domain

    legacy.payment()
    _parents()
    backfill_domain("payment")
    set_store_mode("payment", "dual")  # a reverse run is for rolling back from a Postgres-led mode
    reverse_backfill_domain("payment")
    set_store_mode("payment", "mongo")
    legacy.payment()
    _parents()
    again = backfill_domain("payment").summary["payments"]
    assert (again["read"], again["written"], again["unchanged"]) == (2, 1, 1)
    directions = sorted(BackfillCheckpoint.objects.filter(collection="payments").values_list("direction", "read"))
    assert directions == [("forward", 2), ("reverse", 1)]


def _a_stopped_run_that_rejected_the_first_document(legacy) -> dict:
    bad = legacy.payment(amount="ten")
    for _ in range(3):
        legacy.payment()
    _parents()
    with mock.patch.object(runner, "time", _ClockThatStopsAfterTheFirstBatch()):
        stopped = backfill_domain("payment", batch_size=1, max_minutes=60)
    assert stopped.status == "stopped"
    reject = BackfillReject.objects.get()
    assert (reject.status, reject.run_id) == ("open", stopped.pk)  # the run that rejected it, even if it stopped
    return bad


def test_a_reject_the_resumed_pass_does_not_reread_is_retried_at_its_end(legacy):
    bad = _a_stopped_run_that_rejected_the_first_document(legacy)
    legacy.db.payments.update_one({"_id": bad["_id"]}, {"$set": {"amount": Decimal128("10")}})
    resumed = backfill_domain("payment", batch_size=1)
    summary = resumed.summary["payments"]
    assert (summary["read"], summary["written"], summary["resolved"]) == (3, 3, 1)
    assert BackfillReject.objects.get().status == "resolved"
    assert Payment.objects.filter(pk=str(bad["_id"])).exists()


def test_a_retried_reject_that_still_fails_stays_open_under_the_new_run(legacy):
    _a_stopped_run_that_rejected_the_first_document(legacy)
    resumed = backfill_domain("payment", batch_size=1)
    assert resumed.summary["payments"]["resolved"] == 0
    reject = BackfillReject.objects.get()
    assert (reject.status, reject.run_id) == ("open", resumed.pk)


class _ScriptedClock:
    def __init__(self, *readings: float):
        self.readings = list(readings)

    def monotonic(self) -> float:
        return self.readings.pop(0)


def test_the_deadline_is_inclusive_and_a_pass_reports_its_seconds(legacy):
    from cutover.backfill import service

    legacy.payment()
    _parents()
    # the deadline (0 + 1 minute), the pass's start, the check before the first batch, the pass's end
    clock = _ScriptedClock(0.0, 0.0, 60.0, 61.23456)
    with mock.patch.object(service, "time", clock), mock.patch.object(runner, "time", clock):
        run = backfill_domain("payment", max_minutes=1)
    assert run.status == "stopped" and run.summary["payments"]["read"] == 0
    assert run.summary["payments"]["seconds"] == 61.235
    assert clock.readings == []
