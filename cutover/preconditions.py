"""Preconditions a store mode change must meet, each with the fix to offer.

Every check takes (domain, from_mode, to_mode) and returns a Refusal or None.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from .modes import StoreMode, incoming_primary


@dataclass(frozen=True)
class Refusal:
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.reason} Fix: {self.fix}"


# The change after which a copy counts: dual writes began (a flip back from dual does not count), or
# Mongo stopped receiving writes.
FORWARD_COPY_SINCE = (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY)
REVERSE_COPY_SINCE = (StoreMode.DUAL, StoreMode.POSTGRES)


def mongo_enabled_for_modes_that_use_it(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    if to_mode.writes_mongo and settings.MONGO_CONNECT_MODE == "disabled":
        return Refusal(
            f"{to_mode.value} needs MongoDB but MONGO_CONNECT_MODE=disabled.",
            "set MONGO_CONNECT_MODE=auto (and MONGO_URL) on every process first.",
        )
    return None


def no_dead_mirror_writes_before_switching_primary(
    domain: str, from_mode: StoreMode, to_mode: StoreMode
) -> Refusal | None:
    """Switching the authoritative store needs its copy complete. Pending mirror writes to it are
    made by the change itself, under the write fence (cutover.services); dead ones need a person."""
    from .models import MirrorOutboxEntry

    incoming = incoming_primary(from_mode, to_mode)
    if incoming is None:
        return None
    dead = MirrorOutboxEntry.objects.filter(domain=domain, target=incoming, status=MirrorOutboxEntry.Status.DEAD)
    count = dead.count()
    if count:
        return Refusal(
            f"{count} mirror write(s) of {domain} to {incoming} are dead (gave up retrying), so {incoming} is behind.",
            f"run `manage.py repair_mirror --domain {domain}` (and fix the cause of dead entries).",
        )
    return None


def backfilled_and_verified_before_postgres_leads(
    domain: str, from_mode: StoreMode, to_mode: StoreMode
) -> Refusal | None:
    """Postgres may become authoritative only once it holds everything: a backfill that started after dual
    writes began (so nothing written before it is missed) and finished, then a passing verify."""
    if (from_mode, to_mode) != (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL):
        return None
    return _copied_and_verified(
        domain,
        entered=FORWARD_COPY_SINCE,
        direction="forward",
        command=f"manage.py backfill {domain}",
    )


def reverse_backfilled_before_mongo_returns(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """Leaving `postgres` needs Mongo brought up to date from Postgres first, and verified."""
    if (from_mode, to_mode) != (StoreMode.POSTGRES, StoreMode.DUAL):
        return None
    return _copied_and_verified(
        domain,
        entered=REVERSE_COPY_SINCE,
        direction="reverse",
        command=f"manage.py backfill --reverse {domain}",
    )


def parents_lead_first(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """A domain's rows point at its parents' rows: Postgres leads for the parents before the children."""
    if to_mode.position < StoreMode.DUAL.position or to_mode.position <= from_mode.position:
        return None
    behind = parents_behind_dual(domain)
    if behind:
        return Refusal(
            f"parent domain(s) {', '.join(behind)} of {domain} are not at dual yet.",
            f"move {', '.join(behind)} to dual first.",
        )
    return None


def parents_behind_dual(domain: str) -> list[str]:
    """The registered parent domains of `domain` whose mode is before `dual`."""
    from .mode_cache import current_mode
    from .registry import domain_names, domain_spec

    return [
        parent
        for parent in domain_spec(domain).depends_on
        if parent in domain_names() and current_mode(parent).position < StoreMode.DUAL.position
    ]


@dataclass(frozen=True)
class CopyState:
    """The copy a step waits for: since when it counts, the run that made it, and a passing verify after it."""

    since: datetime | None  # when the domain entered the mode that began the copy (None: never recorded)
    run: Any  # the latest finished real BackfillRun that started after `since`, or None
    verify: Any  # a passing VerifyResult that started after that run finished, or None


def copy_since_entering(domain: str, *, entered: tuple[StoreMode, StoreMode], direction: str) -> CopyState:
    from .models import BackfillRun, StoreModeChange, VerifyResult

    from_mode, since_mode = entered
    change = (
        StoreModeChange.objects.filter(domain=domain, from_mode=from_mode.value, to_mode=since_mode.value)
        .order_by("-created_at")
        .first()
    )
    since = change.created_at if change else None
    runs = BackfillRun.objects.filter(
        domain=domain, direction=direction, status=BackfillRun.Status.FINISHED, dry_run=False
    )
    run = (runs.filter(started_at__gt=since) if since else runs).order_by("-finished_at").first()
    verify = None
    if run is not None:
        verifies = VerifyResult.objects.filter(domain=domain, passed=True, started_at__gt=run.finished_at)
        verify = verifies.order_by("-finished_at").first()
    return CopyState(since, run, verify)


def _copied_and_verified(
    domain: str, *, entered: tuple[StoreMode, StoreMode], direction: str, command: str
) -> Refusal | None:
    since_mode = entered[1]
    copy = copy_since_entering(domain, entered=entered, direction=direction)
    since, run = copy.since, copy.run
    when = f" since {since:%Y-%m-%d %H:%M} UTC, when {domain} entered {since_mode.value}" if since else ""
    if run is None:
        return Refusal(f"no {direction} backfill of {domain} has finished{when}.", f"run `{command}`.")
    if copy.verify is None:
        return Refusal(
            f"no passing verify of {domain} since its backfill finished at {run.finished_at:%Y-%m-%d %H:%M} UTC.",
            f"run `manage.py verify {domain}` and fix what it reports.",
        )
    return None


def rejects_resolved_or_acknowledged_before_postgres_leads(
    domain: str, from_mode: StoreMode, to_mode: StoreMode
) -> Refusal | None:
    """An open backfill reject is a document Postgres does not hold: it would vanish from the authoritative
    store. Each must be fixed (a rerun resolves it) or acknowledged by a user with a reason first."""
    if (from_mode, to_mode) != (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL):
        return None
    from django.db.models import Count

    from .models import BackfillReject

    per_collection = (
        BackfillReject.objects.filter(domain=domain, status=BackfillReject.Status.OPEN)
        .values_list("collection")
        .annotate(count=Count("id"))
        .order_by("collection")
    )
    if not per_collection:
        return None
    total = sum(count for _, count in per_collection)
    where = ", ".join(f"{count} in {collection}" for collection, count in per_collection)
    return Refusal(
        f"{total} open backfill reject(s) of {domain} ({where}) are missing from Postgres.",
        f"fix the documents and rerun `manage.py backfill {domain}`, or acknowledge each with "
        f"`manage.py backfill_rejects --domain {domain} --acknowledge ID ... --user NAME --reason '...'` "
        f"(list them with `manage.py backfill_rejects --domain {domain}`).",
    )


PRECONDITIONS: list[Callable[[str, StoreMode, StoreMode], Refusal | None]] = [
    mongo_enabled_for_modes_that_use_it,
    no_dead_mirror_writes_before_switching_primary,
    parents_lead_first,
    backfilled_and_verified_before_postgres_leads,
    reverse_backfilled_before_mongo_returns,
    rejects_resolved_or_acknowledged_before_postgres_leads,
]


def failed_preconditions(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> list[Refusal]:
    refusals = (check(domain, from_mode, to_mode) for check in PRECONDITIONS)
    return [refusal for refusal in refusals if refusal is not None]
