"""Two writers posting to one chat at once, in each mode that writes Mongo: nothing lost or doubled."""

import threading

import pytest
from bson import ObjectId
from django.db import connection

from chat.records import ChatDraft
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database

POSTS = 8


@pytest.mark.parametrize("mode", [StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL], ids=lambda m: m.value)
def test_concurrent_posts_all_land_once_in_every_store_the_mode_writes(transactional_db, mode):
    set_store_mode("chat", StoreMode.DUAL_MONGO_PRIMARY)
    chat = repository_for("chat").create_chat(ChatDraft(participant_ids=(str(ObjectId()), str(ObjectId()))))
    set_store_mode("chat", mode)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(sender: str) -> None:
        try:
            start.wait()
            for index in range(POSTS):
                repository_for("chat").post_message(chat.id, sender_id=sender, body=f"{sender[-4:]} {index}")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(user,)) for user in chat.participant_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    elements = mongo_database().chats.find_one({"_id": ObjectId(chat.id)})["messages"]
    assert len({e["_id"] for e in elements}) == len(elements) == 2 * POSTS
    stores = domain_spec("chat").backends()
    mongo_page = stores["mongo"].list_messages(chat.id, limit=100)
    assert len(mongo_page.messages) == 2 * POSTS
    assert stores["mongo"].get_chat(chat.id).last_message_at == mongo_page.messages[0].created_at
    if mode is not StoreMode.MONGO:
        assert stores["postgres"].list_messages(chat.id, limit=100) == mongo_page
        assert stores["postgres"].get_chat(chat.id) == stores["mongo"].get_chat(chat.id)
