"""Helpers for tests (and scripts) that need a domain in a given store mode."""

import copy
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


def use_runtime_and_owner_roles() -> None:
    """Tests run as the two roles production uses (escrow_project/db_roles.py). Given one DATABASE_URL (a role
    that may create databases and roles, as CI's is), that role becomes the owner and the app's
    connection logs in as `<database>_runtime`, a role of this database's own, so test runs of
    different databases on one server never share a role."""
    from django.conf import settings

    from escrow_project.db_roles import OWNER_ALIAS

    if OWNER_ALIAS in settings.DATABASES:
        return
    default = settings.DATABASES["default"]
    settings.DATABASES[OWNER_ALIAS] = copy.deepcopy(default)
    default["USER"] = f"{default['NAME']}_runtime"
    default["PASSWORD"] = ""


def setup_databases_as_owner(*, verbosity: int = 0, keepdb: bool = False):
    """Django's setup_databases, but a scratch (test) database is created and migrated by the owner role
    and the app's connection then uses it as the runtime role. With one role, just setup_databases."""
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases

    from escrow_project.db_roles import OWNER_ALIAS, runtime_role_ensure

    if OWNER_ALIAS not in settings.DATABASES:
        return setup_databases(verbosity=verbosity, interactive=False, keepdb=keepdb)
    runtime_role_ensure(role=connections["default"].settings_dict["USER"], using=OWNER_ALIAS)
    config = setup_databases(
        verbosity=verbosity, interactive=False, aliases={OWNER_ALIAS}, serialized_aliases=set(), keepdb=keepdb
    )
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = connections[OWNER_ALIAS].settings_dict["NAME"]
    return config


def teardown_databases_as_owner(config, *, verbosity: int = 0) -> None:
    from django.db import connections
    from django.test.utils import teardown_databases

    connections["default"].close()
    teardown_databases(config, verbosity=verbosity)
