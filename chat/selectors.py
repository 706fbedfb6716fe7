"""Chat reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import ChatRecord, MessagePage

DOMAIN = "chat"


def chat_get(*, chat_id: str) -> ChatRecord | None:
    return repository_for(DOMAIN).get_chat(chat_id)


def chat_messages_page(*, chat_id: str, cursor: str | None = None, limit: int = 50) -> MessagePage:
    return repository_for(DOMAIN).list_messages(chat_id, cursor=cursor, limit=limit)


def chat_unread_count(*, chat_id: str, user_id: str) -> int:
    return repository_for(DOMAIN).unread_count(chat_id, user_id=user_id)


def chats_of_user(*, user_id: str, limit: int = 50) -> list[ChatRecord]:
    return repository_for(DOMAIN).chats_of_user(user_id, limit=limit)
