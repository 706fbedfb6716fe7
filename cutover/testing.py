"""Helpers for tests (and scripts) that need a domain in a given store mode."""

from urllib.parse import quote

from django.db import connection

from cutover.models import DomainStoreMode
from cutover.modes.cache import invalidate_mode_cache
from cutover.modes.store_mode import StoreMode


def set_store_mode(domain: str, mode: StoreMode | str, *, shadow_read_percent: int = 0) -> None:
    """Force a mode without the guards or the audit: for test set-up only."""
    DomainStoreMode.objects.update_or_create(
        domain=domain, defaults={"mode": StoreMode(mode).value, "shadow_read_percent": shadow_read_percent}
    )
    invalidate_mode_cache()


def database_url_for_other_processes() -> str:
    """A DATABASE_URL naming the database this process uses now (a test or scratch one),
    for a worker or relay started beside it. A Unix socket directory (the embedded server)
    goes in the query string, the form django-environ passes on to libpq as it is."""
    params = connection.get_connection_params()
    host, port = str(params.get("host") or "127.0.0.1"), params.get("port") or 5432
    user, name = params.get("user") or "postgres", params["dbname"]
    if host.startswith("/"):
        return f"postgres://{user}@/{name}?host={quote(host)}&port={port}"
    return f"postgres://{user}@{host}:{port}/{name}"
