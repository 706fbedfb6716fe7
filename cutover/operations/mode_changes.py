"""Store mode changes: the one write path, shared by admin and the CLI."""

import time

from django.db import OperationalError, transaction

from cutover.audit import AuditedDecision, audited_decision
from cutover.mirror.outbox import outbox_drain
from cutover.models import DomainStoreMode, StoreModeChange
from cutover.modes.cache import current_mode_state, invalidate_mode_cache_on_commit
from cutover.modes.fence import FENCED_DRAIN_SECONDS, FenceBusy, hold_fence_for_change, is_lock_contention
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode, incoming_primary, is_one_step, parse_store_mode
from cutover.operations.preconditions import Refusal, failed_preconditions

PREMIRROR_SECONDS = 30.0  # mirroring the backlog before the fence; writes keep flowing meanwhile
CHANGE_PERMISSION = "cutover.change_store_mode"
OVERRIDE_PERMISSION = "cutover.override_store_mode_guard"


class StoreModeChangeRefused(Exception):
    """A mode change that may not happen; str() says why and how to fix it."""


def store_mode_change(
    *,
    domain: str,
    to_mode: str,
    user,
    reason: str,
    override: bool = False,
    expected_from: str | None = None,
    expected_history: int | None = None,
) -> StoreModeChange:
    """Move `domain` one step to `to_mode`, audited; refuse when unsafe.

    A failed precondition refuses the change unless `override` is set by a
    user holding the override permission; the refusal is then kept in the audit.
    The change commits under the domain's write fence (cutover.modes.fence): dual writes
    in flight finish first, later ones wait and then see the new mode; a change of
    primary first mirrors every pending outbox entry to the store that will lead.
    `expected_from` (a confirmation page's "from"): refuse if the mode is no longer that.
    `expected_history` (the page's token, latest_mode_history_id when it was prepared; 0: none yet): refuse
    if any mode change was made since, even one that came back to the same mode (ABA).
    """
    expected = (expected_from, expected_history)
    _, current, target, _ = _checked_change(domain, to_mode, user, reason, override, lock=False, expected=expected)
    _premirror(domain, current, target, override)  # before any write waits
    try:
        with transaction.atomic():
            deadline = hold_fence_for_change(domain)
            row, current, target, refusals = _checked_change(
                domain, to_mode, user, reason, override, lock=True, expected=expected
            )
            unmirrored = _mirror_to_store_to_complete(domain, current, target, deadline)
            if unmirrored and not override:
                raise StoreModeChangeRefused(str(unmirrored))
            return _record_change(row, current, target, user, reason, refusals + [unmirrored] * bool(unmirrored))
    except FenceBusy as busy:
        raise StoreModeChangeRefused(f"{busy}. Fix: try again (writes normally hold it for milliseconds).") from None
    except OperationalError as error:
        if not is_lock_contention(error):
            raise
        raise StoreModeChangeRefused(
            f"{domain}: a row the change needs (its mode, a pending mirror write or its record) was held by "
            f"another transaction ({error}); nothing changed. Fix: try again."
        ) from None


def store_to_complete(current: StoreMode, target: StoreMode) -> str | None:
    """The store whose pending mirror writes a change makes first: the one about to lead, or the one
    about to stop receiving writes (`dual → postgres`, `dual_mongo_primary → mongo`), whose pending
    entries the relay and repair would otherwise skip for good."""
    leaving = {
        (StoreMode.DUAL, StoreMode.POSTGRES): "mongo",
        (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.MONGO): "postgres",
    }
    return incoming_primary(current, target) or leaving.get((current, target))


def _mirror_to_store_to_complete(domain: str, current: StoreMode, target: StoreMode, deadline: float) -> Refusal | None:
    """Under the fence: make every pending mirror write to store_to_complete, or say why not.

    The bulk was mirrored before the fence by _premirror, so writers wait only for the tail."""
    incoming = store_to_complete(current, target)
    if incoming is None:
        return None
    remaining = outbox_drain(domain=domain, target=incoming, deadline=deadline, wait_for_locked=True).remaining
    return _unmirrored_refusal(domain, incoming, remaining) if remaining else None


def _premirror(domain: str, current: StoreMode, target: StoreMode, override: bool) -> None:
    """Mirror the backlog to store_to_complete while writes still flow; if that store is
    unreachable, refuse now rather than make every writer wait for the same failure under the fence."""
    incoming = store_to_complete(current, target)
    if incoming is None:
        return
    drain = outbox_drain(
        domain=domain, target=incoming, deadline=time.monotonic() + PREMIRROR_SECONDS, wait_for_locked=False
    )
    if drain.failed and not override:
        raise StoreModeChangeRefused(str(_unmirrored_refusal(domain, incoming, drain.remaining)))


def _unmirrored_refusal(domain: str, incoming: str, remaining: int) -> Refusal:
    return Refusal(
        f"{remaining} pending mirror write(s) of {domain} to {incoming} could not be made, so the change would "
        f"leave them behind ({incoming} unreachable, or more than {FENCED_DRAIN_SECONDS:g} s of backlog).",
        f"bring {incoming} back and run `manage.py repair_mirror --domain {domain}`, then change again.",
    )


def _record_change(row, current: StoreMode, target: StoreMode, user, reason: str, refusals: list) -> StoreModeChange:
    row.mode = target.value
    row.save(update_fields=["mode", "updated_at"])
    change = StoreModeChange.objects.create(
        domain=row.domain,
        from_mode=current.value,
        to_mode=target.value,
        changed_by=user,
        changed_by_name=user.get_username(),
        reason=reason.strip(),
        overridden_refusal="\n".join(str(refusal) for refusal in refusals),
    )
    invalidate_mode_cache_on_commit()
    return change


def store_mode_change_refusal(*, domain: str, to_mode: str, user, reason: str, override: bool = False) -> str | None:
    """Why store_mode_change would refuse this now, or None: for forms, before anything is written."""
    try:
        _checked_change(domain, to_mode, user, reason, override, lock=False)
    except StoreModeChangeRefused as refusal:
        return str(refusal)
    return None


def _checked_change(domain, to_mode, user, reason, override, *, lock: bool, expected=(None, None)):
    domain_spec(domain)
    try:
        target = parse_store_mode(to_mode, source="mode")
    except ValueError as error:
        raise StoreModeChangeRefused(str(error)) from None
    _check_actor(user, reason, override)
    row = _mode_row(domain, lock=lock)
    current = StoreMode(row.mode)
    _check_prepared_on(domain, current, *expected)
    _check_step(domain, current, target)
    refusals = failed_preconditions(domain, current, target)
    if refusals and not override:
        raise StoreModeChangeRefused(" ".join(str(refusal) for refusal in refusals))
    return row, current, target, refusals


def latest_mode_history_id(domain: str) -> int:
    """The id of `domain`'s latest mode change (0: none): the token a confirmation is bound to."""
    changes = StoreModeChange.objects.filter(domain=domain, kind=StoreModeChange.Kind.MODE)
    return changes.order_by("-created_at", "-id").values_list("id", flat=True).first() or 0


def _check_prepared_on(domain: str, current: StoreMode, expected_from: str | None, expected_history) -> None:
    """Refuse a change prepared on another state than now's, saying who changed the mode since, and when."""
    text = prepared_on_another_state(domain, current, expected_from, expected_history)
    if text:
        raise StoreModeChangeRefused(
            f"{text}Nothing changed: look at it again and prepare the change anew "
            f"(`manage.py store_mode {domain}` shows the current history token)."
        )


def prepared_on_another_state(domain: str, current: StoreMode, expected_from: str | None, expected_history) -> str:
    """Why a change prepared on (`expected_from`, `expected_history`) no longer fits, or "" (None: not checked)."""
    latest = latest_mode_history_id(domain)
    if expected_from is not None and current.value != expected_from:
        moved = f"{domain} is in {current.value} now, not {expected_from} as when this change was prepared. "
    elif expected_history is not None and latest != expected_history:
        moved = (
            f"{domain} is in {current.value} as when this change was prepared, but its mode was changed since "
            f"(history #{expected_history} then, #{latest} now). "
        )
    else:
        return ""
    return moved + latest_change_text(domain)


def latest_change_text(domain: str) -> str:
    """Who made `domain`'s latest mode change and when, as a sentence (for refusals), or ""."""
    change = StoreModeChange.objects.filter(domain=domain, kind=StoreModeChange.Kind.MODE).order_by(
        "-created_at", "-id"
    )
    latest = change.first()
    if latest is None:
        return ""
    return (
        f"Latest change: #{latest.pk} {latest.from_mode} → {latest.to_mode} by {latest.changed_by_name} at "
        f"{latest.created_at:%Y-%m-%d %H:%M:%S} UTC ({latest.reason[:80]!r}). "
    )


def store_mode_set_shadow_percent(*, domain: str, percent: int, user, reason: str) -> StoreModeChange:
    """Set the share of reads also made from the other store, audited like a mode change.

    Refused outside the dual modes (except turning shadow reads off), where there is no other store to compare."""
    try:
        with transaction.atomic():
            row, current = _checked_shadow_percent(domain, percent, user, reason, lock=True)
            change = StoreModeChange.objects.create(
                domain=domain,
                kind=StoreModeChange.Kind.SHADOW_PERCENT,
                from_mode=current.value,
                to_mode=current.value,
                from_shadow_percent=row.shadow_read_percent,
                to_shadow_percent=percent,
                changed_by=user,
                changed_by_name=user.get_username(),
                reason=reason.strip(),
            )
            row.shadow_read_percent = percent
            row.save(update_fields=["shadow_read_percent", "updated_at"])
            invalidate_mode_cache_on_commit()
    except OperationalError as error:
        if not is_lock_contention(error):
            raise
        raise StoreModeChangeRefused(f"{domain}: its mode row is held by a mode change; try again.") from None
    return change


def store_mode_shadow_percent_refusal(*, domain: str, percent, user, reason: str) -> str | None:
    """Why store_mode_set_shadow_percent would refuse this now, or None: for forms."""
    try:
        _checked_shadow_percent(domain, percent, user, reason, lock=False)
    except StoreModeChangeRefused as refusal:
        return str(refusal)
    return None


def _checked_shadow_percent(domain: str, percent, user, reason: str, *, lock: bool):
    domain_spec(domain)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise StoreModeChangeRefused(f"shadow read percent must be a whole number from 0 to 100, got {percent!r}")
    _check_actor(user, reason, False, what="a shadow read percent change")
    row = _mode_row(domain, lock=lock)
    current = StoreMode(row.mode)
    if percent == row.shadow_read_percent:
        raise StoreModeChangeRefused(f"{domain} already reads {percent}% in shadow")
    if percent and not current.is_dual:
        raise StoreModeChangeRefused(
            f"shadow reads run only in the dual modes, and {domain} is in {current.value} (one store only); "
            f"set it after moving {domain} to a dual mode (0 is always allowed)"
        )
    return row, current


def _check_actor(user, reason: str, override: bool, *, what: str = "a store mode change") -> AuditedDecision:
    permissions = [CHANGE_PERMISSION, *([OVERRIDE_PERMISSION] if override else [])]
    return audited_decision(
        user=user, permissions=permissions, reason=reason, what=what, refused=StoreModeChangeRefused
    )


def _check_step(domain: str, current: StoreMode, target: StoreMode) -> None:
    if current is target:
        raise StoreModeChangeRefused(f"{domain} is already in {current.value}")
    if not is_one_step(current, target):
        raise StoreModeChangeRefused(
            f"{domain} can move one step at a time: from {current.value} "
            f"only to a neighbour in mongo → dual_mongo_primary → dual → postgres, not to {target.value}"
        )


def _mode_row(domain: str, *, lock: bool) -> DomainStoreMode:
    current_mode_state(domain)  # creates the row from its first mode if it is missing
    rows = DomainStoreMode.objects.select_for_update() if lock else DomainStoreMode.objects
    return rows.get(domain=domain)
