import pytest
from django.conf import settings

from cutover.models import ScheduledTaskRun
from cutover.scheduled import redis_client, run_exclusive

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_schedule_holds_exactly_the_purges_and_the_repair():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule == {
        "accounts.purge_expired_telegram_sessions": 60.0,
        "accounts.purge_expired_temp_verifications": 300.0,
        "notifications.purge_old_notifications": 3600.0,
        "cutover.repair_mirror_outbox": 60.0,
    }
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert 0 < entry["options"]["expires"] < entry["schedule"]  # a backlog never piles up


def test_every_scheduled_task_is_registered_with_limits():
    from escrow_project.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        assert task.acks_late and task.time_limit and task.soft_time_limit < task.time_limit
        assert task.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


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
    import time

    crashed = redis_client().lock("escrow:scheduled:test.crash", timeout=1)
    assert crashed.acquire(blocking=False)  # never released: the worker died
    assert run_exclusive("test.crash", lambda: 1, lock_seconds=30).outcome == "skipped"
    time.sleep(1.2)
    assert run_exclusive("test.crash", lambda: 1, lock_seconds=30).outcome == "ok"


def test_a_failed_run_is_recorded_and_raised(redis_url):
    with pytest.raises(ZeroDivisionError):
        run_exclusive("test.fail", lambda: 1 / 0, lock_seconds=30)
    run = ScheduledTaskRun.objects.get(task="test.fail")
    assert run.last_outcome == "failed" and "ZeroDivisionError" in run.last_error
