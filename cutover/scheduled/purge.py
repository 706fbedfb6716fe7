"""Purging expired records, in place of Mongo TTL indexes.

Careful by design (this deletes data): fixed-size batches, each its own short
statement, so no long lock or transaction holds up writers; a log line per
batch; only the stores the domain's mode writes. In `mongo` mode the Mongo TTL
indexes (ensure_mongo_indexes) do the work, so nothing is deleted here.
"""

import logging
from datetime import datetime

from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode

logger = logging.getLogger("cutover.scheduled.purge")


def stores_to_purge(mode: StoreMode) -> list[str]:
    if mode is StoreMode.MONGO:
        return []
    return ["postgres", "mongo"] if mode.is_dual else ["postgres"]


def purge_expired(*, domain: str, collection: str, field: str, before: datetime, batch_size: int = 5000) -> int:
    """Delete every record of `collection` whose `field` is before `before`; return how many."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = 0
    for store_name in stores_to_purge(current_mode(domain)):
        store = _build(domain, store_name)  # only the stores the mode writes: no Mongo client in `postgres`
        after = None
        while True:
            deleted, after = store.purge_batch(collection, field, before, batch_size, after)
            total += deleted
            logger.info("purged %d %s from %s (before %s)", deleted, collection, store_name, before.isoformat())
            if deleted < batch_size:
                break
    return total


def _build(domain: str, store: str):
    return domain_spec(domain).backend(store)
