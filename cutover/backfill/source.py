"""Where backfill and verify read legacy documents: by `_id` keyset, one batch at a time.

Legacy `_id`s are mostly ObjectIds, some are 24-hex strings (and a stray number
is possible). MongoDB orders values by type before value, so each type is read
as its own phase; anything of another type is reported as a bad id.
"""

from functools import cache
from typing import Any, Protocol

import pymongo.database
from bson import ObjectId, json_util
from pymongo import ASCENDING
from pymongo.errors import ExecutionTimeout, OperationFailure, PyMongoError, WriteConcernError

from cutover.backfill.raw import RawBatch

PHASES = ("objectId", "string", "number")


class DocumentSource(Protocol):
    def batch(
        self, collection: str, *, phase: str, after: Any, limit: int, lower: str = "", upper: str = ""
    ) -> list[dict]: ...

    # Optional: a source whose `raw_batches` is true also has `raw_batch` (same arguments), the batch as
    # raw BSON (cutover.backfill.raw); backfill and verify then decode it in worker processes.

    def count(self, collection: str) -> int: ...

    def ids_after(self, collection: str, *, after: Any, limit: int, upper: str = "") -> list[Any]: ...

    def find(self, collection: str, ids: list[Any]) -> list[dict]: ...

    def other_ids(self, collection: str) -> list[dict]: ...

    def id_bounds(self, collection: str) -> tuple[ObjectId | None, ObjectId | None]: ...


class MongoDocumentSource:
    """A DocumentSource over the pymongo API (a real server, litemongo or mongomock)."""

    def __init__(self, database):
        self.database = database

    def batch(
        self, collection: str, *, phase: str, after: Any, limit: int, lower: str = "", upper: str = ""
    ) -> list[dict]:
        cursor = self.database[collection].find(_keyset(phase, after, lower, upper), _projection(collection))
        return list(cursor.sort("_id", ASCENDING).limit(limit))

    @property
    def raw_batches(self) -> bool:
        """A MongoDB server hands its replies over as raw BSON (the embedded stand-ins decode in Python)."""
        return isinstance(self.database, pymongo.database.Database)

    def raw_batch(
        self, collection: str, *, phase: str, after: Any, limit: int, lower: str = "", upper: str = ""
    ) -> RawBatch:
        """`batch` as the server sent it, undecoded (cutover.backfill.raw)."""
        replies = self.database[collection].find_raw_batches(
            _keyset(phase, after, lower, upper),
            _projection(collection),
            sort=[("_id", ASCENDING)],
            limit=limit,
            batch_size=limit,
        )
        return RawBatch(b"".join(replies), self.database.codec_options)

    def count(self, collection: str) -> int:
        return self.database[collection].estimated_document_count()

    def ids_after(self, collection: str, *, after: Any, limit: int, upper: str = "") -> list[Any]:
        """ObjectIds after `after` (up to `upper`), ids only: a re-scan that must not decode whole documents."""
        condition: dict[str, Any] = {"$type": "objectId", "$gt": after}
        if upper:
            condition["$lte"] = ObjectId(upper)
        cursor = self.database[collection].find({"_id": condition}, {"_id": 1}).sort("_id", ASCENDING).limit(limit)
        return [doc["_id"] for doc in cursor]

    def find(self, collection: str, ids: list[Any]) -> list[dict]:
        return list(self.database[collection].find({"_id": {"$in": ids}}, _projection(collection)))

    def other_ids(self, collection: str) -> list[dict]:
        odd = {"$nor": [{"_id": {"$type": phase}} for phase in PHASES]}
        return list(self.database[collection].find(odd, _projection(collection)))

    def id_bounds(self, collection: str) -> tuple[ObjectId | None, ObjectId | None]:
        ends = [
            next(
                iter(
                    self.database[collection]
                    .find({"_id": {"$type": "objectId"}}, {"_id": 1})
                    .sort("_id", direction)
                    .limit(1)
                ),
                None,
            )
            for direction in (1, -1)
        ]
        return tuple(doc["_id"] if doc else None for doc in ends)


def _keyset(phase: str, after: Any, lower: str, upper: str) -> dict:
    condition: dict[str, Any] = {"$type": phase}
    if after is not None:
        condition["$gt"] = after
    elif lower and phase == "objectId":
        condition["$gt"] = ObjectId(lower)
    if upper and phase == "objectId":
        condition["$lte"] = ObjectId(upper)
    return {"_id": condition}


def _projection(collection: str) -> dict | None:
    """Documents are read without their arrays of element records (chat messages): those are read in
    slices by cutover.backfill.elements, so no backfill or verify holds a whole 50,000-element array."""
    return {key: 0 for key in excluded_keys(collection)} or None


@cache
def excluded_keys(collection: str) -> tuple[str, ...]:
    """The keys of `collection`'s documents held as element records: never read with the document."""
    from cutover.modes.registry import domain_names, domain_spec

    for name in domain_names():
        spec = domain_spec(name)
        if collection in spec.collections:
            return spec.record_map(collection).element_keys
    return ()


def encode_key(value: Any) -> str:
    return json_util.dumps(value)


def decode_key(text: str) -> Any:
    return json_util.loads(text) if text else None


def migration_source() -> "MongoDocumentSource":
    """Backfill and verify read MIGRATION_MONGO_URL (default MONGO_URL)."""
    from django.conf import settings

    from escrow_project.mongo import mongo_database

    return MongoDocumentSource(mongo_database(settings.MIGRATION_MONGO_URL or settings.MONGO_URL, long_running=True))


# Server errors about the server's state, not about what was read: the same query would succeed on a healthy
# store (shut down or stepping down, interrupted, not primary, timed out, not authorized, unreachable host, a
# cursor it dropped: 43, CursorNotFound, after an idle timeout or a restart; a rerun resumes at its checkpoint).
# https://www.mongodb.com/docs/manual/reference/error-codes/
_STORE_STATE_CODES = frozenset(
    {6, 7, 13, 18, 43, 50, 89, 91, 133, 134, 189, 262, 9001, 10107, 11600, 11601, 11602, 13435, 13436}
)


def store_unavailable(error: Exception) -> bool:
    """True for an outage (no connection, no server selected, the server's state), False for a query the
    server refused because of what it read (a document's shape): that is a data problem, reported per
    document, and never stops a run as if the store were away."""
    if not isinstance(error, OperationFailure):
        return isinstance(error, PyMongoError)
    return isinstance(error, ExecutionTimeout | WriteConcernError) or error.code in _STORE_STATE_CODES


def mongo_failure(error: Exception) -> str:
    """A pymongo error in one line for people (pymongo's own message runs to a topology dump): an outage
    says the store did not answer; a refused query says so, with the server's code."""
    lines = str(error).splitlines()
    first = lines[0][:300] if lines else ""
    if store_unavailable(error):
        return f"the legacy Mongo store did not answer ({type(error).__name__}: {first})"
    code = getattr(error, "code", None)
    return f"the legacy Mongo store refused a query ({type(error).__name__} code {code}: {first}), not an outage"
