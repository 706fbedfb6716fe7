"""Running a scheduled job: never twice at once, and always on the record.

A Redis lock with an expiry keeps a second run (a slow beat tick, a second
beat, a retried task) from overlapping the first; if the worker dies, the
lock expires by itself. Each run's start, duration, count and outcome are
kept per task in ScheduledTaskRun, which admin shows and the cutover check
reads to know the scheduler is alive.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from cutover.models import ScheduledTaskRun

logger = logging.getLogger("cutover.scheduled.runs")
Outcome = ScheduledTaskRun.Outcome


@dataclass(frozen=True)
class RunResult:
    task: str
    outcome: str
    count: int | None
    seconds: float


def run_exclusive(task: str, job: Callable[[], int], *, lock_seconds: int) -> RunResult:
    """Run `job` (which returns a count) under the task's lock, and record the run."""
    lock = redis_client().lock(f"escrow:scheduled:{task}", timeout=lock_seconds, blocking=False)
    started_at, started = timezone.now(), time.monotonic()
    if not lock.acquire():
        logger.info("%s skipped: another run holds the lock", task)
        _record(task, started_at, Outcome.SKIPPED, None, 0.0, "")
        return RunResult(task, Outcome.SKIPPED, None, 0.0)
    try:
        count = job()
    except Exception as error:
        _record(task, started_at, Outcome.FAILED, None, time.monotonic() - started, f"{type(error).__name__}: {error}")
        raise
    finally:
        _release(lock)
    seconds = time.monotonic() - started
    _record(task, started_at, Outcome.OK, count, seconds, "")
    logger.info("%s: %s in %.2fs", task, count, seconds)
    return RunResult(task, Outcome.OK, count, seconds)


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def _release(lock) -> None:
    try:
        lock.release()
    except redis.exceptions.LockError:
        logger.warning("lock %s expired before the run ended; raise its timeout", lock.name)


def _record(task: str, started_at, outcome: str, count: int | None, seconds: float, error: str) -> None:
    finished = timezone.now()
    values = {
        "last_started_at": started_at,
        "last_finished_at": finished,
        "last_duration_seconds": seconds,
        "last_count": count,
        "last_outcome": outcome,
        "last_error": error[:2000],
    }
    if outcome == Outcome.OK:
        values["last_success_at"] = finished
    updated = ScheduledTaskRun.objects.filter(task=task).update(runs=F("runs") + 1, **values)
    if not updated:
        ScheduledTaskRun.objects.get_or_create(task=task, defaults={"runs": 1, **values})
