"""MIGRATION_PG_URL: the legacy runbook's name for the backfill's Postgres, defaulting to DATABASE_URL."""

import subprocess
import sys
from pathlib import Path

import pytest

from accounts.domain import AUTH_DOMAIN
from accounts.records import UserRecord
from cutover.models import BackfillRun, VerifyResult
from cutover.store.legacy import new_id, now_ms
from cutover.testing import database_url_for_other_processes
from tests.conftest import other_process_env

ROOT = Path(__file__).resolve().parent.parent.parent


def _a_legacy_user() -> UserRecord:
    at = now_ms()
    user = UserRecord(
        id=new_id(),
        email="legacy@example.com",
        password_hash="$2b$12$hash",
        role="user",
        display_name="Legacy",
        telegram_id=None,
        is_verified=True,
        level=1,
        created_at=at,
        updated_at=at,
    )
    AUTH_DOMAIN.build_mongo_repository().put_snapshot(user)
    return user


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=other_process_env(CUTOVER_LOG_LEVEL="ERROR", **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_backfill_and_verify_write_to_migration_pg_url_not_database_url(shared_mongo):
    user = _a_legacy_user()
    elsewhere = {  # a DATABASE_URL nothing may touch: the database does not exist
        "DATABASE_URL": "postgres://root@127.0.0.1:5432/no_such_database_escrow",
        "MIGRATION_PG_URL": database_url_for_other_processes(),
    }
    backfill = _manage("backfill", "auth", **elsewhere)
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    verify = _manage("verify", "auth", **elsewhere)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert AUTH_DOMAIN.build_postgres_repository().get_snapshot("users", user.id) == user
    assert BackfillRun.objects.filter(domain="auth", status="finished").exists()
    assert VerifyResult.objects.filter(domain="auth", passed=True).exists()


def test_without_migration_pg_url_a_missing_database_url_database_is_where_backfill_fails(shared_mongo):
    """The control: the same run with only the unusable DATABASE_URL fails, so the test above proves the swap."""
    result = _manage("backfill", "auth", DATABASE_URL="postgres://root@127.0.0.1:5432/no_such_database_escrow")
    assert result.returncode != 0
    assert "no_such_database_escrow" in result.stderr


def test_migration_pg_url_must_be_postgres_and_is_not_for_celery_shards(shared_mongo):
    bad = _manage("check", MIGRATION_PG_URL="mysql://x@y/z")
    assert bad.returncode != 0 and "MIGRATION_PG_URL must be a postgres:// URL" in bad.stderr
    shards = _manage("backfill", "auth", "--via-celery", MIGRATION_PG_URL="postgres://root@127.0.0.1:5432/x")
    assert shards.returncode != 0
    assert "--via-celery runs on the workers, which write their own DATABASE_URL" in shards.stderr
