"""Does anything need MongoDB right now? The one answer to MONGO_CONNECT_MODE.

- auto: Mongo is touched only while some domain's mode needs it (every mode but
  `postgres` reads or writes it). With every domain on `postgres` the scheduled
  purges, the repair task, shadow reads and ensure_mongo_indexes open no client.
- required: a process refuses to start when Mongo is unreachable
  (`require_mongo_at_startup`), and health fails when it goes away.
- disabled: nothing connects (escrow_project.mongo refuses); a mode change that
  would need Mongo is refused (cutover.operations.preconditions).

Operator commands that exist to read or write Mongo (backfill, verify,
`backfill --reverse` before a rollback) still use it when asked to.
"""

from django.conf import settings
from pymongo.errors import PyMongoError

from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode

REQUIRED, OPTIONAL, DISABLED = "required", "optional", "disabled"


def domains_using_mongo(live_modes: dict[str, StoreMode] | None = None) -> list[str]:
    """The registered domains whose live mode reads or writes Mongo: by `live_modes` (health reads them from
    Postgres itself), else by this process's mode cache."""
    if live_modes is None:
        live_modes = {name: current_mode(name) for name in domain_names()}
    return sorted(name for name, mode in live_modes.items() if mode.writes_mongo)


def mongo_role(live_modes: dict[str, StoreMode] | None = None) -> str:
    """`disabled` (MONGO_CONNECT_MODE), `required` (some domain still uses Mongo) or `optional` (none does)."""
    if settings.MONGO_CONNECT_MODE == DISABLED:
        return DISABLED
    return REQUIRED if domains_using_mongo(live_modes) else OPTIONAL


def mongo_may_be_used_for(domain: str) -> bool:
    """Whether background work (purges, mirror repair) of `domain` may touch Mongo now."""
    return settings.MONGO_CONNECT_MODE != DISABLED and current_mode(domain).writes_mongo


def mongo_needed_because(live_modes: dict[str, StoreMode] | None = None) -> str:
    """Why an unreachable Mongo makes this deployment unhealthy, or "" when it does not."""
    if settings.MONGO_CONNECT_MODE == DISABLED:
        return ""
    if settings.MONGO_CONNECT_MODE == REQUIRED:
        return "MONGO_CONNECT_MODE=required"
    using = domains_using_mongo(live_modes)
    return f"{len(using)} domain(s) still use it" if using else ""


def ping_mongo(timeout_ms: int | None = None) -> None:
    """Raise a PyMongoError unless Mongo answers a ping within `timeout_ms` (default MONGO_TIMEOUT_MS).

    A short-lived client of its own, so a ping never waits behind (or breaks) the shared one's pool."""
    from escrow_project.mongo import probe_mongo

    probe_mongo(timeout_ms or settings.MONGO_TIMEOUT_MS)


def require_mongo_at_startup() -> None:
    """MONGO_CONNECT_MODE=required: refuse to start a process that cannot reach Mongo."""
    from django.core.exceptions import ImproperlyConfigured

    from escrow_project.mongo import mongo_store_label

    if settings.MONGO_CONNECT_MODE != REQUIRED:
        return
    try:
        ping_mongo()
    except PyMongoError as error:
        first = (str(error).splitlines() or [""])[0][:200]
        raise ImproperlyConfigured(
            f"MONGO_CONNECT_MODE=required, but MongoDB ({mongo_store_label()}) did not answer within "
            f"MONGO_TIMEOUT_MS={settings.MONGO_TIMEOUT_MS}: {type(error).__name__}: {first}. Start refused. "
            f"Bring Mongo back, or set MONGO_CONNECT_MODE=auto to run while no domain needs it."
        ) from None
