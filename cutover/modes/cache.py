"""Per-process cache of store modes.

Repository resolution is on every request's hot path, so modes are read from
Postgres at most once per CUTOVER_MODE_CACHE_SECONDS per process (all domains
in one query). An admin change is therefore seen by every web process, worker
and command within that period; the process that made it sees it at commit.
"""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from cutover.modes.registry import domain_names, domain_spec, flag_mode
from cutover.modes.store_mode import StoreMode

clock = time.monotonic  # the cache's clock (a test moves it forward instead of sleeping)


@dataclass(frozen=True)
class ModeState:
    mode: StoreMode
    shadow_read_percent: int


_lock = threading.Lock()
_states: dict[str, ModeState] = {}
_loaded_at = float("-inf")


def current_mode_state(domain: str) -> ModeState:
    domain_spec(domain)  # an unknown domain is an error, not a default
    with _lock:
        fresh = clock() - _loaded_at < settings.CUTOVER_MODE_CACHE_SECONDS
        if not fresh or domain not in _states:
            _reload()
        return _states[domain]


def current_mode(domain: str) -> StoreMode:
    return current_mode_state(domain).mode


def invalidate_mode_cache() -> None:
    global _loaded_at
    with _lock:
        _loaded_at = float("-inf")


def invalidate_mode_cache_on_commit() -> None:
    transaction.on_commit(invalidate_mode_cache)


def _reload() -> None:
    global _loaded_at
    from cutover.models import DomainStoreMode

    rows = {row.domain: row for row in DomainStoreMode.objects.all()}
    missing = [name for name in domain_names() if name not in rows]
    if missing:
        _create_first_modes(missing)
        rows = {row.domain: row for row in DomainStoreMode.objects.all()}
    _states.clear()
    for name, row in rows.items():
        _states[name] = ModeState(StoreMode(row.mode), row.shadow_read_percent)
    _loaded_at = clock()


def _create_first_modes(domains: list[str]) -> None:
    """A domain's first mode comes from its legacy flag (DomainSpec.flag, e.g. DISPUTE_STORE), else mongo. A flag
    past `mongo` skipped the way there, so its first mode goes into the mode history saying so (first_modes)."""
    from cutover.models import DomainStoreMode
    from cutover.modes.first_modes import create_first_mode_from_flag

    def first_mode(name: str) -> str:
        return flag_mode(name) or StoreMode.MONGO.value

    flagged = [name for name in domains if first_mode(name) != StoreMode.MONGO.value]
    for name in flagged:
        create_first_mode_from_flag(name, StoreMode(first_mode(name)))
    DomainStoreMode.objects.bulk_create(
        [DomainStoreMode(domain=name, mode=StoreMode.MONGO.value) for name in domains if name not in flagged],
        ignore_conflicts=True,  # another process may create them at the same moment
    )
