"""GET /metrics: who may read it, the cutover's state read at scrape time, and counters summed over processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from cutover.models import BackfillCheckpoint, BackfillRun, MirrorOutboxEntry, VerifyResult
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from tests.api.alarm_faults import a_dead_entry, a_task_late, scheduled_tasks_ran

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = "a-test-scrape-token-0123456789"


@pytest.fixture(autouse=True)
def scrape_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    for name in domain_names():
        set_store_mode(name, StoreMode.POSTGRES)
    scheduled_tasks_ran()


def _scrape(**headers) -> dict[tuple[str, tuple], float]:
    answer = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert answer.status_code == 200, answer.content
    return _samples(answer.content.decode())


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_without_credentials_401_with_a_wrong_token_403(settings):
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    settings.METRICS_TOKEN = ""  # no token configured: no bearer is accepted, not even an empty one
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_a_staff_session_or_an_allowed_address_may_read(settings, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="not-a-real-password")
    client = Client()
    client.force_login(clerk)
    assert client.get("/metrics").status_code == 403
    clerk.is_staff = True
    clerk.save()
    assert client.get("/metrics").status_code == 200
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.2.2.3").get("/metrics").status_code == 401


def test_the_cutover_state_per_domain_and_task():
    set_store_mode("payment", StoreMode.DUAL)
    a_dead_entry("dispute")
    MirrorOutboxEntry.objects.create(domain="payment", collection="payments", record_id="a" * 24, target="mongo")
    a_task_late("cutover.repair_mirror_outbox", minutes=13)
    samples = _scrape()
    assert samples[("escrow_cutover_store_mode", (("domain", "payment"), ("mode", "dual")))] == 1
    assert samples[("escrow_cutover_store_mode", (("domain", "payment"), ("mode", "postgres")))] == 0
    assert samples[("escrow_cutover_store_mode_step", (("domain", "payment"),))] == 2
    assert samples[("escrow_cutover_outbox_dead", (("domain", "dispute"),))] == 1
    assert samples[("escrow_cutover_outbox_pending", (("domain", "payment"),))] == 1
    assert samples[("escrow_cutover_outbox_pending", (("domain", "dispute"),))] == 0
    assert 0 <= samples[("escrow_cutover_outbox_oldest_pending_age_seconds", (("domain", "payment"),))] < 60
    task = (("task", "cutover.repair_mirror_outbox"),)
    assert samples[("escrow_cutover_scheduled_task_late", task)] == 1
    assert 13 * 60 - 5 < samples[("escrow_cutover_scheduled_task_success_age_seconds", task)] < 13 * 60 + 60
    assert 12 * 60 - 5 < samples[("escrow_cutover_scheduled_task_lag_seconds", task)] < 12 * 60 + 60
    assert samples[("escrow_cutover_relay_heartbeat_age_seconds", ())] == float("inf")
    alarms = {labels for name, labels in samples if name == "escrow_cutover_alarm"}
    assert (("kind", "outbox_dead"), ("severity", "critical"), ("subject", "dispute")) in alarms
    assert (("kind", "task_late"), ("severity", "warning"), ("subject", "cutover.repair_mirror_outbox")) in alarms


def test_a_running_backfill_has_rate_progress_and_eta_and_a_verify_its_result():
    from datetime import timedelta

    from django.utils import timezone

    run = BackfillRun.objects.create(domain="dispute")
    BackfillRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(seconds=100))
    BackfillCheckpoint.objects.create(domain="dispute", collection="disputes", run=run, read=250, total=1000)
    VerifyResult.objects.create(domain="payment", started_at=timezone.now(), passed=False)
    samples = _scrape()
    dispute = (("domain", "dispute"),)
    assert samples[("escrow_cutover_backfill_progress_ratio", dispute)] == 0.25
    assert 2.0 < samples[("escrow_cutover_backfill_rows_per_second", dispute)] <= 2.5
    assert 290 < samples[("escrow_cutover_backfill_eta_seconds", dispute)] < 400
    assert samples[("escrow_cutover_verify_passed", (("domain", "payment"),))] == 0


def test_request_latency_is_filed_under_the_store_mode_the_request_used(django_user_model):
    key = ("escrow_http_request_duration_seconds_count", (("domain", "dispute"), ("mode", "postgres")))
    before = _scrape().get(key, 0)
    admin = django_user_model.objects.create_superuser("root-user", password="not-a-real-password")
    client = Client()
    client.force_login(admin)
    assert client.get("/api/disputes?status=open").status_code == 200
    assert _scrape()[key] == before + 1


def test_each_stores_part_of_a_dual_read_is_on_the_scrape_per_store(django_user_model):
    set_store_mode("dispute", StoreMode.DUAL, shadow_read_percent=100)
    leader, follower = (
        ("escrow_cutover_store_seconds_count", (("domain", "dispute"), ("operation", operation), ("store", store)))
        for operation, store in (("read", "postgres"), ("shadow_read", "mongo"))
    )
    before = _scrape()
    admin = django_user_model.objects.create_superuser("root-user", password="not-a-real-password")
    client = Client()
    client.force_login(admin)
    assert client.get("/api/disputes?status=open").status_code == 200
    after = _scrape()
    assert after[leader] == before.get(leader, 0) + 1 and after[follower] == before.get(follower, 0) + 1


def test_counters_of_two_processes_are_both_visible_in_multiprocess_mode(tmp_path, monkeypatch):
    """Two processes (as two gunicorn workers) count into PROMETHEUS_MULTIPROC_DIR; /metrics sums both."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    counting = (
        "from cutover.mirror.counters import count_mirror_attempts, count_shadow_mismatch, count_shadow_read\n"
        "count_shadow_read('dispute'); count_shadow_mismatch('dispute', 'mismatch')\n"
        "count_mirror_attempts('dispute', 3, failed=True)\n"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", counting], env=env, cwd=Path(django_settings.BASE_DIR), check=True)
    assert len(list(directory.glob("counter_*.db"))) == 2  # a file per process
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    samples = _scrape()
    dispute = (("domain", "dispute"),)
    assert samples[("escrow_cutover_shadow_reads_total", dispute)] == 2
    assert samples[("escrow_cutover_shadow_mismatches_total", (("domain", "dispute"), ("kind", "mismatch")))] == 2
    assert samples[("escrow_cutover_mirror_attempts_total", dispute)] == 6
    assert samples[("escrow_cutover_mirror_failures_total", dispute)] == 6
    assert ("escrow_cutover_outbox_dead", dispute) in samples  # the state is there too
