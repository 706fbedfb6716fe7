"""`create_runtime_role` run by an owner that has CREATEROLE and is not a superuser (README, "Deployment: two
database roles"), on a PostgreSQL of the test's own with password authentication: the runtime role logs in
with DATABASE_URL's password, a rerun works, and a refused run leaves no role behind."""

import subprocess
import sys

import psycopg
import pytest

from tests.conftest import ROOT

OWNER, OWNER_PASSWORD = "escrow_owner", "owner-secret-1"
APP, APP_PASSWORD = "escrow_app", "app-secret-2"


def _set_up(server, *, createrole: bool) -> None:
    server.execute(
        f"CREATE ROLE {OWNER} LOGIN {'CREATEROLE' if createrole else ''} PASSWORD '{OWNER_PASSWORD}'",
        f"CREATE DATABASE escrow OWNER {OWNER}",
    )
    server.execute(f"ALTER SCHEMA public OWNER TO {OWNER}", database="escrow")


def _manage(server, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "test-only-secret-key",
        "ESCROW_ENV_FILE": "",
        "MONGO_CONNECT_MODE": "disabled",
        "MIGRATE_DATABASE_URL": server.url(OWNER, OWNER_PASSWORD, "escrow"),
        "DATABASE_URL": server.url(APP, APP_PASSWORD, "escrow"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _role_exists(server) -> bool:
    with psycopg.connect(server.url(server.superuser, server.superuser)) as connection:
        return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP]).fetchone() is not None


def test_an_owner_with_createrole_creates_a_runtime_role_that_logs_in_with_its_password(own_postgres):
    _set_up(own_postgres, createrole=True)
    migrated = _manage(own_postgres, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    for attempt in ("first run", "rerun"):
        done = _manage(own_postgres, "create_runtime_role")
        assert done.returncode == 0, f"{attempt}: {done.stderr}"
        assert f"runtime role '{APP}': created and granted" in done.stdout
        with psycopg.connect(own_postgres.url(APP, APP_PASSWORD, "escrow")) as connection:
            assert connection.execute("SELECT count(*) FROM funds_ledger_entries").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("DELETE FROM funds_ledger_entries")


def test_a_refused_create_leaves_no_role_without_a_password(own_postgres):
    _set_up(own_postgres, createrole=False)
    done = _manage(own_postgres, "create_runtime_role")
    assert done.returncode == 1
    assert f"runtime role '{APP}' not created: permission denied to create role" in done.stderr
    assert not _role_exists(own_postgres)


def test_a_first_deployment_creates_the_role_before_migrate_and_the_ledger_is_append_only_after(own_postgres):
    """deploy/'s set-up order (compose.yaml, escrow-setup.service): the role on an empty database, then migrate,
    whose grants make the ledger append-only for it (the walk of the deployment found the role step refused)."""
    _set_up(own_postgres, createrole=True)
    done = _manage(own_postgres, "create_runtime_role")
    assert done.returncode == 0, done.stderr
    migrated = _manage(own_postgres, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    with psycopg.connect(own_postgres.url(APP, APP_PASSWORD, "escrow")) as connection:
        assert connection.execute("SELECT count(*) FROM funds_ledger_entries").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("DELETE FROM funds_ledger_entries")
