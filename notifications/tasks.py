"""Scheduled purge of notifications past their 90 days (in place of the Mongo TTL index): thin."""

from celery import shared_task

PURGE_TIME_LIMIT = 1800  # seconds: the hourly purge may have a backlog after an outage


@shared_task(
    name="notifications.purge_old_notifications",
    acks_late=True,
    soft_time_limit=PURGE_TIME_LIMIT,
    time_limit=PURGE_TIME_LIMIT + 60,
)
def purge_old_notifications() -> dict:
    from cutover.scheduled import run_exclusive
    from notifications.services import purge_old_notifications as purge

    return vars(run_exclusive("notifications.purge_old_notifications", purge, lock_seconds=PURGE_TIME_LIMIT + 120))
