"""Issue 8, item 7: a dry run is dry on every path (forward, reverse, Celery shards) and never counts as a
run; a reverse backfill refuses while Mongo is authoritative; --via-celery without a worker gives up after
a bounded wait and releases the lock; bad option values are refused in one line."""

import subprocess
import sys
import threading
import time
import uuid

import pytest
from bson import ObjectId
from django.core.management import CommandError, call_command
from django.db import connections

from accounts.models import User
from cutover.backfill.reverse import ReverseBackfillRefused, reverse_backfill_domain
from cutover.backfill.run import BackfillRefused
from cutover.backfill.service import backfill_domain
from cutover.backfill.shards import NoWorkerAnswered, backfill_domain_via_celery, shard_summary
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillCheckpoint, BackfillReject, BackfillRun
from cutover.operations.mode_changes import CHANGE_PERMISSION, StoreModeChangeRefused, store_mode_change
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from payments.models import Payment
from tests.backfill.conftest import LegacyData
from tests.conftest import ROOT, other_process_env
from tests.cutover.helpers import make_user


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _mongo_payments(legacy) -> dict:
    return {doc["_id"]: doc for doc in legacy.db.payments.find()}


# --- reverse ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["mongo", "dual_mongo_primary"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["real", "dry"])
def test_a_reverse_backfill_refuses_while_mongo_is_authoritative(legacy, mode, dry_run):
    kept, deleted = legacy.payment(), legacy.payment()
    _parents()
    backfill_domain("payment")
    legacy.db.payments.update_one({"_id": kept["_id"]}, {"$set": {"confirmations": 99}})  # an edit made in Mongo
    legacy.db.payments.delete_one({"_id": deleted["_id"]})
    set_store_mode("payment", mode)
    before = _mongo_payments(legacy)
    with pytest.raises(CommandError, match=f"refused: payment is in {mode}, where Mongo is the authoritative store"):
        call_command("backfill", "--reverse", "payment", *(["--dry-run"] if dry_run else []))
    assert _mongo_payments(legacy) == before  # no revert, no resurrection
    assert not BackfillRun.objects.filter(direction="reverse").exists()
    assert not BackfillCheckpoint.objects.filter(direction="reverse").exists()


def test_a_reverse_dry_run_writes_nothing_reports_and_never_counts(legacy):
    payments = [legacy.payment() for _ in range(5)]
    _parents()
    backfill_domain("payment")
    for domain in ("auth", "marketplace", "payment"):
        set_store_mode(domain, "postgres")
    legacy.db.payments.update_one({"_id": payments[0]["_id"]}, {"$set": {"confirmations": 99}})
    legacy.db.payments.delete_one({"_id": payments[1]["_id"]})
    before = _mongo_payments(legacy)

    run = reverse_backfill_domain("payment", dry_run=True, batch_size=2)
    assert _mongo_payments(legacy) == before
    assert (run.dry_run, run.direction, run.status) == (True, "reverse", "finished")
    summary = run.summary["payments"]
    assert (summary["read"], summary["written"], summary["unchanged"]) == (5, 2, 3)  # would rewrite 2
    assert not BackfillCheckpoint.objects.filter(direction="reverse").exists()

    # The rollback's gate is the step after `postgres → dual` (which needs only Mongo answering): a dry run in
    # `dual` never counts as its reverse backfill.
    lead = make_user("lead", CHANGE_PERMISSION)
    store_mode_change(domain="payment", to_mode="dual", user=lead, reason="back (test reason)")
    reverse_backfill_domain("payment", dry_run=True, batch_size=2)
    verify_domain("payment")
    with pytest.raises(StoreModeChangeRefused, match="no reverse backfill of payment has finished"):
        store_mode_change(domain="payment", to_mode="dual_mongo_primary", user=lead, reason="lead (test reason)")


def test_a_reverse_run_counts_what_it_changed_as_its_dry_run_does_and_a_rerun_changes_nothing(legacy):
    payments = [legacy.payment() for _ in range(7)]
    _parents()
    backfill_domain("payment")
    for domain in ("auth", "marketplace", "payment"):
        set_store_mode(domain, "postgres")
    legacy.db.payments.update_one({"_id": payments[0]["_id"]}, {"$set": {"confirmations": 99}})
    legacy.db.payments.update_one({"_id": payments[4]["_id"]}, {"$set": {"status": "odd"}})
    legacy.db.payments.delete_one({"_id": payments[6]["_id"]})

    counts = lambda run: tuple(run.summary["payments"][k] for k in ("read", "written", "unchanged"))  # noqa: E731
    assert counts(reverse_backfill_domain("payment", dry_run=True, batch_size=3)) == (7, 3, 4)
    assert counts(reverse_backfill_domain("payment", batch_size=3)) == (7, 3, 4)  # 2 updated, 1 inserted
    assert legacy.db.payments.find_one({"_id": payments[0]["_id"]})["confirmations"] == payments[0]["confirmations"]
    assert legacy.db.payments.count_documents({"_id": payments[6]["_id"]}) == 1
    assert counts(reverse_backfill_domain("payment", dry_run=True, batch_size=3)) == (7, 0, 7)
    rerun = reverse_backfill_domain("payment", batch_size=3)
    assert counts(rerun) == (7, 0, 7)
    checkpoint = BackfillCheckpoint.objects.get(direction="reverse", collection="payments")
    assert (checkpoint.read, checkpoint.written) == (7, 0)


def test_a_real_reverse_run_in_dual_still_works(legacy):
    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    set_store_mode("payment", "dual")
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    assert reverse_backfill_domain("payment").summary["payments"]["written"] == 1
    assert legacy.db.payments.count_documents({"_id": payment["_id"]}) == 1


def test_reverse_all_checks_every_domain_before_reversing_any(legacy):
    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    for domain in ("auth", "marketplace", "payment"):
        set_store_mode(domain, "dual")
    legacy.db.users.delete_many({})  # auth would be reversed first, were it not for the check
    with pytest.raises(CommandError, match=r"refused: \w+ is in mongo, where Mongo is the authoritative store"):
        call_command("backfill", "--reverse", "--all")
    assert legacy.db.users.count_documents({}) == 0
    assert legacy.db.payments.count_documents({"_id": payment["_id"]}) == 1
    assert not BackfillRun.objects.filter(direction="reverse").exists()


def test_the_refusal_is_an_error_a_caller_can_catch(legacy):
    with pytest.raises(ReverseBackfillRefused, match="Nothing was written"):
        reverse_backfill_domain("payment")


def test_a_forward_backfill_is_refused_in_postgres_mode(legacy):
    """Mongo is no longer written in `postgres` mode: loading its stale documents would bring back records deleted
    since. The run is refused before it reads anything, and leaves no run behind."""
    user = legacy.user()
    set_store_mode("auth", "postgres")
    with pytest.raises(BackfillRefused, match="auth is in postgres mode, where Mongo is no longer written"):
        backfill_domain("auth")
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("backfill", "auth")
    assert not User.objects.filter(id=str(user["_id"])).exists()
    assert not BackfillRun.objects.exists()


# --- forward dry runs ------------------------------------------------------------------------------------------


def test_a_forward_dry_run_reports_what_a_real_run_would_reject_and_never_counts(legacy):
    legacy.payment()
    legacy.db.payments.insert_one({"_id": {"weird": 1}, "amount": 1})
    _parents()
    set_store_mode("auth", "dual")
    set_store_mode("marketplace", "dual")
    store_mode_change(
        domain="payment",
        to_mode="dual_mongo_primary",
        user=make_user("lead", CHANGE_PERMISSION),
        reason="go (test reason)",
    )
    run = backfill_domain("payment", dry_run=True)
    summary = run.summary["payments"]
    assert (summary["read"], summary["written"], summary["rejected"]) == (1, 1, 1)  # the odd id included
    assert (Payment.objects.count(), BackfillReject.objects.filter(collection="payments").count()) == (0, 0)
    verify_domain("payment")
    with pytest.raises(StoreModeChangeRefused, match="no forward backfill of payment has finished that started after"):
        store_mode_change(
            domain="payment", to_mode="dual", user=make_user("lead2", CHANGE_PERMISSION), reason="go (test reason)"
        )


def test_the_command_says_a_dry_run_wrote_nothing(legacy, capsys):
    legacy.payment()
    _parents()
    call_command("backfill", "payment", "--dry-run")
    out = capsys.readouterr().out
    assert "payment/payments: read 1, would be written 1" in out and "dry run: nothing was written" in out
    assert Payment.objects.count() == 0


# --- Celery shards ---------------------------------------------------------------------------------------------


def _many_payments(count: int) -> list:
    legacy = LegacyData(mongo_database())
    first = legacy.payment()
    docs = [first | {"_id": ObjectId(), "txHash": None} for _ in range(count - 1)]
    mongo_database().payments.insert_many(docs)
    return [first["_id"], *(doc["_id"] for doc in docs)]


@pytest.fixture
def celery_queue():
    """Point the Celery app at a queue; the test decides whether a worker consumes it."""
    from escrow_project.celery import app

    previous = app.conf.task_default_queue

    def use(queue: str) -> None:
        app.conf.task_default_queue = queue

    yield use
    app.conf.task_default_queue = previous


@pytest.fixture
def unconsumed_queue(redis_url, celery_queue):
    """A queue no worker listens to; its messages (revoked shards) are dropped afterwards."""
    import redis

    queue = f"nobody-listens-{uuid.uuid4().hex[:8]}"
    celery_queue(queue)
    yield queue
    redis.Redis.from_url(redis_url).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_through_a_real_celery_worker_writes_nothing(worker, celery_queue):
    _many_payments(60)
    _parents()
    celery_queue(worker)
    run = backfill_domain_via_celery("payment", shards=3, batch_size=7, dry_run=True)
    assert (run.status, run.dry_run) == ("finished", True)
    assert (run.summary["payments"]["read"], run.summary["payments"]["written"]) == (60, 60)  # would write
    assert Payment.objects.count() == 0
    assert not BackfillCheckpoint.objects.filter(collection="payments").exists()
    assert not BackfillReject.objects.filter(collection="payments").exists()


def _lock_is_free(domain: str) -> bool:
    """From another connection (a session lock is re-entrant within its own session)."""
    outcome = []

    def probe():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"escrow-backfill:{domain}"])
            outcome.append(cursor.fetchone()[0])
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"escrow-backfill:{domain}"])
        connections["default"].close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(10)
    return outcome == [True]


@pytest.mark.django_db(transaction=True)
def test_via_celery_without_a_worker_gives_up_and_releases_the_lock(unconsumed_queue, settings):
    _many_payments(10)
    settings.CUTOVER_BACKFILL_WORKER_WAIT_SECONDS = 1
    started = time.monotonic()
    with pytest.raises(CommandError, match="no Celery worker took any of the 2 shard"):
        call_command("backfill", "payment", "--via-celery", "--shards", "2", "--json")
    assert time.monotonic() - started < 15
    run = BackfillRun.objects.get(domain="payment")
    assert run.status == "failed" and "NoWorkerAnswered" in run.error
    assert _lock_is_free("payment")
    assert backfill_domain("payment").status == "finished"  # a second run starts right after


@pytest.mark.django_db(transaction=True)
def test_the_worker_wait_option_overrides_the_setting(unconsumed_queue, settings):
    _many_payments(3)
    settings.CUTOVER_BACKFILL_WORKER_WAIT_SECONDS = 600
    with pytest.raises(NoWorkerAnswered, match="within 0.5s"):
        backfill_domain_via_celery("payment", shards=1, worker_wait_seconds=0.5)


def test_a_shard_taken_after_its_run_gave_up_does_nothing(legacy):
    legacy.payment()
    _parents()
    run = BackfillRun.objects.create(domain="payment", status=BackfillRun.Status.FAILED)
    BackfillCheckpoint.objects.create(domain="payment", collection="payments", shard=1)
    summary = shard_summary("payment", "payments", 1, 100, run.pk, dry_run=False, lower="", upper="")
    assert summary["read"] == 0 and Payment.objects.count() == 0


# --- option values ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-minutes", "0"], "argument --max-minutes: expected a number above 0, got 0"),
        (["--max-minutes", "-5"], "argument --max-minutes: expected a number above 0, got -5"),
        (["--max-minutes", "nan"], "argument --max-minutes: expected a number above 0, got nan"),
        (["--shards", "0", "--via-celery"], "argument --shards: expected a whole number of at least 1, got 0"),
        (["--shards", "-2"], "argument --shards: expected a whole number of at least 1, got -2"),
        (["--batch-size", "0"], "argument --batch-size: expected a whole number of at least 1, got 0"),
        (["--batch-size", "-1"], "argument --batch-size: expected a whole number of at least 1, got -1"),
        (["--via-celery", "--worker-wait", "0"], "argument --worker-wait: expected a number above 0, got 0"),
        (["--reverse", "--via-celery"], "argument --via-celery: not allowed with argument --reverse"),
    ],
)
def test_bad_option_values_are_refused_before_anything_runs(transactional_db, argv, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("backfill", "payment", *argv)
    assert not BackfillRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_bad_value_exits_non_zero_with_one_line(shared_mongo):
    done = subprocess.run(
        [sys.executable, "manage.py", "backfill", "payment", "--max-minutes", "-1"],
        cwd=ROOT,
        env=other_process_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "manage.py backfill: error: argument --max-minutes: expected a number above 0, got -1"
    ]
