"""The incremental mirror of chat messages: one element per copy, safe to retry and to reorder."""

import bson
import pytest
from bson import ObjectId

from chat.models import ChatMessage
from chat.records import ChatDraft
from chat.repositories.mapping import MESSAGE
from cutover.factory import repository_for
from cutover.mirror.copy import mirror_record
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.store.elements import ParentMissing
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from tests.chat.legacy_chats import legacy_chat


@pytest.fixture
def commands(monkeypatch):
    """Every update command sent to the chats collection: (filter, update)."""
    sent: list[tuple[dict, dict]] = []
    collection_type = type(mongo_database().chats)
    original = collection_type.update_one

    def recording(self, filter, update, *args, **kwargs):
        if self.name == "chats":
            sent.append((filter, update))
        return original(self, filter, update, *args, **kwargs)

    monkeypatch.setattr(collection_type, "update_one", recording)
    return sent


def _chat_in_both(mode: StoreMode, **kwargs):
    set_store_mode("chat", StoreMode.DUAL_MONGO_PRIMARY)
    chat = repository_for("chat").create_chat(ChatDraft(participant_ids=(str(ObjectId()), str(ObjectId()))))
    set_store_mode("chat", mode)
    return chat


@pytest.mark.parametrize("mode", [StoreMode.DUAL, StoreMode.DUAL_MONGO_PRIMARY], ids=lambda m: m.value)
def test_a_post_to_a_long_chat_sends_one_element_never_the_array(transactional_db, commands, mode):
    database = mongo_database()
    doc = legacy_chat(database, messages=300)
    set_store_mode("chat", StoreMode.MONGO)
    from cutover.backfill.service import backfill_domain

    backfill_domain("chat")
    set_store_mode("chat", mode)
    commands.clear()
    sender = str(doc["participants"][0])
    message, _ = repository_for("chat").post_message(str(doc["_id"]), sender_id=sender, body="one more")
    largest = max(len(bson.encode(filter)) + len(bson.encode(update)) for filter, update in commands)
    assert largest < 2_000, commands  # the 300-message array is ~40 kB: never sent
    assert all("messages" not in update.get("$set", {}) for _, update in commands)
    stored = database.chats.find_one({"_id": doc["_id"]})
    assert [m["_id"] for m in stored["messages"]].count(ObjectId(message.id)) == 1
    assert stored["messages"][:300] == doc["messages"]  # the old elements untouched, unknown keys and all
    stores = domain_spec("chat").backends()
    assert stores["mongo"].get_snapshot("chat_messages", message.id) == message
    assert stores["postgres"].get_snapshot("chat_messages", message.id) == message


def test_a_retried_mirror_pushes_once(transactional_db):
    chat = _chat_in_both(StoreMode.DUAL)
    sender = chat.participant_ids[0]
    message, _ = repository_for("chat").post_message(chat.id, sender_id=sender, body="hi")
    for _ in range(3):
        mirror_record("chat", "chat_messages", message.id, "mongo")
    elements = mongo_database().chats.find_one({"_id": ObjectId(chat.id)})["messages"]
    assert [e["_id"] for e in elements] == [ObjectId(message.id)]


def test_mirrors_applied_out_of_order_end_in_the_same_state(transactional_db, settings):
    chat = _chat_in_both(StoreMode.DUAL)
    settings.CUTOVER_MIRROR = "relay"  # nothing mirrors on its own: the test applies the copies
    repo = repository_for("chat")
    first, _ = repo.post_message(chat.id, sender_id=chat.participant_ids[0], body="first")
    second, _ = repo.post_message(chat.id, sender_id=chat.participant_ids[1], body="second")
    read = repo.mark_read(chat.id, user_id=chat.participant_ids[1])
    assert [m.id for m in read] == [first.id]
    for collection, record_id in [
        ("chat_messages", second.id),
        ("chat_messages", first.id),
        ("chats", chat.id),
        ("chat_messages", first.id),  # a late duplicate of an older copy
    ]:
        mirror_record("chat", collection, record_id, "mongo")
    stores = domain_spec("chat").backends()
    for message in (first, second):
        assert stores["mongo"].get_snapshot("chat_messages", message.id) == stores["postgres"].get_snapshot(
            "chat_messages", message.id
        )
    assert stores["mongo"].get_chat(chat.id) == stores["postgres"].get_chat(chat.id)
    mongo_page = stores["mongo"].list_messages(chat.id)
    assert mongo_page == stores["postgres"].list_messages(chat.id)  # ordered by createdAt, not array position
    assert stores["mongo"].unread_count(chat.id, user_id=chat.participant_ids[1]) == 0


def test_mark_read_in_dual_changes_only_those_elements_read_by(transactional_db, commands):
    database = mongo_database()
    doc = legacy_chat(database, messages=12, dirty=True)
    from cutover.backfill.service import backfill_domain

    backfill_domain("chat")
    set_store_mode("chat", StoreMode.DUAL)
    reader = str(doc["participants"][1])
    commands.clear()
    changed = repository_for("chat").mark_read(str(doc["_id"]), user_id=reader)
    assert len(changed) == 2  # the last five are unread; three of them the reader sent
    assert all(set(update) == {"$set"} for _, update in commands)
    assert all(key.startswith("messages.$.readBy") for _, update in commands for key in update["$set"])
    stored = database.chats.find_one({"_id": doc["_id"]})
    assert stored["messages"][1]["reaction"] == {"emoji": "👍", "count": 2}  # unknown key kept
    stores = domain_spec("chat").backends()
    assert stores["mongo"].unread_count(str(doc["_id"]), user_id=reader) == 0


def test_a_message_copied_before_its_chat_waits_and_lands_later(transactional_db, settings):
    set_store_mode("chat", StoreMode.DUAL)
    settings.CUTOVER_MIRROR = "relay"
    repo = repository_for("chat")
    chat = repo.create_chat(ChatDraft(participant_ids=(str(ObjectId()), str(ObjectId()))))
    message, _ = repo.post_message(chat.id, sender_id=chat.participant_ids[0], body="early")
    with pytest.raises(ParentMissing):
        mirror_record("chat", "chat_messages", message.id, "mongo")
    mirror_record("chat", "chats", chat.id, "mongo")
    mirror_record("chat", "chat_messages", message.id, "mongo")
    assert domain_spec("chat").backends()["mongo"].get_snapshot("chat_messages", message.id) == message
    assert MESSAGE.embedded_in.parent_collection == "chats"


def test_a_chat_past_16_mb_is_dead_lettered_once_and_reported(transactional_db, caplog):
    database = mongo_database()
    chat = _chat_in_both(StoreMode.DUAL)
    big = "x" * (16 * 1024 * 1024 - 4096)
    database.chats.update_one({"_id": ObjectId(chat.id)}, {"$set": {"archive": big}})  # legacy bulk, near the limit
    with caplog.at_level("ERROR"):
        message, _ = repository_for("chat").post_message(chat.id, sender_id=chat.participant_ids[0], body="y" * 8000)
    entry = MirrorOutboxEntry.objects.get(collection="chat_messages", record_id=message.id)
    assert (entry.status, entry.attempts) == ("dead", 1)  # not retried in a loop
    assert "document_too_large" in entry.last_error and chat.id in entry.last_error
    assert any("16 MB" in record.getMessage() for record in caplog.records)
    assert outbox_repair_pending().repaired == 0
    from chat.models import OversizedChat

    assert list(OversizedChat.objects.filter(domain="chat").values_list("record_id", flat=True)) == [message.id]
    assert domain_spec("chat").backends()["postgres"].get_snapshot("chat_messages", message.id) == message


def test_a_mark_read_that_loses_a_race_midway_still_returns_every_message_it_wrote(transactional_db, monkeypatch):
    from chat.repositories import mongo as mongo_repository

    database = mongo_database()
    doc = legacy_chat(database, messages=16)  # the last five unread; three of them by the other participant
    for index in range(6):
        database.chats.update_one({"_id": doc["_id"]}, {"$set": {f"messages.{index}.readBy": []}})
    monkeypatch.setattr(mongo_repository, "_MARK_READ_CHUNK", 2)
    collection_type = type(database.chats)
    original, calls = collection_type.update_one, []

    def racing(self, filter, update, *args, **kwargs):
        calls.append(update)
        if len(calls) == 2:  # another writer changes an element of the second chunk first
            original(self, {"_id": doc["_id"]}, {"$push": {"messages.2.readBy": ObjectId()}})
        return original(self, filter, update, *args, **kwargs)

    monkeypatch.setattr(collection_type, "update_one", racing)
    reader = str(doc["participants"][1])
    set_store_mode("chat", StoreMode.MONGO)
    changed = repository_for("chat").mark_read(str(doc["_id"]), user_id=reader)
    expected = {
        str(item["_id"]) for index, item in enumerate(doc["messages"]) if index % 2 == 0 and (index < 6 or index >= 11)
    }
    assert {message.id for message in changed} == expected
    assert domain_spec("chat").backends()["mongo"].unread_count(str(doc["_id"]), user_id=reader) == 0


@pytest.mark.parametrize("stored", [None, "not a list"], ids=repr)
def test_a_message_for_a_chat_whose_messages_is_not_an_array_is_refused_never_written_over_it(
    transactional_db, caplog, stored
):
    """Dual writes to a chat whose legacy `messages` is null: Mongo refuses the `$push` (for the legacy app too).
    The mirror dead-letters the copy at once with a message saying what to repair (not retried as an outage),
    and while Mongo leads the post is refused (409), the document untouched."""
    from rest_framework import status

    from api.errors import _answer

    database = mongo_database()
    chat = _chat_in_both(StoreMode.DUAL)
    database.chats.update_one({"_id": ObjectId(chat.id)}, {"$set": {"messages": stored}})
    message, _ = repository_for("chat").post_message(chat.id, sender_id=chat.participant_ids[0], body="hello")
    entry = MirrorOutboxEntry.objects.get(collection="chat_messages", record_id=message.id)
    assert (entry.status, entry.attempts) == ("dead", 1)
    assert "array_unusable" in entry.last_error and chat.id in entry.last_error
    assert database.chats.find_one({"_id": ObjectId(chat.id)})["messages"] == stored
    assert domain_spec("chat").backends()["postgres"].get_snapshot("chat_messages", message.id) == message

    from cutover.store.elements import ElementArrayUnusable

    set_store_mode("chat", StoreMode.DUAL_MONGO_PRIMARY)
    with pytest.raises(ElementArrayUnusable) as refused:
        repository_for("chat").post_message(chat.id, sender_id=chat.participant_ids[0], body="again")
    assert _answer(refused.value)[0] == status.HTTP_409_CONFLICT
    assert database.chats.find_one({"_id": ObjectId(chat.id)})["messages"] == stored
    assert not ChatMessage.objects.filter(body="again").exists()
