"""Each store's part of a dual-mode call is timed per store (cutover.mirror.counters.STORE_SECONDS) and read back,
with its median and p99 estimated from the buckets, for the dashboard (cutover.operations.store_latency)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from prometheus_client import REGISTRY

from cutover.factory import repository_for
from cutover.mirror.counters import STORE_SECONDS
from cutover.operations.store_latency import Quantile, _quantile, store_latencies
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def nothing_timed_yet():
    STORE_SECONDS.clear()


def _timed(store: str, operation: str) -> int:
    labels = {"domain": "dispute", "store": store, "operation": operation}
    return int(REGISTRY.get_sample_value("escrow_cutover_store_seconds_count", labels) or 0)


def test_in_dual_the_postgres_leader_and_the_mongo_follower_are_timed_apart():
    set_store_mode("dispute", "dual", shadow_read_percent=100)
    record = repository_for("dispute").create(dispute_draft())
    repository_for("dispute").get(record.id)
    assert (_timed("postgres", "write"), _timed("mongo", "mirror_write")) == (1, 1)
    assert (_timed("postgres", "read"), _timed("mongo", "shadow_read")) == (1, 1)
    assert (_timed("mongo", "write"), _timed("mongo", "read"), _timed("postgres", "shadow_read")) == (0, 0, 0)


def test_in_dual_mongo_primary_mongo_leads_and_postgres_follows():
    set_store_mode("dispute", "dual_mongo_primary", shadow_read_percent=100)
    record = repository_for("dispute").create(dispute_draft())
    repository_for("dispute").get(record.id)
    assert (_timed("mongo", "write"), _timed("postgres", "mirror_write")) == (1, 1)
    assert (_timed("mongo", "read"), _timed("postgres", "shadow_read")) == (1, 1)
    latencies = store_latencies({"dispute"})["dispute"]
    assert [(latency.store, latency.operation, latency.count) for latency in latencies] == [
        ("mongo", "read", 1),
        ("mongo", "write", 1),
        ("postgres", "shadow_read", 1),
        ("postgres", "mirror_write", 1),
    ]


def test_no_shadow_read_is_timed_when_none_is_sampled():
    set_store_mode("dispute", "dual", shadow_read_percent=0)
    record = repository_for("dispute").create(dispute_draft())
    repository_for("dispute").get(record.id)
    assert (_timed("postgres", "read"), _timed("mongo", "shadow_read")) == (1, 0)


def test_the_median_and_p99_are_interpolated_in_their_bucket_as_prometheus_does():
    # 100 calls: 60 at or under 1 ms, 38 more under 5 ms, 2 beyond the last bound (10 s).
    buckets = [(0.001, 60.0), (0.005, 98.0), (10.0, 98.0), (float("inf"), 100.0)]
    assert _quantile(0.5, buckets).seconds == pytest.approx(0.001 * 50 / 60)
    assert _quantile(0.9, buckets).seconds == pytest.approx(0.001 + 0.004 * 30 / 38)
    assert _quantile(0.99, buckets) == Quantile(10.0, over=True)
    assert str(Quantile(10.0, over=True)) == "> 1e+04 ms" and str(Quantile(0.0025)) == "2.5 ms"


def test_the_figures_are_summed_over_the_processes_files_in_multiprocess_mode(tmp_path, monkeypatch):
    """Two processes (as two gunicorn workers) time into PROMETHEUS_MULTIPROC_DIR; the dashboard sums both."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    timing = (
        "from cutover.mirror.counters import STORE_SECONDS\n"
        "STORE_SECONDS.labels('dispute', 'mongo', 'shadow_read').observe(0.002)\n"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", timing], env=env, cwd=Path(settings.BASE_DIR), check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (latency,) = store_latencies({"dispute"})["dispute"]
    assert (latency.store, latency.operation, latency.count) == ("mongo", "shadow_read", 2)
    assert 0.001 < latency.median.seconds <= 0.0025
