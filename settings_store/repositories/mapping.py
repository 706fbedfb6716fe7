"""The one place settings field names are translated (docs/legacy-collections.md: levelconfigs,
shopsettings, configs)."""

from typing import Any

from cutover.store.extra_kinds import INT64, exact_json, int_between, json_text, json_value
from cutover.store.recordmap import BOOL, DATETIME, OBJECT_ID, TEXT, Composite, Field, RecordMap

from ..records import ConfigRecord, LevelConfigRecord, ShopSettingsRecord

PERKS = exact_json(expected=list, examples=([], ["Lower fees"], [{"kind": "fee_discount", "percent": 2.5}, None]))

LEVEL_CONFIG = RecordMap(
    LevelConfigRecord,
    collection="levelconfigs",
    model="settings_store.LevelConfig",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("level", "level", int_between(0, 2**31 - 1)),
        Field("name", "name", TEXT),
        Field("min_points", "minPoints", INT64, default=0),
        Field("perks_json", "perks", PERKS, default="[]"),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

SHOP_SETTINGS = RecordMap(
    ShopSettingsRecord,
    collection="shopsettings",
    model="settings_store.ShopSettings",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("seller_id", "sellerId", OBJECT_ID),
        Field("shop_name", "shopName", TEXT),
        Field("description", "description", TEXT, default=""),
        Field("logo_url", "logoUrl", TEXT, optional=True),
        Field("is_open", "isOpen", BOOL, default=True),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)


def _read_value(doc: dict[str, Any]) -> dict[str, Any]:
    """`value: null` is the JSON null ("null"); no `value` key at all is None, and stays absent."""
    return {"value_json": json_text(doc["value"], "value") if "value" in doc else None}


def _write_value(record: ConfigRecord) -> dict[str, Any]:
    return {} if record.value_json is None else {"value": json_value(record.value_json)}


# A Composite rather than a Field: a Field reads null and missing alike, and a config's value may be null.
CONFIG_VALUE = Composite(names=("value_json",), keys=("value",), read=_read_value, write=_write_value)

CONFIG = RecordMap(
    ConfigRecord,
    collection="configs",
    model="settings_store.Config",
    composites=(CONFIG_VALUE,),
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("key", "key", TEXT),
        Field("description", "description", TEXT, default=""),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

LEVEL_CONFIG_MAPS = (LEVEL_CONFIG,)
SHOP_SETTINGS_MAPS = (SHOP_SETTINGS,)
CONFIG_MAPS = (CONFIG,)
