"""One body of tests for the chat port, run in every store mode."""

import re

import pytest

from chat.records import ChatDraft, ChatRecord, MessageRecord
from chat.rules import BadCursor, NotAParticipant
from cutover.store.backends.errors import RecordNotFound
from cutover.store.legacy import new_id
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_purchase_request


@pytest.fixture
def repo(repo_of):
    return repo_of("chat")


def a_chat(repo, *users: str) -> ChatRecord:
    request = a_purchase_request()
    return repo.create_chat(ChatDraft(participant_ids=users or (new_id(), new_id()), purchase_request_id=request.id))


def test_create_chat_keeps_participants_in_order(repo):
    first, second = new_id(), new_id()
    chat = a_chat(repo, first, second)
    assert re.fullmatch(r"[0-9a-f]{24}", chat.id)
    assert chat.participant_ids == (first, second)
    assert chat.last_message_at is None
    assert repo.get_chat(chat.id) == chat
    assert_stores_follow_mode("chat", repo.mode, [chat])


def test_post_message_appends_and_moves_last_message_at(repo):
    buyer, seller = new_id(), new_id()
    chat = a_chat(repo, buyer, seller)
    message, after = repo.post_message(chat.id, sender_id=buyer, body="Hallo, Ünïcode ✓", attachments=("https://f/1",))
    assert isinstance(message, MessageRecord) and message.chat_id == chat.id
    assert (message.sender_id, message.body, message.attachments, message.read_by) == (
        buyer,
        "Hallo, Ünïcode ✓",
        ("https://f/1",),
        (buyer,),
    )
    assert after.last_message_at == message.created_at and after.updated_at > chat.updated_at
    assert repo.get_chat(chat.id) == after
    assert repo.list_messages(chat.id).messages == (message,)
    assert_stores_follow_mode("chat", repo.mode, [message, after])


def test_messages_page_newest_first_by_cursor(repo):
    buyer, seller = new_id(), new_id()
    chat = a_chat(repo, buyer, seller)
    posted = [repo.post_message(chat.id, sender_id=(buyer, seller)[i % 2], body=f"m{i}")[0] for i in range(7)]
    first = repo.list_messages(chat.id, limit=3)
    assert [m.body for m in first.messages] == ["m6", "m5", "m4"]
    second = repo.list_messages(chat.id, cursor=first.next_cursor, limit=3)
    assert [m.body for m in second.messages] == ["m3", "m2", "m1"]
    last = repo.list_messages(chat.id, cursor=second.next_cursor, limit=3)
    assert [m.body for m in last.messages] == ["m0"] and last.next_cursor is None
    assert repo.list_messages(chat.id, limit=7).next_cursor is None
    assert {m.id for m in posted} == {m.id for page in (first, second, last) for m in page.messages}


def test_unread_count_and_mark_read(repo):
    buyer, seller = new_id(), new_id()
    chat = a_chat(repo, buyer, seller)
    for index in range(3):
        repo.post_message(chat.id, sender_id=buyer, body=f"b{index}")
    repo.post_message(chat.id, sender_id=seller, body="s0")
    assert repo.unread_count(chat.id, user_id=seller) == 3
    assert repo.unread_count(chat.id, user_id=buyer) == 1
    changed = repo.mark_read(chat.id, user_id=seller)
    assert sorted(m.body for m in changed) == ["b0", "b1", "b2"]
    assert all(m.read_by == (buyer, seller) for m in changed)
    assert repo.unread_count(chat.id, user_id=seller) == 0
    assert repo.mark_read(chat.id, user_id=seller) == []  # nothing changed: legal, mirrors nothing
    repo.post_message(chat.id, sender_id=buyer, body="b3")
    assert repo.unread_count(chat.id, user_id=seller) == 1
    assert repo.unread_count(chat.id, user_id=buyer) == 1
    assert_stores_follow_mode("chat", repo.mode, changed)


def test_chats_of_user_by_last_message(repo):
    me = new_id()
    quiet = a_chat(repo, me, new_id())
    older = a_chat(repo, me, new_id())
    newer = a_chat(repo, new_id(), me)
    a_chat(repo, new_id(), new_id())  # not mine
    repo.post_message(older.id, sender_id=me, body="first")
    repo.post_message(newer.id, sender_id=me, body="second")
    assert [c.id for c in repo.chats_of_user(me)] == _by_last_message(repo, [newer.id, older.id]) + [quiet.id]
    repo.post_message(older.id, sender_id=me, body="third")
    assert [c.id for c in repo.chats_of_user(me, limit=2)] == _by_last_message(repo, [older.id, newer.id])
    assert repo.chats_of_user(new_id()) == []


def _by_last_message(repo, chat_ids: list[str]) -> list[str]:
    """Latest message first; two posts in one millisecond (Mongo mode is that fast) tie: the later _id first."""
    chats = [repo.get_chat(chat_id) for chat_id in chat_ids]
    return [c.id for c in sorted(chats, key=lambda c: (c.last_message_at, c.id), reverse=True)]


def test_refusals_are_the_same_in_every_store(repo):
    buyer, seller = new_id(), new_id()
    chat = a_chat(repo, buyer, seller)
    with pytest.raises(NotAParticipant):
        repo.post_message(chat.id, sender_id=new_id(), body="intruder")
    with pytest.raises(NotAParticipant):
        repo.unread_count(chat.id, user_id=new_id())
    with pytest.raises(RecordNotFound):
        repo.post_message(new_id(), sender_id=buyer, body="nowhere")
    with pytest.raises(RecordNotFound):
        repo.list_messages(new_id())
    with pytest.raises(BadCursor):
        repo.list_messages(chat.id, cursor="garbage")
    assert repo.list_messages(chat.id).messages == ()
    repo.post_message(chat.id, sender_id=buyer, body="for the seller")
    with pytest.raises(NotAParticipant):
        repo.mark_read(chat.id, user_id=new_id())
    assert repo.unread_count(chat.id, user_id=seller) == 1  # the intruder's mark_read changed nothing
