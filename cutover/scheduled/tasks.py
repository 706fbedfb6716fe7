"""One Celery task per entry of settings.SCHEDULED_TASKS: thin, the work is in the entry's job.

Each run holds the task's Redis lock and is recorded (cutover.scheduled.runs), so beat ticks that
overlap a slow run are skipped, not stacked.
"""

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from cutover.scheduled.schedule import ScheduledTask


def _scheduled(name: str, entry: ScheduledTask):
    def run() -> dict:
        from cutover.scheduled.runs import run_exclusive

        return vars(run_exclusive(name, import_string(entry.job), lock_seconds=entry.lock_seconds))

    run.__name__ = run.__qualname__ = name.rpartition(".")[2]
    run.__doc__ = f"Run {entry.job} every {entry.every_seconds:g}s, never twice at once."
    return shared_task(
        name=name, acks_late=True, soft_time_limit=entry.time_limit_seconds, time_limit=entry.hard_limit_seconds
    )(run)


SCHEDULED = {name: _scheduled(name, entry) for name, entry in settings.SCHEDULED_TASKS.items()}
