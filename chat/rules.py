"""What the legacy chat app did on each write, as pure functions every store applies."""

import dataclasses
from datetime import datetime

from cutover.store.legacy import new_id, next_moment

from .records import ChatDraft, ChatRecord, MessagePage, MessageRecord


class NotAParticipant(PermissionError):
    def __init__(self, chat_id: str, user_id: str):
        super().__init__(f"user {user_id} is not a participant of chat {chat_id}")


class BadCursor(ValueError):
    pass


def chat_from_draft(draft: ChatDraft, *, at: datetime) -> ChatRecord:
    return ChatRecord(
        id=new_id(),
        purchase_request_id=draft.purchase_request_id,
        participant_ids=tuple(dict.fromkeys(draft.participant_ids)),
        last_message_at=None,
        created_at=at,
        updated_at=at,
    )


def require_participant(chat: ChatRecord, user_id: str) -> None:
    if user_id not in chat.participant_ids:
        raise NotAParticipant(chat.id, user_id)


def new_message(chat: ChatRecord, *, sender_id: str, body: str, attachments: tuple[str, ...]) -> MessageRecord:
    """The sender has read their own message (legacy: readBy starts as [senderId]). Messages of one chat
    get strictly increasing times, so 'newest first' is the order they were posted in."""
    require_participant(chat, sender_id)
    at = next_moment(chat.last_message_at) if chat.last_message_at else next_moment(chat.created_at)
    return MessageRecord(
        id=new_id(),
        chat_id=chat.id,
        sender_id=sender_id,
        body=body,
        attachments=tuple(attachments),
        created_at=at,
        read_by=(sender_id,),
    )


def chat_after_message(chat: ChatRecord, message: MessageRecord) -> ChatRecord:
    last = max(chat.last_message_at, message.created_at) if chat.last_message_at else message.created_at
    return dataclasses.replace(chat, last_message_at=last, updated_at=next_moment(chat.updated_at))


def is_unread(message: MessageRecord, user_id: str) -> bool:
    return message.sender_id != user_id and user_id not in message.read_by


def read_by(message: MessageRecord, user_id: str) -> MessageRecord:
    return dataclasses.replace(message, read_by=(*message.read_by, user_id))


# --- cursor paging: newest first, by (createdAt, _id) ---------------------------------------------
def page_key(message: MessageRecord) -> tuple[datetime, str]:
    return message.created_at, message.id


def encode_cursor(message: MessageRecord) -> str:
    return f"{message.created_at.isoformat()}|{message.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        at, message_id = cursor.split("|")
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise BadCursor(f"not a message cursor: {cursor!r}") from None
    if moment.tzinfo is None or len(message_id) != 24:
        raise BadCursor(f"not a message cursor: {cursor!r}")
    return moment, message_id


def page_of(newest_first: list[MessageRecord], limit: int) -> MessagePage:
    """`newest_first` holds up to limit + 1 messages: the extra one says whether there is an older page."""
    shown = tuple(newest_first[:limit])
    more = len(newest_first) > limit and shown
    return MessagePage(messages=shown, next_cursor=encode_cursor(shown[-1]) if more else None)
