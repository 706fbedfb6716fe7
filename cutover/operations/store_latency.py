"""Each store's latency per domain in the dual modes, for the dashboard (LaunchDarkly's consistency view: the
mismatch rate beside each store's latency), read from the histogram /metrics serves
(cutover.mirror.counters.STORE_SECONDS) in the same registry: summed over every process when
PROMETHEUS_MULTIPROC_DIR is set, else this process's own.

The median and p99 are estimated from the histogram's buckets as Prometheus's histogram_quantile does: linear
between the bounds of the bucket the rank falls in. One beyond the last bound is shown as over it.
"""

import os
from dataclasses import dataclass

from cutover.mirror.counters import STORE_SECONDS_METRIC, counted_registry

OPERATION_ORDER = ("read", "write", "shadow_read", "mirror_write")


@dataclass(frozen=True)
class Quantile:
    seconds: float
    over: bool = False  # beyond the last finite bucket bound: at least `seconds`

    def __str__(self) -> str:
        milliseconds = f"{self.seconds * 1000:.3g} ms"
        return f"> {milliseconds}" if self.over else milliseconds


@dataclass(frozen=True)
class StoreLatency:
    store: str  # postgres or mongo
    operation: str  # read, write (the leader's); shadow_read, mirror_write (the follower's)
    count: int
    median: Quantile
    p99: Quantile


def counted_since() -> str:
    """The window the counts cover, in words."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return "since the metrics directory (PROMETHEUS_MULTIPROC_DIR) was last emptied, summed over every process"
    return "since this web process started (PROMETHEUS_MULTIPROC_DIR is not set: other processes are not counted)"


def store_latencies(domains: set[str]) -> dict[str, tuple[StoreLatency, ...]]:
    """{domain: its stores' latencies, the leader's read and write first} for `domains` (those in a dual mode)."""
    buckets: dict[tuple[str, str, str], dict[float, float]] = {}
    for family in counted_registry().collect():
        if family.name != STORE_SECONDS_METRIC:
            continue
        for sample in family.samples:
            labels = sample.labels
            if sample.name.endswith("_bucket") and labels["domain"] in domains:
                key = (labels["domain"], labels["store"], labels["operation"])
                bound = float(labels["le"])
                buckets.setdefault(key, {})
                buckets[key][bound] = buckets[key].get(bound, 0.0) + sample.value
    found: dict[str, list[StoreLatency]] = {}
    for (domain, store, operation), cumulative in buckets.items():
        ordered = sorted(cumulative.items())
        count = int(ordered[-1][1])
        if count:
            latency = StoreLatency(store, operation, count, _quantile(0.5, ordered), _quantile(0.99, ordered))
            found.setdefault(domain, []).append(latency)
    return {domain: tuple(sorted(latencies, key=_order)) for domain, latencies in found.items()}


def _quantile(q: float, cumulative: list[tuple[float, float]]) -> Quantile:
    """`cumulative`: (upper bound, observations at or under it), by bound, the last +Inf."""
    rank = q * cumulative[-1][1]
    lower, below = 0.0, 0.0
    for bound, observed in cumulative:
        if observed >= rank and observed > below:
            if bound == float("inf"):
                return Quantile(lower, over=True)
            return Quantile(lower + (bound - lower) * (rank - below) / (observed - below))
        lower, below = bound, observed
    return Quantile(lower, over=True)


def _order(latency: StoreLatency) -> tuple:
    position = OPERATION_ORDER.index(latency.operation) if latency.operation in OPERATION_ORDER else 99
    return (position, latency.store)
