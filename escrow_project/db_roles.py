"""Two PostgreSQL roles: an owner that runs migrations, a runtime role for the app and its workers.

Why: the funds ledger is append-only, enforced by a trigger (ledger migration 0002, cutover 0007). A role
that owns the table can disable, drop or replace that trigger, so the app must not own it. The owner
(MIGRATE_DATABASE_URL, the `owner` alias) creates every table; the runtime role (DATABASE_URL, the
`default` alias) gets SELECT, INSERT, UPDATE and DELETE on every table, and only SELECT and INSERT on the
append-only ones: no UPDATE, DELETE, TRUNCATE, TRIGGER or REFERENCES, no ownership, no CREATE in the schema.

`migrate` and `flush` run through the owner alias when one is configured (cutover's overrides of those
commands); every migrate ends by granting again (post_migrate), so new tables are covered and the
append-only ones stay revoked. `manage.py create_runtime_role` creates the role named by DATABASE_URL.
"""

import logging
import re

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("escrow_project.db_roles")

OWNER_ALIAS = "owner"
# Tables the runtime role may only read and append to. One place: the grants and the tests read it.
APPEND_ONLY_TABLES = ("funds_ledger_entries",)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RuntimeRoleError(Exception):
    """A runtime role that cannot be created or granted as asked; the message says why."""


def owner_alias(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The alias that owns `alias`'s database: `owner` for the default one when configured, else itself."""
    return OWNER_ALIAS if alias == DEFAULT_DB_ALIAS and OWNER_ALIAS in settings.DATABASES else alias


def runtime_role_name() -> str | None:
    """The runtime role (DATABASE_URL's user) when an owner role distinct from it runs migrations."""
    if OWNER_ALIAS not in settings.DATABASES:
        return None
    runtime = connections[DEFAULT_DB_ALIAS].get_connection_params().get("user")
    owner = connections[OWNER_ALIAS].get_connection_params().get("user")
    return runtime if runtime and runtime != owner else None


def checked_role_name(role: str) -> str:
    if not _ROLE_NAME.match(role or ""):
        raise RuntimeRoleError(
            f"runtime role name {role!r} is not allowed: use lowercase letters, digits and _ (at most 63)"
        )
    return role


# A new role states every attribute. An existing one is altered only in what an owner with CREATEROLE (not a
# superuser) may change: PostgreSQL refuses any ALTER ROLE naming SUPERUSER, REPLICATION or BYPASSRLS (even
# their NO form) to a non-superuser, and a role created by this command never has them; if someone gave them,
# runtime_role_problems reports it.
_NEW_ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
_EXISTING_ROLE_ATTRIBUTES = "LOGIN NOCREATEDB NOCREATEROLE NOINHERIT"


def create_role_sql(role: str, password: str | None, quote_literal, *, exists: bool = False) -> str:
    """One statement: CREATE the login role with its password (or, if it `exists`, ALTER it), so a failure
    leaves no role behind without its password."""
    role = checked_role_name(role)
    secret = f" PASSWORD {quote_literal(password)}" if password else ""
    if exists:
        return f'ALTER ROLE "{role}" {_EXISTING_ROLE_ATTRIBUTES}{secret}'
    return f'CREATE ROLE "{role}" {_NEW_ROLE_ATTRIBUTES}{secret}'


def grant_sql(role: str, database: str, append_only: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    """Everything the runtime role may do in `database`, and nothing more on the append-only tables (those of
    `append_only` that exist: on a database not migrated yet there are none, and `migrate` grants again)."""
    role = checked_role_name(role)
    statements = [
        f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"',
        f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]
    for table in append_only:
        statements.append(f'REVOKE ALL ON "{table}" FROM "{role}"')
        statements.append(f'GRANT SELECT, INSERT ON "{table}" TO "{role}"')
    return statements


def runtime_role_create(*, role: str, password: str | None = None, using: str = OWNER_ALIAS) -> None:
    """Create the runtime role (as the owner connection `using`, which needs CREATEROLE) and grant it."""
    runtime_role_ensure(role=role, password=password, using=using)
    runtime_role_grant(role=role, using=using)


def runtime_role_ensure(*, role: str, password: str | None = None, using: str = OWNER_ALIAS) -> None:
    """The login role exists with the attributes of a runtime role (and `password`, if given). Roles belong
    to the server, not a database: this runs on the server's maintenance database, so it works before the
    application's database exists (a test run)."""
    from psycopg import sql

    with connections[using]._nodb_cursor() as cursor:
        raw = cursor.cursor.connection
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
        quote = lambda value: sql.Literal(value).as_string(raw)  # noqa: E731
        cursor.execute(create_role_sql(role, password, quote, exists=exists))


def runtime_role_grant(*, role: str, using: str = OWNER_ALIAS) -> None:
    database = connections[using].get_connection_params()["dbname"]
    if not runtime_role_exists(role=role, using=using):
        raise RuntimeRoleError(f"role {role!r} does not exist; run `manage.py create_runtime_role` first")
    # A first deployment creates the role before `migrate` made the tables: grant what exists (ALL TABLES covers
    # no ledger then), and `migrate` grants again once it has made them.
    _execute(using, grant_sql(role, database, _existing_tables(APPEND_ONLY_TABLES, using)))
    logger.info("granted runtime role %s in %s (append-only: %s)", role, database, ", ".join(APPEND_ONLY_TABLES))


def _existing_tables(tables: tuple[str, ...], using: str) -> tuple[str, ...]:
    with connections[using].cursor() as cursor:
        return tuple(table for table in tables if _exists(cursor, table))


def _exists(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f'public."{table}"'])
    return cursor.fetchone()[0]


def runtime_role_exists(*, role: str, using: str = OWNER_ALIAS) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def runtime_role_problems(*, role: str, using: str = OWNER_ALIAS) -> list[str]:
    """What makes `role` more than a runtime role: attributes, memberships, ownership, ledger privileges."""
    problems = []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = %s", [role]
        )
        row = cursor.fetchone()
        if row is None:
            return [f"role {role!r} does not exist"]
        attributes = ("superuser", "createrole", "createdb", "bypassrls")
        problems += [name for name, bad in zip(attributes, row, strict=True) if bad]
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_has_role(%s, c.relowner, 'MEMBER')",
            [role],
        )
        problems += [f"owns {name}" for (name,) in cursor.fetchall()]
        for table in _existing_tables(APPEND_ONLY_TABLES, using):  # not migrated yet: nothing to hold
            for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
                if cursor.fetchone()[0]:
                    problems.append(f"{privilege} on {table}")
    return problems


def grant_runtime_role_after_migrate(*, using: str, **kwargs) -> None:
    """post_migrate: every migrate as the owner ends with the runtime role's grants re-applied."""
    role = runtime_role_name()
    if using != OWNER_ALIAS or role is None:
        return
    try:
        runtime_role_grant(role=role, using=using)
    except RuntimeRoleError as error:
        logger.warning("runtime role not granted: %s", error)


def _execute(using: str, statements: list[str]) -> None:
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
