from cutover.registry import DomainSpec

AUTH_DOMAIN = DomainSpec(
    name="auth",
    collections=("users", "tempverifications", "telegramsessions"),
    models=("accounts.User", "accounts.TempVerification", "accounts.TelegramSession"),
    port="accounts.repositories.base.AuthRepository",
    mongo_repository="accounts.repositories.mongo.MongoAuthRepository",
    postgres_repository="accounts.repositories.postgres.PostgresAuthRepository",
    demo_seeder="accounts.demo.seed_demo_users",
)

ADDRESS_DOMAIN = DomainSpec(
    name="address",
    collections=("addresses",),
    models=("accounts.Address",),
    port="accounts.repositories.base.AddressRepository",
    mongo_repository="accounts.repositories.mongo.MongoAddressRepository",
    postgres_repository="accounts.repositories.postgres.PostgresAddressRepository",
    depends_on=("auth",),
    demo_seeder="accounts.demo.seed_demo_addresses",
)
