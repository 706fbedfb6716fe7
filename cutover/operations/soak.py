"""The shadow-read soak before `dual → postgres` (after LaunchDarkly's consistency checks).

Once Mongo stops receiving writes, only the shadow reads of `dual` ever compared what the application
reads from both stores. So the step needs, besides a passing verify, a soak: at least
CUTOVER_SOAK_MIN_READS sampled reads over at least CUTOVER_SOAK_SECONDS, with mismatches (ShadowMismatch
rows of either kind; a record whose mirror write is in flight is not one) at or below
CUTOVER_SOAK_MAX_MISMATCH_PERCENT of them. The soak counts from when every process follows `dual`, or
from the start of the latest verify if that is later: a soak proves the period after the parity a verify
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
    since: datetime | None  # None: dual never recorded as entered, nothing counts yet
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
    from cutover.operations.preconditions import latest_verify, mode_entry

    now = now or timezone.now()
    since = mode_entry(domain, StoreMode.DUAL).settled_at
    verify = latest_verify(domain)
    if since is not None and verify is not None and verify.started_at > since:
        since = verify.started_at
    if since is None or since > now:
        return Soak(since, 0, 0, 0.0)
    tallies = ShadowReadTally.objects.filter(domain=domain, second__gte=since)
    reads = tallies.aggregate(total=Sum("reads"))["total"] or 0
    mismatches = ShadowMismatch.objects.filter(domain=domain, created_at__gte=since).count()
    return Soak(since, reads, mismatches, (now - since).total_seconds())
