"""Records of the level_config, shop_settings and config domains.

JSON values (a level's perks, a config's value) are held as their canonical JSON text (Extended JSON
where plain JSON would lose a BSON type), so that a record equals another only when the values are the
same JSON (key order, 1 vs 1.0, null); cutover/store/extra_kinds.py says why. `perks` and `value` give the
value as it is in Mongo (an Int64 stays an Int64).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cutover.store.extra_kinds import json_value
from cutover.store.records import LegacyShape


@dataclass(frozen=True)
class LevelConfigRecord(LegacyShape):
    id: str
    level: int
    name: str
    min_points: int  # a user with at least this many points has reached the level
    perks_json: str  # a JSON array
    created_at: datetime
    updated_at: datetime

    @property
    def perks(self) -> list:
        return json_value(self.perks_json)


@dataclass(frozen=True)
class ShopSettingsRecord(LegacyShape):
    id: str
    seller_id: str
    shop_name: str
    description: str
    logo_url: str | None
    is_open: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ConfigRecord(LegacyShape):
    id: str
    key: str
    value_json: str | None  # None: the document has no `value` key at all (not the same as JSON null)
    description: str
    created_at: datetime
    updated_at: datetime

    @property
    def value(self) -> Any:
        return None if self.value_json is None else json_value(self.value_json)
