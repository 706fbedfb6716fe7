"""Chats in PostgreSQL: `chats`, `chat_participants` (kept by a trigger) and `chat_messages`.

Every message use case reads one index range of one chat: a page is the (chat, created_at, id) index
from the cursor on; an unread count reads it only after the participant's `read_through` (see
chat.models), which mark_read moves to the newest message."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q

from cutover.store.backends.errors import RecordNotFound
from cutover.store.backends.postgres import PostgresBackend

from .. import rules
from ..models import Chat, ChatMessage, ChatParticipant
from ..records import ChatRecord, MessageRecord
from .base import ChatRepository
from .mapping import CHAT, MESSAGE


class PostgresChatRepository(PostgresBackend, ChatRepository):
    def _append_message(self, chat_id: str, make) -> tuple[MessageRecord, ChatRecord]:
        with transaction.atomic():
            made: list[MessageRecord] = []

            def add(chat: ChatRecord) -> ChatRecord:
                made.append(make(chat))
                return rules.chat_after_message(chat, made[0])

            after = self._update(ChatRecord, chat_id, add)  # locks the chat row: posts to one chat queue
            self._insert(made[0])
            _sender_has_read_up_to(made[0])
        return made[0], after

    def _mark_read(self, chat_id: str, user_id: str) -> list[MessageRecord]:
        with transaction.atomic():
            Chat.objects.select_for_update().filter(pk=chat_id).exists()  # serialized with posts to the chat
            unread = list(self._unread_rows(chat_id, user_id).order_by("created_at", "id"))
            for row in unread:
                row.read_by = [*row.read_by, user_id]
            ChatMessage.objects.bulk_update(unread, ["read_by"], batch_size=1000)
            newest = ChatMessage.objects.filter(chat_id=chat_id).order_by("-created_at", "-id").first()
            if newest is not None:
                ChatParticipant.objects.filter(chat_id=chat_id, user_id=user_id).update(read_through=newest.created_at)
        return [MESSAGE.from_row(row) for row in unread]

    def _messages_before(self, chat_id: str, before: tuple[datetime, str] | None, limit: int) -> list[MessageRecord]:
        rows = ChatMessage.objects.filter(chat_id=chat_id)
        if before is not None:
            at, message_id = before
            rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=message_id))
        return [MESSAGE.from_row(row) for row in rows.order_by("-created_at", "-id")[:limit]]

    def _unread_count(self, chat_id: str, user_id: str) -> int:
        return self._unread_rows(chat_id, user_id).count()

    def _chats_of_user(self, user_id: str, limit: int) -> list[ChatRecord]:
        ids = list(
            ChatParticipant.objects.filter(user_id=user_id)
            .order_by(F("last_message_at").desc(nulls_last=True), "-chat_id")
            .values_list("chat_id", flat=True)[:limit]
        )
        by_id = {row.id: CHAT.from_row(row) for row in Chat.objects.filter(pk__in=ids)}
        return [by_id[chat_id] for chat_id in ids if chat_id in by_id]

    def _unread_rows(self, chat_id: str, user_id: str):
        """Messages of the chat unread by the user, from the participant's read_through on."""
        if not Chat.objects.filter(pk=chat_id).exists():
            raise RecordNotFound(ChatRecord, chat_id)
        read_through = (
            ChatParticipant.objects.filter(chat_id=chat_id, user_id=user_id).values_list("read_through", flat=True)
        ).first()
        rows = (
            ChatMessage.objects.filter(chat_id=chat_id).exclude(sender_id=user_id).exclude(read_by__contains=[user_id])
        )
        return rows.filter(created_at__gt=read_through) if read_through is not None else rows


def _sender_has_read_up_to(message: MessageRecord) -> None:
    """A sender who had nothing unread before their message has nothing unread up to it: their read_through
    moves along, so a participant who only writes never has their unread count scan the whole chat. (The
    check stops at the first unread message after read_through.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE chat_participants p SET read_through = %(at)s
            WHERE p.chat_id = %(chat)s AND p.user_id = %(user)s AND p.read_through < %(at)s
              AND NOT EXISTS (
                SELECT 1 FROM chat_messages m
                WHERE m.chat_id = p.chat_id AND m.created_at > p.read_through AND m.created_at <= %(at)s
                  AND m.sender_id <> p.user_id AND NOT (p.user_id = ANY(m.read_by)))
            """,
            {"at": message.created_at, "chat": message.chat_id, "user": message.sender_id},
        )


def recompute_read_through(chat_ids: list[str]) -> None:
    """Each participant's read_through as high as it can be: just before their first unread message, or
    the newest message when none is unread (after a backfill loaded messages with their legacy readBy)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE chat_participants p SET read_through = COALESCE(
                (SELECT min(m.created_at) FROM chat_messages m
                  WHERE m.chat_id = p.chat_id AND m.sender_id <> p.user_id AND NOT (p.user_id = ANY(m.read_by)))
                  - interval '1 microsecond',
                (SELECT max(m.created_at) FROM chat_messages m WHERE m.chat_id = p.chat_id))
            WHERE p.chat_id = ANY(%s)
            """,
            [chat_ids],
        )
