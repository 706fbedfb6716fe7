"""Store mode changes: the one write path, shared by admin and the CLI."""

from django.db import transaction

from .mode_cache import current_mode_state, invalidate_mode_cache_on_commit
from .models import DomainStoreMode, StoreModeChange
from .modes import StoreMode, is_one_step, parse_store_mode
from .preconditions import failed_preconditions
from .registry import domain_spec

CHANGE_PERMISSION = "cutover.change_store_mode"
OVERRIDE_PERMISSION = "cutover.override_store_mode_guard"


class StoreModeChangeRefused(Exception):
    """A mode change that may not happen; str() says why and how to fix it."""


def store_mode_change(*, domain: str, to_mode: str, user, reason: str, override: bool = False) -> StoreModeChange:
    """Move `domain` one step to `to_mode`, audited; refuse when unsafe.

    A failed precondition refuses the change unless `override` is set by a
    user holding the override permission; the refusal is then kept in the audit.
    """
    with transaction.atomic():
        row, current, target, refusals = _checked_change(domain, to_mode, user, reason, override, lock=True)
        row.mode = target.value
        row.save(update_fields=["mode", "updated_at"])
        change = StoreModeChange.objects.create(
            domain=domain,
            from_mode=current.value,
            to_mode=target.value,
            changed_by=user,
            changed_by_name=user.get_username(),
            reason=reason.strip(),
            overridden_refusal=" ".join(str(refusal) for refusal in refusals),
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


def _checked_change(domain, to_mode, user, reason, override, *, lock: bool):
    domain_spec(domain)
    try:
        target = parse_store_mode(to_mode, source="mode")
    except ValueError as error:
        raise StoreModeChangeRefused(str(error)) from None
    _check_actor(user, reason, override)
    row = _mode_row(domain, lock=lock)
    current = StoreMode(row.mode)
    _check_step(domain, current, target)
    refusals = failed_preconditions(domain, current, target)
    if refusals and not override:
        raise StoreModeChangeRefused(" ".join(str(refusal) for refusal in refusals))
    return row, current, target, refusals


def store_mode_set_shadow_percent(*, domain: str, percent: int, user) -> DomainStoreMode:
    if not 0 <= percent <= 100:
        raise StoreModeChangeRefused(f"shadow read percent must be 0-100, got {percent}")
    if not user.has_perm(CHANGE_PERMISSION):
        raise StoreModeChangeRefused(f"{user.get_username()} lacks the permission {CHANGE_PERMISSION}")
    with transaction.atomic():
        row = _mode_row(domain, lock=True)
        row.shadow_read_percent = percent
        row.save(update_fields=["shadow_read_percent", "updated_at"])
        invalidate_mode_cache_on_commit()
    return row


def _check_actor(user, reason: str, override: bool) -> None:
    if not user.has_perm(CHANGE_PERMISSION):
        raise StoreModeChangeRefused(f"{user.get_username()} lacks the permission {CHANGE_PERMISSION}")
    if override and not user.has_perm(OVERRIDE_PERMISSION):
        raise StoreModeChangeRefused(f"{user.get_username()} lacks the permission {OVERRIDE_PERMISSION}")
    if not reason or not reason.strip():
        raise StoreModeChangeRefused("a store mode change needs a reason")


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
