"""The cutover's state as Prometheus metrics, read from the database at scrape time (a prometheus_client
custom collector): correct whichever process answers the scrape, and however many there are.

Per domain: the store mode, the outbox's pending and dead counts and the age of its oldest pending entry,
a running backfill's rows/s, progress and ETA, the latest verify; per scheduled task: the age of its last
success, its interval, its lag and whether it is late; the relay's heartbeat age and whether a relay is
required; every current alarm (cutover.operations.alarms, as /api/health names them). What processes count
(mirror attempts, shadow reads, request latency) is cutover.mirror.counters and api.metrics.
"""

import math

from django.conf import settings
from django.db.models import Count, Min, Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

PREFIX = "escrow_cutover_"


class CutoverCollector:
    """Registered on the registry a /metrics request builds: its collect() runs once per scrape."""

    def collect(self):
        from cutover.modes.registry import domain_names
        from cutover.operations.alarms import current_alarms

        now = timezone.now()
        modes = _live_modes()
        yield from _mode_families(modes)
        yield from _outbox_families(domain_names(), now)
        yield from _backfill_families(now)
        yield from _verify_families()
        yield from _scheduled_families(now)
        yield from _relay_families(modes, now)
        alarms = _gauge("alarm", "1 for each current alarm (as /api/health names it).", ["kind", "subject", "severity"])
        for alarm in current_alarms(modes, now=now):
            alarms.add_metric([alarm.kind, alarm.subject, alarm.severity], 1)
        yield alarms

    def describe(self):
        return []  # no describe at registration: nothing is queried until a scrape


def _gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, documentation, labels=labels)


def _live_modes() -> dict:
    from cutover.models import DomainStoreMode
    from cutover.modes.registry import domain_names, flag_mode
    from cutover.modes.store_mode import StoreMode

    modes = {row.domain: StoreMode(row.mode) for row in DomainStoreMode.objects.all()}
    for name in domain_names():
        modes.setdefault(name, StoreMode(flag_mode(name) or StoreMode.MONGO.value))
    return modes


def _mode_families(modes: dict):
    from cutover.modes.store_mode import MIGRATION_ORDER

    mode = _gauge("store_mode", "1 for the domain's live store mode, 0 for the others.", ["domain", "mode"])
    step = _gauge("store_mode_step", "The live mode's step: 0 mongo .. 3 postgres.", ["domain"])
    for domain, live in sorted(modes.items()):
        for candidate in MIGRATION_ORDER:
            mode.add_metric([domain, candidate.value], 1 if candidate is live else 0)
        step.add_metric([domain], MIGRATION_ORDER.index(live))
    return [mode, step]


def _outbox_families(domains: list[str], now):
    from cutover.models import MirrorOutboxEntry

    Status = MirrorOutboxEntry.Status
    rows = (
        MirrorOutboxEntry.objects.filter(status__in=[Status.PENDING, Status.DEAD])
        .values("domain", "status")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
    )
    by_key = {(row["domain"], row["status"]): row for row in rows}
    pending = _gauge("outbox_pending", "Mirror writes waiting for the follower store.", ["domain"])
    dead = _gauge("outbox_dead", "Mirror writes given up on (requeue_dead_letters puts them back).", ["domain"])
    oldest = _gauge(
        "outbox_oldest_pending_age_seconds", "Age of the oldest pending mirror write (0: none).", ["domain"]
    )
    for domain in domains:
        waiting = by_key.get((domain, Status.PENDING))
        pending.add_metric([domain], waiting["count"] if waiting else 0)
        dead.add_metric([domain], by_key[(domain, Status.DEAD)]["count"] if (domain, Status.DEAD) in by_key else 0)
        oldest.add_metric([domain], (now - waiting["oldest"]).total_seconds() if waiting else 0.0)
    return [pending, dead, oldest]


def _backfill_families(now):
    from cutover.models import BackfillCheckpoint, BackfillRun

    running = _gauge("backfill_running", "1 while a backfill of the domain runs.", ["domain", "direction"])
    rate = _gauge("backfill_rows_per_second", "Documents read per second by the running backfill.", ["domain"])
    progress = _gauge("backfill_progress_ratio", "Share of the documents the running backfill has read.", ["domain"])
    eta = _gauge("backfill_eta_seconds", "Seconds the running backfill needs at its current rate.", ["domain"])
    for run in BackfillRun.objects.filter(status=BackfillRun.Status.RUNNING).order_by("domain", "-started_at"):
        counted = BackfillCheckpoint.objects.filter(run=run).aggregate(read=Sum("read"), total=Sum("total"))
        read, total = counted["read"] or 0, max(counted["total"] or 0, counted["read"] or 0)
        per_second = read / max((now - run.started_at).total_seconds(), 1e-3)
        running.add_metric([run.domain, run.direction], 1)
        rate.add_metric([run.domain], per_second)
        progress.add_metric([run.domain], read / total if total else 0.0)
        eta.add_metric([run.domain], (total - read) / per_second if per_second > 0 else math.inf)
    return [running, rate, progress, eta]


def _verify_families():
    from cutover.models import VerifyResult

    passed = _gauge("verify_passed", "The latest verify of the domain: 1 passed, 0 failed.", ["domain"])
    finished = _gauge("verify_finished_timestamp_seconds", "When the latest verify finished (Unix time).", ["domain"])
    for result in VerifyResult.objects.order_by("domain", "-finished_at", "-id").distinct("domain"):
        passed.add_metric([result.domain], 1 if result.passed else 0)
        finished.add_metric([result.domain], result.finished_at.timestamp())
    return [passed, finished]


def _scheduled_families(now):
    from cutover.scheduled.status import scheduled_task_statuses

    age = _gauge(
        "scheduled_task_success_age_seconds", "Since the task's last success (+Inf: never succeeded).", ["task"]
    )
    interval = _gauge("scheduled_task_interval_seconds", "How often the schedule runs the task.", ["task"])
    lag = _gauge("scheduled_task_lag_seconds", "How far the task is behind its schedule (purge lag).", ["task"])
    late = _gauge("scheduled_task_late", "1 when the task is late (as /api/health says).", ["task"])
    for status in scheduled_task_statuses(now=now):
        success = status.run.last_success_at if status.run else None
        seconds = (now - success).total_seconds() if success else math.inf
        every = status.interval.total_seconds() if status.interval else None
        age.add_metric([status.entry], seconds)
        if every is not None:
            interval.add_metric([status.entry], every)
            lag.add_metric([status.entry], max(seconds - every, 0.0))
        late.add_metric([status.entry], 1 if status.late else 0)
    return [age, interval, lag, late]


def _relay_families(modes: dict, now):
    from cutover.mirror.heartbeat import relay_heartbeat_age

    age = relay_heartbeat_age(now)
    heartbeat = GaugeMetricFamily(
        PREFIX + "relay_heartbeat_age_seconds",
        "Since the newest mirror relay heartbeat (+Inf: none).",
        value=math.inf if age is None else age,
    )
    required = GaugeMetricFamily(
        PREFIX + "relay_required",
        "1 when CUTOVER_MIRROR=relay and a domain is in a dual mode: a mirror_relay must run.",
        value=1 if settings.CUTOVER_MIRROR == "relay" and any(mode.is_dual for mode in modes.values()) else 0,
    )
    return [heartbeat, required]
