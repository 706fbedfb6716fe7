"""Helpers for tests (and scripts) that need a domain in a given store mode."""

from contextlib import contextmanager
from urllib.parse import quote

from django.db import connection

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


def database_url_for_other_processes() -> str:
    """A DATABASE_URL naming the database this process uses now (a test or scratch one),
    for a worker or relay started beside it."""
    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "127.0.0.1"), safe="")
    port = params.get("port") or 5432
    return f"postgres://{params.get('user') or 'postgres'}@{host}:{port}/{params['dbname']}"
