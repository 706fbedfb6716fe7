from random import Random

from .services import review_create

_COMMENTS = ("Fast and friendly.", "As described.", "Slow delivery, but fine.", "Отлично!", "")


def seed_demo_reviews(*, size: int, rng: Random, context: dict) -> int:
    """The buyer reviews the seller of each accepted purchase request, and sometimes the seller the buyer."""
    written = 0
    for request in context["purchase_requests"][:size]:
        if request.seller_id is None or request.seller_id == request.buyer_id:
            continue
        pairs = [(request.buyer_id, request.seller_id)]
        if rng.random() < 0.5:
            pairs.append((request.seller_id, request.buyer_id))
        for reviewer, reviewee in pairs:
            review_create(
                purchase_request_id=request.id,
                reviewer_id=reviewer,
                reviewee_id=reviewee,
                rating=rng.randint(1, 5),
                comment=rng.choice(_COMMENTS),
            )
            written += 1
    return written
