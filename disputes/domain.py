from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

DISPUTE_DOMAIN = DomainSpec(
    name="dispute",
    flag="DISPUTE_STORE",
    port="disputes.repositories.base.DisputeRepository",
    depends_on=("auth", "marketplace", "payment"),
    demo_seeder="disputes.demo.seed_demo_disputes",
    mongo_indexes=(
        MongoIndex("disputes", (("status", 1), ("priority", 1))),
        MongoIndex("disputes", (("adminId", 1), ("status", 1))),
    ),
)
