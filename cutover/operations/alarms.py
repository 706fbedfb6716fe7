"""What is wrong right now, as alarms: one generic shape for /api/health's warnings, the dashboard's incidents
and the conditions deploy/prometheus/alerts.yml fires on (the same facts /metrics exposes).

Each alarm names its kind, its subject (a domain, a scheduled task, the relay), a severity and the command
that fixes it. Kinds: a scheduled task late (cutover.scheduled.status), dead outbox entries (per domain), the
mirror relay's heartbeat old (cutover.mirror.heartbeat) while some domain is in a dual mode (with
CUTOVER_MIRROR=relay always; with background only once a relay child beat and a write waits for it), and a
domain's shadow-read mismatch rate over CUTOVER_MISMATCH_WINDOW_SECONDS above CUTOVER_MISMATCH_ALARM_PERCENT.
Cheap: a few indexed queries, fit for a load balancer's health calls.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

CRITICAL, WARNING = "critical", "warning"  # critical: data is not reaching a store; warning: it may not soon
SEVERITY_ORDER = {CRITICAL: 0, WARNING: 1}


@dataclass(frozen=True)
class Alarm:
    kind: str  # task_late, outbox_dead, relay_down, mismatch_rate
    subject: str  # the domain, the scheduled task entry, or "relay"
    severity: str
    message: str
    fix: str  # the command that fixes it (or finds why)

    def as_json(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "severity": self.severity, "fix": self.fix}

    def __str__(self) -> str:
        return f"{self.message}. Fix: {self.fix}"


@dataclass(frozen=True)
class MismatchRate:
    domain: str
    reads: int
    mismatches: int

    @property
    def percent(self) -> float:
        if not self.reads:
            return 100.0 if self.mismatches else 0.0
        return 100.0 * self.mismatches / self.reads

    @property
    def over_threshold(self) -> bool:
        return self.mismatches > 0 and self.percent > settings.CUTOVER_MISMATCH_ALARM_PERCENT


def current_alarms(modes: dict, *, now: datetime | None = None) -> list[Alarm]:
    """Every alarm for the live `modes` ({domain: StoreMode}), the most severe first."""
    now = now or timezone.now()
    alarms = [*late_task_alarms(now), *dead_entry_alarms(), *relay_alarms(modes, now), *mismatch_alarms(modes, now)]
    return sorted(alarms, key=lambda alarm: SEVERITY_ORDER[alarm.severity])


def late_task_alarms(now: datetime) -> list[Alarm]:
    from cutover.scheduled.status import scheduled_task_statuses

    return [
        Alarm(
            "task_late",
            status.entry,
            WARNING,
            f"scheduled task {status.entry} is late: {status.detail}",
            f"check that celery beat and a worker run; run manage.py run_scheduled_task {status.entry}",
        )
        for status in scheduled_task_statuses(now=now)
        if status.late
    ]


def dead_entry_alarms() -> list[Alarm]:
    from cutover.models import MirrorOutboxEntry

    dead = (
        MirrorOutboxEntry.objects.filter(status=MirrorOutboxEntry.Status.DEAD)
        .values("domain")
        .annotate(count=Count("pk"))
        .order_by("domain")
    )
    return [
        Alarm(
            "outbox_dead",
            row["domain"],
            CRITICAL,
            f"{row['count']} dead mirror write(s) in {row['domain']}: a store lacks those records",
            f"fix the cause (admin: Mirror outbox entries, last error), then run manage.py requeue_dead_letters "
            f"--domain {row['domain']} --reason '…'",
        )
        for row in dead
    ]


def relay_alarms(modes: dict, now: datetime) -> list[Alarm]:
    from cutover.mirror.heartbeat import relay_heartbeat_age

    dual = sorted(domain for domain, mode in modes.items() if mode.is_dual)
    mirror, stale = settings.CUTOVER_MIRROR, settings.CUTOVER_RELAY_STALE_SECONDS
    if mirror == "inline" or not dual:
        return []
    age = relay_heartbeat_age(now)
    if age is not None and age <= stale:
        return []
    # background: each app process starts its relay child with its first dual write and restarts it with the next,
    # so only children that beat once and stopped while writes wait (a pending entry older than `stale`) are down.
    if mirror == "background" and (age is None or not _pending_since(now - timedelta(seconds=stale))):
        return []
    seen = "no mirror relay has ever beaten" if age is None else f"the newest relay heartbeat is {age:.0f} s old"
    fix = (
        "start (or restart) python manage.py mirror_relay"
        if mirror == "relay"
        else "restart the app processes (each starts its relay child with its next dual write)"
    )
    return [
        Alarm(
            "relay_down",
            "relay",
            CRITICAL,
            f"mirror relay down: {seen} (CUTOVER_MIRROR={mirror}, {', '.join(dual)} in a dual mode)",
            f"{fix}; meanwhile python manage.py repair_mirror copies what is pending",
        )
    ]


def _pending_since(before: datetime) -> bool:
    from cutover.models import MirrorOutboxEntry

    return MirrorOutboxEntry.objects.filter(status=MirrorOutboxEntry.Status.PENDING, created_at__lt=before).exists()


def mismatch_alarms(modes: dict, now: datetime) -> list[Alarm]:
    return [
        Alarm(
            "mismatch_rate",
            rate.domain,
            WARNING,
            f"{rate.domain}: {rate.mismatches} shadow-read mismatch(es) in {rate.reads} read(s) over the last "
            f"{settings.CUTOVER_MISMATCH_WINDOW_SECONDS:g} s ({rate.percent:.2f}%, alarm above "
            f"{settings.CUTOVER_MISMATCH_ALARM_PERCENT:g}%)",
            f"read the mismatches (admin: Shadow mismatches, domain {rate.domain}); run manage.py verify "
            f"{rate.domain} and the repair it names",
        )
        for rate in mismatch_rates(modes, now)
        if rate.over_threshold
    ]


def mismatch_rates(modes: dict, now: datetime | None = None) -> list[MismatchRate]:
    """The shadow-read mismatch rate of every domain in a dual mode over the last window."""
    from cutover.models import ShadowMismatch, ShadowReadTally

    now = now or timezone.now()
    since = now - timedelta(seconds=settings.CUTOVER_MISMATCH_WINDOW_SECONDS)
    dual = sorted(domain for domain, mode in modes.items() if mode.is_dual)
    reads = dict(
        ShadowReadTally.objects.filter(domain__in=dual, second__gte=since)
        .values("domain")
        .annotate(total=Sum("reads"))
        .values_list("domain", "total")
    )
    mismatches = dict(
        ShadowMismatch.objects.filter(domain__in=dual, created_at__gte=since)
        .values("domain")
        .annotate(count=Count("pk"))
        .values_list("domain", "count")
    )
    return [MismatchRate(domain, reads.get(domain) or 0, mismatches.get(domain, 0)) for domain in dual]
