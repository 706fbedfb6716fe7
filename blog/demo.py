from random import Random

from .services import post_create, post_publish

_TAGS = ("escrow", "security", "guides", "news", "crypto", "безопасность")


def seed_demo_posts(*, size: int, rng: Random, context: dict) -> int:
    for index in range(size):
        post = post_create(
            slug=f"how-escrow-works-{index}",
            title=f"How escrow works, part {index + 1}",
            body="Funds are held until the buyer confirms delivery. " * rng.randint(1, 5),
            author_id=rng.choice(context["admins"]),
            tags=rng.sample(_TAGS, rng.randint(0, 3)),
        )
        if rng.random() < 0.7:
            post_publish(post_id=post.id)
    return size
