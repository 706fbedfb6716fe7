"""The checklist of cutover.operations.readiness: the facts the mode preconditions look at, whatever the next step, plus
recent shadow mismatches and purge freshness. Each item says ok or not, why, and the command that fixes it; an
item that does not apply in the current mode is ok and says why. Failing items reuse the preconditions' own
refusals (their words and commands) where one exists."""

from collections.abc import Callable
from datetime import datetime

from django.db.models import Count, Min

from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_names, domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.operations.evidence import CopyState, copy_since_entering, mode_entry
from cutover.operations.preconditions import (
    FORWARD_COPY_SINCE,
    REVERSE_COPY_SINCE,
    no_dead_mirror_writes_before_switching_primary,
    parents_behind_dual,
    rejects_resolved_or_acknowledged_before_postgres_leads,
)
from cutover.operations.readiness_items import (
    ITEM_KEYS,
    PENDING_STALE_AFTER,
    RECENT_MISMATCHES,
    Blocker,
    Item,
    ListFilter,
    item_from_refusal,
)
from cutover.operations.verify_fixes import fixes_of_result
from cutover.scheduled.status import humanize_duration, scheduled_task_status


def domain_checklist(
    domain: str, mode: StoreMode, now: datetime, *, parents_plan: Callable[[list[str]], list[Blocker]]
) -> tuple[Item, ...]:
    """Every item of ITEM_KEYS, in that order. `parents_plan`: the steps that bring parents to dual, each
    once (readiness's, passed in so that this module does not import it back)."""
    checks = {**_CHECKS, "parents": lambda d, m, n: _check_parents(d, m, n, parents_plan)}
    return tuple(checks[key](domain, mode, now) for key in ITEM_KEYS)


def _copy_for(mode: StoreMode, domain: str) -> tuple[CopyState, str, StoreMode] | None:
    """The copy this mode's steps rely on, and the mode since whose entry it counts: reverse in a `dual`
    entered from `postgres` (a rollback), else forward since entering dual_mongo_primary (from any mode) in the
    dual modes; none in mongo, nor in postgres (rolling back needs only Mongo answering: the copy is made in dual)."""
    if mode in (StoreMode.MONGO, StoreMode.POSTGRES):
        return None
    entry = mode_entry(domain, StoreMode.DUAL)
    if mode is StoreMode.DUAL and entry.change is not None and entry.change.from_mode == StoreMode.POSTGRES.value:
        source, since_mode = REVERSE_COPY_SINCE
        return copy_since_entering(domain, mode=since_mode, source=source, direction="reverse"), "reverse", since_mode
    source, since_mode = FORWARD_COPY_SINCE
    return copy_since_entering(domain, mode=since_mode, source=source, direction="forward"), "forward", since_mode


def _check_backfill(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Backfill since entering the mode"
    copy = _copy_for(mode, domain)
    runs = ListFilter("backfillrun", {"domain": domain})
    if copy is None:
        detail = f"not needed in {mode.value}: backfill once every process writes both stores"
        return Item("backfill", label, True, detail, "", (), runs)
    state, direction, since_mode = copy
    runs = ListFilter("backfillrun", {"domain": domain, "direction": direction})
    since = ""
    if state.since:
        since = f" since every process followed {domain} into {since_mode.value} ({state.since:%Y-%m-%d %H:%M:%S} UTC)"
    if state.run is None:
        command = f"manage.py backfill {'--reverse ' if direction == 'reverse' else ''}{domain}"
        detail = f"no {direction} backfill has finished{since}{_running(domain, direction)}"
        return Item("backfill", label, False, detail, f"run {command}", (command,), runs)
    run = state.run
    detail = f"{direction} backfill #{run.pk} finished {run.finished_at:%Y-%m-%d %H:%M} UTC{since}"
    return Item("backfill", label, True, detail, "", (), runs)


def _running(domain: str, direction: str) -> str:
    from cutover.models import BackfillRun

    run = BackfillRun.objects.filter(domain=domain, direction=direction, status=BackfillRun.Status.RUNNING).first()
    return f"; #{run.pk} is running since {run.started_at:%H:%M} UTC" if run else ""


def _check_verify(domain: str, mode: StoreMode, now: datetime) -> Item:
    from cutover.models import VerifyResult

    label = "Latest verify"
    results = ListFilter("verifyresult", {"domain": domain})
    latest = VerifyResult.objects.filter(domain=domain).order_by("-finished_at", "-id").first()
    seen = "none yet"
    if latest is not None:
        seen = f"latest {'passed' if latest.passed else 'FAILED'} at {latest.finished_at:%Y-%m-%d %H:%M} UTC"
    copy = _copy_for(mode, domain)
    command = f"manage.py verify {domain}"
    if copy is None:
        return Item("verify", label, True, f"not needed in {mode.value} ({seen})", "", (), results)
    if latest is not None and not latest.passed:
        detail = f"{seen}: {_verify_counts(latest)}"
        fixes = fixes_of_result(domain, mode, latest)
        fix = "; ".join(f"run {fixer} ({does})" for fixer, does in fixes)
        fix = f"{fix}, then run {command}" if fixes else f"run {command} after fixing what it reports"
        return Item("verify", label, False, detail, fix, (*(fixer for fixer, _ in fixes), command), results)
    state, direction, _ = copy
    if state.verify is None:
        if state.run is None:
            detail = f"needs the {direction} backfill first, then a passing verify ({seen})"
        else:
            detail = f"no passing verify after {direction} backfill #{state.run.pk} ({seen})"
        return Item("verify", label, False, detail, f"run {command}", (command,), results)
    return Item("verify", label, True, f"{seen}, after {direction} backfill #{state.run.pk}", "", (), results)


VERIFY_PROBLEMS = (
    "missing_in_postgres",
    "missing_in_mongo",
    "differing",
    "unreadable_in_mongo",
    "id_clashes",
    "render_differs",
)


def _verify_counts(result) -> str:
    totals = dict.fromkeys(VERIFY_PROBLEMS, 0)
    for counts in (result.counts or {}).values():
        for name in VERIFY_PROBLEMS:
            value = (counts or {}).get(name)
            totals[name] += value if isinstance(value, int) else 0
    return ", ".join(f"{value} {name}" for name, value in totals.items() if value) or "see its samples"


def _check_outbox_pending(domain: str, mode: StoreMode, now: datetime) -> Item:
    from cutover.models import MirrorOutboxEntry

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
            return item_from_refusal("outbox_dead", label, refusal, entries)
    return Item("outbox_dead", label, True, "none", "", (), entries)


def _check_rejects(domain: str, mode: StoreMode, now: datetime) -> Item:
    label = "Open backfill rejects"
    rejects = ListFilter("backfillreject", {"domain": domain, "status": "open"})
    refusal = rejects_resolved_or_acknowledged_before_postgres_leads(
        domain, StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL
    )
    if refusal is not None:
        return item_from_refusal("rejects", label, refusal, rejects)
    return Item("rejects", label, True, "none open", "", (), rejects)


def _check_mismatches(domain: str, mode: StoreMode, now: datetime) -> Item:
    from cutover.models import ShadowMismatch

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


def _check_parents(domain: str, mode: StoreMode, now: datetime, parents_plan) -> Item:
    label = "Parents' modes"
    parents = [parent for parent in domain_spec(domain).depends_on if parent in domain_names()]
    if not parents:
        return Item("parents", label, True, "no parent domains", "", (), ListFilter("domainstoremode"))
    modes = ", ".join(f"{parent}: {current_mode(parent).value}" for parent in parents)
    behind = parents_behind_dual(domain)
    if not behind:
        return Item("parents", label, True, modes, "", (), ListFilter("domainstoremode"))
    plan = parents_plan(behind)
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
    failing = [name for name in late if getattr(statuses[name] and statuses[name].run, "last_outcome", "") == "failed"]
    if failing:  # beat and a worker run it: the job itself fails, and running more of them changes nothing
        command = f"manage.py run_scheduled_task {' '.join(failing)}"
        fix = f"its last run failed (the error is on its Scheduled task run); fix that, then run {command}"
        return Item("purge", label, False, f"late: {details}", fix, (command,), tasks)
    # Beat queues every task as it starts (escrow_project.celery), so a task that never ran or stopped running
    # means no beat or no worker consuming its queue.
    command = "celery -A escrow_project beat -l INFO"
    fix = (
        f"run exactly one beat ({command}) and a worker (celery -A escrow_project worker -l INFO) on REDIS_URL; "
        f"if both run, the worker's log says why the tasks do not (manage.py run_scheduled_task --all runs them now)"
    )
    return Item("purge", label, False, f"late: {details}", fix, (command,), tasks)


_CHECKS = {
    "backfill": _check_backfill,
    "verify": _check_verify,
    "outbox_pending": _check_outbox_pending,
    "outbox_dead": _check_outbox_dead,
    "rejects": _check_rejects,
    "mismatches": _check_mismatches,
    "purge": _check_purge,
}
