"""The faults /api/health, /metrics and the dashboard must each name: set up for real, in the database."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cutover.models import MirrorOutboxEntry, ScheduledTaskRun, ShadowMismatch, ShadowReadTally


def scheduled_tasks_ran(ago: timedelta = timedelta(seconds=5)) -> None:
    at = timezone.now() - ago
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        ScheduledTaskRun.objects.update_or_create(
            task=entry["task"],
            defaults={"last_started_at": at, "last_success_at": at, "last_outcome": "ok", "runs": 1},
        )


def a_task_late(entry: str, minutes: float = 13) -> str:
    """The schedule entry `entry`'s task last succeeded `minutes` ago (late for any interval under 6 min)."""
    at = timezone.now() - timedelta(minutes=minutes)
    task = settings.CELERY_BEAT_SCHEDULE[entry]["task"]
    ScheduledTaskRun.objects.filter(task=task).update(last_started_at=at, last_success_at=at)
    return task


def a_dead_entry(domain: str = "dispute") -> MirrorOutboxEntry:
    return MirrorOutboxEntry.objects.create(
        domain=domain,
        collection="disputes",
        record_id="64b7f0c2a1b2c3d4e5f60718",
        target="mongo",
        status=MirrorOutboxEntry.Status.DEAD,
        attempts=12,
        last_error="ServerSelectionTimeoutError: localhost:27017: [Errno 111] Connection refused\\nTopology ...",
    )


def mismatches(domain: str, *, reads: int, mismatched: int) -> None:
    second = timezone.now().replace(microsecond=0) - timedelta(seconds=30)
    tally, _ = ShadowReadTally.objects.get_or_create(domain=domain, second=second)
    ShadowReadTally.objects.filter(pk=tally.pk).update(reads=tally.reads + reads)
    for _ in range(mismatched):
        ShadowMismatch.objects.create(
            domain=domain, method="get", record_id="64b7f0c2a1b2c3d4e5f60718", kind="mismatch", primary_store="mongo"
        )
