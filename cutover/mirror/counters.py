"""What this process counts for /metrics (prometheus_client): mirror writes tried and failed, shadow reads and
their mismatches, and the store modes a request used (for its latency, measured by api.metrics).

Counters, so Prometheus computes rates (a mismatch *rate*, as LaunchDarkly's consistency view shows it).
Under gunicorn or celery prefork each process counts its own; with PROMETHEUS_MULTIPROC_DIR set before the
process starts, prometheus_client keeps them in files there, which /metrics sums over every process (README,
"Metrics"). Counting never breaks the caller: it is a dict update in memory or in an mmapped file.
"""

import contextvars

from prometheus_client import Counter

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
_modes_used: contextvars.ContextVar[dict | None] = contextvars.ContextVar("escrow_modes_used", default=None)


def count_mirror_attempts(domain: str, entries: int, *, failed: bool = False) -> None:
    MIRROR_ATTEMPTS.labels(domain).inc(entries)
    if failed:
        MIRROR_FAILURES.labels(domain).inc(entries)


def count_shadow_read(domain: str) -> None:
    SHADOW_READS.labels(domain).inc()


def count_shadow_mismatch(domain: str, kind: str) -> None:
    SHADOW_MISMATCHES.labels(domain, kind).inc()


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
