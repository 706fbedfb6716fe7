"""Lossless round trip of every collection, in every store mode (issue 8's "Done means").

A legacy document of each collection, with unknown keys of many BSON types and a
24-hex *string* `_id`, goes through the backfill, then through the write path
each mode uses (a Mongo-primary update and its Postgres mirror, a
Postgres-primary update and its Mongo mirror, a reverse copy that recreates the
document), and must come back with its `_id` type and every key it had.
"""

import dataclasses
from datetime import timedelta

import pytest
from bson import Decimal128, Int64, ObjectId, Regex
from django.core.management import call_command

from accounts.services import telegram_session_start, verification_start
from cutover.backfill.verify import verify_domain
from cutover.mirror.copy import mirror_record
from cutover.modes.registry import domain_names, domain_spec, domains_in_dependency_order
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.legacy import now_ms
from cutover.store.ports import revised
from cutover.store.recordmap import BOOL, INT, TEXT, RecordMap
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database

UNKNOWN = {
    "legacyNote": "é ✓",
    "counter64": Int64(2**40),
    "counter32": 7,
    "ratio": 2.0,
    "fee": Decimal128("1.000000000000000000"),
    "seenAt": now_ms() - timedelta(days=2),
    "nested": {"b": [1, {"c": None}], "a": ObjectId("64b7f0c2a1b2c3d4e5f60718")},
    "pattern": Regex("^x", "i"),
    "nothing": None,
}


def _seed_every_collection(database) -> None:
    call_command("seed_demo", "--size", "2", "--seed", "7")
    user = database.users.find_one()
    verification_start(email=user["email"], purpose="email_verify", code="123456")
    telegram_session_start(telegram_user_id=42, init_data="x=1", auth_date=now_ms())
    category = database.categories.find_one()
    database.requesttemplates.insert_one(
        {
            "_id": ObjectId(),
            "ownerId": user["_id"],
            "categoryId": category["_id"],
            "title": "Gift card",
            "fields": [{"key": "code", "label": "Code", "type": "text", "required": True}],
            "createdAt": now_ms(),
            "updatedAt": now_ms(),
        }
    )


def _make_legacy(database, collection: str) -> str:
    """One document of `collection` gets the unknown keys and a string `_id`; returns that id."""
    doc = database[collection].find_one({"_id": {"$type": "objectId"}})
    database[collection].delete_one({"_id": doc["_id"]})
    database[collection].insert_one(doc | UNKNOWN | {"_id": str(doc["_id"])})
    return str(doc["_id"])


def _changed(record_map: RecordMap, record):
    """The record with one plain field changed (and its version moved on), whatever the collection."""
    for field in record_map.fields:
        value = getattr(record, field.name)
        if field.key != "_id" and value is not None and field.kind in (TEXT, BOOL, INT):
            new = {TEXT: lambda v: v + "!", BOOL: lambda v: not v, INT: lambda v: v + 1}[field.kind](value)
            record = dataclasses.replace(record, **{field.name: new})
            break
    return revised(record) if record_map.version_field else record


def _assert_lossless(database, collection: str, record_id: str) -> None:
    docs = list(database[collection].find({"_id": {"$in": [record_id, ObjectId(record_id)]}}))
    assert [doc["_id"] for doc in docs] == [record_id], f"{collection}: one document, its _id still a string"
    kept = {key: docs[0].get(key, "MISSING") for key in UNKNOWN}
    assert kept == UNKNOWN, f"{collection}: unknown keys changed"
    assert {key: type(value) for key, value in kept.items()} == {key: type(v) for key, v in UNKNOWN.items()}


def _write_through_mode(mode: StoreMode, domain: str, record_map: RecordMap, record_id: str) -> None:
    stores = domain_spec(domain).backends()
    collection = record_map.collection
    if record_map.insert_only:  # the ledger: never updated, but copied both ways
        stores["mongo"].put_snapshot(stores["postgres"].get_snapshot(collection, record_id))
        return
    change = lambda record: _changed(record_map, record)  # noqa: E731
    if mode in (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY):
        stores["mongo"]._update(record_map.record_type, record_id, change)
        if mode is StoreMode.DUAL_MONGO_PRIMARY:
            mirror_record(domain, collection, record_id, "postgres")
        return
    stores["postgres"]._update(record_map.record_type, record_id, change)
    if mode is StoreMode.DUAL:
        mirror_record(domain, collection, record_id, "mongo")
        return
    # postgres: Mongo is left behind, then a rollback's reverse copy brings it up to date
    stores["mongo"].put_snapshot(stores["postgres"].get_snapshot(collection, record_id))


@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_every_collection_round_trips_losslessly(transactional_db, mode):
    database = mongo_database()
    _seed_every_collection(database)
    chosen = {
        (spec.name, collection): _make_legacy(database, collection)
        for spec in domains_in_dependency_order()
        for collection in spec.collections
    }
    call_command("backfill", "--all", "--json")
    for name in domain_names():
        assert verify_domain(name).passed, name
        set_store_mode(name, mode)
    for (domain, collection), record_id in chosen.items():
        stores = domain_spec(domain).backends()
        record_map = stores["postgres"]._map_of_collection(collection)
        assert stores["postgres"].get_snapshot(collection, record_id).legacy_id == record_id
        _write_through_mode(mode, domain, record_map, record_id)
        _assert_lossless(database, collection, record_id)
        if mode is not StoreMode.MONGO:
            assert stores["mongo"].get_snapshot(collection, record_id) == stores["postgres"].get_snapshot(
                collection, record_id
            ), collection


def test_a_document_deleted_from_mongo_comes_back_whole_from_postgres(transactional_db):
    """The reverse copy of a record whose document is gone recreates it: string `_id`, unknown keys."""
    database = mongo_database()
    _seed_every_collection(database)
    record_id = _make_legacy(database, "payments")
    call_command("backfill", "payment", "auth", "marketplace", "--json")
    set_store_mode("payment", StoreMode.POSTGRES)  # a copy toward Mongo is made only while Postgres leads
    database.payments.delete_one({"_id": record_id})
    mirror_record("payment", "payments", record_id, "mongo")
    _assert_lossless(database, "payments", record_id)
