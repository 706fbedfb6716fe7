"""The storage primitives of every Mongo repository, driven by the domain's RecordMaps.

Documents are written in the legacy shape so the legacy application keeps
working on them in `mongo` and dual modes.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any, ClassVar

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from escrow_project.mongo import mongo_database

from ..filters import Between, Filters, Gt, In, Lt
from ..mongo_writes import document_update, replace_unless_newer_safe
from ..recordmap import RecordMap
from .errors import ImmutableRecordConflict, RecordNotFound, UniqueConflict

_MAX_RETRIES = 5


class MongoBackend:
    store: ClassVar[str] = "mongo"
    MAPS: ClassVar[tuple[RecordMap, ...]]

    def __init__(self, database=None):
        self.database = database if database is not None else mongo_database()

    # --- sync primitives (cutover.mirror, backfill, purges) -------------------
    def get_snapshot(self, collection: str, record_id: str) -> Any | None:
        record_map = self._map_of_collection(collection)
        doc = self.database[collection].find_one({"_id": _oid(record_id)})
        return record_map.from_document(doc) if doc else None

    def put_snapshot(self, record: Any) -> None:
        record_map = self._map(type(record))
        collection = self.database[record_map.collection]
        doc = record_map.to_document(record)
        if record_map.insert_only:
            self._insert_once(record_map, collection, doc, record)
        elif record_map.version_field:
            version_key = record_map.field(record_map.version_field).key
            replace_unless_newer_safe(collection, doc, version_field=version_key)
        else:
            collection.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def delete_snapshot(self, collection: str, record_id: str) -> None:
        self.database[collection].delete_one({"_id": _oid(record_id)})

    def purge_batch(self, collection: str, field: str, before: Any, limit: int, after: Any = None) -> tuple[int, Any]:
        key = self._map_of_collection(collection).field(field).key
        window = {"$lt": before} | ({"$gte": after} if after is not None else {})
        docs = list(self.database[collection].find({key: window}, {key: 1}).sort(key, ASCENDING).limit(limit))
        if not docs:
            return 0, None
        deleted = self.database[collection].delete_many({"_id": {"$in": [doc["_id"] for doc in docs]}}).deleted_count
        return deleted, docs[-1][key]

    # --- primitives the ports' use cases are written on ----------------------
    def _get(self, record_type: type, record_id: str) -> Any | None:
        return self.get_snapshot(self._map(record_type).collection, record_id)

    def _find(
        self, record_type: type, filters: Filters, *, order: tuple[str, ...] = ("-id",), limit: int | None = None
    ) -> list[Any]:
        record_map = self._map(record_type)
        cursor = self.database[record_map.collection].find(_query(record_map, filters))
        cursor = cursor.sort([_sort_key(record_map, name) for name in order])
        if limit:
            cursor = cursor.limit(limit)
        return [record_map.from_document(doc) for doc in cursor]

    def _count(self, record_type: type, filters: Filters) -> int:
        record_map = self._map(record_type)
        return self.database[record_map.collection].count_documents(_query(record_map, filters))

    def _insert(self, record: Any) -> None:
        record_map = self._map(type(record))
        try:
            self.database[record_map.collection].insert_one(record_map.to_document(record))
        except DuplicateKeyError as error:
            raise UniqueConflict(f"{record_map.collection}: {error}") from error

    def _update(self, record_type: type, record_id: str, change: Callable[[Any], Any]) -> Any:
        """Read, change, and write back only the changed keys, guarded by their old values (compare-and-swap)."""
        record_map = self._map(record_type)
        collection = self.database[record_map.collection]
        appendable = tuple(child.key for child in record_map.children)
        for _ in range(_MAX_RETRIES):
            doc = collection.find_one({"_id": _oid(record_id)})
            if doc is None:
                raise RecordNotFound(record_type, record_id)
            before = record_map.from_document(doc)
            after = change(before)
            update = document_update(
                record_map.to_document(before), record_map.to_document(after), appendable=appendable
            )
            if not update or collection.update_one(_guard(doc, update), update).matched_count:
                return after
        raise RuntimeError(f"{record_type.__name__} {record_id} kept changing under us; gave up")

    def _delete(self, record_type: type, record_id: str) -> None:
        self.delete_snapshot(self._map(record_type).collection, record_id)

    def _sum(self, record_type: type, field: str, filters: Filters) -> Decimal:
        # Summed here rather than with $group: Decimal128 $sum support differs between servers and
        # mongomock, and the sets summed (one user's ledger in one currency) are small.
        record_map = self._map(record_type)
        key = record_map.field(field).key
        docs = self.database[record_map.collection].find(_query(record_map, filters), {key: 1})
        return sum((record_map.field(field).kind.parse(doc.get(key), key) for doc in docs), Decimal(0))

    def _atomic(self, lock_key: str | None = None) -> AbstractContextManager:
        return nullcontext()

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def _insert_once(record_map: RecordMap, collection, doc: dict, record: Any) -> None:
        stored = collection.find_one({"_id": doc["_id"]})
        if stored is None:
            collection.insert_one(doc)
        elif record_map.from_document(stored) != record:
            raise ImmutableRecordConflict(record_map.collection, str(doc["_id"]))


def _oid(record_id: str):
    from ..legacy import to_object_id

    return to_object_id(record_id)


def _query(record_map: RecordMap, filters: Filters) -> dict:
    query = {}
    for name, condition in filters.items():
        field = record_map.field(name)
        if isinstance(condition, Lt):
            query[field.key] = {"$lt": _value(field, condition.value)}
        elif isinstance(condition, Gt):
            query[field.key] = {"$gt": _value(field, condition.value)}
        elif isinstance(condition, In):
            query[field.key] = {"$in": [_value(field, value) for value in condition.values]}
        elif isinstance(condition, Between):
            bounds = {"$gt": condition.low, "$lte": condition.high}
            query[field.key] = {op: _value(field, value) for op, value in bounds.items() if value is not None}
        else:
            query[field.key] = _value(field, condition)
    return query


def _value(field, value: Any) -> Any:
    return None if value is None else field.kind.dump(value)


def _sort_key(record_map: RecordMap, name: str) -> tuple[str, int]:
    direction = DESCENDING if name.startswith("-") else ASCENDING
    return record_map.field(name.lstrip("-")).key, direction


def _guard(doc: dict, update: dict) -> dict:
    """Match only if every key about to change still holds what we read."""
    guard = {"_id": doc["_id"]}
    for key in update.get("$set", {}):
        guard[key] = doc.get(key)
    for key in update.get("$push", {}):
        guard[key] = {"$size": len(doc.get(key) or [])}
    return guard
