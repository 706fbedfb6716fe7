"""Backfill and verify of chats: messages read and loaded in slices, named by id when they differ."""

from bson import ObjectId
from django.db import connection

from chat.models import ChatMessage, ChatParticipant
from cutover.backfill import elements as element_backfill
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.modes.registry import domain_spec
from escrow_project.mongo import mongo_database
from tests.chat.legacy_chats import legacy_chat


def _backfill(monkeypatch, slice_size: int = 300):
    monkeypatch.setattr(element_backfill, "SLICE", slice_size)
    return backfill_domain("chat")


def test_a_large_chat_loads_in_slices_each_its_own_transaction(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=2000, dirty=True)
    run = _backfill(monkeypatch)
    assert run.status == "finished"
    assert run.summary["chats"]["written"] == 1
    assert run.summary["chat_messages"]["read"] == 2000
    assert ChatMessage.objects.filter(chat_id=str(doc["_id"])).count() == 2000
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM chat_messages")
        transactions = cursor.fetchone()[0]
    assert transactions >= 2000 // 300  # one transaction per slice, never one for the whole array
    assert verify_domain("chat").passed


def test_every_message_round_trips_with_its_id_type_and_unknown_keys(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=200, dirty=True)
    _backfill(monkeypatch, slice_size=64)
    stores = domain_spec("chat").backends()
    for item in doc["messages"]:
        assert stores["postgres"].get_snapshot("chat_messages", str(item["_id"])) == stores["mongo"].get_snapshot(
            "chat_messages", str(item["_id"])
        )
    odd = doc["messages"][1]
    row = ChatMessage.objects.get(pk=str(odd["_id"]))
    assert "reaction" in row.legacy_fields and row.sender_id == str(odd["senderId"])


def test_read_state_follows_the_legacy_read_by(transactional_db, monkeypatch):
    database = mongo_database()
    first, second = ObjectId(), ObjectId()
    doc = legacy_chat(database, messages=120, participants=(first, second))
    _backfill(monkeypatch, slice_size=50)
    stores = domain_spec("chat").backends()
    for user in (first, second):
        expected = stores["mongo"].unread_count(str(doc["_id"]), user_id=str(user))
        assert stores["postgres"].unread_count(str(doc["_id"]), user_id=str(user)) == expected
    # the watermark was moved up to the first unread message, so a count reads only what follows it
    reader = ChatParticipant.objects.get(chat_id=str(doc["_id"]), user_id=str(second))
    assert reader.read_through is not None


def test_a_bad_message_is_a_reject_naming_its_id_and_the_rest_load(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=30)
    bad = doc["messages"][7]["_id"]
    database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.7.senderId": "not-an-id"}})
    run = _backfill(monkeypatch, slice_size=10)
    assert run.summary["chat_messages"]["rejected"] == 1
    reject = BackfillReject.objects.get(collection="chat_messages")
    assert reject.record_id == str(bad) and "senderId" in reject.reason
    assert ChatMessage.objects.filter(chat_id=str(doc["_id"])).count() == 29
    result = verify_domain("chat")
    assert not result.passed
    assert str(bad) in result.samples["chat_messages"]["unreadable_in_mongo"]
    database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.7.senderId": doc["messages"][6]["senderId"]}})
    _backfill(monkeypatch, slice_size=10)
    assert ChatMessage.objects.filter(chat_id=str(doc["_id"])).count() == 30
    assert BackfillReject.objects.get(collection="chat_messages").status == "resolved"
    assert verify_domain("chat").passed


def test_an_unchanged_rerun_rewrites_no_message_row(transactional_db, monkeypatch):
    legacy_chat(mongo_database(), messages=150)
    _backfill(monkeypatch, slice_size=40)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM chat_messages")
        before = dict(cursor.fetchall())
    rerun = _backfill(monkeypatch, slice_size=40)
    assert [rerun.summary["chat_messages"][key] for key in ("read", "written", "unchanged")] == [150, 0, 150]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM chat_messages")
        assert dict(cursor.fetchall()) == before


def test_verify_names_differing_missing_and_extra_messages_by_id(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=90)
    _backfill(monkeypatch, slice_size=25)
    ids = [str(item["_id"]) for item in doc["messages"]]
    ChatMessage.objects.filter(pk=ids[3]).update(body="edited in postgres only")
    ChatMessage.objects.filter(pk=ids[50]).delete()
    database.chats.update_one({"_id": doc["_id"]}, {"$pull": {"messages": {"_id": doc["messages"][80]["_id"]}}})
    result = verify_domain("chat")
    samples = result.samples["chat_messages"]
    assert not result.passed
    assert samples["differing"] == {ids[3]: ["body"]}
    assert samples["missing_in_postgres"] == [ids[50]]
    assert samples["missing_in_mongo"] == [ids[80]]
    assert result.counts["chats"]["differing"] == 0


def test_the_reverse_run_copies_messages_and_pulls_those_postgres_deleted(transactional_db, monkeypatch):
    from cutover.backfill.reverse import reverse_backfill_domain
    from cutover.modes.store_mode import StoreMode
    from cutover.testing import set_store_mode

    database = mongo_database()
    doc = legacy_chat(database, messages=40)
    _backfill(monkeypatch, slice_size=15)
    set_store_mode("chat", StoreMode.POSTGRES)
    chat_id, reader = str(doc["_id"]), str(doc["participants"][1])
    postgres = domain_spec("chat").backends()["postgres"]
    postgres.mark_read(chat_id, user_id=reader)
    new, _ = postgres.post_message(chat_id, sender_id=str(doc["participants"][0]), body="while postgres led")
    gone = str(doc["messages"][0]["_id"])
    ChatMessage.objects.filter(pk=gone).delete()
    set_store_mode("chat", StoreMode.DUAL)
    run = reverse_backfill_domain("chat")
    assert run.summary["chat_messages"]["written"] >= 40
    mongo = domain_spec("chat").backends()["mongo"]
    assert mongo.get_snapshot("chat_messages", new.id) == new
    assert mongo.get_snapshot("chat_messages", gone) is None
    assert mongo.unread_count(chat_id, user_id=reader) == postgres.unread_count(chat_id, user_id=reader) == 1
    assert mongo.get_chat(chat_id) == postgres.get_chat(chat_id)
    assert verify_domain("chat").passed


def test_a_dry_run_counts_bad_messages_and_writes_nothing(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=25)
    database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.3.createdAt": "yesterday-ish"}})
    monkeypatch.setattr(element_backfill, "SLICE", 10)
    run = backfill_domain("chat", dry_run=True)
    assert (run.summary["chat_messages"]["read"], run.summary["chat_messages"]["rejected"]) == (25, 1)
    assert not ChatMessage.objects.exists() and not BackfillReject.objects.exists()


def test_an_element_that_is_not_a_document_is_a_reject_naming_its_place(transactional_db, monkeypatch):
    database = mongo_database()
    doc = legacy_chat(database, messages=5)
    database.chats.update_one({"_id": doc["_id"]}, {"$push": {"messages": "a stray string"}})
    run = _backfill(monkeypatch, slice_size=4)
    assert run.summary["chat_messages"]["rejected"] == 1
    assert BackfillReject.objects.get(collection="chat_messages").record_id == f"{doc['_id']}.messages[5]"
    assert ChatMessage.objects.count() == 5
