"""Settings writes, through whichever store(s) each domain's mode selects."""

from typing import Any

from cutover.factory import repository_for
from cutover.store.extra_kinds import INT64, json_text
from cutover.store.legacy import LegacyValueError

from .records import ConfigRecord, LevelConfigRecord, ShopSettingsRecord

LEVEL_CONFIG, SHOP_SETTINGS, CONFIG = "level_config", "shop_settings", "config"


class InvalidSettingInput(ValueError):
    pass


def _exact_json(value: Any, name: str, *, expected: type | None = None) -> str:
    """The canonical JSON text the legacy document's value will read as (the same function the mapping uses)."""
    try:
        return json_text(value, name, expected=expected)
    except LegacyValueError as error:
        raise InvalidSettingInput(str(error)) from None


def level_put(*, level: int, name: str, min_points: int, perks: list | None = None) -> LevelConfigRecord:
    if isinstance(level, bool) or not isinstance(level, int) or level < 0:
        raise InvalidSettingInput(f"a level is a whole number from 0, got {level!r}")
    if isinstance(min_points, bool) or not isinstance(min_points, int):
        raise InvalidSettingInput(f"minPoints is a whole number, got {min_points!r}")
    INT64.check(min_points, "minPoints")
    if not name.strip():
        raise InvalidSettingInput("a level needs a name")
    return repository_for(LEVEL_CONFIG).put_level(
        level=level,
        name=name.strip(),
        min_points=min_points,
        perks_json=_exact_json(perks or [], "perks", expected=list),
    )


def level_remove(*, level: int) -> list[LevelConfigRecord]:
    return repository_for(LEVEL_CONFIG).remove_level(level)


def shop_save(
    *, seller_id: str, shop_name: str, description: str = "", logo_url: str | None = None
) -> ShopSettingsRecord:
    if not shop_name.strip():
        raise InvalidSettingInput("a shop needs a name")
    logo_url = (logo_url or "").strip() or None
    if logo_url is not None and not logo_url.startswith(("https://", "http://")):
        raise InvalidSettingInput(f"logoUrl must be an http(s) URL, got {logo_url!r}")
    return repository_for(SHOP_SETTINGS).save_shop(
        seller_id=seller_id, shop_name=shop_name.strip(), description=description, logo_url=logo_url
    )


def shop_set_open(*, seller_id: str, is_open: bool) -> ShopSettingsRecord:
    return repository_for(SHOP_SETTINGS).set_shop_open(seller_id, is_open=bool(is_open))


def config_set(*, key: str, value: Any, description: str | None = None) -> ConfigRecord:
    """Set a config to any JSON value (null included); it reads back exactly as given, in every store."""
    if not isinstance(key, str) or not key.strip() or key != key.strip():
        raise InvalidSettingInput(f"a config key is non-empty text without surrounding spaces, got {key!r}")
    return repository_for(CONFIG).set_config(key=key, value_json=_exact_json(value, "value"), description=description)


def config_delete(*, key: str) -> list[ConfigRecord]:
    return repository_for(CONFIG).delete_config(key)
