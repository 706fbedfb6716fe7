"""The deployment's health, for `GET /api/health` (a load balancer may call it every second).

Cheap: a handful of indexed queries (the outbox count stops at a cap), a Redis
PING, and a Mongo PING only while something needs Mongo. Bounded: each store is
asked in a thread of its own and given HEALTH_PROBE_SECONDS; a store that hangs
is reported as not answering, and while its earlier probe is still stuck no new
one is started, so a hung store never piles up threads or connections.
Nothing secret: no URL, host, user or server message, only what failed.

Healthy (HTTP 200) when Postgres answers and Mongo answers wherever it is needed
(some domain's mode uses it, or MONGO_CONNECT_MODE=required). Mongo unreachable
while optional is still 200, and so is Redis down: requests never touch Redis,
so taking every web process out of rotation for it would turn delayed scheduled
work into an outage. Those show as `degraded`, with the reason in `warnings`, and so
does every alarm (cutover.operations.alarms: a late scheduled task, dead outbox
entries, the mirror relay's heartbeat old, a shadow-read mismatch rate over its
threshold), each also listed in `alarms` with its kind, subject and fix.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

OUTBOX_COUNT_CAP = 10_000  # counting stops here: "10000+" is all a load balancer needs to know
STATEMENT_TIMEOUT_PROBES = 4  # a stuck health query is cancelled after this many probe times
_in_flight: dict[str, Future] = {}
_in_flight_lock = threading.Lock()


def health_report() -> tuple[dict, bool]:
    """(the report, healthy?) for this deployment as this process sees it."""
    from cutover.modes.flags import flag_disagreements
    from escrow_project import __version__

    seconds = settings.HEALTH_PROBE_SECONDS
    redis_future = _start(f"redis {settings.REDIS_URL}", _ping_redis)
    postgres = _outcome("postgres", _postgres_state, seconds)
    live_modes = postgres.get("modes")
    disagreements = flag_disagreements(live_modes) if live_modes is not None else []
    mongo = _mongo_section(live_modes, seconds)
    redis = _wait(redis_future, seconds)
    report: dict[str, Any] = {
        "status": "",
        "version": __version__,
        "mongo": mongo["role"],
        "stores": {
            "postgres": _store_view(postgres, required=True),
            "redis": _store_view(redis, required=False),
            "mongo": mongo,
        },
        "domains": _domains_view(live_modes, disagreements),
        "outbox": postgres.get("outbox"),
        "scheduled_tasks": postgres.get("scheduled"),
        "relay": postgres.get("relay"),
        "alarms": [alarm.as_json() for alarm in postgres.get("alarms", [])],
        "warnings": [],
    }
    healthy = _judge(report, disagreements, postgres.get("alarms", []))
    return report, healthy


def _judge(report: dict, flag_disagreements: list, alarms: list) -> bool:
    stores, warnings = report["stores"], report["warnings"]
    problems = []
    if not stores["postgres"]["ok"]:
        problems.append("postgres does not answer")
    mongo = stores["mongo"]
    if mongo["needed"] and not mongo["reachable"]:
        problems.append(f"mongo is needed ({mongo['needed_because']}) and does not answer")
    if mongo["role"] == "disabled" and mongo["used_by"]:
        problems.append(f"MONGO_CONNECT_MODE=disabled but {', '.join(mongo['used_by'])} still use mongo")
    if not stores["redis"]["ok"]:
        warnings.append("redis does not answer: scheduled purges and mirror repair wait until it is back")
    for disagreement in flag_disagreements:
        warnings.append(
            f"{disagreement.flag}={disagreement.flag_mode} is ignored: {disagreement.domain} is live in "
            f"{disagreement.live_mode}"
        )
    warnings.extend(str(alarm) for alarm in alarms)
    warnings[:0] = problems
    report["status"] = "unavailable" if problems else ("degraded" if warnings else "ok")
    return not problems


# --- the stores ---------------------------------------------------------------------------------------
def _postgres_state() -> dict:
    from cutover.mirror.heartbeat import relay_heartbeat_age
    from cutover.models import DomainStoreMode, MirrorOutboxEntry
    from cutover.modes.registry import domain_names, flag_mode
    from cutover.modes.store_mode import StoreMode
    from cutover.operations.alarms import current_alarms

    try:
        started = time.monotonic()
        with connection.cursor() as cursor:  # this thread's own session: a query stuck on a lock gives up
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [_statement_timeout()])
        modes = {row.domain: StoreMode(row.mode) for row in DomainStoreMode.objects.all()}
        for name in domain_names():  # no row yet: its first mode, as the mode cache will create it
            modes.setdefault(name, StoreMode(flag_mode(name) or StoreMode.MONGO.value))
        outbox = {
            status: _capped_count(MirrorOutboxEntry.objects.filter(status=status))
            for status in (MirrorOutboxEntry.Status.PENDING, MirrorOutboxEntry.Status.DEAD)
        }
        return {
            "ok": True,
            "ms": round((time.monotonic() - started) * 1000, 1),
            "modes": modes,
            "outbox": outbox,
            "scheduled": _scheduled_view(),
            "relay": {"mirror": settings.CUTOVER_MIRROR, "heartbeat_age_seconds": _rounded(relay_heartbeat_age())},
            "alarms": current_alarms(modes),
        }
    finally:
        connection.close()  # this thread's connection: never held open between probes


def _statement_timeout() -> str:
    return f"{int(settings.HEALTH_PROBE_SECONDS * STATEMENT_TIMEOUT_PROBES * 1000)}ms"


def _capped_count(queryset) -> int | str:
    count = queryset.values("pk")[: OUTBOX_COUNT_CAP + 1].count()
    return f"{OUTBOX_COUNT_CAP}+" if count > OUTBOX_COUNT_CAP else count


def _scheduled_view() -> dict:
    from cutover.scheduled.status import scheduled_task_statuses

    now = timezone.now()
    return {
        status.entry: {
            "task": status.task,
            "interval_seconds": status.interval.total_seconds() if status.interval else None,
            "last_run_age_seconds": _age(now, status.run.last_started_at) if status.run else None,
            "last_outcome": status.run.last_outcome if status.run else None,
            "late": status.late,
        }
        for status in scheduled_task_statuses(now=now)
    }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def _age(now, then) -> float:
    return round((now - then).total_seconds(), 1)


def _ping_redis() -> dict:
    from cutover.scheduled.runs import redis_client

    client = redis_client()
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def _mongo_section(live_modes: dict | None, seconds: float) -> dict:
    """Mongo's role and whether it must answer, as cutover.modes.mongo_usage decides them for the modes read."""
    from cutover.modes.mongo_usage import DISABLED, REQUIRED, domains_using_mongo, mongo_needed_because, mongo_role

    connect_mode = settings.MONGO_CONNECT_MODE
    if live_modes is None:  # the modes live in Postgres, which did not answer
        role = DISABLED if connect_mode == DISABLED else "unknown"
        used_by = []
        needed_because = "MONGO_CONNECT_MODE=required" if connect_mode == REQUIRED else ""
    else:
        role, used_by = mongo_role(live_modes), domains_using_mongo(live_modes)
        needed_because = mongo_needed_because(live_modes)
    section = {
        "role": role,
        "connect_mode": connect_mode,
        "used_by": used_by,
        "needed": bool(needed_because),
        "needed_because": needed_because,
        "reachable": None,
        "checked": False,
    }
    if needed_because:  # optional, disabled or unknown: not even a ping (auto opens no connection)
        outcome = _outcome(f"mongo {settings.MONGO_URL}", _ping_mongo, seconds)
        section.update(reachable=outcome["ok"], checked=True, ms=outcome.get("ms"), error=outcome.get("error"))
    return section


def _ping_mongo() -> dict:
    from escrow_project.mongo import mongo_database

    mongo_database().command("ping")
    return {"ok": True}


# --- bounded probes -------------------------------------------------------------------------------------
def _outcome(store: str, probe: Callable[[], dict], seconds: float) -> dict:
    return _wait(_start(store, probe), seconds)


def _start(store: str, probe: Callable[[], dict]) -> Future:
    """The probe of `store` (a name and its URL: kept in memory, never shown) still running from an earlier
    call, else a new one."""
    with _in_flight_lock:
        running = _in_flight.get(store)
        if running is not None and not running.done():
            return running
        future: Future = Future()
        _in_flight[store] = future
    # A daemon thread per probe (at most one per store at a time): a probe stuck in a hung store never holds
    # up the process's exit, as a pool's worker would.
    threading.Thread(target=_run, args=(future, probe, time.monotonic()), name="health-probe", daemon=True).start()
    return future


def _run(future: Future, probe: Callable[[], dict], started: float) -> None:
    future.set_running_or_notify_cancel()
    try:
        future.set_result(_timed(probe, started))
    except BaseException as error:  # handed to the caller through the future
        future.set_exception(error)


def _timed(probe: Callable[[], dict], started: float) -> dict:
    result = probe()
    result.setdefault("ms", round((time.monotonic() - started) * 1000, 1))
    return result


def _wait(future: Future, seconds: float) -> dict:
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        return {"ok": False, "error": f"no answer within {seconds:g} s"}
    except Exception as error:  # only the type: a server's message may name hosts or users
        return {"ok": False, "error": type(error).__name__}


def _store_view(outcome: dict, *, required: bool) -> dict:
    return {"ok": outcome["ok"], "required": required, "ms": outcome.get("ms"), "error": outcome.get("error")}


def _domains_view(live_modes: dict | None, disagreements: list) -> dict | None:
    from cutover.modes.flags import legacy_flag_for
    from cutover.modes.registry import domain_names

    disagreeing = {disagreement.domain for disagreement in disagreements}
    if live_modes is None:
        return None
    view = {}
    for domain in domain_names():
        mode = live_modes.get(domain)
        entry: dict[str, Any] = {"mode": mode.value if mode else None}
        flag = legacy_flag_for(domain)
        if flag:
            entry["legacy_flag"] = {"name": flag[0], "mode": flag[1], "agrees": domain not in disagreeing}
        view[domain] = entry
    return view
