"""Ctrl-C, SIGTERM and --max-minutes against a real `manage.py backfill` process: each stops at a batch
boundary with one line saying where, exits with its own status (130, 143, 0) and no traceback, and the same
command resumes from the checkpoint, losing and duplicating nothing."""

import json
import signal
import subprocess
import sys
import time

import pytest

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillCheckpoint, BackfillRun
from payments.models import Payment
from tests.backfill.test_processes import _many_payments
from tests.conftest import ROOT, other_process_env

pytestmark = pytest.mark.django_db(transaction=True)


def _backfill_process(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "backfill", "payment", "--batch-size", "40", "--json", *arguments],
        cwd=ROOT,
        env=other_process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_batches(rows: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        checkpoint = BackfillCheckpoint.objects.filter(collection="payments").first()
        if checkpoint and checkpoint.read >= rows:
            return
        time.sleep(0.01)
    raise AssertionError("the backfill did not get going within a minute")


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_at_a_batch_boundary_and_the_same_command_resumes(shared_mongo, sent, status):
    ids = _many_payments(4000)
    backfill_domain("auth")
    backfill_domain("marketplace")
    process = _backfill_process()
    _wait_for_batches(200)
    process.send_signal(sent)
    out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "Traceback" not in err
    checkpoint = BackfillCheckpoint.objects.get(collection="payments")
    assert not checkpoint.done, "the run finished before the signal: raise the document count"
    assert err.strip().splitlines() == [
        f"interrupted at payment/payments, objectId phase after {checkpoint.last_key}; "
        f"run the same command to resume"
    ]
    report = json.loads(out)["payment"]
    assert (report["finished"], report["stopped_by"], report["status"]) == (False, sent.name, "stopped")
    assert report["collections"]["payments"]["read"] == checkpoint.read == Payment.objects.count()
    assert BackfillRun.objects.get(pk=report["run"]).status == "stopped"

    rerun = _backfill_process()
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    resumed = json.loads(out)["payment"]
    assert resumed["finished"] is True and resumed["stopped_by"] == ""
    assert resumed["collections"]["payments"]["read"] == 4000 - checkpoint.read  # from the checkpoint on
    assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(i) for i in ids)


def test_a_max_minutes_stop_exits_0_and_says_so(shared_mongo):
    _many_payments(3000)
    backfill_domain("auth")
    backfill_domain("marketplace")
    process = _backfill_process("--max-minutes", "0.02")  # 1.2 s: a few batches of 40
    out, err = process.communicate(timeout=60)
    checkpoint = BackfillCheckpoint.objects.get(collection="payments")
    assert not checkpoint.done, "the run finished before its deadline: raise the document count"
    assert process.returncode == 0, err
    assert err.strip().splitlines() == [
        f"stopped at the --max-minutes limit at payment/payments, objectId phase after {checkpoint.last_key}; "
        f"run the same command to resume"
    ]
    report = json.loads(out)["payment"]
    assert (report["finished"], report["stopped_by"]) == (False, "max-minutes")
