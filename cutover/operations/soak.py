"""The shadow-read soak before `dual → postgres` (after LaunchDarkly's consistency checks).

Once Mongo stops receiving writes, only the shadow reads of `dual` ever compared what the application
reads from both stores. So the step needs, besides a passing verify, a soak: at least
CUTOVER_SOAK_MIN_READS sampled reads over at least CUTOVER_SOAK_SECONDS, with mismatches (ShadowMismatch
rows of either kind; a record whose mirror write is in flight is not one) at or below
CUTOVER_SOAK_MAX_MISMATCH_PERCENT of them. The soak counts from when every process follows `dual`, or
from the start of the latest verify if that is later (reads are tallied per second, and a second counts
only if it began after that moment): a soak proves the period after the parity a verify
proved, and after a mismatch is explained and repaired, a new verify starts a new soak.
Sampled reads are counted per second (ShadowReadTally, cutover.mirror.shadow).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


@dataclass(frozen=True)
class Soak:
    since: datetime | None  # None: neither an entry into dual nor a verify recorded: every read counts
    reads: int
    mismatches: int
    seconds: float  # how long it has run

    @property
    def mismatch_percent(self) -> float:
        return 100.0 * self.mismatches / self.reads if self.reads else 0.0

    def shortfall(self) -> str:
        """What is still missing, in words, or "" when the soak is enough."""
        short = []
        if self.seconds < settings.CUTOVER_SOAK_SECONDS:
            short.append(f"{self.seconds:.0f} of {settings.CUTOVER_SOAK_SECONDS:g} s")
        if self.reads < settings.CUTOVER_SOAK_MIN_READS:
            short.append(f"{self.reads} of {settings.CUTOVER_SOAK_MIN_READS} sampled reads")
        if self.mismatches and self.mismatch_percent > settings.CUTOVER_SOAK_MAX_MISMATCH_PERCENT:
            short.append(
                f"{self.mismatches} mismatch(es) in {self.reads} reads ({self.mismatch_percent:.2f}%, at most "
                f"{settings.CUTOVER_SOAK_MAX_MISMATCH_PERCENT:g}% allowed)"
            )
        return ", ".join(short)


def domain_soak(domain: str, *, now: datetime | None = None) -> Soak:
    from cutover.models import ShadowMismatch, ShadowReadTally
    from cutover.modes.store_mode import StoreMode
    from cutover.operations.evidence import latest_verify, mode_entry

    now = now or timezone.now()
    starts = [mode_entry(domain, StoreMode.DUAL).settled_at, getattr(latest_verify(domain), "started_at", None)]
    since = max((start for start in starts if start is not None), default=None)
    if since is not None and since > now:
        return Soak(since, 0, 0, 0.0)
    # A tally's second counts only if it began after `since`: its reads all postdate it (never before).
    tallies = ShadowReadTally.objects.filter(domain=domain)
    if since is not None:
        tallies = tallies.filter(second__gt=since.replace(microsecond=0))
    reads = tallies.aggregate(total=Sum("reads"))["total"] or 0
    mismatches = ShadowMismatch.objects.filter(domain=domain)
    if since is not None:
        mismatches = mismatches.filter(created_at__gte=since)
    seconds = (now - since).total_seconds() if since is not None else float("inf")
    return Soak(since, reads, mismatches.count(), seconds)
