"""GET /api/health: the 200/503 rules, Mongo's role, bounded time when a store hangs, nothing secret."""

import socket
import time

import pytest
from django.test import Client

from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from escrow_project.mongo import reset_mongo_clients
from tests.conftest import CLOSED_PORT_MONGO_URL
from tests.mongo_tripwire import MongoClientGuard

pytestmark = pytest.mark.django_db(transaction=True)  # health reads Postgres from a thread of its own


@pytest.fixture(autouse=True)
def scheduled_tasks_ran():
    """Every scheduled task ran just now: a task that never ran is late, and would make every report degraded
    (tests/api/test_health_alarms.py covers that)."""
    from tests.api.alarm_faults import scheduled_tasks_ran as ran

    ran()


def _all(mode: StoreMode, **except_for: StoreMode) -> None:
    for name in domain_names():
        set_store_mode(name, except_for.get(name, mode))


def _health() -> tuple[int, dict]:
    answer = Client().get("/api/health")
    return answer.status_code, answer.json()


@pytest.fixture
def mongo_at(settings):
    def point(url: str) -> None:
        settings.MONGO_URL = url
        reset_mongo_clients()

    return point


def test_every_domain_on_postgres_is_200_mongo_optional_with_no_connection(mongo_at, monkeypatch, redis_url):
    _all(StoreMode.POSTGRES)
    mongo_at(CLOSED_PORT_MONGO_URL)
    guard = MongoClientGuard(monkeypatch)
    status, report = _health()
    assert status == 200, report
    assert (report["status"], report["mongo"]) == ("ok", "optional")
    assert report["stores"]["mongo"]["checked"] is False and report["stores"]["mongo"]["reachable"] is None
    assert report["domains"]["dispute"] == {"mode": "postgres"}
    assert guard.attempts == []


def test_a_domain_still_on_mongo_makes_mongo_required_and_its_outage_a_503(mongo_at):
    _all(StoreMode.POSTGRES, dispute=StoreMode.DUAL)
    mongo_at(CLOSED_PORT_MONGO_URL)
    status, report = _health()
    assert status == 503
    assert (report["status"], report["mongo"]) == ("unavailable", "required")
    assert report["stores"]["mongo"]["used_by"] == ["dispute"]
    assert report["stores"]["mongo"]["reachable"] is False
    assert "mongo is needed" in report["warnings"][0]


def test_mongo_reachable_and_used_is_200_required():
    _all(StoreMode.DUAL_MONGO_PRIMARY)
    status, report = _health()
    assert status == 200, report
    assert report["mongo"] == "required" and report["stores"]["mongo"]["reachable"] is True


def test_required_connect_mode_fails_health_when_mongo_goes_even_with_all_on_postgres(settings, mongo_at):
    _all(StoreMode.POSTGRES)
    settings.MONGO_CONNECT_MODE = "required"
    assert _health()[0] == 200  # the per-test in-memory store answers
    mongo_at(CLOSED_PORT_MONGO_URL)
    status, report = _health()
    assert status == 503
    assert report["stores"]["mongo"]["needed_because"] == "MONGO_CONNECT_MODE=required"


def test_disabled_is_200_when_nothing_uses_mongo_and_503_when_a_domain_still_does(settings, monkeypatch):
    settings.MONGO_CONNECT_MODE = "disabled"
    _all(StoreMode.POSTGRES)
    guard = MongoClientGuard(monkeypatch)
    status, report = _health()
    assert (status, report["mongo"]) == (200, "disabled")
    _all(StoreMode.POSTGRES, payment=StoreMode.DUAL)
    status, report = _health()
    assert status == 503
    assert "MONGO_CONNECT_MODE=disabled but payment still use mongo" in report["warnings"]
    assert guard.attempts == []


def test_redis_down_is_reported_but_not_a_503(settings):
    _all(StoreMode.POSTGRES)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    status, report = _health()
    assert status == 200
    assert report["status"] == "degraded"
    assert report["stores"]["redis"]["ok"] is False
    assert any("redis does not answer" in warning for warning in report["warnings"])


def test_a_hung_mongo_costs_the_probe_time_and_no_pile_up_of_probes(settings, mongo_at, monkeypatch):
    """A server that accepts connections and never answers: each call returns within the probe time, and
    while the first ping is stuck no second one starts."""
    import cutover.operations.health as health

    hung = socket.create_server(("127.0.0.1", 0), backlog=64)  # never accept()ed: connects succeed, no answer
    try:
        _all(StoreMode.MONGO)
        settings.HEALTH_PROBE_SECONDS = 0.5
        settings.MONGO_TIMEOUT_MS = 3000
        mongo_at(f"mongodb://127.0.0.1:{hung.getsockname()[1]}/escrow")
        pings = []
        real_ping = health._ping_mongo
        monkeypatch.setattr(health, "_ping_mongo", lambda: (pings.append(1), real_ping())[1])
        for _ in range(3):
            started = time.monotonic()
            status, report = _health()
            assert time.monotonic() - started < 2.5
            assert status == 503
            assert report["stores"]["mongo"]["error"] == "no answer within 0.5 s"
        assert len(pings) == 1
    finally:
        hung.close()


def test_nothing_secret_in_the_report(mongo_at):
    _all(StoreMode.MONGO)
    mongo_at("mongodb://admin:s3cret-pw@127.0.0.1:9/escrow?authSource=admin")
    answer = Client().get("/api/health")
    body = answer.content.decode()
    assert answer.status_code == 503
    for secret in ("s3cret", "admin:", "mongodb://", "127.0.0.1", "postgres://", "root@", "Connection refused"):
        assert secret not in body, secret


def test_legacy_flag_disagreement_is_a_warning(settings):
    _all(StoreMode.MONGO)
    settings.CUTOVER_FLAG_MODES = {"DISPUTE_STORE": "postgres"}
    status, report = _health()
    assert status == 200
    assert report["status"] == "degraded"
    assert report["domains"]["dispute"]["legacy_flag"] == {"name": "DISPUTE_STORE", "mode": "postgres", "agrees": False}
    assert "DISPUTE_STORE=postgres is ignored: dispute is live in mongo" in report["warnings"]


def test_outbox_backlog_scheduled_tasks_and_version():
    from escrow_project import __version__

    _all(StoreMode.DUAL)
    for status in ("pending", "pending", "dead", "done"):
        MirrorOutboxEntry.objects.create(
            domain="dispute", collection="disputes", record_id="a" * 24, target="mongo", status=status
        )
    _, report = _health()
    assert report["outbox"] == {"pending": 2, "dead": 1}
    assert report["version"] == __version__
    tasks = report["scheduled_tasks"]
    assert tasks["notifications.purge_old_notifications"]["interval_seconds"] == 3600.0
    assert 0 < tasks["notifications.purge_old_notifications"]["last_run_age_seconds"] < 60  # scheduled_tasks_ran
    assert tasks["notifications.purge_old_notifications"]["late"] is False


def test_the_outbox_count_stops_at_its_cap(monkeypatch):
    import cutover.operations.health as health

    monkeypatch.setattr(health, "OUTBOX_COUNT_CAP", 2)
    _all(StoreMode.DUAL)
    for _ in range(3):
        MirrorOutboxEntry.objects.create(domain="dispute", collection="disputes", record_id="a" * 24, target="mongo")
    assert _health()[1]["outbox"]["pending"] == "2+"


def test_a_hung_postgres_costs_the_probe_time_and_is_a_503(settings):
    """Another transaction holds the modes table exclusively: health's queries wait, health does not."""
    import psycopg
    from django.db import OperationalError

    import cutover.operations.health as health
    from cutover.testing import database_url_for_other_processes

    _all(StoreMode.POSTGRES)
    settings.HEALTH_PROBE_SECONDS = 0.5
    with psycopg.connect(database_url_for_other_processes()) as locker:
        locker.execute("LOCK TABLE cutover_store_modes IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        status, report = _health()
        elapsed = time.monotonic() - started
        with pytest.raises(OperationalError, match="statement timeout"):  # it gives up with the lock still held
            health._in_flight["postgres"].result(timeout=30)
        locker.rollback()
    assert status == 503 and elapsed < 2.5
    assert report["stores"]["postgres"]["error"] == "no answer within 0.5 s"
    assert (report["domains"], report["mongo"]) == (None, "unknown")
    assert _health()[0] == 200
