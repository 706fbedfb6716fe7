from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cutover.store.records import LegacyShape

RATINGS = range(1, 6)  # 1 to 5 stars


@dataclass(frozen=True)
class ReviewRecord(LegacyShape):
    """What a reviewer (the buyer or the seller of a purchase request) says about the other party."""

    id: str
    purchase_request_id: str
    reviewer_id: str
    reviewee_id: str
    rating: int
    comment: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: Decimal | None  # None with no reviews
