from cutover.registry import DomainSpec, MongoIndex

AUTH_DOMAIN = DomainSpec(
    name="auth",
    collections=("users", "tempverifications", "telegramsessions"),
    models=("accounts.User", "accounts.TempVerification", "accounts.TelegramSession"),
    port="accounts.repositories.base.AuthRepository",
    mongo_repository="accounts.repositories.mongo.MongoAuthRepository",
    postgres_repository="accounts.repositories.postgres.PostgresAuthRepository",
    demo_seeder="accounts.demo.seed_demo_users",
    backfill_skips_expired=(("tempverifications", "expires_at"), ("telegramsessions", "expires_at")),
    purge_tasks=("accounts.purge_expired_telegram_sessions", "accounts.purge_expired_temp_verifications"),
    mongo_indexes=(
        MongoIndex("users", (("email", 1),), unique=True),
        # Unique when present: null telegramIds are left out. Numeric ids are written as numbers
        # (TELEGRAM_ID's dump), so filtering on the number type covers every id this app writes.
        MongoIndex("users", (("telegramId", 1),), unique=True, partial_filter={"telegramId": {"$type": "number"}}),
        MongoIndex("tempverifications", (("expiresAt", 1),), expire_after_seconds=0),
        MongoIndex("tempverifications", (("email", 1), ("purpose", 1))),
        MongoIndex("telegramsessions", (("expiresAt", 1),), expire_after_seconds=0),
    ),
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
    mongo_indexes=(MongoIndex("addresses", (("userId", 1),)),),
)
