"""A step's evidence and when it counts: the moment a domain's current mode took effect in every process, the
copy made since, and the domain's latest verify. Shared by the preconditions (cutover.operations.preconditions)
and the shadow-read soak (cutover.operations.soak).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from cutover.modes.store_mode import StoreMode


@dataclass(frozen=True)
class ModeEntry:
    """When a domain's current mode took effect: the latest recorded change into it, and the moment every
    process follows it (its time + CUTOVER_MODE_CACHE_SECONDS, the settling of cutover.operations.transition).
    A step's evidence (backfill, verify, soak) counts only if it started after `settled_at`."""

    change: Any  # the StoreModeChange, or None when none was recorded (the first mode; set by hand)
    settled_at: datetime | None

    def wait_text(self, now: datetime) -> str:
        """For a fix: the wait still needed before evidence counts, or ""."""
        if self.settled_at is None or now >= self.settled_at:
            return ""
        return f"wait until {self.settled_at:%H:%M:%S} UTC (every process follows the mode by then), then "


def mode_entry(domain: str, mode: StoreMode, *, source: StoreMode | None = None) -> ModeEntry:
    """The latest entry into `mode` (from `source` only, if given)."""
    from cutover.models import StoreModeChange

    changes = StoreModeChange.objects.filter(domain=domain, kind=StoreModeChange.Kind.MODE, to_mode=mode.value)
    if source is not None:
        changes = changes.filter(from_mode=source.value)
    change = changes.order_by("-created_at", "-id").first()
    if change is None:
        return ModeEntry(None, None)
    return ModeEntry(change, change.created_at + timedelta(seconds=settings.CUTOVER_MODE_CACHE_SECONDS))


@dataclass(frozen=True)
class CopyState:
    """The copy a step waits for: since when it counts, the run that made it, and the latest verify if it
    passed after that run."""

    since: datetime | None  # when every process followed the mode that began the copy (None: never recorded)
    run: Any  # the latest finished real BackfillRun that started after `since`, or None
    verify: Any  # the domain's latest VerifyResult if it passed and started after that run finished, else None


def copy_since_entering(domain: str, *, mode: StoreMode, source: StoreMode | None, direction: str) -> CopyState:
    """The copy made since every process followed the latest `source → mode` change (any change into `mode`
    when `source` is None)."""
    from cutover.models import BackfillRun

    since = mode_entry(domain, mode, source=source).settled_at
    runs = BackfillRun.objects.filter(
        domain=domain, direction=direction, status=BackfillRun.Status.FINISHED, dry_run=False
    )
    run = (runs.filter(started_at__gt=since) if since else runs).order_by("-finished_at").first()
    verify = None
    if run is not None:
        latest = latest_verify(domain)
        if latest is not None and latest.passed and latest.started_at > run.finished_at:
            verify = latest
    return CopyState(since, run, verify)


def latest_verify(domain: str):
    """The domain's latest VerifyResult (a precondition reads the latest, never any passing one)."""
    from cutover.models import VerifyResult

    return VerifyResult.objects.filter(domain=domain).order_by("-finished_at", "-id").first()
