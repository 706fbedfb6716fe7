"""The stricter stand-in refuses what a MongoDB server refuses (tests/strict_mongo.py), each rule pinned."""

import pytest
from pymongo.errors import DocumentTooLarge, DuplicateKeyError, OperationFailure, WriteError

from escrow_project.mongo import mongo_database
from tests.strict_mongo import MAX_DOCUMENT


@pytest.fixture
def db():
    return mongo_database()


def test_duplicate_keys_carry_the_servers_details(db):
    db.users.create_index([("email", 1)], name="email_1", unique=True)
    db.users.insert_one({"_id": 1, "email": "a@x"})
    with pytest.raises(DuplicateKeyError) as on_index:
        db.users.insert_one({"_id": 2, "email": "a@x"})
    assert on_index.value.details["keyPattern"] == {"email": 1} and "index: email_1" in str(on_index.value)
    with pytest.raises(DuplicateKeyError) as on_id:
        db.users.insert_one({"_id": 1, "email": "b@x"})
    assert on_id.value.details["keyPattern"] == {"_id": 1}


def test_a_sparse_unique_index_indexes_an_explicit_null(db):
    """https://www.mongodb.com/docs/manual/core/index-sparse/: only documents *missing* the key are left out."""
    db.payments.create_index([("txHash", 1)], name="txHash_1", unique=True, sparse=True)
    db.payments.insert_many([{"_id": 1}, {"_id": 2}])  # missing: fine
    db.payments.insert_one({"_id": 3, "txHash": None})
    with pytest.raises(DuplicateKeyError):
        db.payments.insert_one({"_id": 4, "txHash": None})


def test_index_conflicts_have_the_servers_codes(db):
    db.c.create_index([("a", 1)], name="a_1")
    with pytest.raises(OperationFailure) as options:
        db.c.create_index([("a", 1)], name="a_1", expireAfterSeconds=60)
    assert options.value.code == 85
    with pytest.raises(OperationFailure) as keys:
        db.c.create_index([("b", 1)], name="a_1")
    assert keys.value.code == 86
    with pytest.raises(OperationFailure) as renamed:
        db.c.create_index([("a", 1)], name="other")
    assert renamed.value.code == 85
    db.c.create_index([("a", 1)], name="a_1")  # the same index again is fine


@pytest.mark.parametrize(
    "bad", [{"a": {"$ne": 1}}, {"a": {"$exists": False}}, {"$nor": [{"a": 1}]}, {"a": {"$regex": "x"}}]
)
def test_a_partial_filter_takes_only_the_servers_operators(db, bad):
    with pytest.raises(OperationFailure):
        db.c.create_index([("a", 1)], name="a_1", unique=True, partialFilterExpression=bad)


def test_documents_and_commands_past_16_mib_are_refused(db):
    big = "x" * (MAX_DOCUMENT // 2 + 16 * 1024)
    db.c.insert_one({"_id": 1, "a": big})
    with pytest.raises(WriteError):
        db.c.update_one({"_id": 1}, {"$set": {"b": big}})  # the result would pass 16 MiB
    assert "b" not in db.c.find_one({"_id": 1})  # refused, not half applied
    with pytest.raises(DocumentTooLarge):
        db.c.update_one({"_id": 1, "a": big}, {"$set": {"a": big + "y"}})  # the command would


def test_coll_mod_turns_a_plain_index_into_a_ttl_one(db):
    db.c.create_index([("createdAt", 1)], name="createdAt_1")
    db.command({"collMod": "c", "index": {"name": "createdAt_1", "expireAfterSeconds": 60}})
    assert db.c.index_information()["createdAt_1"]["expireAfterSeconds"] == 60


@pytest.mark.parametrize("stored", [None, "text", 5, {"a": 1}, True], ids=repr)
def test_a_push_onto_a_field_that_is_not_an_array_is_refused_and_changes_nothing(db, stored):
    """https://www.mongodb.com/docs/manual/reference/operator/update/push/: "If the field is not an array, the
    operation will fail" (code 2); mongomock raised a Python AttributeError."""
    db.chats.insert_one({"_id": 1, "messages": stored})
    with pytest.raises(WriteError) as refused:
        db.chats.update_one({"_id": 1}, {"$push": {"messages": {"_id": 2}}})
    assert refused.value.code == 2 and "must be an array" in str(refused.value)
    assert db.chats.find_one({"_id": 1}) == {"_id": 1, "messages": stored}
    db.chats.insert_one({"_id": 3})  # absent: the push creates the array
    db.chats.update_one({"_id": 3}, {"$push": {"messages": {"_id": 2}}})
    assert db.chats.find_one({"_id": 3}) == {"_id": 3, "messages": [{"_id": 2}]}


@pytest.mark.parametrize("stored", [None, "text", 5, {"a": 1}], ids=repr)
def test_a_slice_projection_returns_a_field_that_is_not_an_array_unsliced(db, stored):
    """A server slices arrays only (applyFindSliceProjectionHelper leaves other types as they are); mongomock
    raised OperationFailure, which no server sends for it."""
    db.chats.insert_many([{"_id": 1, "messages": stored}, {"_id": 2, "messages": [1, 2, 3]}])
    assert db.chats.find_one({"_id": 1}, {"messages": {"$slice": [0, 2]}}) == {"_id": 1, "messages": stored}
    assert db.chats.find_one({"_id": 2}, {"messages": {"$slice": [1, 1]}}) == {"_id": 2, "messages": [2]}
