from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

_REPOSITORIES = "settings_store.repositories"

LEVEL_CONFIG_DOMAIN = DomainSpec(
    name="level_config",
    flag="LEVEL_CONFIG_STORE",
    port=f"{_REPOSITORIES}.base.LevelConfigRepository",
    demo_seeder="settings_store.demo.seed_demo_levels",
    mongo_indexes=(MongoIndex("levelconfigs", (("level", 1),)),),
)

SHOP_SETTINGS_DOMAIN = DomainSpec(
    name="shop_settings",
    flag="SHOP_SETTINGS_STORE",
    port=f"{_REPOSITORIES}.base.ShopSettingsRepository",
    depends_on=("auth",),
    demo_seeder="settings_store.demo.seed_demo_shops",
    mongo_indexes=(MongoIndex("shopsettings", (("sellerId", 1),)),),
)

CONFIG_DOMAIN = DomainSpec(
    name="config",
    flag="CONFIG_STORE",
    port=f"{_REPOSITORIES}.base.ConfigRepository",
    demo_seeder="settings_store.demo.seed_demo_configs",
    mongo_indexes=(MongoIndex("configs", (("key", 1),), unique=True),),
)
