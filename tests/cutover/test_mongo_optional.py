"""MONGO_CONNECT_MODE, exactly: with every domain on postgres (auto) nothing opens a Mongo client; required
refuses to start without Mongo; disabled connects to nothing and says so where Mongo would be needed."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.services import purge_expired_telegram_sessions, purge_expired_temp_verifications
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import StoreModeChangeRefused, store_mode_change
from cutover.testing import set_store_mode
from disputes import selectors as dispute_selectors
from escrow_project.mongo import reset_mongo_clients
from notifications.services import purge_old_notifications
from tests.conftest import CLOSED_PORT_MONGO_URL
from tests.mongo_tripwire import MongoClientGuard

ROOT = Path(__file__).resolve().parent.parent.parent


def _all(mode: StoreMode, **except_for: StoreMode) -> None:
    for name in domain_names():
        set_store_mode(name, except_for.get(name, mode), shadow_read_percent=100 if mode.is_dual else 0)


@pytest.fixture
def no_mongo(settings, monkeypatch):
    """Mongo at a closed port, and any attempt to build a client recorded and refused."""
    settings.MONGO_URL = CLOSED_PORT_MONGO_URL
    reset_mongo_clients()
    return MongoClientGuard(monkeypatch)


def _pending_mirror_writes(domain: str, count: int) -> None:
    for index in range(count):
        MirrorOutboxEntry.objects.create(
            domain=domain, collection="disputes", record_id=f"{index:024x}", target="mongo"
        )


@pytest.mark.django_db
def test_all_on_postgres_the_purges_open_no_mongo_client(no_mongo):
    _all(StoreMode.POSTGRES)
    assert purge_expired_telegram_sessions() == 0
    assert purge_expired_temp_verifications() == 0
    assert purge_old_notifications() == 0
    assert no_mongo.attempts == []


@pytest.mark.django_db
def test_the_guard_sees_a_purge_that_does_use_mongo(no_mongo):
    """The proof above can fail: a domain in a dual mode purges Mongo too."""
    _all(StoreMode.POSTGRES, notification=StoreMode.DUAL)
    with pytest.raises(AssertionError, match="Mongo client was built"):
        purge_old_notifications()
    assert no_mongo.attempts == [CLOSED_PORT_MONGO_URL]


@pytest.mark.django_db
def test_all_on_postgres_the_repair_leaves_mirror_writes_alone_and_opens_nothing(no_mongo):
    _all(StoreMode.POSTGRES)
    _pending_mirror_writes("dispute", 3)
    report = outbox_repair_pending()
    assert (report.repaired, report.failed, report.skipped) == (0, 0, 0)
    assert MirrorOutboxEntry.objects.filter(status="pending").count() == 3
    assert no_mongo.attempts == []


@pytest.mark.django_db
def test_a_domain_named_by_an_operator_is_repaired_whatever_its_mode(no_mongo):
    _all(StoreMode.POSTGRES)
    _pending_mirror_writes("dispute", 1)
    outbox_repair_pending(domain="dispute")  # the explicit `repair_mirror --domain dispute`
    assert no_mongo.attempts  # it tried: Mongo is where those writes go


@pytest.mark.django_db
def test_the_repair_still_mirrors_domains_that_use_mongo(no_mongo):
    _all(StoreMode.POSTGRES, dispute=StoreMode.DUAL)
    _pending_mirror_writes("dispute", 1)
    outbox_repair_pending()
    assert no_mongo.attempts


@pytest.mark.django_db(transaction=True)
def test_all_on_postgres_shadow_reads_never_reach_mongo(no_mongo):
    for name in domain_names():
        set_store_mode(name, StoreMode.POSTGRES, shadow_read_percent=100)
    assert dispute_selectors.disputes_for_dashboard(status="open") == []
    assert dispute_selectors.dispute_get(dispute_id="a" * 24) is None
    assert no_mongo.attempts == []


@pytest.mark.django_db
def test_ensure_mongo_indexes_says_why_it_did_nothing(no_mongo):
    _all(StoreMode.POSTGRES)
    out = StringIO()
    call_command("ensure_mongo_indexes", stdout=out)
    assert "nothing to do: no domain uses MongoDB, so no connection was opened" in out.getvalue()
    assert no_mongo.attempts == []


@pytest.mark.django_db
def test_ensure_mongo_indexes_skips_the_domains_on_postgres_and_names_them(settings):
    _all(StoreMode.POSTGRES, auth=StoreMode.MONGO)
    out = StringIO()
    call_command("ensure_mongo_indexes", stdout=out)
    assert "skipped marketplace, payment" in out.getvalue()
    assert "auth: users.email_1 created" in out.getvalue()
    assert "dispute:" not in out.getvalue()


@pytest.mark.django_db
def test_disabled_the_purges_run_on_postgres_instead_of_raising(settings, no_mongo):
    settings.MONGO_CONNECT_MODE = "disabled"
    _all(StoreMode.POSTGRES)
    assert purge_old_notifications() == 0
    assert purge_expired_telegram_sessions() == 0
    out = StringIO()
    call_command("ensure_mongo_indexes", stdout=out)
    assert "MONGO_CONNECT_MODE=disabled" in out.getvalue()
    assert no_mongo.attempts == []


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["backfill", "verify"])
def test_disabled_backfill_and_verify_say_mongo_is_disabled(settings, no_mongo, command):
    settings.MONGO_CONNECT_MODE = "disabled"
    with pytest.raises(CommandError, match=f"{command} reads .*MONGO_CONNECT_MODE=disabled"):
        call_command(command, "payment")
    assert no_mongo.attempts == []


@pytest.mark.django_db
def test_disabled_refuses_a_mode_change_that_needs_mongo_with_the_reason(settings):
    settings.MONGO_CONNECT_MODE = "disabled"
    _all(StoreMode.POSTGRES)
    admin = get_user_model().objects.create_superuser("root-admin", password="x")
    with pytest.raises(StoreModeChangeRefused, match="dual needs MongoDB but MONGO_CONNECT_MODE=disabled"):
        store_mode_change(domain="dispute", to_mode="dual", user=admin, reason="roll back (test reason)")


def _start(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CUTOVER_LOG_LEVEL": "WARNING", **env},
    )


def test_required_refuses_to_start_a_process_without_mongo():
    result = _start(MONGO_CONNECT_MODE="required", MONGO_URL=CLOSED_PORT_MONGO_URL, MONGO_TIMEOUT_MS="300")
    assert result.returncode != 0
    assert "MONGO_CONNECT_MODE=required, but MongoDB (mongodb://127.0.0.1) did not answer" in result.stderr
    assert "Start refused" in result.stderr


def test_required_starts_when_mongo_answers(tmp_path):
    result = _start(MONGO_CONNECT_MODE="required", MONGO_URL=f"litemongo://{tmp_path / 'mongo'}")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("variable", ["DATABASE_URL", "MONGO_URL"])
def test_on_a_server_a_missing_store_url_is_a_start_up_error_naming_it(variable):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTEST_VERSION", "ESCROW_STORE_DEFAULTS")}
    env.update(DATABASE_URL="postgres://nobody@127.0.0.1:9/none", MONGO_URL=CLOSED_PORT_MONGO_URL)
    del env[variable]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode != 0
    assert f"{variable} is not set. A server needs {variable}" in result.stderr


def test_with_mongo_disabled_a_server_needs_no_mongo_url():
    env = {key: value for key, value in os.environ.items() if key not in ("PYTEST_VERSION", "ESCROW_STORE_DEFAULTS")}
    env.pop("MONGO_URL", None)
    env.update(MONGO_CONNECT_MODE="disabled", DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)  # health reads the modes on a thread of its own
@pytest.mark.parametrize(
    ("connect_mode", "dispute_mode", "role", "because"),
    [
        ("auto", "postgres", "optional", ""),
        ("auto", "dual", "required", "1 domain(s) still use it"),
        ("required", "postgres", "optional", "MONGO_CONNECT_MODE=required"),
        ("disabled", "dual", "disabled", ""),
    ],
)
def test_health_takes_mongos_role_and_need_from_mongo_usage(settings, connect_mode, dispute_mode, role, because):
    """cutover.modes.mongo_usage is the one answer to MONGO_CONNECT_MODE: health reports what it says."""
    from cutover.modes.mongo_usage import mongo_needed_because, mongo_role
    from cutover.operations.health import health_report

    settings.MONGO_CONNECT_MODE = connect_mode
    for name in domain_names():
        set_store_mode(name, StoreMode(dispute_mode) if name == "dispute" else StoreMode.POSTGRES)
    assert (mongo_role(), mongo_needed_because()) == (role, because)
    mongo = health_report()[0]["stores"]["mongo"]
    assert (mongo["role"], mongo["needed_because"], mongo["needed"]) == (role, because, bool(because))
