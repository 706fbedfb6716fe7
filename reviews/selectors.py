"""Review reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import RatingSummary, ReviewRecord

DOMAIN = "review"


def reviews_of_user(*, user_id: str, limit: int = 50) -> list[ReviewRecord]:
    return repository_for(DOMAIN).list_reviews_of_user(reviewee_id=user_id, limit=limit)


def user_rating(*, user_id: str) -> RatingSummary:
    return repository_for(DOMAIN).rating_summary(reviewee_id=user_id)
