"""Verify names a message whose one field differs, for every field of a message (by its id)."""

import dataclasses

from bson import ObjectId

from chat.repositories.mapping import MESSAGE
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from escrow_project.mongo import mongo_database
from tests.chat.legacy_chats import legacy_chat
from tests.verify.test_verify_every_field import NOT_ALTERED_ON_PURPOSE, _altered

NOT_A_MESSAGE_KEY = {"chat_id"}  # the parent's _id: changing it moves the message, a missing and an extra


def test_each_altered_message_field_is_reported_by_message_id(transactional_db):
    database = mongo_database()
    doc = legacy_chat(database, messages=8)
    database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.2.attachments": ["https://f.example/a"]}})
    backfill_domain("chat")
    assert verify_domain("chat").passed
    stored = database.chats.find_one({"_id": doc["_id"]})
    element = stored["messages"][2]
    record = MESSAGE.from_document({**element, "$parent": doc["_id"]})
    names = [f.name for f in dataclasses.fields(record) if f.name not in NOT_ALTERED_ON_PURPOSE | NOT_A_MESSAGE_KEY]
    assert len(names) == 5
    for name in names:
        altered = _altered(MESSAGE, record, name)
        assert altered is not None, name
        changed = {k: v for k, v in MESSAGE.to_document(altered).items() if k != "$parent"}
        database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.2": changed}})
        result = verify_domain("chat")
        assert result.samples["chat_messages"]["differing"] == {record.id: [name]}, name
        assert not result.passed
        database.chats.update_one({"_id": doc["_id"]}, {"$set": {"messages.2": element}})
    assert verify_domain("chat").passed
    assert ObjectId.is_valid(record.id)
