"""Backfill on real Postgres: idempotent reruns, resume after a crash, dry runs, the domain lock."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from cutover.backfill import load
from cutover.backfill.run import BackfillAlreadyRunning
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillCheckpoint, BackfillRun
from payments.models import Payment
from tests.backfill.conftest import money, postgres_record

PARENTS = ("auth", "marketplace")


def _backfill_all(**options):
    return {name: backfill_domain(name, **options) for name in (*PARENTS, "payment")}


def _xmins() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM payments")
        return dict(cursor.fetchall())


def test_backfill_then_an_unchanged_rerun_rewrites_no_row(legacy):
    payments = [legacy.payment() for _ in range(25)]
    runs = _backfill_all(batch_size=7)
    assert runs["payment"].summary["payments"] | {"seconds": 0} == {
        "read": 25,
        "written": 25,
        "unchanged": 0,
        "rejected": 0,
        "skipped": 0,
        "resolved": 0,
        "caught_up": 0,
        "deleted": 0,
        "seconds": 0,
        "stopped": False,
        "stopped_by": "",
    }
    assert postgres_record("payment", "payments", payments[0]["_id"]).amount == money("10.50")
    before = _xmins()
    rerun = _backfill_all(batch_size=7)["payment"].summary["payments"]
    assert (rerun["written"], rerun["unchanged"]) == (0, 25)
    assert _xmins() == before  # not one row rewritten


def test_a_changed_document_is_rewritten_on_rerun(legacy):
    payment = legacy.payment()
    _backfill_all()
    legacy.db.payments.update_one(
        {"_id": payment["_id"]}, {"$set": {"confirmations": 9, "updatedAt": legacy.at.replace(year=2099)}}
    )
    assert _backfill_all()["payment"].summary["payments"]["written"] == 1
    assert postgres_record("payment", "payments", payment["_id"]).confirmations == 9


def test_a_crash_inside_a_batch_loses_and_duplicates_nothing(legacy, monkeypatch):
    payments = [legacy.payment() for _ in range(20)]
    backfill_domain("auth")
    backfill_domain("marketplace")
    original, calls = load.TableLoader._write, []

    def crash_on_third_batch(self, records, result):
        calls.append(1)
        written = original(self, records, result)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed after the upsert, before the commit")
        return written

    monkeypatch.setattr(load.TableLoader, "_write", crash_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        backfill_domain("payment", batch_size=5)
    assert Payment.objects.count() == 10  # two committed batches; the third rolled back with its checkpoint
    checkpoint = BackfillCheckpoint.objects.get(collection="payments", shard=0)
    assert (checkpoint.read, checkpoint.done) == (10, False)

    monkeypatch.undo()
    resumed = backfill_domain("payment", batch_size=5).summary["payments"]
    assert resumed["read"] == 10  # it resumed at the checkpoint
    assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(p["_id"]) for p in payments)


def test_max_minutes_stops_at_a_batch_boundary_and_the_next_run_resumes(legacy):
    [legacy.payment() for _ in range(6)]
    backfill_domain("auth")
    backfill_domain("marketplace")
    stopped = backfill_domain("payment", batch_size=2, max_minutes=1e-9)
    assert stopped.status == "stopped"
    assert backfill_domain("payment", batch_size=2).status == "finished"
    assert Payment.objects.count() == 6


def test_dry_run_writes_nothing_and_reports(legacy):
    legacy.payment()
    legacy.db.payments.insert_one({"_id": __import__("bson").ObjectId(), "amount": "abc"})
    run = backfill_domain("payment", dry_run=True)
    assert Payment.objects.count() == 0
    assert not BackfillCheckpoint.objects.filter(collection="payments").exists()
    assert run.summary["payments"]["read"] == 2 and run.summary["payments"]["rejected"] == 2  # orphan + bad


def test_a_second_run_on_the_same_domain_is_refused(legacy):
    holder_ready, release = threading.Event(), threading.Event()

    def hold_lock():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('escrow-backfill:payment'))")
            holder_ready.set()
            release.wait(10)
            cursor.execute("SELECT pg_advisory_unlock(hashtext('escrow-backfill:payment'))")
        connections["default"].close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    holder_ready.wait(5)
    try:
        with pytest.raises(BackfillAlreadyRunning, match="a backfill of payment is already running"):
            backfill_domain("payment")
    finally:
        release.set()
        holder.join()
    assert not BackfillRun.objects.filter(domain="payment").exists()


def test_the_command_exits_1_with_reasons_when_anything_is_rejected(legacy, capsys):
    legacy.payment()  # parents not backfilled: an orphan
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="payment: finished, 1 rejected") as exit_:
        call_command("backfill", "payment", "--json")
    assert exit_.value.returncode == 1
    assert '"rejected": 1' in capsys.readouterr().out


def test_the_command_refuses_bad_arguments():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="name the domains to backfill, or pass --all"):
        call_command("backfill")
    with pytest.raises(CommandError, match="unknown store domain 'paymnt'"):
        call_command("backfill", "paymnt")
