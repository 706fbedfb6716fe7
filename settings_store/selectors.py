"""Settings reads, from the store each domain's mode selects."""

from typing import Any

from cutover.factory import repository_for

from .records import ConfigRecord, LevelConfigRecord, ShopSettingsRecord

LEVEL_CONFIG, SHOP_SETTINGS, CONFIG = "level_config", "shop_settings", "config"
_MISSING = object()


def levels() -> list[LevelConfigRecord]:
    return repository_for(LEVEL_CONFIG).list_levels()


def level_for_points(*, points: int) -> LevelConfigRecord | None:
    return repository_for(LEVEL_CONFIG).level_for_points(points)


def shop_of_seller(*, seller_id: str) -> ShopSettingsRecord | None:
    return repository_for(SHOP_SETTINGS).get_shop(seller_id)


def open_shops(*, limit: int = 100) -> list[ShopSettingsRecord]:
    return repository_for(SHOP_SETTINGS).list_open_shops(limit=limit)


def config_value(*, key: str, default: Any = None) -> Any:
    """The value of config `key` (JSON null is None), or `default` when there is no such config."""
    record = repository_for(CONFIG).get_config(key)
    return default if record is None or record.value_json is None else record.value


def configs() -> list[ConfigRecord]:
    return repository_for(CONFIG).list_configs()
