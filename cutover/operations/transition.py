"""Is a domain mid-transition, and what does it wait for? (admin and `store_mode`)

A change of mode is fenced (cutover.modes.fence), so it has two visible phases:
- switching: a change holds the write fence, or waits for it; the domain's dual
  writes wait meanwhile (normally milliseconds: the pending mirror writes to the
  store about to lead are made first).
- settling: for CUTOVER_MODE_CACHE_SECONDS after a change, processes that have
  not reloaded their cached mode still route by the old one. Their writes are
  fenced in every mode and follow the new mode at once, but their reads do not;
  and a step's evidence (backfill, verify, soak) counts only if it started after
  the settling (cutover.operations.evidence.mode_entry).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cutover.modes.fence import fence_holders
from cutover.modes.store_mode import StoreMode


@dataclass(frozen=True)
class ModeTransition:
    phase: str  # "switching", "settling" or "steady"
    waits_for: str  # for people; empty when steady

    def __str__(self) -> str:
        return f"{self.phase}: {self.waits_for}" if self.waits_for else self.phase


def mode_transition(domain: str) -> ModeTransition:
    holders = fence_holders(domain)
    if holders.change_holding:
        return ModeTransition(
            "switching",
            f"a mode change holds the write fence; {holders.writes_waiting} write(s) wait while it makes the "
            f"pending mirror writes to the store about to lead ({_pending_mirror_writes(domain)})",
        )
    if holders.change_waiting:
        return ModeTransition(
            "switching", f"a mode change waits for {holders.writes_in_flight} write(s) in flight to finish"
        )
    return _settling(domain) or ModeTransition("steady", "")


def _settling(domain: str) -> ModeTransition | None:
    from cutover.models import DomainStoreMode, StoreModeChange

    changes = StoreModeChange.objects.filter(domain=domain, kind=StoreModeChange.Kind.MODE)
    change = changes.order_by("-created_at", "-id").first()
    window = timedelta(seconds=settings.CUTOVER_MODE_CACHE_SECONDS)
    if change is None or timezone.now() >= change.created_at + window:
        return None
    old, new = StoreMode(change.from_mode), StoreMode(change.to_mode)
    if DomainStoreMode.objects.filter(domain=domain).values_list("mode", flat=True).first() != new.value:
        return None  # set by hand since (tests, scripts): nothing to say about that change
    return ModeTransition("settling", _settling_text(old, new, change.created_at + window))


def _settling_text(old: StoreMode, new: StoreMode, until: datetime) -> str:
    stale = (
        f"until {until:%H:%M:%S} UTC, processes that have not reloaded "
        f"(CUTOVER_MODE_CACHE_SECONDS={settings.CUTOVER_MODE_CACHE_SECONDS:g}) may still"
    )
    if not old.is_dual and new.is_dual:
        return (
            f"{stale} read from {_read_store(old)}; their writes already follow {new.value}. A backfill, verify "
            "or soak counts only if it starts after that"
        )
    if _read_store(old) != _read_store(new):
        return f"{stale} read from {_read_store(old)}; their writes already follow {new.value}"
    return f"{stale} route by {old.value}; their writes already follow {new.value}"


def _read_store(mode: StoreMode) -> str:
    return "mongo" if mode in (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY) else "postgres"


def _pending_mirror_writes(domain: str) -> str:
    from cutover.models import MirrorOutboxEntry

    pending = MirrorOutboxEntry.objects.filter(domain=domain, status=MirrorOutboxEntry.Status.PENDING)
    counts = {target: pending.filter(target=target).count() for target in ("mongo", "postgres")}
    return ", ".join(f"{count} to {target}" for target, count in counts.items())
