"""Where each domain stands (cutover.operations.standing): done only when complete, incidents by severity."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cutover.models import BackfillRun, MirrorOutboxEntry, ShadowMismatch, VerifyResult
from cutover.modes.registry import domain_names
from cutover.operations.readiness import domain_readiness
from cutover.operations.standing import DONE, IN_PROGRESS, INCIDENT, cutover_overview
from cutover.testing import set_store_mode
from tests.api.alarm_faults import a_dead_entry, scheduled_tasks_ran

pytestmark = pytest.mark.django_db


def _overview():
    return cutover_overview([domain_readiness(name) for name in domain_names()])


def _standing(overview, domain):
    return next(standing for standing in overview.standings if standing.domain == domain)


def _finished(domain: str) -> None:
    set_store_mode(domain, "postgres")
    now = timezone.now()
    BackfillRun.objects.create(domain=domain, status="finished", finished_at=now - timedelta(minutes=2))
    VerifyResult.objects.create(domain=domain, started_at=now - timedelta(minutes=1), passed=True)


@pytest.fixture(autouse=True)
def tasks_on_time():
    scheduled_tasks_ran()


def test_postgres_with_every_check_passing_is_done_and_its_rollback_is_not_a_failure():
    _finished("auth")
    standing = _standing(_overview(), "auth")
    assert (standing.state, standing.incidents) == (DONE, ())
    assert standing.readiness.roll_back is not None


def test_postgres_without_a_verify_after_its_backfill_is_in_progress_not_done():
    set_store_mode("auth", "postgres")
    BackfillRun.objects.create(domain="auth", status="finished", finished_at=timezone.now())
    assert _standing(_overview(), "auth").state == IN_PROGRESS


def test_a_pending_write_left_in_postgres_keeps_it_from_done():
    _finished("auth")
    MirrorOutboxEntry.objects.create(domain="auth", collection="users", record_id="a" * 24, target="mongo")
    assert _standing(_overview(), "auth").state == IN_PROGRESS


def test_incidents_sort_first_critical_before_warning_and_done_last():
    _finished("auth")
    set_store_mode("marketplace", "dual")
    ShadowMismatch.objects.create(domain="marketplace", method="get", kind="mismatch", primary_store="postgres")
    set_store_mode("payment", "dual")
    a_dead_entry("payment")
    overview = _overview()
    states = [(standing.domain, standing.state, standing.severity) for standing in overview.standings]
    assert states[:2] == [("payment", INCIDENT, "critical"), ("marketplace", INCIDENT, "warning")]
    assert states[-1] == ("auth", DONE, "")
    others = len(domain_names()) - 3
    assert overview.line.endswith(f"1 done, {others} in progress, 2 with incidents (1 critical)")
    assert overview.deployment_alarms == ()


def test_old_mismatches_of_a_domain_now_on_postgres_are_history_not_an_incident():
    _finished("auth")
    ShadowMismatch.objects.create(domain="auth", method="get", kind="mismatch", primary_store="postgres")
    assert _standing(_overview(), "auth").state == DONE


def test_a_late_task_is_a_deployment_alarm_in_the_summary_line():
    from tests.api.alarm_faults import a_task_late

    a_task_late("cutover.repair_mirror_outbox")
    overview = _overview()
    assert [alarm.kind for alarm in overview.deployment_alarms] == ["task_late"]
    assert overview.line.endswith("; 1 deployment alarm(s)")


def test_a_dual_domain_carries_each_stores_latency_beside_its_mismatch_rate_and_others_none():
    from cutover.mirror.counters import STORE_SECONDS

    STORE_SECONDS.clear()
    set_store_mode("marketplace", "dual")
    for seconds in (0.002, 0.002, 0.004):
        STORE_SECONDS.labels("marketplace", "postgres", "read").observe(seconds)
    STORE_SECONDS.labels("marketplace", "mongo", "shadow_read").observe(0.03)
    STORE_SECONDS.labels("auth", "postgres", "read").observe(0.002)  # auth is in mongo: shadow history, not shown
    overview = _overview()
    marketplace = _standing(overview, "marketplace")
    assert [(latency.store, latency.operation, latency.count) for latency in marketplace.latency] == [
        ("postgres", "read", 3),
        ("mongo", "shadow_read", 1),
    ]
    read, shadow = marketplace.latency
    assert 0.001 < read.median.seconds <= 0.0025 and 0.0025 < read.p99.seconds <= 0.005
    assert 0.025 < shadow.median.seconds <= 0.05
    assert marketplace.mismatch is not None
    assert _standing(overview, "auth").latency == ()
