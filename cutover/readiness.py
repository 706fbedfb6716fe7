"""Where a domain's cutover stands: its mode, the steps it may take next and what blocks each, and a checklist.

`domain_readiness(domain)` is the one place this is computed; the admin dashboard, the modes list, the mode
change form, `cutover_check` and health all read it, so they never disagree. It adds no rule of its own:

- a step's blockers are exactly cutover.preconditions' refusals for that step (what store_mode_change would
  refuse, short of who asks and why), except that "parent X is not at dual" is expanded into the parent's own
  remaining steps (its own blockers, then its mode change), recursively, parents first, each once;
- the checklist reports the facts those preconditions look at (backfill since entering the mode, latest
  verify, outbox, rejects, parents) plus two the dashboard needs (recent shadow mismatches, purge freshness),
  whatever the next step is. An item that does not apply in the current mode is ok and says why.

Every blocker and failing item carries `commands`: the exact commands that fix it, in order (empty when a
person must act otherwise, e.g. set an environment variable). Mode changes are written with the placeholders
USERNAME and WHY for `--user` and `--reason`.

Stable API (other modules build on it):
    domain_readiness(domain: str, *, now: datetime | None = None) -> Readiness
    Readiness: domain, mode, shadow_read_percent, transition, steps, checklist; .advance, .roll_back,
               .ready (every item ok), .item(key)
    Step: to_mode, direction ("advance" | "roll back"), blockers, command; .allowed, .label
    Blocker: domain, reason, fix, commands; .command (the first command or "")
    Item: key (one of ITEM_KEYS), label, ok, detail, fix, commands, list_filter; .command
    ListFilter: model (cutover model name, lowercase), query (field lookups -> value): the filtered admin list
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.utils import timezone

from .mode_cache import current_mode, current_mode_state
from .modes import MIGRATION_ORDER, StoreMode
from .preconditions import (
    FORWARD_COPY_SINCE,
    PRECONDITIONS,
    REVERSE_COPY_SINCE,
    CopyState,
    Refusal,
    copy_since_entering,
    no_dead_mirror_writes_before_switching_primary,
    parents_behind_dual,
    parents_lead_first,
    rejects_resolved_or_acknowledged_before_postgres_leads,
)
from .registry import domain_names, domain_spec
from .schedule_status import humanize_duration, scheduled_task_status
from .transition import ModeTransition, mode_transition

PENDING_STALE_AFTER = timedelta(minutes=5)  # a pending mirror write older than this is stuck, not in flight
RECENT_MISMATCHES = timedelta(hours=24)
ITEM_KEYS = ("backfill", "verify", "outbox_pending", "outbox_dead", "rejects", "mismatches", "parents", "purge")
ADVANCE, ROLL_BACK = "advance", "roll back"


@dataclass(frozen=True)
class Blocker:
    domain: str  # whose problem: the domain itself or a parent
    reason: str
    fix: str  # for people, commands included without backticks
    commands: tuple[str, ...] = ()

    @property
    def command(self) -> str:
        return self.commands[0] if self.commands else ""

    def __str__(self) -> str:
        return f"{self.reason} Fix: {self.fix}"


@dataclass(frozen=True)
class Step:
    to_mode: StoreMode
    direction: str  # ADVANCE or ROLL_BACK
    blockers: tuple[Blocker, ...]
    command: str  # the store_mode command that takes this step

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def label(self) -> str:
        return f"{'Advance' if self.direction == ADVANCE else 'Roll back'} to {self.to_mode.value}"


@dataclass(frozen=True)
class ListFilter:
    model: str  # cutover model name, lowercase (e.g. "backfillreject")
    query: dict = field(default_factory=dict)  # admin changelist lookups, e.g. {"domain": "dispute"}


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str
    fix: str = ""
    commands: tuple[str, ...] = ()
    list_filter: ListFilter | None = None

    @property
    def command(self) -> str:
        return self.commands[0] if self.commands else ""


@dataclass(frozen=True)
class Readiness:
    domain: str
    mode: StoreMode
    shadow_read_percent: int
    transition: ModeTransition
    steps: tuple[Step, ...]  # the advance first (if any), then the roll back (if any)
    checklist: tuple[Item, ...]  # in ITEM_KEYS order

    @property
    def advance(self) -> Step | None:
        return next((step for step in self.steps if step.direction == ADVANCE), None)

    @property
    def roll_back(self) -> Step | None:
        return next((step for step in self.steps if step.direction == ROLL_BACK), None)

    @property
    def ready(self) -> bool:
        return all(item.ok for item in self.checklist)

    def item(self, key: str) -> Item:
        return next(item for item in self.checklist if item.key == key)


def domain_readiness(domain: str, *, now: datetime | None = None) -> Readiness:
    """The readiness of one registered domain (UnknownDomain for any other name)."""
    now = now or timezone.now()
    state = current_mode_state(domain)
    mode = state.mode
    steps = tuple(
        Step(target, direction, tuple(_blockers(domain, mode, target, set())), mode_change_command(domain, target))
        for target, direction in _neighbours(mode)
    )
    checklist = tuple(_CHECKS[key](domain, mode, now) for key in ITEM_KEYS)
    return Readiness(domain, mode, state.shadow_read_percent, mode_transition(domain), steps, checklist)


def mode_change_command(domain: str, to_mode: StoreMode) -> str:
    return f"manage.py store_mode {domain} --to {to_mode.value} --user USERNAME --reason 'WHY'"


def _neighbours(mode: StoreMode) -> list[tuple[StoreMode, str]]:
    steps = []
    if mode.position + 1 < len(MIGRATION_ORDER):
        steps.append((MIGRATION_ORDER[mode.position + 1], ADVANCE))
    if mode.position > 0:
        steps.append((MIGRATION_ORDER[mode.position - 1], ROLL_BACK))
    return steps


# --- blockers of a step -------------------------------------------------------------------------------


def _blockers(domain: str, current: StoreMode, target: StoreMode, seen: set[str]) -> list[Blocker]:
    blockers: list[Blocker] = []
    for check in PRECONDITIONS:
        refusal = check(domain, current, target)
        if refusal is None:
            continue
        if check is parents_lead_first:
            for parent in parents_behind_dual(domain):
                blockers += _parent_plan(parent, seen)
        else:
            blockers.append(_blocker(domain, refusal))
    return blockers


def _parent_plan(parent: str, seen: set[str]) -> list[Blocker]:
    """Everything `parent` still needs to reach dual, as its own steps: its parents first, then, step by
    step, what blocks it now (its real preconditions) or will (the copy a later step needs), and the change."""
    if parent in seen:
        return []
    seen.add(parent)
    plan: list[Blocker] = []
    for grandparent in parents_behind_dual(parent):
        plan += _parent_plan(grandparent, seen)
    now_at = mode = current_mode(parent)
    while mode.position < StoreMode.DUAL.position:
        target = MIGRATION_ORDER[mode.position + 1]
        plan += _blockers(parent, mode, target, seen) if mode is now_at else _later_copy(parent, target)
        plan.append(
            Blocker(
                parent,
                f"parent {parent} must move {mode.value} → {target.value}.",
                f"change its mode: {mode_change_command(parent, target)}",
                (mode_change_command(parent, target),),
            )
        )
        mode = target
    return plan


def _later_copy(domain: str, target: StoreMode) -> list[Blocker]:
    if target is not StoreMode.DUAL:
        return []
    return [
        Blocker(
            domain,
            f"{domain} will need a forward backfill that starts after it enters dual_mongo_primary.",
            f"once it has settled in dual_mongo_primary, run manage.py backfill {domain}",
            (f"manage.py backfill {domain}",),
        ),
        Blocker(
            domain,
            f"{domain} will need a passing verify after that backfill.",
            f"run manage.py verify {domain} and fix what it reports",
            (f"manage.py verify {domain}",),
        ),
    ]


def _blocker(domain: str, refusal: Refusal) -> Blocker:
    return Blocker(domain, refusal.reason, _plain(refusal.fix), _commands(refusal.fix))


def _commands(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([^`]+)`", text))


def _plain(text: str) -> str:
    return text.replace("`", "")


def _from_refusal(key: str, label: str, refusal: Refusal, list_filter: ListFilter) -> Item:
    return Item(key, label, False, refusal.reason, _plain(refusal.fix), _commands(refusal.fix), list_filter)


# --- the checklist ------------------------------------------------------------------------------------


def _copy_for(mode: StoreMode, domain: str) -> tuple[CopyState, str] | None:
    """The copy this mode's steps rely on: forward in the dual modes, reverse in postgres; none in mongo."""
    if mode is StoreMode.MONGO:
        return None
    if mode is StoreMode.POSTGRES:
        return copy_since_entering(domain, entered=REVERSE_COPY_SINCE, direction="reverse"), "reverse"
    return copy_since_entering(domain, entered=FORWARD_COPY_SINCE, direction="forward"), "forward"


def _check_backfill(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Backfill since entering the mode"
    copy = _copy_for(mode, domain)
    runs = ListFilter("backfillrun", {"domain": domain})
    if copy is None:
        return Item("backfill", label, True, "not needed in mongo: backfill once dual writes began", "", (), runs)
    state, direction = copy
    runs = ListFilter("backfillrun", {"domain": domain, "direction": direction})
    since_mode = (FORWARD_COPY_SINCE if direction == "forward" else REVERSE_COPY_SINCE)[1]
    since = f" since {domain} entered {since_mode.value} ({state.since:%Y-%m-%d %H:%M} UTC)" if state.since else ""
    if state.run is None:
        command = f"manage.py backfill {'--reverse ' if direction == 'reverse' else ''}{domain}"
        detail = f"no {direction} backfill has finished{since}{_running(domain, direction)}"
        return Item("backfill", label, False, detail, f"run {command}", (command,), runs)
    run = state.run
    detail = f"{direction} backfill #{run.pk} finished {run.finished_at:%Y-%m-%d %H:%M} UTC{since}"
    return Item("backfill", label, True, detail, "", (), runs)


def _running(domain: str, direction: str) -> str:
    from .models import BackfillRun

    run = BackfillRun.objects.filter(domain=domain, direction=direction, status=BackfillRun.Status.RUNNING).first()
    return f"; #{run.pk} is running since {run.started_at:%H:%M} UTC" if run else ""


def _check_verify(domain: str, mode: StoreMode, now: datetime) -> Item:
    from .models import VerifyResult

    label = "Latest verify"
    results = ListFilter("verifyresult", {"domain": domain})
    latest = VerifyResult.objects.filter(domain=domain).order_by("-finished_at", "-id").first()
    seen = "none yet"
    if latest is not None:
        seen = f"latest {'passed' if latest.passed else 'FAILED'} at {latest.finished_at:%Y-%m-%d %H:%M} UTC"
    copy = _copy_for(mode, domain)
    command = f"manage.py verify {domain}"
    if copy is None:
        return Item("verify", label, True, f"not needed in mongo ({seen})", "", (), results)
    if latest is not None and not latest.passed:
        detail = f"{seen}: {_verify_counts(latest)}"
        return Item("verify", label, False, detail, f"run {command} after fixing what it reports", (command,), results)
    state, direction = copy
    if state.verify is None:
        after = f"#{state.run.pk}" if state.run else "the backfill still needed"
        detail = f"no passing verify after {direction} backfill {after} ({seen})"
        return Item("verify", label, False, detail, f"run {command}", (command,), results)
    return Item("verify", label, True, f"{seen}, after {direction} backfill #{state.run.pk}", "", (), results)


def _verify_counts(result) -> str:
    totals: dict[str, int] = {}
    for counts in (result.counts or {}).values():
        for name, value in (counts or {}).items():
            if name != "compared" and isinstance(value, int) and value:
                totals[name] = totals.get(name, 0) + value
    return ", ".join(f"{value} {name}" for name, value in totals.items()) or "see its samples"


def _check_outbox_pending(domain: str, mode: StoreMode, now: datetime) -> Item:
    from .models import MirrorOutboxEntry

    label = "Pending mirror writes"
    pending = MirrorOutboxEntry.objects.filter(domain=domain, status=MirrorOutboxEntry.Status.PENDING)
    found = pending.aggregate(count=Count("id"), oldest=Min("created_at"))
    entries = ListFilter("mirroroutboxentry", {"domain": domain, "status": "pending"})
    if not found["count"]:
        return Item("outbox_pending", label, True, "none", "", (), entries)
    age = now - found["oldest"]
    detail = f"{found['count']} pending, oldest {humanize_duration(age)} old"
    if age <= PENDING_STALE_AFTER:
        return Item("outbox_pending", label, True, f"{detail} (in flight)", "", (), entries)
    command = f"manage.py repair_mirror --domain {domain}"
    fix = f"check the target store is reachable, then run {command}"
    return Item("outbox_pending", label, False, f"{detail}: stuck", fix, (command,), entries)


def _check_outbox_dead(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Dead mirror writes"
    entries = ListFilter("mirroroutboxentry", {"domain": domain, "status": "dead"})
    # The precondition that refuses a switch of primary over them says what they mean and what fixes them.
    for switch in ((StoreMode.DUAL, StoreMode.DUAL_MONGO_PRIMARY), (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL)):
        refusal = no_dead_mirror_writes_before_switching_primary(domain, *switch)
        if refusal is not None:
            return _from_refusal("outbox_dead", label, refusal, entries)
    return Item("outbox_dead", label, True, "none", "", (), entries)


def _check_rejects(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Open backfill rejects"
    rejects = ListFilter("backfillreject", {"domain": domain, "status": "open"})
    refusal = rejects_resolved_or_acknowledged_before_postgres_leads(
        domain, StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL
    )
    if refusal is not None:
        return _from_refusal("rejects", label, refusal, rejects)
    return Item("rejects", label, True, "none open", "", (), rejects)


def _check_mismatches(domain: str, mode: StoreMode, now: datetime) -> Item:
    from .models import ShadowMismatch

    label = "Shadow mismatches (24 h)"
    since = now - RECENT_MISMATCHES
    mismatches = ListFilter("shadowmismatch", {"domain": domain, "created_at__gte": since.isoformat()})
    counts = dict(
        ShadowMismatch.objects.filter(domain=domain, created_at__gte=since)
        .values_list("kind")
        .annotate(count=Count("id"))
    )
    reads = "" if mode.is_dual else " (shadow reads run only in the dual modes)"
    if not counts:
        return Item("mismatches", label, True, f"none{reads}", "", (), mismatches)
    detail = ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items()))
    command = f"manage.py verify {domain}"
    fix = f"open them to see which fields differ; run {command} to see whether the stores disagree"
    return Item("mismatches", label, False, detail + reads, fix, (command,), mismatches)


def _check_parents(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Parents' modes"
    parents = [parent for parent in domain_spec(domain).depends_on if parent in domain_names()]
    if not parents:
        return Item("parents", label, True, "no parent domains", "", (), ListFilter("domainstoremode"))
    modes = ", ".join(f"{parent}: {current_mode(parent).value}" for parent in parents)
    behind = parents_behind_dual(domain)
    if not behind:
        return Item("parents", label, True, modes, "", (), ListFilter("domainstoremode"))
    plan = [blocker for parent in behind for blocker in _parent_plan(parent, set())]
    fix = f"move {', '.join(behind)} to dual before {domain} moves to dual"
    commands = tuple(command for blocker in plan for command in blocker.commands)
    detail = f"{modes} (behind dual: {', '.join(behind)})"
    return Item("parents", label, False, detail, fix, commands, ListFilter("domainstoremode"))


def _check_purge(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Purge freshness"
    tasks = ListFilter("scheduledtaskrun")
    names = domain_spec(domain).purge_tasks
    if not names:
        return Item("purge", label, True, "no scheduled purge for this domain", "", (), tasks)
    statuses = {name: scheduled_task_status(name, now=now) for name in names}
    details = "; ".join(
        f"{name}: {status.detail if status else 'not in CELERY_BEAT_SCHEDULE'}" for name, status in statuses.items()
    )
    if mode is StoreMode.MONGO:
        return Item("purge", label, True, f"in mongo the Mongo TTL indexes expire records; {details}", "", (), tasks)
    late = [name for name, status in statuses.items() if status is None or status.late]
    if not late:
        return Item("purge", label, True, details, "", (), tasks)
    command = "celery -A escrow_project beat -l INFO"
    fix = f"run exactly one beat ({command}) and a worker (celery -A escrow_project worker -l INFO)"
    return Item("purge", label, False, f"late: {details}", fix, (command,), tasks)


_CHECKS = {
    "backfill": _check_backfill,
    "verify": _check_verify,
    "outbox_pending": _check_outbox_pending,
    "outbox_dead": _check_outbox_dead,
    "rejects": _check_rejects,
    "mismatches": _check_mismatches,
    "parents": _check_parents,
    "purge": _check_purge,
}
