"""The stores a backfill or verify process works on, as the legacy runbook names them.

The runbook's variables work unchanged: MIGRATION_MONGO_URL is the source (else
MONGO_URL) and MIGRATION_PG_URL the Postgres target (else DATABASE_URL). The
target is this process's whole database, so its runs, checkpoints, rejects and
verify results land beside the rows they describe.
"""

import environ
from django.conf import settings
from django.db import connections


class MigrationStoresUnusable(Exception):
    """A backfill or verify cannot start with these settings; str() says why and what to set."""


def prepare_migration_process(command: str, *, via_celery: bool = False) -> None:
    """Refuse early what would fail deep inside, then point this process at MIGRATION_PG_URL if set."""
    if settings.MONGO_CONNECT_MODE == "disabled":
        raise MigrationStoresUnusable(
            f"{command} reads (or, reversed, writes) the legacy MongoDB, and MONGO_CONNECT_MODE=disabled: this "
            f"process may not connect to it. Run {command} with MONGO_CONNECT_MODE=auto (and MONGO_URL or "
            f"MIGRATION_MONGO_URL set)."
        )
    if settings.MIGRATION_PG_URL and via_celery:
        raise MigrationStoresUnusable(
            "--via-celery runs on the workers, which write their own DATABASE_URL: unset MIGRATION_PG_URL and "
            "give the workers the target as DATABASE_URL, or run without --via-celery."
        )
    if settings.MIGRATION_PG_URL:
        use_database(settings.MIGRATION_PG_URL)


def use_database(url: str) -> None:
    """Make `url` this process's default database from the next query on (closing the current connection)."""
    config = environ.Env.db_url_config(url)
    config["CONN_MAX_AGE"] = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    connections["default"].close()
    connections.settings["default"] = connections.configure_settings({"default": config})["default"]
    del connections["default"]
