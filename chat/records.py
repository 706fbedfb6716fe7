"""The chat records every store returns: frozen, so dual reads compare with ==.

A chat and its messages are separate records: the legacy document embeds the
messages, but no use case needs all of them at once, and a chat of 50,000
messages must cost what a chat of 10 costs to write to (cutover.store.elements)."""

from dataclasses import dataclass
from datetime import datetime

from cutover.store.records import LegacyShape


def _as_tuple(record, *names: str) -> None:
    """Array columns come back from Postgres as lists: records hold tuples (hashable, comparable)."""
    for name in names:
        value = getattr(record, name)
        if not isinstance(value, tuple):
            object.__setattr__(record, name, tuple(value or ()))


@dataclass(frozen=True)
class ChatDraft:
    participant_ids: tuple[str, ...]
    purchase_request_id: str | None = None


@dataclass(frozen=True)
class ChatRecord(LegacyShape):
    id: str
    purchase_request_id: str | None
    participant_ids: tuple[str, ...]  # in the legacy array's order
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        _as_tuple(self, "participant_ids")


@dataclass(frozen=True)
class MessageRecord(LegacyShape):
    id: str  # the legacy element's `_id`, kept
    chat_id: str
    sender_id: str
    body: str
    attachments: tuple[str, ...]
    created_at: datetime
    read_by: tuple[str, ...]  # user ids, in the legacy array's order

    def __post_init__(self) -> None:
        _as_tuple(self, "attachments", "read_by")


@dataclass(frozen=True)
class MessagePage:
    """One page of a chat's messages, newest first; `next_cursor` fetches the older ones (None: no more)."""

    messages: tuple[MessageRecord, ...]
    next_cursor: str | None
