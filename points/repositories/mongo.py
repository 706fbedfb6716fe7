"""Point transactions in MongoDB, in the legacy document shape."""

from cutover.backends.mongo import MongoBackend

from .base import PointsRepository


class MongoPointsRepository(MongoBackend, PointsRepository):
    pass
