"""The one place chat field names are translated (legacy `chats` documents, docs/legacy-collections.md).

A chat document embeds its messages; here they are two maps: CHAT (the document
without `messages`) and MESSAGE (one element of `messages`, a record of its own,
see cutover.store.elements), so no store reads or writes the whole array for one message."""

from typing import Any

from cutover.store import legacy
from cutover.store.elements import PARENT_KEY, EmbeddedIn
from cutover.store.recordmap import DATETIME, OBJECT_ID, TEXT, Field, Kind, RecordMap

from ..records import ChatRecord, MessageRecord


def _array(value: Any, name: str) -> list:
    if not isinstance(value, list):
        raise legacy.LegacyValueError(name, "an array", value)
    return value


def _object_ids(value: Any, name: str) -> tuple[str, ...]:
    return tuple(legacy.object_id_hex(item, f"{name}[{index}]") for index, item in enumerate(_array(value, name)))


def _texts(value: Any, name: str) -> tuple[str, ...]:
    return tuple(legacy.legacy_text(item, f"{name}[{index}]") for index, item in enumerate(_array(value, name)))


def _check_texts(value: tuple[str, ...], name: str) -> None:
    for index, item in enumerate(value):
        legacy.legacy_text(item, f"{name}[{index}]")


# Arrays of user ids (ObjectId or 24-hex string in legacy data) and of text (attachment urls).
OBJECT_IDS = Kind(
    "object_ids",
    _object_ids,
    lambda ids: [legacy.to_object_id(i) for i in ids],
    table=(("array", "of ids, each by the object_id table"),),
)
TEXTS = Kind("texts", _texts, list, check=_check_texts, table=(("array", "of strings, each by the text table"),))
MESSAGES_KEY = "messages"

MESSAGE = RecordMap(
    MessageRecord,
    collection="chat_messages",
    model="chat.ChatMessage",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("chat_id", PARENT_KEY, OBJECT_ID),  # the parent chat's _id (cutover.store.elements)
        Field("sender_id", "senderId", OBJECT_ID),
        Field("body", "body", TEXT, default=""),
        Field("attachments", "attachments", TEXTS, default=()),
        Field("created_at", "createdAt", DATETIME),
        Field("read_by", "readBy", OBJECT_IDS, default=()),
    ),
    version_field=None,  # copies are ordered by the copy lock (cutover.mirror), not by a version
    embedded_in=EmbeddedIn(
        parent_collection="chats",
        key=MESSAGES_KEY,
        parent_field="chat_id",
        after_load="chat.repositories.postgres.recompute_read_through",
    ),
)

CHAT = RecordMap(
    ChatRecord,
    collection="chats",
    model="chat.Chat",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("purchase_request_id", "purchaseRequestId", OBJECT_ID, optional=True),
        Field("participant_ids", "participants", OBJECT_IDS, default=()),
        Field("last_message_at", "lastMessageAt", DATETIME, optional=True),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
    element_keys=(MESSAGES_KEY,),
)

MAPS = (CHAT, MESSAGE)
