"""Backfill across processes: a kill -9 in the middle of a run, and a sharded run on a real Celery worker."""

import signal
import subprocess
import sys
import time

import pytest
from bson import ObjectId
from django.db import connection

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillCheckpoint
from escrow_project.mongo import mongo_database
from payments.models import Payment
from tests.backfill.conftest import LegacyData
from tests.conftest import ROOT, other_process_env
from tests.cutover.fence_helpers import poll

pytestmark = pytest.mark.django_db(transaction=True)


def _many_payments(count: int) -> list:
    legacy = LegacyData(mongo_database())
    first = legacy.payment()
    docs = [first | {"_id": ObjectId(), "txHash": None} for _ in range(count - 1)]
    mongo_database().payments.insert_many(docs)
    return [first["_id"], *(doc["_id"] for doc in docs)]


def test_kill_9_mid_run_then_resume_misses_and_duplicates_nothing(shared_mongo):
    ids = _many_payments(4000)
    backfill_domain("auth")
    backfill_domain("marketplace")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "backfill", "payment", "--batch-size", "40", "--json"],
        cwd=ROOT,
        env=other_process_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        checkpoint = BackfillCheckpoint.objects.filter(collection="payments").first()
        if checkpoint and checkpoint.read >= 400:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    checkpoint = BackfillCheckpoint.objects.get(collection="payments")
    assert not checkpoint.done, "the run finished before it could be killed; raise the document count"
    assert Payment.objects.count() == checkpoint.read  # every committed batch, nothing half-written

    # The killed run's session ends (and its run lock goes) once the server has seen its socket close: moments later.
    assert poll(lambda: not _session_of_a_killed_run_left(), seconds=10)
    run = backfill_domain("payment", batch_size=500)
    assert run.summary["payments"]["read"] == 4000 - checkpoint.read  # resumed where it stopped
    assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(i) for i in ids)
    assert verify_domain("payment").passed


def _session_of_a_killed_run_left() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(  # a run lock (one bigint key: objsubid 1) of this database held by another session
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND pid <> pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0] > 0


def test_a_sharded_run_through_a_real_celery_worker(worker):
    from cutover.backfill.shards import backfill_domain_via_celery
    from escrow_project.celery import app

    ids = _many_payments(300)
    backfill_domain("auth")
    backfill_domain("marketplace")
    previous, app.conf.task_default_queue = app.conf.task_default_queue, worker  # the test worker's queue
    try:
        run = backfill_domain_via_celery("payment", shards=3, batch_size=25)
    finally:
        app.conf.task_default_queue = previous
    assert run.status == "finished"
    assert run.summary["payments"]["written"] == 300
    shards = BackfillCheckpoint.objects.filter(collection="payments", shard__gt=0).order_by("shard")
    assert [s.done for s in shards] == [True, True, True]
    assert sum(s.read for s in shards) == 300 and all(s.read > 0 for s in shards)
    assert Payment.objects.count() == len(ids)
    assert verify_domain("payment").passed
