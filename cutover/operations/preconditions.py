"""Preconditions a store mode change must meet, each with the fix to offer.

Every check takes (domain, from_mode, to_mode) and returns a Refusal or None.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from cutover.modes.store_mode import StoreMode, incoming_primary
from cutover.operations.evidence import copy_since_entering, latest_verify, mode_entry
from cutover.operations.verify_fixes import fixes_of_result


@dataclass(frozen=True)
class Refusal:
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.reason} Fix: {self.fix}"


# The change after which a copy counts, in each direction (source mode, None: any; mode entered): every process
# writes both stores since. Forward: any entry into dual_mongo_primary, from `dual` too (a rollback): while Mongo
# leads, the legacy app writes Mongo alone, and only a backfill started since brings those writes to Postgres.
FORWARD_COPY_SINCE = (None, StoreMode.DUAL_MONGO_PRIMARY)
REVERSE_COPY_SINCE = (StoreMode.POSTGRES, StoreMode.DUAL)


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
    made by the change itself, under the write fence (cutover.operations.mode_changes); dead ones need a person."""
    from cutover.models import MirrorOutboxEntry

    incoming = incoming_primary(from_mode, to_mode)
    if incoming is None:
        return None
    dead = MirrorOutboxEntry.objects.filter(domain=domain, target=incoming, status=MirrorOutboxEntry.Status.DEAD)
    count = dead.count()
    if count:
        return Refusal(
            f"{count} mirror write(s) of {domain} to {incoming} are dead (gave up retrying), so {incoming} is behind.",
            f"fix their cause (see last_error in admin: Mirror outbox entries), then run `manage.py "
            f"requeue_dead_letters --domain {domain} --user YOU --reason '...'` (or the outbox admin's action) "
            f"and `manage.py repair_mirror --domain {domain}`.",
        )
    return None


def mongo_answers_before_mongo_returns(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """Leaving `postgres` needs no parity first (the rollback's copy happens in `dual`, with writes flowing,
    gated by the next step), only a Mongo that answers: every write of `dual` goes to its outbox."""
    if (from_mode, to_mode) != (StoreMode.POSTGRES, StoreMode.DUAL) or settings.MONGO_CONNECT_MODE == "disabled":
        return None
    from escrow_project.mongo import probe_mongo

    try:
        probe_mongo(settings.MONGO_TIMEOUT_MS)
    except Exception as error:
        return Refusal(
            f"MongoDB does not answer ({type(error).__name__}: {str(error)[:160]}), so {domain} cannot write it.",
            "bring MongoDB back (MONGO_URL on every process), then change again.",
        )
    return None


def backfilled_and_verified_before_postgres_leads(
    domain: str, from_mode: StoreMode, to_mode: StoreMode
) -> Refusal | None:
    """Postgres may become authoritative only once it holds everything: a backfill that started after every
    process writes both stores (so nothing written before it is missed) and finished, then a passing verify.
    It counts from the latest change into `dual_mongo_primary`, from `dual` too: Postgres was complete when it
    led, but the legacy app has written Mongo alone since (FORWARD_COPY_SINCE)."""
    if (from_mode, to_mode) != (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL):
        return None
    return _copied_and_verified(domain, from_mode, *FORWARD_COPY_SINCE, "forward")


def reverse_backfilled_before_mongo_leads(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """The rollback mirrors the forward path: after `postgres → dual`, Mongo lacks what `postgres` wrote, so
    before it leads again it needs a reverse backfill that started once every process writes both stores,
    and a passing verify after it. A `dual` entered from `dual_mongo_primary` had Mongo complete (it led) and
    has mirrored every write since: nothing to copy."""
    if (from_mode, to_mode) != (StoreMode.DUAL, StoreMode.DUAL_MONGO_PRIMARY):
        return None
    entry = mode_entry(domain, StoreMode.DUAL)
    if entry.change is None or entry.change.from_mode != StoreMode.POSTGRES.value:
        return None
    return _copied_and_verified(domain, from_mode, *REVERSE_COPY_SINCE, "reverse")


def verified_in_dual_before_postgres_only(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """Mongo stops receiving writes: the latest verify must pass, and have started once every process was
    in `dual` (a verify of `dual_mongo_primary` says nothing about the writes made since)."""
    if (from_mode, to_mode) != (StoreMode.DUAL, StoreMode.POSTGRES):
        return None
    return _latest_verify_refusal(
        domain,
        from_mode,
        after=mode_entry(domain, StoreMode.DUAL).settled_at,
        what=f"every process followed {domain} into dual",
    )


def shadow_soaked_before_postgres_only(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> Refusal | None:
    """After `dual`, nothing compares the stores as the application reads them: a shadow-read soak first
    (cutover.operations.soak)."""
    if (from_mode, to_mode) != (StoreMode.DUAL, StoreMode.POSTGRES):
        return None
    from cutover.modes.cache import current_mode_state
    from cutover.operations.soak import domain_soak

    soak = domain_soak(domain)
    short = soak.shortfall()
    if not short:
        return None
    since = f" since {soak.since:%Y-%m-%d %H:%M:%S} UTC" if soak.since else ""
    until = soak.since + timedelta(seconds=settings.CUTOVER_SOAK_SECONDS) if soak.since else None
    fix = f"wait{f' until {until:%H:%M:%S} UTC' if until else ''}, reads flowing, and ask again."
    if soak.mismatches and soak.mismatch_percent > settings.CUTOVER_SOAK_MAX_MISMATCH_PERCENT:
        fix = (
            f"see which fields differ (admin: Shadow mismatches of {domain}), repair the cause, run "
            f"`manage.py repair_mirror --domain {domain}` and `manage.py verify {domain}` (a new soak starts with it)."
        )
    elif soak.reads < settings.CUTOVER_SOAK_MIN_READS and current_mode_state(domain).shadow_read_percent == 0:
        fix = (
            f"turn shadow reads on: `manage.py store_mode {domain} --shadow-percent 10 --user USERNAME "
            "--reason 'WHY'`, then wait, reads flowing."
        )
    return Refusal(f"the shadow-read soak of {domain} in dual{since} is not enough yet: {short}.", fix)


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
    from cutover.modes.cache import current_mode
    from cutover.modes.registry import domain_spec

    return [
        parent for parent in domain_spec(domain).depends_on if current_mode(parent).position < StoreMode.DUAL.position
    ]


def _copied_and_verified(
    domain: str, current: StoreMode, source: StoreMode | None, mode: StoreMode, direction: str
) -> Refusal | None:
    from django.utils import timezone

    entry = mode_entry(domain, mode, source=source)
    copy = copy_since_entering(domain, mode=mode, source=source, direction=direction)
    command = f"manage.py backfill {'--reverse ' if direction == 'reverse' else ''}{domain}"
    if copy.run is None:
        when = ""
        if entry.settled_at:
            when = (
                f" that started after {entry.settled_at:%Y-%m-%d %H:%M:%S} UTC, when every process followed "
                f"{domain} into {mode.value}"
            )
        return Refusal(
            f"no {direction} backfill of {domain} has finished{when}.",
            f"{entry.wait_text(timezone.now())}run `{command}`.",
        )
    after, what = copy.run.finished_at, f"its {direction} backfill finished"
    return _latest_verify_refusal(domain, current, after=after, what=what)


def _latest_verify_refusal(domain: str, current: StoreMode, *, after: datetime | None, what: str) -> Refusal | None:
    """None if the domain's latest verify passed and started after `after` (when `what` happened). A failed one
    names the commands that fix what it found in the `current` mode (cutover.operations.verify_fixes), then verify."""
    latest = latest_verify(domain)
    fix = f"run `manage.py verify {domain}` and fix what it reports."
    since = f" since {what} at {after:%Y-%m-%d %H:%M:%S} UTC" if after else ""
    if latest is None or (after is not None and latest.started_at <= after):
        return Refusal(f"no verify of {domain} has started{since}.", fix)
    if not latest.passed:
        fixes = fixes_of_result(domain, current, latest)
        if fixes:
            # (the explanations' own commands unquoted: only the fixers and verify are the step's to run)
            fix = "; ".join(f"run `{fixer}` ({does.replace('`', '')})" for fixer, does in fixes)
            fix += f", then `manage.py verify {domain}`."
        return Refusal(
            f"the latest verify of {domain} (finished {latest.finished_at:%Y-%m-%d %H:%M:%S} UTC) failed.", fix
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

    from cutover.models import BackfillReject

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
    mongo_answers_before_mongo_returns,
    backfilled_and_verified_before_postgres_leads,
    reverse_backfilled_before_mongo_leads,
    rejects_resolved_or_acknowledged_before_postgres_leads,
    verified_in_dual_before_postgres_only,
    shadow_soaked_before_postgres_only,
]


def failed_preconditions(domain: str, from_mode: StoreMode, to_mode: StoreMode) -> list[Refusal]:
    refusals = (check(domain, from_mode, to_mode) for check in PRECONDITIONS)
    return [refusal for refusal in refusals if refusal is not None]
