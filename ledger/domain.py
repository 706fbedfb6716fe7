from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

LEDGER_DOMAIN = DomainSpec(
    name="ledger",
    flag="LEDGER_STORE",
    port="ledger.repositories.base.LedgerRepository",
    depends_on=("auth", "payment"),
    demo_seeder="ledger.demo.seed_demo_ledger",
    reject_money_effect="ledger.rejects.reject_money_effect",
    compensate_reject="ledger.rejects.compensate_reject",
    compensating_entry="ledger.services.ledger_compensate_entry",
    mongo_indexes=(
        MongoIndex("fundsledgerentries", (("userId", 1), ("reference", 1)), unique=True),
        MongoIndex("fundsledgerentries", (("userId", 1), ("currency", 1))),
        # An entry is reversed at most once (ledger.rules.AlreadyReversed): unique where a reversal names one.
        MongoIndex(
            "fundsledgerentries",
            (("reversesEntryId", 1),),
            unique=True,
            partial_filter={"reversesEntryId": {"$type": "objectId"}},
        ),
    ),
)
