"""A Celery worker and beat ride out a Redis restart by themselves (issue 27): on a Redis of the test's own,
stopped and started again under them (losing its data, as a new instance would), both keep running and the
worker runs a task sent after the restart. Run as production runs them (prefork, gossip, mingle and
heartbeats on). The recovery time (Redis back until a task's result is in) is printed."""

import subprocess
import sys
import time

import pytest
from celery import Celery

from tests.conftest import ROOT, other_process_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_and_beat(own_redis, shared_mongo, tmp_path):
    env = other_process_env(REDIS_URL=own_redis.url(), CUTOVER_LOG_LEVEL="WARNING")
    celery = [sys.executable, "-m", "celery", "-A", "escrow_project"]
    worker = subprocess.Popen(
        [*celery, "worker", "-l", "INFO", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    beat = subprocess.Popen(
        [*celery, "beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "beat.log", "w"),  # noqa: SIM115
    )
    client = Celery("client", broker=own_redis.url(), backend=own_redis.url(), set_as_current=False)  # not the app's
    yield own_redis, worker, beat, client, tmp_path
    for process in (worker, beat):
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _run_task(client: Celery, timeout: float) -> dict:
    return client.send_task("cutover.repair_mirror_outbox").get(timeout=timeout)


def test_worker_and_beat_carry_on_after_a_redis_restart(worker_and_beat):
    redis_server, worker, beat, client, logs = worker_and_beat
    assert _run_task(client, timeout=40)["task"] == "cutover.repair_mirror_outbox"

    for outage_seconds in (1, 5):  # a quick restart, and one longer than the worker's first retry
        redis_server.stop()
        time.sleep(outage_seconds)
        redis_server.start()
        back = time.monotonic()
        assert _run_task(client, timeout=40)["task"] == "cutover.repair_mirror_outbox"
        print(f"worker: Redis back after {outage_seconds} s down -> a task done in {time.monotonic() - back:.1f} s")
    time.sleep(2)
    for name, process in (("worker", worker), ("beat", beat)):
        log = (logs / f"{name}.log").read_text()
        assert process.poll() is None, f"the {name} exited after a Redis restart: {log[-3000:]}"
        assert "Unrecoverable error" not in log


def test_backfill_via_celery_ends_with_one_line_when_redis_stays_away(own_redis, shared_mongo):
    from tests.backfill.test_dry_runs_and_guards import _many_payments, _parents

    _many_payments(20)
    _parents()
    env = other_process_env(REDIS_URL=own_redis.url(), CUTOVER_BACKFILL_WORKER_WAIT_SECONDS="4")
    command = [sys.executable, "manage.py", "backfill", "payment", "--via-celery", "--shards", "2"]
    backfill = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)  # its shards are queued (no worker takes them) and it waits
    own_redis.stop()
    _, stderr = backfill.communicate(timeout=40)
    assert backfill.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "lost Redis (REDIS_URL, the Celery broker)" in stderr and "Rerun when Redis is back" in stderr
    own_redis.start()  # for the fixture's stop


def test_a_first_deployment_runs_every_scheduled_task_once_as_beat_starts(worker_and_beat):
    """Beat's first tick of the hourly purge is an hour away: without a run at start it would read "never ran"
    (and cutover_check would say to start a beat and a worker that both run)."""
    from cutover.scheduled.status import scheduled_task_statuses
    from tests.cutover.fence_helpers import poll

    def every_task_ran() -> bool:
        return all(status.run is not None for status in scheduled_task_statuses())

    assert poll(every_task_ran, seconds=40), [status.detail for status in scheduled_task_statuses()]
    assert not any(status.late for status in scheduled_task_statuses())
