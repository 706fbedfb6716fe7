"""The periodic schedule as data: each scheduled task once, with its job, interval and time limit.

Pure Python (no Django imports), so settings can declare the schedule with it and derive Celery
beat's from it; cutover.scheduled.tasks makes one Celery task of each entry. Adding a scheduled
job is one entry in settings.SCHEDULED_TASKS.
"""

from dataclasses import dataclass

# Extra seconds past the soft limit before Celery kills the task, and past the hard limit before the
# run's lock expires by itself (a dead worker blocks the next run no longer than that).
KILL_GRACE_SECONDS = 15
LOCK_GRACE_SECONDS = 30


@dataclass(frozen=True)
class ScheduledTask:
    job: str  # dotted path of a function taking no arguments and returning a count
    every_seconds: float
    time_limit_seconds: int  # the soft limit: the job is interrupted after this long

    @property
    def hard_limit_seconds(self) -> int:
        return self.time_limit_seconds + KILL_GRACE_SECONDS

    @property
    def lock_seconds(self) -> int:
        return self.hard_limit_seconds + LOCK_GRACE_SECONDS

    @property
    def expires_seconds(self) -> float:
        """A run still queued this long after its tick is dropped: the next tick does the same work."""
        return self.every_seconds * 0.9


def beat_schedule(tasks: dict[str, ScheduledTask]) -> dict[str, dict]:
    """Celery beat's schedule for `tasks` (name: entry)."""
    return {
        name: {"task": name, "schedule": task.every_seconds, "options": {"expires": task.expires_seconds}}
        for name, task in tasks.items()
    }
