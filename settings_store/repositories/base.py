"""The ports of the level_config, shop_settings and config domains.

Each settings row is found by its natural key (a level number, a seller, a config key), which is unique
in Postgres; a write to one key runs under a lock on that key in Postgres, so two writers of a new key
make one row, not a clash."""

from cutover.store.backends.errors import UniqueConflict
from cutover.store.filters import Between
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository, revised

from ..records import ConfigRecord, LevelConfigRecord, ShopSettingsRecord
from . import mapping


def _changed(record, changes: dict):
    """Unchanged values change nothing (no new updatedAt, nothing mirrored)."""
    if all(getattr(record, name) == value for name, value in changes.items()):
        return record
    return revised(record, **changes)


class LevelConfigRepository(StoreRepository):
    MAPS = mapping.LEVEL_CONFIG_MAPS
    WRITE_METHODS = frozenset({"put_level", "remove_level"})
    READ_METHODS = frozenset({"get_level", "list_levels", "level_for_points"})

    def put_level(self, *, level: int, name: str, min_points: int, perks_json: str) -> LevelConfigRecord:
        changes = {"name": name, "min_points": min_points, "perks_json": perks_json}
        with self._atomic(lock_key=f"levelconfigs:{level}"):
            existing = self.get_level(level)
            if existing is not None:
                return self._update(LevelConfigRecord, existing.id, lambda record: _changed(record, changes))
            at = now_ms()
            record = LevelConfigRecord(id=new_id(), level=level, created_at=at, updated_at=at, **changes)
            self._insert(record)
            return record

    def remove_level(self, level: int) -> list[LevelConfigRecord]:
        existing = self.get_level(level)
        if existing is None:
            return []
        self._delete(LevelConfigRecord, existing.id)
        return [existing]

    def get_level(self, level: int) -> LevelConfigRecord | None:
        return self._find_one(LevelConfigRecord, {"level": level})

    def list_levels(self) -> list[LevelConfigRecord]:
        return self._find(LevelConfigRecord, {}, order=("level", "id"))

    def level_for_points(self, points: int) -> LevelConfigRecord | None:
        """The highest level whose threshold `points` reaches (None below the lowest)."""
        return self._find_one(
            LevelConfigRecord, {"min_points": Between(None, points)}, order=("-min_points", "-level", "-id")
        )


class ShopSettingsRepository(StoreRepository):
    MAPS = mapping.SHOP_SETTINGS_MAPS
    WRITE_METHODS = frozenset({"save_shop", "set_shop_open"})
    READ_METHODS = frozenset({"get_shop", "list_open_shops"})

    def save_shop(
        self, *, seller_id: str, shop_name: str, description: str = "", logo_url: str | None = None
    ) -> ShopSettingsRecord:
        changes = {"shop_name": shop_name, "description": description, "logo_url": logo_url}
        with self._atomic(lock_key=f"shopsettings:{seller_id}"):
            existing = self.get_shop(seller_id)
            if existing is not None:
                return self._update(ShopSettingsRecord, existing.id, lambda record: _changed(record, changes))
            at = now_ms()
            record = ShopSettingsRecord(
                id=new_id(), seller_id=seller_id, is_open=True, created_at=at, updated_at=at, **changes
            )
            self._insert(record)
            return record

    def set_shop_open(self, seller_id: str, *, is_open: bool) -> ShopSettingsRecord:
        existing = self.get_shop(seller_id)
        if existing is None:
            raise LookupError(f"seller {seller_id} has no shop settings")
        return self._update(ShopSettingsRecord, existing.id, lambda record: _changed(record, {"is_open": is_open}))

    def get_shop(self, seller_id: str) -> ShopSettingsRecord | None:
        return self._find_one(ShopSettingsRecord, {"seller_id": seller_id})

    def list_open_shops(self, *, limit: int = 100) -> list[ShopSettingsRecord]:
        return self._find(ShopSettingsRecord, {"is_open": True}, order=("shop_name", "id"), limit=limit)


class ConfigRepository(StoreRepository):
    MAPS = mapping.CONFIG_MAPS
    WRITE_METHODS = frozenset({"set_config", "delete_config"})
    READ_METHODS = frozenset({"get_config", "list_configs"})

    def set_config(self, *, key: str, value_json: str, description: str | None = None) -> ConfigRecord:
        """Create or change the config `key`; the description is kept unless one is given."""
        changes = {"value_json": value_json} | ({"description": description} if description is not None else {})
        with self._atomic(lock_key=f"configs:{key}"):
            existing = self.get_config(key)
            if existing is not None:
                return self._update(ConfigRecord, existing.id, lambda record: _changed(record, changes))
            at = now_ms()
            record = ConfigRecord(
                id=new_id(),
                key=key,
                value_json=value_json,
                description=description or "",
                created_at=at,
                updated_at=at,
            )
            try:
                self._insert(record)
            except UniqueConflict as error:  # Mongo has no lock: another writer created the key first
                raise UniqueConflict(f"configs: key {key!r} was just created by another writer; retry") from error
            return record

    def delete_config(self, key: str) -> list[ConfigRecord]:
        existing = self.get_config(key)
        if existing is None:
            return []
        self._delete(ConfigRecord, existing.id)
        return [existing]

    def get_config(self, key: str) -> ConfigRecord | None:
        return self._find_one(ConfigRecord, {"key": key})

    def list_configs(self) -> list[ConfigRecord]:
        return self._find(ConfigRecord, {}, order=("key", "id"))
