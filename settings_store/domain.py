from cutover.registry import DomainSpec, MongoIndex

_REPOSITORIES = "settings_store.repositories"

LEVEL_CONFIG_DOMAIN = DomainSpec(
    name="level_config",
    collections=("levelconfigs",),
    models=("settings_store.LevelConfig",),
    port=f"{_REPOSITORIES}.base.LevelConfigRepository",
    mongo_repository=f"{_REPOSITORIES}.mongo.MongoLevelConfigRepository",
    postgres_repository=f"{_REPOSITORIES}.postgres.PostgresLevelConfigRepository",
    demo_seeder="settings_store.demo.seed_demo_levels",
    mongo_indexes=(MongoIndex("levelconfigs", (("level", 1),)),),
)

SHOP_SETTINGS_DOMAIN = DomainSpec(
    name="shop_settings",
    collections=("shopsettings",),
    models=("settings_store.ShopSettings",),
    port=f"{_REPOSITORIES}.base.ShopSettingsRepository",
    mongo_repository=f"{_REPOSITORIES}.mongo.MongoShopSettingsRepository",
    postgres_repository=f"{_REPOSITORIES}.postgres.PostgresShopSettingsRepository",
    depends_on=("auth",),
    demo_seeder="settings_store.demo.seed_demo_shops",
    mongo_indexes=(MongoIndex("shopsettings", (("sellerId", 1),)),),
)

CONFIG_DOMAIN = DomainSpec(
    name="config",
    collections=("configs",),
    models=("settings_store.Config",),
    port=f"{_REPOSITORIES}.base.ConfigRepository",
    mongo_repository=f"{_REPOSITORIES}.mongo.MongoConfigRepository",
    postgres_repository=f"{_REPOSITORIES}.postgres.PostgresConfigRepository",
    demo_seeder="settings_store.demo.seed_demo_configs",
    mongo_indexes=(MongoIndex("configs", (("key", 1),), unique=True),),
)
