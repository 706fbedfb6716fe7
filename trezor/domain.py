from cutover.registry import DomainSpec

TREZOR_DOMAIN = DomainSpec(
    name="trezor",
    collections=("trezoraccounts",),
    models=("trezor.TrezorAccount", "trezor.TrezorDerivedAddress"),
    port="trezor.repositories.base.TrezorRepository",
    mongo_repository="trezor.repositories.mongo.MongoTrezorRepository",
    postgres_repository="trezor.repositories.postgres.PostgresTrezorRepository",
    depends_on=("auth",),
    demo_seeder="trezor.demo.seed_demo_trezor",
)
