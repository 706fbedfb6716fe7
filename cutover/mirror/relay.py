"""The mirror relay: mirrors outbox rows the moment their transaction commits.

With CUTOVER_MIRROR=relay a `dual` write costs the request only its outbox
insert; a trigger NOTIFYs on commit, and this loop (`manage.py mirror_relay`,
one or more per deployment) wakes up and runs the same chunked, SKIP LOCKED
repair as the scheduled task. It also wakes every few seconds by itself, for
retries that have come due and for a notification missed while it restarted.
"""

import logging
import threading

import psycopg
from django.db import connection

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.outbox import outbox_repair_pending

logger = logging.getLogger("cutover.mirror.relay")
CHANNEL = "cutover_outbox"


def run_mirror_relay(
    *, stop: threading.Event, idle_seconds: float = 5.0, chunk: int = 200, ready: threading.Event | None = None
) -> None:
    """Mirror outbox rows as their commits notify, until `stop` is set. `ready` is set once it listens:
    every commit from then on wakes it."""
    with _listening_connection() as listener:
        logger.info("mirror relay listening on %s", CHANNEL)
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                report = outbox_repair_pending(limit=chunk)
                if report.repaired or report.failed:
                    continue  # more may be due right away
                _wait_for_work(listener, stop, idle_seconds)
                connection.close_if_unusable_or_obsolete()
        finally:
            connection.close()


def _wait_for_work(listener: psycopg.Connection, stop: threading.Event, idle_seconds: float) -> None:
    """Until a commit notifies us; while Mongo's breaker is open, until it may be tried again
    (reacting to every write then would only burn CPU beside the requests)."""
    retry_in = mongo_breaker.retry_in()
    if retry_in > 0:
        stop.wait(min(retry_in, idle_seconds))
        for _ in listener.notifies(timeout=0):  # discard the wake-ups that piled up
            pass
        return
    for _ in listener.notifies(timeout=idle_seconds, stop_after=1):
        pass


def _listening_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    listener = psycopg.connect(autocommit=True, **params)
    listener.execute(f"LISTEN {CHANNEL}")
    return listener
