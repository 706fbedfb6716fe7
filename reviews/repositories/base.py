"""The reviews port. One review per (purchase request, reviewer): a second one is a UniqueConflict in
every store (Postgres: a unique constraint; Mongo: the unique index and this check)."""

from decimal import Decimal

from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository, revised

from ..records import RatingSummary, ReviewRecord
from . import mapping


class ReviewRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"create_review", "edit_review"})
    READ_METHODS = frozenset({"get_review", "find_review", "list_reviews_of_user", "rating_summary"})

    def create_review(
        self, *, purchase_request_id: str, reviewer_id: str, reviewee_id: str, rating: int, comment: str = ""
    ) -> ReviewRecord:
        existing = self.find_review(purchase_request_id=purchase_request_id, reviewer_id=reviewer_id)
        if existing is not None:
            raise UniqueConflict(
                f"reviews: reviewer {reviewer_id} already reviewed purchase request {purchase_request_id} "
                f"(review {existing.id})"
            )
        at = now_ms()
        review = ReviewRecord(
            id=new_id(),
            purchase_request_id=purchase_request_id,
            reviewer_id=reviewer_id,
            reviewee_id=reviewee_id,
            rating=rating,
            comment=comment,
            created_at=at,
            updated_at=at,
        )
        self._insert(review)
        return review

    def edit_review(self, review_id: str, *, rating: int | None = None, comment: str | None = None) -> ReviewRecord:
        changes = {name: value for name, value in (("rating", rating), ("comment", comment)) if value is not None}
        return self._update(ReviewRecord, review_id, lambda review: _edited(review, changes))

    def get_review(self, review_id: str) -> ReviewRecord | None:
        return self._get(ReviewRecord, review_id)

    def find_review(self, *, purchase_request_id: str, reviewer_id: str) -> ReviewRecord | None:
        return self._find_one(ReviewRecord, {"purchase_request_id": purchase_request_id, "reviewer_id": reviewer_id})

    def list_reviews_of_user(self, *, reviewee_id: str, limit: int = 50) -> list[ReviewRecord]:
        return self._find(ReviewRecord, {"reviewee_id": reviewee_id}, order=("-created_at", "-id"), limit=limit)

    def rating_summary(self, *, reviewee_id: str) -> RatingSummary:
        count = self._count(ReviewRecord, {"reviewee_id": reviewee_id})
        if not count:
            return RatingSummary(count=0, average=None)
        total = self._sum(ReviewRecord, "rating", {"reviewee_id": reviewee_id})
        return RatingSummary(count=count, average=(Decimal(total) / count).quantize(Decimal("0.01")))


def _edited(review: ReviewRecord, changes: dict) -> ReviewRecord:
    """Unchanged values change nothing (no new updatedAt, nothing mirrored)."""
    if all(getattr(review, name) == value for name, value in changes.items()):
        return review
    return revised(review, **changes)
