import pytest
from pymongo.errors import DuplicateKeyError

from cutover.modes.registry import declared_mongo_indexes
from cutover.store.mongo_indexes import ensure_mongo_indexes
from escrow_project.mongo import mongo_database


def test_ttl_and_unique_indexes_as_schema_says():
    assert {outcome.status for outcome in ensure_mongo_indexes(declared_mongo_indexes())} == {"created"}
    assert {outcome.status for outcome in ensure_mongo_indexes(declared_mongo_indexes())} == {"present"}  # idempotent
    db = mongo_database()
    ttl = {
        (name, key): info["expireAfterSeconds"]
        for name in ("tempverifications", "telegramsessions", "notifications")
        for key, info in db[name].index_information().items()
        if "expireAfterSeconds" in info
    }
    assert ttl == {
        ("tempverifications", "expiresAt_1"): 0,
        ("telegramsessions", "expiresAt_1"): 0,
        ("notifications", "createdAt_1"): 90 * 24 * 3600,
    }
    db.payments.insert_many([{"txHash": None}, {"txHash": None}, {"txHash": "0x1"}])  # unique only when present
    with pytest.raises(DuplicateKeyError):
        db.payments.insert_one({"txHash": "0x1"})
    db.users.insert_one({"email": "a@example.com"})
    with pytest.raises(DuplicateKeyError):
        db.users.insert_one({"email": "a@example.com"})
