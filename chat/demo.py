"""Demo chats for seed_demo: one per accepted purchase request, between its buyer and seller."""

from random import Random

from .services import chat_create, chat_mark_read, chat_post_message

_LINES = ("Hi! Is it still available?", "Yes, shipping tomorrow.", "Paid, see escrow.", "Danke!", "Получил, спасибо")


def seed_demo_chats(*, size: int, rng: Random, context: dict) -> int:
    written = 0
    for request in context.get("purchase_requests", [])[: max(1, size // 2)]:
        if not request.seller_id:
            continue
        chat = chat_create(participant_ids=[request.buyer_id, request.seller_id], purchase_request_id=request.id)
        for index in range(rng.randint(1, 6)):
            sender = (request.buyer_id, request.seller_id)[index % 2]
            chat_post_message(chat_id=chat.id, sender_id=sender, body=rng.choice(_LINES))
            written += 1
        if rng.random() < 0.5:
            chat_mark_read(chat_id=chat.id, user_id=request.seller_id)
        written += 1
    return written
