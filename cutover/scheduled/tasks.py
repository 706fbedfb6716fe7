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


def send_every_scheduled_task(app) -> None:
    """Queue one run of every scheduled task now: what beat does as it starts. Beat's first tick of an entry
    comes an interval after its start (an hour for the hourly purge), so a first deployment would otherwise
    show "never ran" for that long although beat and a worker run. Each run takes its lock, so a run beat's
    restart adds to one in progress is skipped, not doubled."""
    import logging

    logger = logging.getLogger("cutover.scheduled")
    for name, spec in settings.CELERY_BEAT_SCHEDULE.items():
        try:
            app.send_task(spec["task"], **spec.get("options", {}))
        except Exception as error:  # the broker is away: beat's own ticks catch up once it is back
            logger.warning("beat start: could not queue %s (%s); its next tick will", name, error)
            return
    logger.info("beat start: queued one run of each of the %d scheduled tasks", len(settings.CELERY_BEAT_SCHEDULE))
