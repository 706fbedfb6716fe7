"""Issue 22 item 7 for element records (chat messages in their chat's array): a message changed between
verify's read of the array and its read of the rows (a write acknowledged in both stores meanwhile) is read
again from both stores under its copy lock before it is reported, so verify passes; a real difference
still fails it."""

import pytest

import cutover.backfill.element_parity
from chat.models import ChatMessage
from chat.services import chat_create, chat_mark_read, chat_post_message
from cutover.backfill.verify import verify_domain
from cutover.testing import set_store_mode
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chat_in_both_stores(settings):
    settings.CUTOVER_MIRROR = "inline"
    set_store_mode("chat", "dual")
    buyer, seller = a_user(), a_user()
    chat = chat_create(participant_ids=[buyer.id, seller.id])
    messages = [chat_post_message(chat_id=chat.id, sender_id=buyer.id, body=f"hello {n}") for n in range(3)]
    assert verify_domain("chat").passed
    return chat, seller, messages


def test_a_message_read_meanwhile_is_no_difference(chat_in_both_stores, monkeypatch):
    chat, seller, _ = chat_in_both_stores
    read_slice = cutover.backfill.element_parity.slice_records
    marked = []

    def slice_then_a_write(*args, **kwargs):  # the array was read; the rows are read after this write
        out = read_slice(*args, **kwargs)
        if not marked:
            marked.append(chat_mark_read(chat_id=chat.id, user_id=seller.id))
        return out

    monkeypatch.setattr(cutover.backfill.element_parity, "slice_records", slice_then_a_write)
    result = verify_domain("chat")
    assert marked == [3]  # the write landed between the two reads
    assert result.passed, result.samples


def test_a_message_changed_behind_the_mirror_still_fails(chat_in_both_stores):
    _, _, messages = chat_in_both_stores
    ChatMessage.objects.filter(pk=messages[1].id).update(body="changed behind the mirror")
    result = verify_domain("chat")
    assert not result.passed
    assert list(result.samples["chat_messages"]["differing"]) == [messages[1].id]
