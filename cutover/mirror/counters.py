"""What this process counts for /metrics (prometheus_client): mirror writes tried and failed, shadow reads and
their mismatches, the time each store took for its part of a dual-mode read or write (STORE_SECONDS), and the
store modes a request used (for its latency, measured by api.metrics).

Counters, so Prometheus computes rates (a mismatch *rate*, as LaunchDarkly's consistency view shows it).
Under gunicorn or celery prefork each process counts its own; with PROMETHEUS_MULTIPROC_DIR set before the
process starts, prometheus_client keeps them in files there, which /metrics sums over every process (README,
"Metrics"). Counting never breaks the caller: it is a dict update in memory or in an mmapped file.
"""

import contextvars
import os
import time
from contextlib import contextmanager

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

MIRROR_ATTEMPTS = Counter(
    "escrow_cutover_mirror_attempts", "Outbox entries this process tried to mirror to the follower store.", ["domain"]
)
MIRROR_FAILURES = Counter(
    "escrow_cutover_mirror_failures", "Outbox entries whose mirror attempt failed (kept for a retry).", ["domain"]
)
SHADOW_READS = Counter("escrow_cutover_shadow_reads", "Sampled shadow reads (both stores read).", ["domain"])
SHADOW_MISMATCHES = Counter(
    "escrow_cutover_shadow_mismatches",
    "Shadow reads whose follower answer differed (kind=mismatch) or failed (kind=error).",
    ["domain", "kind"],
)
STORE_SECONDS_METRIC = "escrow_cutover_store_seconds"
STORE_SECONDS = Histogram(
    STORE_SECONDS_METRIC,
    "Time one store took for its part of a dual-mode call: the leader's read or write, the follower's shadow "
    "read or mirror write (the whole copy: lock, leader read, follower write).",
    ["domain", "store", "operation"],
    # Store calls are mostly well under the default buckets' first 5 ms: finer ones below, so a median shows.
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
READ, WRITE, SHADOW_READ, MIRROR_WRITE = "read", "write", "shadow_read", "mirror_write"
_modes_used: contextvars.ContextVar[dict | None] = contextvars.ContextVar("escrow_modes_used", default=None)


def count_mirror_attempts(domain: str, entries: int, *, failed: bool = False) -> None:
    MIRROR_ATTEMPTS.labels(domain).inc(entries)
    if failed:
        MIRROR_FAILURES.labels(domain).inc(entries)


def count_shadow_read(domain: str) -> None:
    SHADOW_READS.labels(domain).inc()


def count_shadow_mismatch(domain: str, kind: str) -> None:
    SHADOW_MISMATCHES.labels(domain, kind).inc()


@contextmanager
def timed_store(domain: str, store: str, operation: str, *, records: int = 1):
    """Time the block as `store`'s `operation` for `domain`, failed or not; a block copying several `records` at
    once files its time shared among them (one observation each)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        share = (time.perf_counter() - started) / max(records, 1)
        for _ in range(records):
            STORE_SECONDS.labels(domain, store, operation).observe(share)


def counted_registry() -> CollectorRegistry:
    """What the processes counted, as /metrics serves it: with PROMETHEUS_MULTIPROC_DIR set, every process's
    counters and histograms summed from its files (since the directory was emptied); else this process's own
    (since it started)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed)
    return summed


def start_noting_modes() -> contextvars.Token:
    """From now on (in this request's context), note each domain's store mode as a repository is built."""
    return _modes_used.set({})


def note_mode(domain: str, mode: str) -> None:
    used = _modes_used.get()
    if used is not None:
        used[domain] = mode


def modes_noted(token: contextvars.Token) -> dict[str, str]:
    """{domain: mode} used since start_noting_modes; stops noting."""
    used = _modes_used.get() or {}
    _modes_used.reset(token)
    return used
