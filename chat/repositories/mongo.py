"""Chats in MongoDB, in the legacy shape (docs/legacy-collections.md, `chats`): messages embedded in the chat document.

A new message is one update, as the legacy app made it: `$push` onto `messages` with `$set` of
`lastMessageAt`/`updatedAt`, guarded by the chat's stored values (compare-and-swap). Chats are read
without their messages (projection); message reads project only the message keys they need."""

from typing import Any

from pymongo import DESCENDING
from pymongo.errors import DocumentTooLarge, WriteError

from cutover.store import legacy
from cutover.store.backends.errors import RecordNotFound
from cutover.store.backends.mongo import MongoBackend
from cutover.store.elements import DocumentLimitReached, element_document, element_record, refuse_unless_array
from cutover.store.mongo_writes import MAX_ATTEMPTS, KeptChanging, guarded, id_candidates, locate

from .. import rules
from ..records import ChatRecord, MessageRecord
from .base import ChatRepository
from .mapping import CHAT, MESSAGE, MESSAGES_KEY

_MARK_READ_CHUNK = 500  # elements changed per update command (the filter names each one)


class MongoChatRepository(MongoBackend, ChatRepository):
    @property
    def _chats(self):
        return self.database[CHAT.collection]

    def _append_message(self, chat_id: str, make) -> tuple[MessageRecord, ChatRecord]:
        for _ in range(MAX_ATTEMPTS):
            stored = locate(self._chats, chat_id, projection={MESSAGES_KEY: 0})
            if stored is None:
                raise RecordNotFound(ChatRecord, chat_id)
            chat = CHAT.from_document(stored)
            message = make(chat)
            MESSAGE.check(message)
            after = rules.chat_after_message(chat, message)
            update = CHAT.owned_update(stored, after)
            guard = guarded(stored, update)
            update["$push"] = {MESSAGES_KEY: element_document(MESSAGE, message)}
            if self._updated(guard, update, chat_id, message.id):
                return message, after
        raise KeptChanging(f"chat {chat_id} kept changing under us; gave up")

    def _updated(self, guard: dict, update: dict, chat_id: str, message_id: str) -> bool:
        try:
            return bool(self._chats.update_one(guard, update).matched_count)
        except (DocumentTooLarge, WriteError) as error:
            if isinstance(error, WriteError) and error.code not in (10334, 17419):
                refuse_unless_array(self._chats, chat_id, MESSAGES_KEY, message_id, error)  # `messages: null`
                raise
            raise DocumentLimitReached(CHAT.collection, chat_id, message_id, str(error)[:200]) from error

    def _mark_read(self, chat_id: str, user_id: str) -> list[MessageRecord]:
        changed: dict[str, MessageRecord] = {}  # every message written, across attempts: all must be mirrored
        for _ in range(MAX_ATTEMPTS):
            doc = self._document_with_messages(chat_id, None)
            stored = doc.get(MESSAGES_KEY) if isinstance(doc.get(MESSAGES_KEY), list) else []
            unread = [
                (index, message)
                for index, message in enumerate(self._messages_of(doc))
                if message is not None and rules.is_unread(message, user_id)
            ]
            if self._marked(doc["_id"], stored, unread, user_id, changed):
                return sorted(changed.values(), key=rules.page_key)
        raise KeptChanging(f"chat {chat_id} kept changing under us; gave up")

    def _marked(self, document_id: Any, stored: list, unread: list, user_id: str, changed: dict) -> bool:
        """Set each unread element's readBy, guarded by its `_id` and old readBy at that position."""
        for start in range(0, len(unread), _MARK_READ_CHUNK):
            guard: dict[str, Any] = {"_id": document_id}
            sets: dict[str, Any] = {}
            chunk = [
                (index, rules.read_by(message, user_id)) for index, message in unread[start : start + _MARK_READ_CHUNK]
            ]
            for index, after in chunk:
                element = stored[index]
                guard[f"{MESSAGES_KEY}.{index}._id"] = element["_id"]
                guard[f"{MESSAGES_KEY}.{index}.readBy"] = element.get("readBy", {"$exists": False})
                sets[f"{MESSAGES_KEY}.{index}.readBy"] = MESSAGE.field("read_by").kind.dump(after.read_by)
            if not self._chats.update_one(guard, {"$set": sets}).matched_count:
                return False  # changed meanwhile: read again (chunks already written stay right)
            changed.update((after.id, after) for _, after in chunk)
        return True

    def _messages_before(self, chat_id: str, before, limit: int) -> list[MessageRecord]:
        messages = [m for m in self._messages_of(self._document_with_messages(chat_id, None)) if m is not None]
        if before is not None:
            messages = [m for m in messages if rules.page_key(m) < before]
        return sorted(messages, key=rules.page_key, reverse=True)[:limit]

    def _unread_count(self, chat_id: str, user_id: str) -> int:
        doc = self._document_with_messages(chat_id, ("_id", "senderId", "readBy", "createdAt"))
        return sum(1 for m in self._messages_of(doc) if m is not None and rules.is_unread(m, user_id))

    def _chats_of_user(self, user_id: str, limit: int) -> list[ChatRecord]:
        cursor = (
            self._chats.find({"participants": {"$in": id_candidates(user_id)}}, {MESSAGES_KEY: 0})
            .sort([("lastMessageAt", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [CHAT.from_document(doc) for doc in cursor]

    # --- helpers -----------------------------------------------------------------------------------
    def _document_with_messages(self, chat_id: str, keys: tuple[str, ...] | None) -> dict:
        projection = {f"{MESSAGES_KEY}.{key}": 1 for key in keys} if keys else {MESSAGES_KEY: 1}
        doc = locate(self._chats, chat_id, projection=projection)
        if doc is None:
            raise RecordNotFound(ChatRecord, chat_id)
        return doc

    @staticmethod
    def _messages_of(doc: dict) -> list[MessageRecord | None]:
        """The document's messages as records, by array position; None for an element that does not read
        (a dirty legacy element: the backfill rejects it, the app does not stumble over it)."""
        out: list[MessageRecord | None] = []
        elements = doc.get(MESSAGES_KEY)
        for element in elements if isinstance(elements, list) else []:  # null or not an array: none to read
            try:
                out.append(element_record(MESSAGE, doc["_id"], element) if isinstance(element, dict) else None)
            except legacy.LegacyValueError:
                out.append(None)
        return out
