"""README's table of /api/health's status vs HTTP code is the contract: one case per row, under each fault the
issue names (a late task, a dead entry, the relay killed, a mismatch rate over its threshold)."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client

from cutover.models import MirrorRelayHeartbeat
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.testing import database_url_for_other_processes, set_store_mode
from tests.api.alarm_faults import a_dead_entry, a_task_late, mismatches, scheduled_tasks_ran

pytestmark = pytest.mark.django_db(transaction=True)
README = Path(django_settings.BASE_DIR) / "README.md"


def _health() -> tuple[int, dict]:
    answer = Client().get("/api/health")
    return answer.status_code, answer.json()


def _readme_table() -> dict[str, tuple[str, int]]:
    """{fault (the table's first cell): (status, HTTP code)} from README's health table."""
    text = README.read_text()
    table = text[text.index("| `/api/health` when") :].split("\n\n")[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = (cells[1].strip("`"), int(cells[2]))
    return rows


@pytest.fixture(autouse=True)
def every_domain_on_postgres_and_tasks_on_time():
    for name in domain_names():
        set_store_mode(name, StoreMode.POSTGRES)
    scheduled_tasks_ran()


def _nothing_wrong(settings, monkeypatch):
    pass


def _a_task_late(settings, monkeypatch):
    a_task_late("cutover.repair_mirror_outbox", minutes=13)


def _a_dead_entry(settings, monkeypatch):
    a_dead_entry("dispute")


def _relay_heartbeat_old(settings, monkeypatch):
    settings.CUTOVER_MIRROR = "relay"
    set_store_mode("dispute", StoreMode.DUAL)
    _relay_killed(settings)


def _mismatch_rate_over_threshold(settings, monkeypatch):
    settings.CUTOVER_MISMATCH_ALARM_PERCENT = 1.0
    set_store_mode("payment", StoreMode.DUAL)
    mismatches("payment", reads=100, mismatched=2)


def _postgres_down(settings, monkeypatch):
    """Postgres refusing connections (the probe's query raising as psycopg does); a hung one: test_health.py."""
    import cutover.operations.health as health

    def refused():
        raise OperationalError("connection failed: Connection refused")

    monkeypatch.setattr(health, "_postgres_state", refused)


FAULTS = {
    "nothing wrong": (_nothing_wrong, None),
    "a scheduled task late": (_a_task_late, ("task_late", "cutover.repair_mirror_outbox")),
    "a dead outbox entry": (_a_dead_entry, ("outbox_dead", "dispute")),
    "the mirror relay's heartbeat old": (_relay_heartbeat_old, ("relay_down", "relay")),
    "a shadow-read mismatch rate over its threshold": (_mismatch_rate_over_threshold, ("mismatch_rate", "payment")),
    "Postgres does not answer": (_postgres_down, None),
}


def test_the_readme_table_lists_exactly_the_faults_tested_here():
    assert set(_readme_table()) == set(FAULTS)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_row_of_the_readme_table(fault, settings, monkeypatch):
    set_up, alarm = FAULTS[fault]
    expected_status, expected_code = _readme_table()[fault]
    set_up(settings, monkeypatch)
    code, report = _health()
    assert (report["status"], code) == (expected_status, expected_code), report
    if alarm is not None:
        assert [(entry["kind"], entry["subject"]) for entry in report["alarms"]] == [alarm]
        assert len(report["warnings"]) == 1 and "Fix:" in report["warnings"][0]
    elif expected_status == "ok":
        assert report["alarms"] == [] and report["warnings"] == []


def test_a_mismatch_rate_at_its_threshold_is_not_an_alarm(settings):
    settings.CUTOVER_MISMATCH_ALARM_PERCENT = 2.0
    set_store_mode("payment", StoreMode.DUAL)
    mismatches("payment", reads=100, mismatched=2)
    assert _health()[1]["status"] == "ok"
    mismatches("payment", reads=0, mismatched=1)  # 3 in 100
    assert _health()[1]["alarms"][0]["kind"] == "mismatch_rate"


def test_a_late_task_names_itself_and_the_command_that_runs_it():
    a_task_late("accounts.purge_expired_telegram_sessions", minutes=13)
    warning = _health()[1]["warnings"][0]
    assert "accounts.purge_expired_telegram_sessions is late" in warning
    assert "manage.py run_scheduled_task accounts.purge_expired_telegram_sessions" in warning


def _relay_killed(settings):
    """A real `manage.py mirror_relay`, beating, then SIGKILLed: its last beat ages past the threshold."""
    settings.CUTOVER_RELAY_STALE_SECONDS = 1.0
    env = {**os.environ, "DATABASE_URL": database_url_for_other_processes(), "CUTOVER_MIRROR": "relay"}
    relay = subprocess.Popen(
        [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py"), "mirror_relay", "--idle-seconds", "0.2"],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not MirrorRelayHeartbeat.objects.exists():
            assert relay.poll() is None and time.monotonic() < deadline, "the relay never beat"
            time.sleep(0.1)
        code, report = _health()
        assert (code, report["status"]) == (200, "ok"), report  # a live relay beats: no alarm
    finally:
        relay.send_signal(signal.SIGKILL)
        relay.wait(10)
    time.sleep(1.5)


def test_a_relay_stopped_cleanly_leaves_no_heartbeat_behind(settings):
    env = {**os.environ, "DATABASE_URL": database_url_for_other_processes(), "CUTOVER_MIRROR": "relay"}
    relay = subprocess.Popen(
        [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py"), "mirror_relay", "--idle-seconds", "0.2"],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not MirrorRelayHeartbeat.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert MirrorRelayHeartbeat.objects.exists()
        relay.terminate()
        assert relay.wait(15) == 0
        assert not MirrorRelayHeartbeat.objects.exists()
    finally:
        if relay.poll() is None:  # a failed assertion must not leave it running against the test database
            relay.kill()
            relay.wait(10)


def test_the_relay_alarm_waits_for_a_dual_domain_and_relay_mirroring(settings):
    settings.CUTOVER_MIRROR = "relay"
    assert _health()[1]["status"] == "ok"  # every domain on postgres: no relay needed
    set_store_mode("dispute", StoreMode.DUAL)
    assert re.search(r"no mirror relay has ever beaten", " ".join(_health()[1]["warnings"]))
    settings.CUTOVER_MIRROR = "inline"
    assert _health()[1]["status"] == "ok"


def test_with_the_background_mirror_a_stopped_relay_child_is_down_once_a_write_waits_for_it(settings):
    from datetime import timedelta

    from django.utils import timezone

    from cutover.models import MirrorOutboxEntry

    settings.CUTOVER_MIRROR = "background"
    set_store_mode("dispute", StoreMode.DUAL)
    assert _health()[1]["status"] == "ok"  # no child started yet (no dual write): nothing to be down
    long_ago = timezone.now() - timedelta(minutes=5)
    MirrorRelayHeartbeat.objects.create(relay="web-1:4242", started_at=long_ago, beat_at=long_ago)
    assert _health()[1]["status"] == "ok"  # stopped, but no write waits
    entry = MirrorOutboxEntry.objects.create(
        domain="dispute", collection="disputes", record_id="a" * 24, target="mongo"
    )
    assert _health()[1]["status"] == "ok"  # a write just made: in flight
    MirrorOutboxEntry.objects.filter(pk=entry.pk).update(created_at=long_ago)
    code, report = _health()
    assert (code, [alarm["kind"] for alarm in report["alarms"]]) == (200, ["relay_down"])
    assert "restart the app processes" in report["warnings"][0]
