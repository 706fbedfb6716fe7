"""Postgres read state kept by triggers whatever writes the rows, and the services' refusals."""

import dataclasses
from datetime import timedelta

import pytest
from bson import ObjectId

from chat.models import ChatParticipant
from chat.records import ChatDraft
from chat.selectors import chat_unread_count, chats_of_user
from chat.services import InvalidChatInput, chat_create, chat_mark_read, chat_post_message
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.store.elements import DocumentLimitReached
from cutover.store.legacy import new_id
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_chat():
    set_store_mode("chat", StoreMode.POSTGRES)
    return chat_create(participant_ids=[new_id(), new_id()])


def test_a_late_unread_message_before_read_through_still_counts():
    chat = _postgres_chat()
    buyer, seller = chat.participant_ids
    for index in range(4):
        chat_post_message(chat_id=chat.id, sender_id=buyer, body=f"m{index}")
    assert chat_mark_read(chat_id=chat.id, user_id=seller) == 4
    assert chat_unread_count(chat_id=chat.id, user_id=seller) == 0
    postgres = domain_spec("chat").backends()["postgres"]
    newest = postgres.list_messages(chat.id).messages[0]
    late = dataclasses.replace(
        newest, id=new_id(), created_at=newest.created_at - timedelta(seconds=30), read_by=(buyer,)
    )
    postgres.put_snapshot(late)  # a mirror from Mongo of a message posted earlier, arriving now
    assert chat_unread_count(chat_id=chat.id, user_id=seller) == 1
    read_through = ChatParticipant.objects.get(chat_id=chat.id, user_id=seller).read_through
    assert read_through < late.created_at
    assert chat_mark_read(chat_id=chat.id, user_id=seller) == 1
    assert chat_unread_count(chat_id=chat.id, user_id=seller) == 0


def test_a_read_by_that_loses_the_user_counts_again():
    chat = _postgres_chat()
    buyer, seller = chat.participant_ids
    message = chat_post_message(chat_id=chat.id, sender_id=buyer, body="hello")
    chat_mark_read(chat_id=chat.id, user_id=seller)
    domain_spec("chat").backends()["postgres"].put_snapshot(dataclasses.replace(message, read_by=(buyer,)))
    assert chat_unread_count(chat_id=chat.id, user_id=seller) == 1


def test_participants_follow_the_chat_row_whoever_writes_it():
    chat = _postgres_chat()
    newcomer = new_id()
    postgres = domain_spec("chat").backends()["postgres"]
    postgres.put_snapshot(
        dataclasses.replace(
            chat,
            participant_ids=(chat.participant_ids[0], newcomer, newcomer),
            updated_at=chat.updated_at + timedelta(seconds=1),
        )
    )
    assert sorted(ChatParticipant.objects.filter(chat_id=chat.id).values_list("user_id", flat=True)) == sorted(
        [chat.participant_ids[0], newcomer]
    )
    assert [c.id for c in chats_of_user(user_id=newcomer)] == [chat.id]
    assert chats_of_user(user_id=chat.participant_ids[1]) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": "   "}, "a body or an attachment"),
        ({"body": "x" * 10_001}, "at most 10000"),
        ({"body": "hi", "sender_id": "nope"}, "sender_id"),
        ({"body": "hi", "chat_id": "64AB"}, "chat_id"),
        ({"body": "nul \x00 inside"}, "NUL"),
    ],
)
def test_bad_input_is_refused_with_its_name(kwargs, message):
    chat = _postgres_chat()
    arguments = {"chat_id": chat.id, "sender_id": chat.participant_ids[0]} | kwargs
    with pytest.raises(ValueError, match=message):
        chat_post_message(**arguments)


def test_a_chat_needs_two_participants():
    set_store_mode("chat", StoreMode.MONGO)
    me = new_id()
    with pytest.raises(InvalidChatInput, match="two different"):
        chat_create(participant_ids=[me, me])


def test_a_mongo_primary_post_past_16_mb_fails_and_reaches_no_store():
    set_store_mode("chat", StoreMode.DUAL_MONGO_PRIMARY)
    chat = repository_for("chat").create_chat(ChatDraft(participant_ids=(str(ObjectId()), str(ObjectId()))))
    mongo_database().chats.update_one(
        {"_id": ObjectId(chat.id)}, {"$set": {"archive": "x" * (16 * 1024 * 1024 - 4096)}}
    )
    with pytest.raises(DocumentLimitReached, match="16 MB"):
        chat_post_message(chat_id=chat.id, sender_id=chat.participant_ids[0], body="y" * 8000)
    assert domain_spec("chat").backends()["postgres"].list_messages(chat.id).messages == ()
    assert domain_spec("chat").backends()["postgres"].get_chat(chat.id).last_message_at is None


def test_a_participant_who_only_writes_keeps_a_read_through_at_their_last_message():
    chat = _postgres_chat()
    writer, other = chat.participant_ids
    for index in range(3):
        last = chat_post_message(chat_id=chat.id, sender_id=writer, body=f"w{index}")
    assert ChatParticipant.objects.get(chat_id=chat.id, user_id=writer).read_through == last.created_at
    assert ChatParticipant.objects.get(chat_id=chat.id, user_id=other).read_through == chat.created_at
    assert (chat_unread_count(chat_id=chat.id, user_id=writer), chat_unread_count(chat_id=chat.id, user_id=other)) == (
        0,
        3,
    )
    reply = chat_post_message(chat_id=chat.id, sender_id=other, body="reply")  # other had three unread: stays
    assert ChatParticipant.objects.get(chat_id=chat.id, user_id=other).read_through == chat.created_at
    chat_post_message(chat_id=chat.id, sender_id=writer, body="after the reply")  # writer has the reply unread
    assert ChatParticipant.objects.get(chat_id=chat.id, user_id=writer).read_through == last.created_at
    assert chat_unread_count(chat_id=chat.id, user_id=writer) == 1
    assert reply.read_by == (other,)
