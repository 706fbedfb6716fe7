"""The skeleton every backfill run shares, forward, reverse or sharded: the domain lock, the run
record, the deadline, and an end that is always recorded (finished, stopped at the deadline, or
failed with the error, Ctrl-C included). The passes inside differ; this part is written once."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.utils import timezone

from cutover.backfill.control import Throttle, controlled
from cutover.backfill.runner import CollectionSummary
from cutover.models import BackfillRun


class BackfillRefused(RuntimeError):
    """A backfill that may not run (or go on) now; str() says why and what to do. No data was written."""


class BackfillAlreadyRunning(BackfillRefused):
    pass


@dataclass
class RunInProgress:
    """What the passes of a run add to: the run record and one summary per collection."""

    run: BackfillRun
    summaries: dict[str, CollectionSummary] = field(default_factory=dict)


@contextmanager
def backfill_run(
    domain: str, *, dry_run: bool, direction: str = BackfillRun.Direction.FORWARD, throttle: Throttle | None = None
) -> Iterator[RunInProgress]:
    """Hold the domain's backfill lock and record the run from start to end, however it ends; under control
    (pause, cancel, progress, throttle: cutover.backfill.control) in between."""
    with domain_lock(domain, "backfill"):
        progress = RunInProgress(BackfillRun.objects.create(domain=domain, direction=direction, dry_run=dry_run))
        try:
            with controlled(progress.run, throttle):
                yield progress
        except BaseException as error:  # Ctrl-C too: the run must not stay "running"
            finish_run(progress.run, progress.summaries, error=f"{type(error).__name__}: {error}")
            raise
        finish_run(progress.run, progress.summaries)


def deadline_after(max_minutes: float | None, clock=time.monotonic) -> float | None:
    """A time.monotonic() deadline, or None for no limit."""
    return clock() + max_minutes * 60 if max_minutes else None


_STATUS_OF_A_STOP = {
    "pause": BackfillRun.Status.PAUSED,
    "cancel": BackfillRun.Status.CANCELED,
    **dict.fromkeys(("stopped", "max-minutes", "SIGINT", "SIGTERM"), BackfillRun.Status.STOPPED),
}


def finish_run(run: BackfillRun, summaries: dict[str, CollectionSummary], error: str = "") -> BackfillRun:
    run.summary = {name: asdict(summary) for name, summary in summaries.items()}
    stopped_by = next((summary.stopped_by or "stopped" for summary in summaries.values() if summary.stopped), "")
    run.status = BackfillRun.Status.FAILED if error else _STATUS_OF_A_STOP.get(stopped_by, BackfillRun.Status.FINISHED)
    fields = ["summary", "status", "error", "finished_at"]  # not the decisions and progress others write
    if run.status in (BackfillRun.Status.PAUSED, BackfillRun.Status.CANCELED):
        run.requested = ""  # obeyed
        fields.append("requested")
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=fields)
    return run


@contextmanager
def domain_lock(domain: str, purpose: str) -> Iterator[None]:
    """A session advisory lock: a second run on the same domain, from any machine, is refused.
    It is released when the run ends or its connection dies (a killed process holds nothing)."""
    key = f"escrow-{purpose}:{domain}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        acquired = cursor.fetchone()[0]
    if not acquired:
        running = BackfillRun.objects.filter(domain=domain, status=BackfillRun.Status.RUNNING).first()
        since = f" (run #{running.pk}, started {running.started_at:%Y-%m-%d %H:%M:%S} UTC)" if running else ""
        raise BackfillAlreadyRunning(
            f"a {purpose} of {domain} is already running{since}; "
            f"wait for it to finish, or stop it, before starting another"
        )
    _mark_interrupted(domain)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def _mark_interrupted(domain: str) -> None:
    """Runs still marked running while we hold the lock died without finishing (kill -9)."""
    BackfillRun.objects.filter(domain=domain, status=BackfillRun.Status.RUNNING).update(
        status=BackfillRun.Status.FAILED, error="interrupted (the process died)", finished_at=timezone.now()
    )
