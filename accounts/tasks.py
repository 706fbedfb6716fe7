"""Scheduled purges of expiring auth records (in place of the Mongo TTL indexes): thin, the work is in services."""

from celery import shared_task

PURGE_TIME_LIMIT = 240  # seconds


@shared_task(
    name="accounts.purge_expired_telegram_sessions",
    acks_late=True,
    soft_time_limit=PURGE_TIME_LIMIT,
    time_limit=PURGE_TIME_LIMIT + 15,
)
def purge_expired_telegram_sessions() -> dict:
    from accounts.services import purge_expired_telegram_sessions as purge
    from cutover.scheduled import run_exclusive

    return vars(run_exclusive("accounts.purge_expired_telegram_sessions", purge, lock_seconds=PURGE_TIME_LIMIT + 30))


@shared_task(
    name="accounts.purge_expired_temp_verifications",
    acks_late=True,
    soft_time_limit=PURGE_TIME_LIMIT,
    time_limit=PURGE_TIME_LIMIT + 15,
)
def purge_expired_temp_verifications() -> dict:
    from accounts.services import purge_expired_temp_verifications as purge
    from cutover.scheduled import run_exclusive

    return vars(run_exclusive("accounts.purge_expired_temp_verifications", purge, lock_seconds=PURGE_TIME_LIMIT + 30))
