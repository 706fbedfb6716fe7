"""Malformed embedded arrays (issue cases 3 and 4): a null or non-array `messages`, elements that are not
documents or have no `_id`, and message ids repeated within a chat or across chats. Each is a reject naming the
chat and the position; none stops backfill or verify, none passes for a store outage, none loads over another
message's row."""

import pytest
from bson import ObjectId
from pymongo.errors import AutoReconnect, OperationFailure

from chat.models import ChatMessage
from cutover.backfill import elements as element_backfill
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from escrow_project.mongo import mongo_database
from tests import strict_mongo
from tests.chat.legacy_chats import legacy_chat


def _backfill(monkeypatch, slice_size: int = 4):
    monkeypatch.setattr(element_backfill, "SLICE", slice_size)
    return backfill_domain("chat")


def _acknowledge(**filters) -> None:
    BackfillReject.objects.filter(**filters).update(status=BackfillReject.Status.ACKNOWLEDGED)


def _three_chats(database, middle_messages):
    """Three chats; the middle one's `messages` replaced by `middle_messages` (unset when it is `...`)."""
    chats = [legacy_chat(database, messages=6) for _ in range(3)]
    change = {"$unset": {"messages": ""}} if middle_messages is ... else {"$set": {"messages": middle_messages}}
    database.chats.update_one({"_id": chats[1]["_id"]}, change)
    return chats


@pytest.mark.parametrize("stored", [None, "not a list", 7, {"_id": ObjectId()}, True], ids=repr)
def test_a_messages_field_that_is_not_an_array_is_a_reject_naming_the_chat_and_the_run_goes_on(
    transactional_db, monkeypatch, stored
):
    database = mongo_database()
    first, bad, last = _three_chats(database, stored)
    run = _backfill(monkeypatch)
    assert run.status == "finished", run.error
    assert run.summary["chats"]["written"] == 3  # the chat itself is fine: it loads, without messages
    reject = BackfillReject.objects.get(collection="chat_messages")
    assert reject.record_id == f"{bad['_id']}.messages" and reject.kind == "bad_value"
    assert "expected an array" in reject.reason and str(bad["_id"]) in reject.reason
    assert ChatMessage.objects.filter(chat_id__in=[str(first["_id"]), str(last["_id"])]).count() == 12
    assert database.chats.find_one({"_id": bad["_id"]})["messages"] == stored  # never rewritten

    result = verify_domain("chat")  # reads it the same way: reported, never an error
    assert not result.passed
    assert list(result.samples["chat_messages"]["unreadable_in_mongo"]) == [f"{bad['_id']}.messages"]
    _acknowledge(collection="chat_messages")
    assert verify_domain("chat").passed

    database.chats.update_one({"_id": bad["_id"]}, {"$set": {"messages": []}})  # repaired: the rerun resolves it
    _backfill(monkeypatch)
    assert BackfillReject.objects.get(collection="chat_messages").status == "resolved"


def test_a_missing_messages_field_is_a_chat_without_messages(transactional_db, monkeypatch):
    """The documented normalization: the legacy schema reads a missing array as [] and `$push` creates it."""
    database = mongo_database()
    _, bare, _ = _three_chats(database, ...)
    run = _backfill(monkeypatch)
    assert run.status == "finished" and not BackfillReject.objects.exists()
    assert not ChatMessage.objects.filter(chat_id=str(bare["_id"])).exists()
    assert verify_domain("chat").passed


def test_the_embedded_stand_in_raising_on_a_slice_of_null_no_longer_stops_the_run(transactional_db, monkeypatch):
    """The issue's run: mongomock (the embedded stand-in) raises OperationFailure for `$slice` of a null, which
    stopped `backfill --all` as "the legacy Mongo store did not answer". Nothing slices a non-array now."""
    monkeypatch.setattr(
        strict_mongo._Collection, "_apply_projection_operators", strict_mongo.MONGOMOCK_PROJECTION_OPERATORS
    )
    database = mongo_database()
    database.scratch.insert_one({"_id": 1, "messages": None})
    with pytest.raises(OperationFailure):  # the stand-in as it is
        database.scratch.find_one({"_id": 1}, {"messages": {"$slice": [0, 2]}})
    _, bad, _ = _three_chats(database, None)
    run = _backfill(monkeypatch)
    assert run.status == "finished", run.error
    assert BackfillReject.objects.get(collection="chat_messages").record_id == f"{bad['_id']}.messages"
    assert not verify_domain("chat").passed  # and verify reports it instead of stopping


def test_a_read_the_store_refuses_for_one_chat_is_that_chats_reject_and_an_outage_still_stops(
    transactional_db, monkeypatch
):
    from cutover.backfill import element_reads

    database = mongo_database()
    first, refused, last = _three_chats(database, [])
    real = element_reads.read_slice

    def read_slice(database, element_map, parent_key, skip, limit):
        if parent_key == refused["_id"]:
            raise OperationFailure("Unsupported type NoneType for slicing", 2)
        return real(database, element_map, parent_key, skip, limit)

    monkeypatch.setattr(element_reads, "read_slice", read_slice)
    run = _backfill(monkeypatch)
    assert run.status == "finished"
    reject = BackfillReject.objects.get(collection="chat_messages")
    assert reject.record_id == f"{refused['_id']}.messages" and "refused" in reject.reason
    assert ChatMessage.objects.count() == 12

    def away(*args, **kwargs):
        raise AutoReconnect("connection refused")

    monkeypatch.setattr(element_reads, "read_slice", away)
    with pytest.raises(AutoReconnect):  # an outage is not a data problem: the run stops (and resumes later)
        _backfill(monkeypatch)


@pytest.mark.parametrize(
    "element, problem",
    [("a stray string", "an embedded document"), (None, "an embedded document"), ({"body": "no id"}, "an _id")],
    ids=["string", "null", "no _id"],
)
def test_an_element_that_is_not_a_message_document_is_a_reject_naming_its_place(
    transactional_db, monkeypatch, element, problem
):
    database = mongo_database()
    doc = legacy_chat(database, messages=5)
    database.chats.update_one({"_id": doc["_id"]}, {"$push": {"messages": {"$each": [element, element]}}})
    run = _backfill(monkeypatch)
    assert run.summary["chat_messages"]["rejected"] == 2  # two of them: two rejects, never merged into one
    rejects = BackfillReject.objects.filter(collection="chat_messages").order_by("record_id")
    assert [r.record_id for r in rejects] == [f"{doc['_id']}.messages[5]", f"{doc['_id']}.messages[6]"]
    assert all(problem in r.reason for r in rejects)
    assert ChatMessage.objects.count() == 5
    assert set(verify_domain("chat").samples["chat_messages"]["unreadable_in_mongo"]) == {r.record_id for r in rejects}


def test_a_message_id_in_two_chats_keeps_the_first_chats_row_and_rejects_the_second(transactional_db, monkeypatch):
    """Case 3: the second chat's message used to overwrite the first's row (body and chat id), silently."""
    database = mongo_database()
    first, second = legacy_chat(database, messages=6), legacy_chat(database, messages=6)
    shared = first["messages"][2]
    copy = {**second["messages"][4], "_id": shared["_id"], "body": "the second chat's text"}
    database.chats.update_one({"_id": second["_id"]}, {"$set": {"messages.4": copy}})
    run = _backfill(monkeypatch)
    row = ChatMessage.objects.get(pk=str(shared["_id"]))
    assert (row.chat_id, row.body) == (str(first["_id"]), shared["body"])
    reject = BackfillReject.objects.get(collection="chat_messages")
    assert (reject.record_id, reject.kind) == (f"{second['_id']}.messages[4]", "unique_clash")
    assert f"{first['_id']}.messages" in reject.reason
    assert run.summary["chat_messages"]["rejected"] == 1
    assert ChatMessage.objects.filter(chat_id=str(second["_id"])).count() == 5

    _backfill(monkeypatch)  # a rerun changes nothing: the same reject, the same row
    assert BackfillReject.objects.get(collection="chat_messages").status == "open"
    assert ChatMessage.objects.get(pk=str(shared["_id"])).chat_id == str(first["_id"])

    result = verify_domain("chat")
    assert not result.passed
    assert result.samples["chat_messages"]["id_clashes"] == {
        str(shared["_id"]): sorted([f"{first['_id']}.messages", f"{second['_id']}.messages[4]"])
    }
    _acknowledge(collection="chat_messages")
    assert verify_domain("chat").passed


def test_a_message_id_repeated_within_a_chat_keeps_the_first_and_rejects_the_repeat(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=10)
    original = doc["messages"][1]
    repeat = {**doc["messages"][7], "_id": str(original["_id"]).upper(), "body": "a later copy"}  # same id, as text
    database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.7": repeat}})
    _backfill(monkeypatch, slice_size=3)  # the repeat is in another slice than the original
    assert ChatMessage.objects.get(pk=str(original["_id"])).body == original["body"]
    reject = BackfillReject.objects.get(collection="chat_messages")
    assert (reject.record_id, reject.kind) == (f"{doc['_id']}.messages[7]", "unique_clash")
    assert f"{doc['_id']}.messages[1]" in reject.reason
    result = verify_domain("chat")
    assert result.samples["chat_messages"]["id_clashes"] == {
        str(original["_id"]): [f"{doc['_id']}.messages[1]", f"{doc['_id']}.messages[7]"]
    }
    assert not result.passed


def test_a_message_moved_to_another_chat_moves_its_row(transactional_db, monkeypatch):
    database = mongo_database()
    first, second = legacy_chat(database, messages=4), legacy_chat(database, messages=4)
    _backfill(monkeypatch)
    moved = first["messages"][0]
    database.chats.update_one({"_id": first["_id"]}, {"$pull": {"messages": {"_id": moved["_id"]}}})
    database.chats.update_one({"_id": second["_id"]}, {"$push": {"messages": moved}})
    _backfill(monkeypatch)
    assert ChatMessage.objects.get(pk=str(moved["_id"])).chat_id == str(second["_id"])
    assert not BackfillReject.objects.exists()
    assert verify_domain("chat").passed


def test_a_dry_run_counts_every_malformed_shape_and_writes_nothing(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=5)
    database.chats.update_one(
        {"_id": doc["_id"]}, {"$push": {"messages": {"$each": [7, {"body": "x"}, doc["messages"][0]]}}}
    )
    _three_chats(database, None)
    monkeypatch.setattr(element_backfill, "SLICE", 3)
    run = backfill_domain("chat", dry_run=True)
    assert run.summary["chat_messages"]["rejected"] == 4  # a number, no _id, a repeat, a null array
    assert not ChatMessage.objects.exists() and not BackfillReject.objects.exists()


def test_the_reverse_keeps_rejected_messages_in_mongo(transactional_db, monkeypatch):
    """A rejected message never had a row: the reverse must not take it for one deleted while Postgres led."""
    from cutover.backfill.reverse import reverse_backfill_domain
    from cutover.modes.store_mode import StoreMode
    from cutover.testing import set_store_mode

    database = mongo_database()
    doc = legacy_chat(database, messages=6)
    database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.2.senderId": "not-an-id"}})
    _backfill(monkeypatch)
    _acknowledge(collection="chat_messages")
    set_store_mode("chat", StoreMode.POSTGRES)
    set_store_mode("chat", StoreMode.DUAL)
    reverse_backfill_domain("chat")
    kept = database.chats.find_one({"_id": doc["_id"]})["messages"]
    assert [m["_id"] for m in kept] == [m["_id"] for m in doc["messages"]]


def test_a_rejected_copy_in_one_chat_stays_rejected_when_another_chats_copy_loads(transactional_db, monkeypatch):
    """The same id in two chats, unreadable in the first: the second's copy loads, and the first chat's reject is
    not taken as resolved by it (each run alike: an acknowledgement is never lost to a flip-flop)."""
    database = mongo_database()
    first, second = legacy_chat(database, messages=4), legacy_chat(database, messages=4)
    shared = first["messages"][1]
    database.chats.update_one({"_id": first["_id"]}, {"$set": {"messages.1.senderId": "not-an-id"}})
    database.chats.update_one({"_id": second["_id"]}, {"$set": {"messages.3._id": shared["_id"]}})
    _backfill(monkeypatch)
    assert ChatMessage.objects.get(pk=str(shared["_id"])).chat_id == str(second["_id"])
    _acknowledge(collection="chat_messages")
    _backfill(monkeypatch)
    reject = BackfillReject.objects.get(collection="chat_messages")
    assert (reject.record_id, reject.status) == (str(shared["_id"]), "acknowledged")
    assert f"{first['_id']}.messages[1]: senderId" in reject.reason
