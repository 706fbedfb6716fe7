from cutover.registry import DomainSpec, MongoIndex

TREZOR_DOMAIN = DomainSpec(
    name="trezor",
    collections=("trezoraccounts",),
    models=("trezor.TrezorAccount", "trezor.TrezorDerivedAddress"),
    port="trezor.repositories.base.TrezorRepository",
    mongo_repository="trezor.repositories.mongo.MongoTrezorRepository",
    postgres_repository="trezor.repositories.postgres.PostgresTrezorRepository",
    depends_on=("auth",),
    demo_seeder="trezor.demo.seed_demo_trezor",
    mongo_indexes=(
        MongoIndex("trezoraccounts", (("xpub", 1),), unique=True),
        MongoIndex("trezoraccounts", (("userId", 1),)),
    ),
)
