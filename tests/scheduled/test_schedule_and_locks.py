import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from cutover.models import ScheduledTaskRun
from cutover.scheduled.runs import redis_client, run_exclusive

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_scheduled_task_is_a_celery_task_that_runs_its_job_under_its_lock(redis_url):
    from escrow_project.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.SCHEDULED_TASKS.items():
        task = app.tasks[name]
        assert task.acks_late and task.soft_time_limit == entry.time_limit_seconds < task.time_limit
        assert task.time_limit < entry.lock_seconds  # a killed run's lock outlives it: no overlap
        assert task.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        assert import_string(entry.job)  # the job exists
        beat = settings.CELERY_BEAT_SCHEDULE[name]
        assert beat["task"] == name and 0 < beat["options"]["expires"] < beat["schedule"] == entry.every_seconds


def test_a_scheduled_task_records_its_job_count(redis_url):
    from cutover.scheduled.tasks import SCHEDULED

    result = SCHEDULED["cutover.repair_mirror_outbox"].apply().get()
    assert (result["outcome"], result["count"]) == ("ok", 0)
    assert ScheduledTaskRun.objects.get(task="cutover.repair_mirror_outbox").runs == 1


def test_a_run_is_recorded_with_its_count(redis_url):
    result = run_exclusive("test.job", lambda: 42, lock_seconds=30)
    assert (result.outcome, result.count) == ("ok", 42)
    run = ScheduledTaskRun.objects.get(task="test.job")
    assert (run.last_outcome, run.last_count, run.runs) == ("ok", 42, 1)
    assert run.last_success_at is not None and run.last_duration_seconds >= 0


def test_the_lock_prevents_an_overlapping_run(redis_url):
    calls = []
    held = redis_client().lock("escrow:scheduled:test.locked", timeout=30)
    assert held.acquire(blocking=False)
    try:
        result = run_exclusive("test.locked", lambda: calls.append(1) or 1, lock_seconds=30)
    finally:
        held.release()
    assert (result.outcome, calls) == ("skipped", [])
    assert ScheduledTaskRun.objects.get(task="test.locked").last_outcome == "skipped"
    assert run_exclusive("test.locked", lambda: calls.append(1) or 1, lock_seconds=30).outcome == "ok"


def test_a_crashed_run_leaves_a_lock_that_expires(redis_url):
    crashed = redis_client().lock("escrow:scheduled:test.crash", timeout=60)
    assert crashed.acquire(blocking=False)  # never released: the worker died
    assert run_exclusive("test.crash", lambda: 1, lock_seconds=30).outcome == "skipped"
    assert redis_client().ttl("escrow:scheduled:test.crash") > 0  # it carries an expiry...
    redis_client().pexpire("escrow:scheduled:test.crash", 1)  # ...which Redis enforces: let it pass now
    while redis_client().exists("escrow:scheduled:test.crash"):
        pass
    assert run_exclusive("test.crash", lambda: 1, lock_seconds=30).outcome == "ok"


def test_a_failed_run_is_recorded_and_raised(redis_url):
    with pytest.raises(ZeroDivisionError):
        run_exclusive("test.fail", lambda: 1 / 0, lock_seconds=30)
    run = ScheduledTaskRun.objects.get(task="test.fail")
    assert run.last_outcome == "failed" and "ZeroDivisionError" in run.last_error
