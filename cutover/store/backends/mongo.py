"""The storage primitives of every Mongo repository, driven by the domain's RecordMaps.

Documents are written in the legacy shape so the legacy application keeps
working on them in `mongo` and dual modes.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ClassVar

from django.db import transaction
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from cutover.store import elements
from cutover.store.backends.errors import ImmutableRecordConflict, RecordNotFound, UniqueConflict
from cutover.store.backends.postgres import hold_writer_lock
from cutover.store.clocks import note_backwards_version
from cutover.store.filters import Between, Filters, Gt, In, Lt, NotIn, SameKey
from cutover.store.folded_keys import folded_key, mongo_key_pattern
from cutover.store.legacy import legacy_money
from cutover.store.mongo_writes import MAX_ATTEMPTS, KeptChanging, guarded, is_id_duplicate, locate
from cutover.store.ports import StoreRepository
from cutover.store.recordmap import UNREADABLE, RecordMap
from cutover.store.write_checks import check_write
from escrow_project.mongo import mongo_database

logger = logging.getLogger("cutover.store.backends.mongo")
_UNDATED_BATCH = 1000  # ids per delete of undated documents


class MongoBackend(StoreRepository):
    """The primitives in Mongo; a domain's Mongo repository is (MongoBackend, its port)."""

    store: ClassVar[str] = "mongo"
    MAPS: ClassVar[tuple[RecordMap, ...]]

    def __init__(self, database=None):
        self.database = database if database is not None else mongo_database()

    # --- sync primitives (cutover.mirror.copy, backfill, purges) -------------------
    def get_snapshot(self, collection: str, record_id: str) -> Any | None:
        record_map = self._map_of_collection(collection)
        if record_map.embedded_in:
            return elements.get_element(self.database, record_map, record_id)
        doc = locate(self.database[collection], record_id, projection=_without_elements(record_map))
        return record_map.from_document(doc) if doc else None

    def put_snapshot(self, record: Any) -> None:
        """Make the stored document read as `record`: a new document in the legacy shape (its legacy
        `_id` type and unknown keys restored), or only the changed keys of the stored one. No clock
        decides: `record` is the leading store's state, read under the record's copy lock."""
        record_map = self._map(type(record))
        if record_map.embedded_in:
            return elements.put_element(self.database, record_map, record)
        collection = self.database[record_map.collection]
        projection = _without_elements(record_map)
        for _ in range(MAX_ATTEMPTS):
            stored = locate(collection, record.id, record.legacy_id, of_record=True, projection=projection)
            if stored is None:
                if self._inserted(record_map, collection, record):
                    return
                continue  # another writer created it meanwhile: compare with theirs
            if record_map.insert_only:
                if record_map.from_document(stored) != record:
                    raise ImmutableRecordConflict(record_map.collection, record.id)
                return
            now = record_map.stored_values(stored)  # read once: the clock note and the update both need it
            if record_map.version_field:  # reported only: the copy holds the leader's state, whatever its clock
                note_backwards_version(record_map, record, now[record_map.version_field])
            update = record_map.owned_update(stored, record, now=now)
            if not update or collection.update_one(guarded(stored, update), update).matched_count:
                return
        raise KeptChanging(f"{record_map.collection} {record.id} kept changing under us; gave up")

    def delete_snapshot(self, collection: str, record_id: str, *, spare: frozenset[str] = frozenset()) -> None:
        record_map = self._map_of_collection(collection)
        if record_map.embedded_in:
            return elements.delete_element(self.database, record_map, record_id)
        doc = locate(self.database[collection], record_id, projection={"_id": 1})
        if doc is not None and str(doc["_id"]) not in spare:
            self.database[collection].delete_one({"_id": doc["_id"]})

    def purge_batch(self, collection: str, field: str, before: Any, limit: int, after: Any = None) -> tuple[int, Any]:
        key = self._map_of_collection(collection).field(field).key
        window = {"$lt": before} | ({"$gte": after} if after is not None else {})
        docs = list(self.database[collection].find({key: window}, {key: 1}).sort(key, ASCENDING).limit(limit))
        if not docs:
            return 0, None
        deleted = self.database[collection].delete_many({"_id": {"$in": [doc["_id"] for doc in docs]}}).deleted_count
        return deleted, (docs[-1][key] if len(docs) == limit else None)  # fewer than a batch: none left

    def purge_undated(self, collection: str, field: str, before: Any) -> int:
        """The legacy documents whose `field` is not a BSON date (an ISO string, epoch milliseconds, or missing:
        the dirty dates of docs/legacy-collections.md) never match a range over dates, and Mongo's TTL index
        never expires them either, while Postgres holds them as dates and purges them: without this pass a dual
        mode would keep them in Mongo only. Their date is read as the backfill reads it (a missing createdAt from the
        ObjectId); a value that does not parse is kept and logged. One scan of the undated documents,
        deleted in batches."""
        record_map = self._map_of_collection(collection)
        key = record_map.field(field).key
        # whole documents, as the backfill reads them: a date may be read from other keys (the ObjectId)
        documents = self.database[collection].find({key: {"$not": {"$type": "date"}}}, _without_elements(record_map))
        expired, deleted, unreadable = [], 0, 0
        for doc in documents:
            value = record_map.stored_values(doc)[field]
            if value is UNREADABLE:
                unreadable += 1
            elif value is not None and value < before:
                expired.append(doc["_id"])
            if len(expired) >= _UNDATED_BATCH:
                deleted += self.database[collection].delete_many({"_id": {"$in": expired}}).deleted_count
                expired = []
        if expired:
            deleted += self.database[collection].delete_many({"_id": {"$in": expired}}).deleted_count
        if unreadable:
            logger.warning("purge kept %d %s whose %s does not read as a date", unreadable, collection, key)
        return deleted

    # --- primitives the ports' use cases are written on ----------------------
    def _get(self, record_type: type, record_id: str) -> Any | None:
        return self.get_snapshot(self._map(record_type).collection, record_id)

    def _find(
        self, record_type: type, filters: Filters, *, order: tuple[str, ...] = ("-id",), limit: int | None = None
    ) -> list[Any]:
        record_map = self._map(record_type)
        cursor = self.database[record_map.collection].find(_query(record_map, filters), _without_elements(record_map))
        cursor = cursor.sort([_sort_key(record_map, name) for name in order])
        if limit:
            cursor = cursor.limit(limit)
        return [record_map.from_document(doc) for doc in cursor]

    def _count(self, record_type: type, filters: Filters) -> int:
        record_map = self._map(record_type)
        return self.database[record_map.collection].count_documents(_query(record_map, filters))

    def _insert(self, record: Any) -> None:
        record_map = self._map(type(record))
        record_map.check(record)
        check_write(record_map.collection, record.id, record)
        if not self._inserted(record_map, self.database[record_map.collection], record):
            raise UniqueConflict(f"{record_map.collection}: _id {record.id} already exists")

    def _update(self, record_type: type, record_id: str, change: Callable[[Any], Any]) -> Any:
        """Read, change, and write back only the changed keys, guarded by their old values (compare-and-swap)."""
        record_map = self._map(record_type)
        collection = self.database[record_map.collection]
        for _ in range(MAX_ATTEMPTS):
            stored = locate(collection, record_id, projection=_without_elements(record_map))
            if stored is None:
                raise RecordNotFound(record_type, record_id)
            after = change(record_map.from_document(stored))
            record_map.check(after)
            update = record_map.owned_update(stored, after)
            if not update:
                return after
            check_write(record_map.collection, record_id, after)
            if collection.update_one(guarded(stored, update), update).matched_count:
                return after
        raise KeptChanging(f"{record_type.__name__} {record_id} kept changing under us; gave up")

    def _delete(self, record_type: type, record_id: str) -> None:
        collection = self._map(record_type).collection
        check_write(collection, record_id, None)
        self.delete_snapshot(collection, record_id)

    def _sum(self, record_type: type, field: str, filters: Filters) -> Decimal:
        # Summed here rather than with $group: Decimal128 $sum support differs between servers and
        # mongomock, and the sets summed (one user's ledger in one currency) are small.
        record_map = self._map(record_type)
        key = record_map.field(field).key
        docs = self.database[record_map.collection].find(_query(record_map, filters), {key: 1})
        # legacy_money, not the money kind: a legacy amount finer than the columns (a reject for the
        # backfill) still counts, exactly, in a balance read from Mongo.
        return sum((legacy_money(doc.get(key), key) for doc in docs), Decimal(0))

    @contextmanager
    def _atomic(self, lock_key: str | None = None) -> Iterator[None]:
        """No multi-document transaction (the legacy app uses none), but a `lock_key` still serializes this
        system's own writers, on the lock the Postgres backend takes: an append that reads a balance and
        writes the next one is never interleaved with another append to that balance."""
        if not lock_key:
            yield
            return
        with transaction.atomic():
            hold_writer_lock(lock_key)
            yield

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def _inserted(record_map: RecordMap, collection, record: Any) -> bool:
        """Insert `record`'s whole document; False when its `_id` exists already. A clash on another
        unique index is a UniqueConflict, never mistaken for a race on the `_id`."""
        try:
            collection.insert_one(record_map.to_document(record))
            return True
        except DuplicateKeyError as error:
            on_id = is_id_duplicate(error)
            if on_id is None:  # the error does not say which index: is the _id there now?
                on_id = locate(collection, record.id, record.legacy_id, of_record=True) is not None
            if on_id:
                return False
            raise UniqueConflict(f"{record_map.collection}: {error}") from error


def _without_elements(record_map: RecordMap) -> dict | None:
    """A projection leaving out the arrays held as element records (cutover.store.elements): never read whole."""
    return {key: 0 for key in record_map.element_keys} or None


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
        elif isinstance(condition, NotIn):
            query[field.key] = {"$nin": _every_form(field, condition.values)}
        elif isinstance(condition, SameKey):
            query[field.key] = {"$regex": mongo_key_pattern(folded_key(condition.value, name))}
        else:
            query[field.key] = _equal(_value(field, condition))
    return query


def _equal(value: Any) -> Any:
    """Equality that also states the value's type. Legacy "unique when present" indexes are partial on
    `{$type: …}`, and the planner only uses a partial index when the query itself implies its filter:
    it does not infer `$type` from equality (https://www.mongodb.com/docs/manual/core/index-partial/#query-coverage).
    The type a value already has changes no result."""
    if isinstance(value, str):
        return {"$eq": value, "$type": "string"}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"$eq": value, "$type": "number"}
    return value


def _every_form(field, values: tuple) -> list:
    """Each value as the field's kind writes it and as given: a legacy `_id` may be either (an ObjectId or its
    text); a value the kind cannot write (a rejected document's odd `_id`) is matched as given."""
    forms = list(values)
    for value in values:
        try:
            forms.append(_value(field, value))
        except Exception:  # noqa: BLE001 - bson.errors.InvalidId and the like: the value as given is enough
            continue
    return forms


def _value(field, value: Any) -> Any:
    return None if value is None else field.kind.dump(value)


def _sort_key(record_map: RecordMap, name: str) -> tuple[str, int]:
    direction = DESCENDING if name.startswith("-") else ASCENDING
    return record_map.field(name.lstrip("-")).key, direction
