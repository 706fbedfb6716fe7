"""Review writes, through whichever store(s) the domain's mode selects."""

from cutover.factory import repository_for

from .records import RATINGS, ReviewRecord

DOMAIN = "review"


class InvalidReviewInput(ValueError):
    pass


def _rating(rating: int) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise InvalidReviewInput(f"a rating is a whole number from 1 to 5, got {rating!r}")
    return rating


def review_create(
    *, purchase_request_id: str, reviewer_id: str, reviewee_id: str, rating: int, comment: str = ""
) -> ReviewRecord:
    if reviewer_id == reviewee_id:
        raise InvalidReviewInput("a user cannot review themselves")
    return repository_for(DOMAIN).create_review(
        purchase_request_id=purchase_request_id,
        reviewer_id=reviewer_id,
        reviewee_id=reviewee_id,
        rating=_rating(rating),
        comment=comment.strip(),
    )


def review_edit(*, review_id: str, rating: int | None = None, comment: str | None = None) -> ReviewRecord:
    return repository_for(DOMAIN).edit_review(
        review_id,
        rating=None if rating is None else _rating(rating),
        comment=None if comment is None else comment.strip(),
    )
