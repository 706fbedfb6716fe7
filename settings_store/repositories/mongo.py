"""Levels, shop settings and configs in MongoDB, in the legacy document shapes."""

from cutover.backends.mongo import MongoBackend

from .base import ConfigRepository, LevelConfigRepository, ShopSettingsRepository


class MongoLevelConfigRepository(MongoBackend, LevelConfigRepository):
    pass


class MongoShopSettingsRepository(MongoBackend, ShopSettingsRepository):
    pass


class MongoConfigRepository(MongoBackend, ConfigRepository):
    pass
