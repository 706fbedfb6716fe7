"""Postgres schema of the chat domain: the legacy document's embedded array, normalized.

- `chats`: one row per chat; `participant_ids` keeps the legacy array (its order).
- `chat_participants`: one row per (chat, user), kept by a trigger from `chats` (migration 0002), with
  the chat's last message time (a user's chats by last message) and the read state: `read_through`,
  a moment up to which no message is unread for the user (a lower bound, never too high: a trigger
  lowers it when a message at or before it is written unread), so an unread count reads only the
  messages after it.
- `chat_messages`: one row per message, keeping its legacy `_id` and `readBy`.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from cutover.models import MirrorOutboxEntry
from cutover.store.fields import LegacyShapeColumns, ObjectIdField


class Chat(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    purchase_request = models.ForeignKey(
        "marketplace.PurchaseRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    participant_ids = ArrayField(ObjectIdField(), default=list, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "chats"

    def __str__(self) -> str:
        return f"chat {self.id}"


class ChatParticipant(models.Model):
    """Derived from `chats` by a trigger: never written by the application."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="participants")
    user_id = ObjectIdField()  # kept as written: a chat outlives accounts
    last_message_at = models.DateTimeField(null=True, blank=True)
    read_through = models.DateTimeField(null=True, blank=True)  # None: nothing known read

    class Meta:
        db_table = "chat_participants"
        constraints = [models.UniqueConstraint(fields=["chat", "user_id"], name="chat_participant_unique")]
        indexes = [
            models.Index(
                models.F("user_id"),
                models.F("last_message_at").desc(nulls_last=True),
                models.F("chat_id").desc(),
                name="chat_participant_recent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.chat_id}"


class ChatMessage(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    sender_id = ObjectIdField()
    body = models.TextField(blank=True)
    attachments = ArrayField(models.TextField(), default=list, blank=True)
    created_at = models.DateTimeField()
    read_by = ArrayField(ObjectIdField(), default=list, blank=True)

    class Meta:
        db_table = "chat_messages"
        indexes = [
            # A chat's messages newest first, paged by (created_at, id); unread counts scan it from read_through.
            models.Index(fields=["chat", "-created_at", "-id"], name="chat_messages_page_idx"),
        ]

    def __str__(self) -> str:
        return f"message {self.id} in {self.chat_id}"


class _OversizedChats(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return (
            super()
            .get_queryset()
            .filter(domain="chat", status=MirrorOutboxEntry.Status.DEAD, last_error__contains="document_too_large")
        )


class OversizedChat(MirrorOutboxEntry):
    """A dead-lettered mirror of a message that Mongo refused: its chat document would pass 16 MB
    (cutover.store.elements.DocumentLimitReached; the error names the chat). Listed in admin apart from other
    dead entries; the message is in Postgres, and the chat needs splitting or archiving in Mongo."""

    objects = _OversizedChats()

    class Meta:
        proxy = True
        verbose_name = "chat over the 16 MB document limit"
        verbose_name_plural = "chats over the 16 MB document limit"
