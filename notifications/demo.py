from random import Random

from .services import notification_mark_read, notification_send


def seed_demo_notifications(*, size: int, rng: Random, context: dict) -> int:
    for index in range(size):
        notification = notification_send(
            user_id=rng.choice(context["users"]),
            type="payment_confirmed",
            title=f"Payment confirmed #{index}",
            body="Your funds are held in escrow.",
            data={"index": index, "lang": rng.choice(["en", "de", "ru"])},
        )
        if rng.random() < 0.4:
            notification_mark_read(notification_id=notification.id)
    return size
