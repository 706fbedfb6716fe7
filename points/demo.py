from random import Random

from .services import points_record

_EARN = ("purchase completed", "review written", "referral")
_SPEND = ("discount redeemed", "correction")


def seed_demo_points(*, size: int, rng: Random, context: dict) -> int:
    for index in range(size):
        earned = index % 4 != 3  # every fourth transaction spends points: balances go up and down
        points_record(
            user_id=rng.choice(context["users"]),
            points=rng.randint(5, 200) if earned else -rng.randint(1, 50),
            reason=rng.choice(_EARN if earned else _SPEND),
        )
    return size
