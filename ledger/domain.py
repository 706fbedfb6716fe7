from cutover.registry import DomainSpec, MongoIndex

LEDGER_DOMAIN = DomainSpec(
    name="ledger",
    collections=("fundsledgerentries",),
    models=("ledger.LedgerEntry",),
    port="ledger.repositories.base.LedgerRepository",
    mongo_repository="ledger.repositories.mongo.MongoLedgerRepository",
    postgres_repository="ledger.repositories.postgres.PostgresLedgerRepository",
    depends_on=("auth", "payment"),
    demo_seeder="ledger.demo.seed_demo_ledger",
    mongo_indexes=(
        MongoIndex("fundsledgerentries", (("userId", 1), ("reference", 1)), unique=True),
        MongoIndex("fundsledgerentries", (("userId", 1), ("currency", 1))),
    ),
)
