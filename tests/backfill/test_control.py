"""Pause, resume and cancel of a running backfill from another process (the CLI here; the cockpit uses the
same service), audited; its live progress; and its throttle (rate, batch time, busy database)."""

import json
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cutover.backfill.control import RunControl, Throttle
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillCheckpoint, BackfillRun
from cutover.operations.backfill_control import CONTROL_PERMISSION
from payments.models import Payment
from tests.backfill.test_processes import _many_payments
from tests.conftest import ROOT, other_process_env
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)
REASON = "the nightly window closes (test)"


def _running_backfill() -> tuple[subprocess.Popen, BackfillRun]:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "backfill", "payment", "--batch-size", "40", "--json"],
        cwd=ROOT,
        env=other_process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        checkpoint = BackfillCheckpoint.objects.filter(collection="payments").first()
        run = BackfillRun.objects.filter(domain="payment", status="running").first()
        progress = (run.progress or {}).get("payments", {}) if run else {}
        # Its progress is written about once a second: on a loaded machine it may trail the checkpoint.
        if checkpoint and checkpoint.read >= 200 and progress.get("done", 0) > 0 and progress.get("rate", 0) > 0:
            return process, run
        time.sleep(0.01)
    raise AssertionError("the backfill did not get going within a minute")


def test_pause_then_resume_from_the_cli_finishes_with_nothing_lost_or_duplicated(shared_mongo):
    ids = _many_payments(4000)
    backfill_domain("auth")
    backfill_domain("marketplace")
    make_user("lead", CONTROL_PERMISSION)
    process, run = _running_backfill()
    progress = BackfillRun.objects.get(pk=run.pk).progress["payments"]
    assert progress["total"] == 4000 and 0 < progress["done"] < 4000 and progress["rate"] > 0

    call_command("backfill_control", "pause", str(run.pk), "--user", "lead", "--reason", REASON)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    run.refresh_from_db()
    checkpoint = BackfillCheckpoint.objects.get(collection="payments")
    assert (run.status, run.requested, checkpoint.done) == ("paused", "", False)
    assert json.loads(out)["payment"]["stopped_by"] == "pause"
    assert err.strip().startswith(f"paused at payment/payments, objectId phase after {checkpoint.last_key};")
    assert Payment.objects.count() == checkpoint.read
    assert [(d["action"], d["user"], d["reason"]) for d in run.decisions] == [("pause", "lead", REASON)]

    call_command("backfill_control", "resume", str(run.pk), "--user", "lead", "--reason", REASON)
    resumed = BackfillRun.objects.filter(domain="payment").order_by("pk").last()
    assert resumed.pk != run.pk and resumed.status == "finished"
    assert resumed.summary["payments"]["read"] == 4000 - checkpoint.read
    assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(i) for i in ids)
    assert [d["action"] for d in BackfillRun.objects.get(pk=run.pk).decisions] == ["pause", "resume"]


def test_cancel_ends_a_running_backfill_and_control_is_audited(shared_mongo):
    _many_payments(3000)
    backfill_domain("auth")
    backfill_domain("marketplace")
    make_user("lead", CONTROL_PERMISSION)
    make_user("bob")
    process, run = _running_backfill()
    with pytest.raises(CommandError, match="bob lacks the permission cutover.control_backfillrun"):
        call_command("backfill_control", "cancel", str(run.pk), "--user", "bob", "--reason", REASON)
    with pytest.raises(CommandError, match="needs a reason of at least 10 characters"):
        call_command("backfill_control", "cancel", str(run.pk), "--user", "lead", "--reason", "no")
    call_command("backfill_control", "cancel", str(run.pk), "--user", "lead", "--reason", REASON)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    run.refresh_from_db()
    assert run.status == "canceled" and "canceled at payment/payments" in err
    with pytest.raises(CommandError, match="only a paused"):
        call_command("backfill_control", "resume", str(run.pk), "--user", "lead", "--reason", REASON)


class _Clock:
    def __init__(self):
        self.now, self.slept = 100.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_the_throttle_holds_the_rate_and_fits_the_batch_to_its_target_time(db):
    clock = _Clock()
    run = BackfillRun.objects.create(domain="payment")
    control = RunControl(run, Throttle(max_rate=100, target_batch_seconds=1.0, busy_connections=0), clock, clock.sleep)
    assert control.batch(400) == 400
    control.start_collection("payments", 1000)
    clock.now += 0.5  # 400 rows in 0.5 s: 800/s, over the 100/s
    assert control.at_boundary(400) == ""
    assert clock.slept == [3.5]  # 400 rows may take 4 s at 100/s
    assert control.batch(400) == 400  # the batch's own work took 0.5 s (the throttle's wait is not the batch's)
    clock.now += 3.0  # a batch of 400 took 3 s against a 1 s target: halved
    control.at_boundary(800)
    assert (control.batch(400), clock.slept) == (200, [3.5, 1.0])  # 800 rows may take 8 s at 100/s
    clock.now += 0.2  # quick now: grows back by a quarter, never past the --batch-size asked
    control.at_boundary(1000)
    assert control.batch(400) == 250
    run.refresh_from_db()
    assert run.progress["payments"]["done"] == 1000 and run.progress["payments"]["batch_size"] == 250


def test_a_busy_database_holds_the_pass_until_it_calms_down(db, monkeypatch):
    clock = _Clock()
    run = BackfillRun.objects.create(domain="payment")
    control = RunControl(run, Throttle(busy_connections=5), clock, clock.sleep)
    busy = iter([True, True, False])
    monkeypatch.setattr(control, "_database_busy", lambda: next(busy))
    control.start_collection("payments", 10)
    clock.now += 0.5
    assert control.at_boundary(2) == "" and clock.slept == []  # probed once a second, with the poll
    clock.now += 0.5
    assert control.at_boundary(5) == ""
    assert clock.slept == [1.0, 1.0]
    run.refresh_from_db()
    assert run.progress["payments"]["waited_busy_seconds"] == 2.0


