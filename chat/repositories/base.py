"""The chat port: the use cases the legacy chat had.

Creating and reading a chat are written once on the storage primitives. The
message use cases are not: Mongo keeps messages inside the chat document and
Postgres in their own table, and each store answers them the way it can do
cheaply (one `$push`; one index range), so each backend implements the few
`_message` primitives below. Both apply the same rules (chat.rules)."""

from abc import abstractmethod
from datetime import datetime

from cutover.store.backends.errors import RecordNotFound
from cutover.store.legacy import now_ms
from cutover.store.ports import StoreRepository

from .. import rules
from ..records import ChatDraft, ChatRecord, MessagePage, MessageRecord
from . import mapping

PAGE_LIMIT_MAX = 200


class ChatRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"create_chat", "post_message", "mark_read"})
    READ_METHODS = frozenset({"get_chat", "list_messages", "unread_count", "chats_of_user"})

    def create_chat(self, draft: ChatDraft) -> ChatRecord:
        record = rules.chat_from_draft(draft, at=now_ms())
        self._insert(record)
        return record

    def get_chat(self, chat_id: str) -> ChatRecord | None:
        return self._get(ChatRecord, chat_id)

    def post_message(
        self, chat_id: str, *, sender_id: str, body: str, attachments: tuple[str, ...] = ()
    ) -> list[MessageRecord | ChatRecord]:
        """Appends the message and moves the chat's lastMessageAt; returns [message, chat]."""
        message, chat = self._append_message(
            chat_id, lambda chat: rules.new_message(chat, sender_id=sender_id, body=body, attachments=attachments)
        )
        return [message, chat]

    def mark_read(self, chat_id: str, *, user_id: str) -> list[MessageRecord]:
        """Every message of the chat is read by `user_id`; returns the messages that changed."""
        rules.require_participant(self._chat(chat_id), user_id)
        return self._mark_read(chat_id, user_id)

    def list_messages(self, chat_id: str, *, cursor: str | None = None, limit: int = 50) -> MessagePage:
        """Newest first; pass the page's `next_cursor` for the older ones."""
        limit = max(1, min(limit, PAGE_LIMIT_MAX))
        before = rules.decode_cursor(cursor)
        self._chat(chat_id)
        return rules.page_of(self._messages_before(chat_id, before, limit + 1), limit)

    def unread_count(self, chat_id: str, *, user_id: str) -> int:
        rules.require_participant(self._chat(chat_id), user_id)
        return self._unread_count(chat_id, user_id)

    def chats_of_user(self, user_id: str, *, limit: int = 50) -> list[ChatRecord]:
        """The user's chats, the one with the latest message first (chats without messages last)."""
        return self._chats_of_user(user_id, max(1, min(limit, PAGE_LIMIT_MAX)))

    def _chat(self, chat_id: str) -> ChatRecord:
        chat = self._get(ChatRecord, chat_id)
        if chat is None:
            raise RecordNotFound(ChatRecord, chat_id)
        return chat

    # --- message primitives, one per store ---------------------------------------------------------
    @abstractmethod
    def _append_message(self, chat_id: str, make) -> tuple[MessageRecord, ChatRecord]:
        """Under the chat's lock (or compare-and-swap): make(chat) -> message; store it and the chat after it."""

    @abstractmethod
    def _mark_read(self, chat_id: str, user_id: str) -> list[MessageRecord]: ...

    @abstractmethod
    def _messages_before(self, chat_id: str, before: tuple[datetime, str] | None, limit: int) -> list[MessageRecord]:
        """Up to `limit` messages ordered by (created_at, id) descending, strictly before `before`."""

    @abstractmethod
    def _unread_count(self, chat_id: str, user_id: str) -> int: ...

    @abstractmethod
    def _chats_of_user(self, user_id: str, limit: int) -> list[ChatRecord]: ...
