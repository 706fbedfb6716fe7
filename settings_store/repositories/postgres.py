"""Levels, shop settings and configs in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import ConfigRepository, LevelConfigRepository, ShopSettingsRepository


class PostgresLevelConfigRepository(PostgresBackend, LevelConfigRepository):
    MODELS = {"levelconfigs": "settings_store.LevelConfig"}


class PostgresShopSettingsRepository(PostgresBackend, ShopSettingsRepository):
    MODELS = {"shopsettings": "settings_store.ShopSettings"}


class PostgresConfigRepository(PostgresBackend, ConfigRepository):
    MODELS = {"configs": "settings_store.Config"}
