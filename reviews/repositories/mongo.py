"""Reviews in MongoDB, in the legacy document shape."""

from cutover.backends.mongo import MongoBackend

from .base import ReviewRepository


class MongoReviewRepository(MongoBackend, ReviewRepository):
    pass
