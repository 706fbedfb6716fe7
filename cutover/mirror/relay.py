"""The mirror relay: mirrors outbox rows the moment their transaction commits.

With CUTOVER_MIRROR=relay a `dual` write costs the request only its outbox
insert; a trigger NOTIFYs on commit, and this loop (`manage.py mirror_relay`,
one or more per deployment) wakes up and runs the same chunked, SKIP LOCKED
repair as the scheduled task, on the burst of writes that commit within
GATHER_SECONDS of the one that woke it. It also wakes every few seconds by itself, for
retries that have come due and for a notification missed while it restarted, and
beats its heartbeat (cutover.mirror.heartbeat) as it goes round.
"""

import contextlib
import logging
import threading

import psycopg
from django.db import InterfaceError, OperationalError, connection

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.heartbeat import Heartbeat
from cutover.mirror.outbox import outbox_repair_pending

logger = logging.getLogger("cutover.mirror.relay")
CHANNEL = "cutover_outbox"
GATHER_SECONDS = 0.02  # a mirror's lag grows by this at most
# After PostgreSQL goes away (a restart, a failover) the relay tries again after each of these, then every last
# one, until it is stopped: whatever commits meanwhile waits in the outbox, and the first pass after it is back
# mirrors it (it starts with everything due). A supervisor is still wanted for a crash, not for an outage.
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
_CONNECTION_LOST = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def run_mirror_relay_reconnecting(*, stop: threading.Event, idle_seconds: float = 5.0) -> None:
    """run_mirror_relay, listening again whenever PostgreSQL is lost, until `stop` is set. A relay that never
    listened raises (a wrong DATABASE_URL is a setting to fix, said in one line, not an outage to wait out),
    and so do other database errors (a missing table, a refused privilege)."""
    failures, listened = 0, False
    while not stop.is_set():
        listening = threading.Event()
        try:
            run_mirror_relay(stop=stop, idle_seconds=idle_seconds, ready=listening)
        except _CONNECTION_LOST as error:
            listened = listened or listening.is_set()
            if not listened:
                raise
            failures = 0 if listening.is_set() else failures + 1
            delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            logger.warning("mirror relay lost PostgreSQL (%s); listening again in %.1f s", first_line, delay)
            stop.wait(delay)


def run_mirror_relay(
    *, stop: threading.Event, idle_seconds: float = 5.0, chunk: int = 200, ready: threading.Event | None = None
) -> None:
    """Mirror outbox rows as their commits notify, until `stop` is set. `ready` is set once it listens:
    every commit from then on wakes it."""
    heartbeat = Heartbeat()
    with _listening_connection() as listener:
        logger.info("mirror relay listening on %s", CHANNEL)
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                heartbeat.beat()  # every round, throttled: a relay that stops going round stops beating
                _discard_notifications(listener)  # the repair below sees every commit they announced
                report = outbox_repair_pending(limit=chunk)
                worked = report.repaired + report.failed
                if worked >= chunk:
                    continue  # a backlog: the next chunk at once
                if worked:
                    stop.wait(GATHER_SECONDS)  # writes are coming in: let the next burst gather
                    continue
                _wait_for_work(listener, stop, idle_seconds)
                connection.close_if_unusable_or_obsolete()
            heartbeat.stop()  # a clean stop: no stale beat left to raise an alarm
        finally:
            _close_quietly()


def _close_quietly() -> None:
    """Close Django's connection, which may be the one that just broke (closing it must not raise over the
    error that ended the loop)."""
    with contextlib.suppress(*_CONNECTION_LOST):
        connection.close()


def _wait_for_work(listener: psycopg.Connection, stop: threading.Event, idle_seconds: float) -> None:
    """Until a commit notifies us; while Mongo's breaker is open, until it may be tried again
    (reacting to every write then would only burn CPU beside the requests)."""
    retry_in = mongo_breaker.retry_in()
    if retry_in > 0:
        stop.wait(min(retry_in, idle_seconds))
        return
    for _ in listener.notifies(timeout=idle_seconds, stop_after=1):
        break
    else:
        return  # the idle timer: retries may have come due
    # Woken by a commit: give the writes right behind it GATHER_SECONDS to commit too, and mirror them
    # as one burst (per entry a burst costs a fraction of a lone record's round trips and CPU, which
    # the relay takes from the cores the requests run on).
    stop.wait(GATHER_SECONDS)


def _discard_notifications(listener: psycopg.Connection) -> None:
    for _ in listener.notifies(timeout=0):
        pass


def _listening_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    listener = psycopg.connect(autocommit=True, **params)
    listener.execute(f"LISTEN {CHANNEL}")
    return listener
