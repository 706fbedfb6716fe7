from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

AUTH_DOMAIN = DomainSpec(
    name="auth",
    flag="AUTH_STORE",
    port="accounts.repositories.base.AuthRepository",
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
    flag="ADDRESS_STORE",
    port="accounts.repositories.base.AddressRepository",
    depends_on=("auth",),
    demo_seeder="accounts.demo.seed_demo_addresses",
    mongo_indexes=(MongoIndex("addresses", (("userId", 1),)),),
)
