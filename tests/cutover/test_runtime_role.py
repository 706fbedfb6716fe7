"""The runtime role is created and granted by one command, re-granted by every migrate, and configured
by two URLs that must name the same database."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connections

from escrow_project.db_roles import (
    OWNER_ALIAS,
    RuntimeRoleError,
    checked_role_name,
    grant_runtime_role_after_migrate,
    runtime_role_name,
    runtime_role_problems,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])


def test_create_runtime_role_creates_and_grants_what_database_url_names(capsys):
    call_command("create_runtime_role")
    assert f"runtime role {runtime_role_name()!r}: created and granted" in capsys.readouterr().out
    assert runtime_role_problems(role=runtime_role_name()) == []


def test_print_sql_shows_the_grants_for_a_dba_and_no_password(capsys):
    call_command("create_runtime_role", "--print-sql")
    sql = capsys.readouterr().out
    assert 'GRANT SELECT, INSERT ON "funds_ledger_entries"' in sql
    assert 'REVOKE ALL ON "funds_ledger_entries"' in sql
    assert "NOSUPERUSER NOCREATEDB NOCREATEROLE" in sql and "PASSWORD" not in sql


def test_every_migrate_takes_back_what_the_runtime_role_should_not_have():
    role = runtime_role_name()
    with connections[OWNER_ALIAS].cursor() as cursor:
        cursor.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON funds_ledger_entries TO "{role}"')
    assert set(runtime_role_problems(role=role)) == {
        "UPDATE on funds_ledger_entries",
        "DELETE on funds_ledger_entries",
        "TRUNCATE on funds_ledger_entries",
    }
    grant_runtime_role_after_migrate(using=OWNER_ALIAS)  # what post_migrate runs after `migrate`
    assert runtime_role_problems(role=role) == []


def test_a_tainted_role_is_reported():
    role = runtime_role_name()
    with connections[OWNER_ALIAS].cursor() as cursor:
        cursor.execute(f'ALTER ROLE "{role}" CREATEDB')
    try:
        assert "createdb" in runtime_role_problems(role=role)
    finally:
        with connections[OWNER_ALIAS].cursor() as cursor:
            cursor.execute(f'ALTER ROLE "{role}" NOCREATEDB')


@pytest.mark.parametrize("name", ["Bad", "x; DROP ROLE postgres", "", "a" * 64, '"quoted"'])
def test_role_names_that_would_need_quoting_are_refused(name):
    with pytest.raises(RuntimeRoleError, match="is not allowed"):
        checked_role_name(name)


def test_the_owner_url_must_name_the_same_database():
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://app@127.0.0.1:5432/escrow",
        "MIGRATE_DATABASE_URL": "postgres://owner@127.0.0.1:5432/other",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "configuration error: MIGRATE_DATABASE_URL must name the same database as DATABASE_URL (it is the same "
        "database, as its owner role): 'other' != 'escrow'"
    ]
