"""Purging expired records, in place of Mongo TTL indexes.

Careful by design (this deletes data): batches, each its own short statement,
so no long lock or transaction holds up writers; a log line per batch; only the
stores the domain's mode writes. Batches are sized by time, not rows: each aims
at CUTOVER_PURGE_BATCH_SECONDS (a batch that ran fast grows the next, one that
ran slow shrinks it), so a quiet table is purged in few statements and a busy
one never holds its rows longer than about the budget. In `mongo` mode the Mongo TTL
indexes (ensure_mongo_indexes) do the work, so nothing is deleted here.
"""

import logging
import time
from datetime import datetime

from django.conf import settings

from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode

logger = logging.getLogger("cutover.scheduled.purge")


def stores_to_purge(mode: StoreMode) -> list[str]:
    if mode is StoreMode.MONGO:
        return []
    return ["postgres", "mongo"] if mode.is_dual else ["postgres"]


def purge_expired(
    *,
    domain: str,
    collection: str,
    field: str,
    before: datetime,
    batch_size: int = 5000,
    batch_seconds: float | None = None,
) -> int:
    """Delete every record of `collection` whose `field` is before `before`; return how many.
    `batch_size`: the first batch's rows; later batches are sized to take about `batch_seconds`
    (default CUTOVER_PURGE_BATCH_SECONDS)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    budget = settings.CUTOVER_PURGE_BATCH_SECONDS if batch_seconds is None else batch_seconds
    total = 0
    for store_name in stores_to_purge(current_mode(domain)):
        store = domain_spec(domain).backend(store_name)  # only the stores the mode writes: no Mongo in `postgres`
        after, size = None, batch_size
        while True:
            started = time.monotonic()
            deleted, after = store.purge_batch(collection, field, before, size, after)
            elapsed = time.monotonic() - started
            total += deleted
            logger.info("purged %d %s from %s (before %s)", deleted, collection, store_name, before.isoformat())
            if after is None:  # the batch found less than `size` (a writer's deletes meanwhile do not end it)
                break
            size = next_batch_size(size, elapsed, budget)
        total += store.purge_undated(collection, field, before)
    return total


def next_batch_size(size: int, elapsed: float, budget: float) -> int:
    """The rows that should take about `budget` seconds, at the pace of the last batch (`size` rows in
    `elapsed`): aim a little under it, and never more than double or less than halve in one step, so one
    odd batch (a pause of the machine) does not swing the next."""
    if budget <= 0:
        return size
    factor = 0.8 * budget / max(elapsed, 1e-6)
    return max(1, int(size * min(2.0, max(0.5, factor))))
