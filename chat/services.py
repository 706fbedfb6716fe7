"""Chat writes, through whichever store(s) the domain's mode selects."""

from cutover.factory import repository_for
from cutover.store.legacy import object_id_hex

from .records import ChatDraft, ChatRecord, MessageRecord

DOMAIN = "chat"
BODY_MAX = 10_000


class InvalidChatInput(ValueError):
    pass


def _id(value: str | None, name: str, *, optional: bool = False) -> str | None:
    try:
        return object_id_hex(value, name, optional=optional)
    except ValueError as error:
        raise InvalidChatInput(str(error)) from None


def chat_create(*, participant_ids: list[str], purchase_request_id: str | None = None) -> ChatRecord:
    participants = tuple(dict.fromkeys(_id(user_id, "participant_ids") for user_id in participant_ids))
    if len(participants) < 2:
        raise InvalidChatInput("a chat needs at least two different participants")
    draft = ChatDraft(
        participant_ids=participants,
        purchase_request_id=_id(purchase_request_id, "purchase_request_id", optional=True),
    )
    return repository_for(DOMAIN).create_chat(draft)


def chat_post_message(
    *, chat_id: str, sender_id: str, body: str, attachments: list[str] | tuple[str, ...] = ()
) -> MessageRecord:
    urls = tuple(url.strip() for url in attachments if url and url.strip())
    if not body.strip() and not urls:
        raise InvalidChatInput("a message needs a body or an attachment")
    if len(body) > BODY_MAX:
        raise InvalidChatInput(f"a message body has at most {BODY_MAX} characters, got {len(body)}")
    message, _chat = repository_for(DOMAIN).post_message(
        _id(chat_id, "chat_id"), sender_id=_id(sender_id, "sender_id"), body=body, attachments=urls
    )
    return message


def chat_mark_read(*, chat_id: str, user_id: str) -> int:
    """Marks every message of the chat read by the user; returns how many were unread."""
    return len(repository_for(DOMAIN).mark_read(_id(chat_id, "chat_id"), user_id=_id(user_id, "user_id")))
