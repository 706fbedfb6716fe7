"""A query the server refuses because of one document's data (issue 30: `$slice` over a value that is not an
array, which a stand-in had raised and the backfill had reported as an outage). Over the wire, through the
command and its own pymongo client (MIGRATION_MONGO_URL): the run goes on, and the refusal is a reject naming
the document, never "the store did not answer"."""

import pytest
from bson import ObjectId
from django.core.management import call_command
from django.core.management.base import CommandError

from chat.models import Chat, ChatMessage
from cutover.models import BackfillReject, BackfillRun
from escrow_project.mongo import mongo_database, reset_mongo_clients
from tests.chat.legacy_chats import legacy_chat

# What MongoDB says when an aggregation-style `$slice` meets a value that is no array (a data error).
SLICE_OF_NO_ARRAY = {
    "ok": 0,
    "code": 28724,
    "codeName": "Location28724",
    "errmsg": "First argument to $slice must be an array, but is of type: null",
}


def _slices_of(chat_id: ObjectId):
    def matches(doc: dict) -> bool:
        return (
            doc.get("find") == "chats"
            and doc.get("filter", {}).get("_id") == chat_id
            and "messages" in (doc.get("projection") or {})
        )

    return matches


@pytest.fixture
def through_the_wire(settings, wire):
    settings.MIGRATION_MONGO_URL = wire.uri
    reset_mongo_clients()
    yield wire
    reset_mongo_clients()


def test_a_document_the_server_refuses_to_read_is_a_reject_naming_it(transactional_db, through_the_wire):
    database = mongo_database()
    refused, fine = legacy_chat(database, messages=3), legacy_chat(database, messages=4)
    through_the_wire.fail(_slices_of(refused["_id"]), SLICE_OF_NO_ARRAY, times=100)

    with pytest.raises(CommandError) as said:
        call_command("backfill", "chat")
    assert str(said.value) == "chat: finished, 1 rejected (see admin: Backfill rejects)", (
        str(said.value),
        through_the_wire.unanswered,
    )

    reject = BackfillReject.objects.get()
    assert str(refused["_id"]) in reject.record_id + reject.reason, (reject.record_id, reject.reason)
    assert "refused" in reject.reason and "28724" in reject.reason and "did not answer" not in reject.reason
    assert BackfillRun.objects.get(domain="chat").status == "finished"
    assert Chat.objects.filter(pk=str(fine["_id"])).exists()
    assert ChatMessage.objects.filter(chat_id=str(fine["_id"])).count() == 4
    assert through_the_wire.unanswered == []
    assert any(_slices_of(refused["_id"])(doc) for doc in through_the_wire.commands)  # the refusal crossed the wire
