from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

LEDGER_DOMAIN = DomainSpec(
    name="ledger",
    flag="LEDGER_STORE",
    port="ledger.repositories.base.LedgerRepository",
    depends_on=("auth", "payment"),
    demo_seeder="ledger.demo.seed_demo_ledger",
    compensating_entry="ledger.services.ledger_compensate",
    mongo_indexes=(
        MongoIndex("fundsledgerentries", (("userId", 1), ("reference", 1)), unique=True),
        MongoIndex("fundsledgerentries", (("userId", 1), ("currency", 1))),
    ),
)
