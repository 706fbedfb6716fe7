"""Bring one record's copy in the other store up to date.

The copy is always taken from the source store's *current* state, never from
the write that triggered it, so a retried or reordered mirror is harmless.
"""

from pymongo.errors import ConnectionFailure

from .breaker import mongo_breaker
from .registry import domain_spec


class MirrorSkipped(Exception):
    """The Mongo breaker is open; the outbox row waits for the repair task."""


def backends(domain: str) -> dict[str, object]:
    spec = domain_spec(domain)
    return {"mongo": spec.build_mongo_repository(), "postgres": spec.build_postgres_repository()}


def mirror_record(domain: str, collection: str, record_id: str, target: str) -> None:
    """Copy one record of `domain` into `target` ("mongo" or "postgres") from the other store."""
    if not mongo_breaker.allow():  # one side is always Mongo
        raise MirrorSkipped(f"Mongo breaker open; {collection}/{record_id} left for repair")
    stores = backends(domain)
    source, sink = stores["postgres" if target == "mongo" else "mongo"], stores[target]
    try:
        record = source.get_snapshot(collection, record_id)
        if record is None:
            sink.delete_snapshot(collection, record_id)
        else:
            sink.put_snapshot(record)
    except ConnectionFailure:
        mongo_breaker.record_failure()
        raise
    mongo_breaker.record_success()
