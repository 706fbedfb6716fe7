"""The embedded element's push guard, held at its critical point: a copy of a new chat message has found no
element with its `_id` and not yet pushed it when another copy pushes the same message. The guarded push must
see it there (and compare instead), so the chat holds the message once; an unguarded push holds it twice."""

from bson import ObjectId

import cutover.store.elements as element_store
from chat.records import ChatDraft, MessageRecord
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.store.legacy import new_id, now_ms
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database


def test_a_message_pushed_by_another_copy_meanwhile_is_held_once(db, monkeypatch):
    set_store_mode("chat", StoreMode.DUAL_MONGO_PRIMARY)
    chat = repository_for("chat").create_chat(ChatDraft(participant_ids=(new_id(), new_id())))
    message = MessageRecord(
        id=new_id(),
        chat_id=chat.id,
        sender_id=chat.participant_ids[0],
        body="once",
        attachments=(),
        created_at=now_ms(),
        read_by=(),
    )
    mongo = domain_spec("chat").backends()["mongo"]
    element_map = mongo._map(MessageRecord)
    find = element_store._find_element
    raced = []

    def another_copy_pushes_after_our_look(database, element_map_, element_id, **options):
        found = find(database, element_map_, element_id, **options)
        if found is None and not raced:
            raced.append(True)
            document = element_store.element_document(element_map, message)
            database.chats.update_one({"_id": ObjectId(chat.id)}, {"$push": {"messages": document}})
        return found

    monkeypatch.setattr(element_store, "_find_element", another_copy_pushes_after_our_look)
    mongo.put_snapshot(message)
    assert raced
    elements = mongo_database().chats.find_one({"_id": ObjectId(chat.id)})["messages"]
    assert [element["_id"] for element in elements] == [ObjectId(message.id)]
    assert mongo.get_snapshot("chat_messages", message.id) == message
