"""Where a domain's cutover stands: its mode, the steps it may take next and what blocks each, and a checklist.

`domain_readiness(domain)` is the one place this is computed; the admin dashboard, the modes list, the mode
change form, `store_mode` and `cutover_check` all read it, so they never disagree. It adds no rule of its own:

- a step's blockers are exactly cutover.operations.preconditions' refusals for that step (a step is allowed exactly when
  store_mode_change would take it, short of who asks and why), except that "parent X is not at dual" is
  expanded into the parent's own remaining steps (its own blockers, then its mode change), recursively,
  parents first, each once, and that a missing backfill also lists the verify known to be needed after it;
- the checklist (cutover.operations.readiness_checklist) reports the facts those preconditions look at (backfill since
  entering the mode, latest verify, outbox, rejects, parents) plus two the dashboard needs (recent shadow
  mismatches, purge freshness), whatever the next step is. An item that does not apply in the current mode
  is ok and says why.

Every blocker and failing item carries `commands`: the exact commands that fix it, in order (empty when a
person must act otherwise, e.g. set an environment variable). Mode changes are written with the placeholders
USERNAME and WHY for `--user` and `--reason`.

Stable API (other modules build on it):
    domain_readiness(domain: str, *, now: datetime | None = None) -> Readiness
    Readiness: domain, mode, shadow_read_percent, transition, steps, checklist; .advance, .roll_back,
               .ready (every item ok), .item(key)
    Step: to_mode, direction ("advance" | "roll back"), blockers, command; .allowed, .label
    Blocker: domain, reason, fix, commands; .command (the first command or ""), .fix_in_words
    Item: key (one of ITEM_KEYS), label, ok, detail, fix, commands, list_filter; .command, .fix_in_words
    ListFilter: model (cutover model name, lowercase), query (field lookups -> value): the filtered admin list
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from cutover.modes.cache import current_mode, current_mode_state
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.operations.preconditions import (
    FORWARD_COPY_SINCE,
    PRECONDITIONS,
    REVERSE_COPY_SINCE,
    Refusal,
    backfilled_and_verified_before_postgres_leads,
    copy_since_entering,
    parents_behind_dual,
    parents_lead_first,
    reverse_backfilled_before_mongo_leads,
)
from cutover.operations.readiness_checklist import domain_checklist
from cutover.operations.readiness_items import (  # noqa: F401  (ListFilter, ITEM_KEYS, ...: readiness's API)
    ADVANCE,
    ITEM_KEYS,
    PENDING_STALE_AFTER,
    RECENT_MISMATCHES,
    ROLL_BACK,
    Blocker,
    Item,
    ListFilter,
    Step,
    commands_in,
    item_from_refusal,
    plain_text,
)
from cutover.operations.transition import ModeTransition, mode_transition

_COPY_CHECKS = {
    backfilled_and_verified_before_postgres_leads: (FORWARD_COPY_SINCE, "forward"),
    reverse_backfilled_before_mongo_leads: (REVERSE_COPY_SINCE, "reverse"),
}


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
    checklist = domain_checklist(domain, mode, now, parents_plan=parents_plan)
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
                blockers += parent_plan(parent, seen)
        else:
            blockers.append(_blocker(domain, refusal))
            blockers += _verify_after_missing_copy(check, domain)
    return blockers


def _verify_after_missing_copy(check, domain: str) -> list[Blocker]:
    """A copy check refuses for its first gap only; with no backfill yet, the verify after it is known to be
    needed too, so it is listed now rather than after the backfill."""
    if check not in _COPY_CHECKS:
        return []
    (source, mode), direction = _COPY_CHECKS[check]
    if copy_since_entering(domain, mode=mode, source=source, direction=direction).run is not None:
        return []
    return [
        Blocker(
            domain,
            f"then a passing verify of {domain} after that {direction} backfill.",
            f"run manage.py verify {domain} once the backfill has finished, and fix what it reports",
            (f"manage.py verify {domain}",),
        )
    ]


def parents_plan(parents: list[str]) -> list[Blocker]:
    """Everything `parents` still need to reach dual, each parent's steps once (a parent shared by several
    of them, auth under marketplace and payment, is planned the first time only)."""
    seen: set[str] = set()
    return [blocker for parent in parents for blocker in parent_plan(parent, seen)]


def parent_plan(parent: str, seen: set[str]) -> list[Blocker]:
    """Everything `parent` still needs to reach dual, as its own steps: its parents first, then, step by
    step, what blocks it now (its real preconditions) or will (the copy a later step needs), and the change."""
    if parent in seen:
        return []
    seen.add(parent)
    plan: list[Blocker] = []
    for grandparent in parents_behind_dual(parent):
        plan += parent_plan(grandparent, seen)
    now_at = mode = current_mode(parent)
    while mode.position < StoreMode.DUAL.position:
        target = MIGRATION_ORDER[mode.position + 1]
        plan += _blockers(parent, mode, target, seen) if mode is now_at else _later_copy(parent, target)
        plan.append(
            Blocker(
                parent,
                f"parent {parent} must move {mode.value} → {target.value}.",
                f"run {mode_change_command(parent, target)}",
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
    return Blocker(domain, refusal.reason, plain_text(refusal.fix), commands_in(refusal.fix))
