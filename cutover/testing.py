"""Helpers for tests (and scripts) that need a domain in a given store mode."""

from contextlib import contextmanager

from .mode_cache import invalidate_mode_cache
from .models import DomainStoreMode
from .modes import StoreMode


def set_store_mode(domain: str, mode: StoreMode | str, *, shadow_read_percent: int = 0) -> None:
    """Force a mode without the guards or the audit: for test set-up only."""
    DomainStoreMode.objects.update_or_create(
        domain=domain, defaults={"mode": StoreMode(mode).value, "shadow_read_percent": shadow_read_percent}
    )
    invalidate_mode_cache()


@contextmanager
def store_mode(domain: str, mode: StoreMode | str, *, shadow_read_percent: int = 0):
    previous = DomainStoreMode.objects.filter(domain=domain).first()
    set_store_mode(domain, mode, shadow_read_percent=shadow_read_percent)
    try:
        yield
    finally:
        if previous is not None:
            set_store_mode(domain, previous.mode, shadow_read_percent=previous.shadow_read_percent)
