from dataclasses import dataclass
from datetime import datetime

from cutover.store.records import LegacyShape


@dataclass(frozen=True)
class PointTransactionRecord(LegacyShape):
    """Points a user gained (positive) or spent or lost (negative); a balance is their sum."""

    id: str
    user_id: str
    points: int
    reason: str
    reference_id: str | None  # what the points were for (a purchase request, a review, ...), if anything
    created_at: datetime
