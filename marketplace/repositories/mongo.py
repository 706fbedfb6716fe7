"""The marketplace in MongoDB, in the legacy document shapes."""

from cutover.backends.mongo import MongoBackend

from .base import MarketplaceRepository


class MongoMarketplaceRepository(MongoBackend, MarketplaceRepository):
    pass
