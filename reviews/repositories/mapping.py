"""The one place review field names are translated (docs/legacy-collections.md: reviews)."""

from cutover.store.extra_kinds import int_between
from cutover.store.recordmap import DATETIME, OBJECT_ID, TEXT, Field, RecordMap

from ..records import RATINGS, ReviewRecord

RATING = int_between(RATINGS.start, RATINGS.stop - 1, examples=tuple(RATINGS))

REVIEW = RecordMap(
    ReviewRecord,
    collection="reviews",
    model="reviews.Review",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("purchase_request_id", "purchaseRequestId", OBJECT_ID),
        Field("reviewer_id", "reviewerId", OBJECT_ID),
        Field("reviewee_id", "revieweeId", OBJECT_ID),
        Field("rating", "rating", RATING),
        Field("comment", "comment", TEXT, default=""),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

MAPS = (REVIEW,)
