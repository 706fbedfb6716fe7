"""Preconditions a store mode change must meet, each with the fix to offer.

Every check takes (domain, from_mode, to_mode) and returns a Refusal or None.
The backfill/verify issue adds its checks to PRECONDITIONS.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from .modes import StoreMode


@dataclass(frozen=True)
class Refusal:
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.reason} Fix: {self.fix}"


def mongo_enabled_for_modes_that_use_it(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    if to_mode.writes_mongo and settings.MONGO_CONNECT_MODE == "disabled":
        return Refusal(
            f"{to_mode.value} needs MongoDB but MONGO_CONNECT_MODE=disabled.",
            "set MONGO_CONNECT_MODE=auto (and MONGO_URL) on every process first.",
        )
    return None


def outbox_drained_before_switching_primary(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """Switching the authoritative store needs its copy complete: no pending mirror writes to it."""
    from .models import MirrorOutboxEntry

    incoming = {
        (StoreMode.DUAL, StoreMode.DUAL_MONGO_PRIMARY): MirrorOutboxEntry.Target.MONGO,
        (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL): MirrorOutboxEntry.Target.POSTGRES,
    }.get((from_mode, to_mode))
    if incoming is None:
        return None
    pending = MirrorOutboxEntry.objects.filter(
        domain=domain, target=incoming, status__in=[MirrorOutboxEntry.Status.PENDING, MirrorOutboxEntry.Status.DEAD]
    ).count()
    if pending:
        return Refusal(
            f"{pending} mirror write(s) of {domain} to {incoming} are pending or dead, so {incoming} is behind.",
            f"run `manage.py repair_mirror --domain {domain}` (and fix the cause of dead entries).",
        )
    return None


PRECONDITIONS: list[Callable[[str, StoreMode, StoreMode], Refusal | None]] = [
    mongo_enabled_for_modes_that_use_it,
    outbox_drained_before_switching_primary,
]


def failed_preconditions(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> list[Refusal]:
    refusals = (check(domain, from_mode, to_mode) for check in PRECONDITIONS)
    return [refusal for refusal in refusals if refusal is not None]
