"""Every configured scheduled task with its interval, its last run and whether it is late.

CELERY_BEAT_SCHEDULE is the schedule; ScheduledTaskRun holds what actually ran (cutover.scheduled). A task
that never ran is listed too (that is the interesting case: a beat not running, a task misnamed).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

# A task is late when its last success is older than this many intervals (plus the grace below): one
# missed tick is normal jitter (a slow worker, a restart), two in a row are not.
LATE_AFTER_INTERVALS = 2
LATE_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class TaskStatus:
    entry: str  # the CELERY_BEAT_SCHEDULE key
    task: str  # the Celery task name (ScheduledTaskRun.task)
    interval: timedelta | None  # None: not a plain interval (a crontab), never judged late
    run: object | None  # the ScheduledTaskRun, None when it never ran
    late: bool
    detail: str  # for people: "ok 40 s ago", "never ran", "last success 3 h ago (every 1 min)"


def scheduled_task_statuses(*, now: datetime | None = None) -> list[TaskStatus]:
    """Every task of CELERY_BEAT_SCHEDULE, in schedule order, with its last run and late flag."""
    from .models import ScheduledTaskRun

    now = now or timezone.now()
    runs = {run.task: run for run in ScheduledTaskRun.objects.all()}
    return [
        _status(entry, spec["task"], _interval(spec.get("schedule")), runs.get(spec["task"]), now)
        for entry, spec in settings.CELERY_BEAT_SCHEDULE.items()
    ]


def scheduled_task_status(task: str, *, now: datetime | None = None) -> TaskStatus | None:
    """The status of one task by its Celery name, or None if the schedule does not list it."""
    return next((status for status in scheduled_task_statuses(now=now) if status.task == task), None)


def _status(entry: str, task: str, interval: timedelta | None, run, now: datetime) -> TaskStatus:
    every = f"every {humanize_duration(interval)}" if interval else "on a custom schedule"
    if run is None:
        return TaskStatus(entry, task, interval, None, interval is not None, f"never ran ({every})")
    success = run.last_success_at
    late = interval is not None and (success is None or now - success > interval * LATE_AFTER_INTERVALS + LATE_GRACE)
    if success is None:
        detail = f"never succeeded; last run {run.last_outcome} {humanize_duration(now - run.last_started_at)} ago"
    else:
        detail = f"last success {humanize_duration(now - success)} ago"
    return TaskStatus(entry, task, interval, run, late, f"{detail} ({every})")


def _interval(schedule) -> timedelta | None:
    if isinstance(schedule, int | float):
        return timedelta(seconds=schedule)
    if isinstance(schedule, timedelta):
        return schedule
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    return run_every if isinstance(run_every, timedelta) else None


def humanize_duration(value: timedelta | float | None) -> str:
    """A duration as people read it: 0.61 s, 42 s, 5 min, 2 h 5 min, 3 d 4 h."""
    if value is None:
        return "-"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
