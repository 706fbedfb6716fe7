from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

MARKETPLACE_DOMAIN = DomainSpec(
    name="marketplace",
    flag="MARKETPLACE_STORE",
    port="marketplace.repositories.base.MarketplaceRepository",
    depends_on=("auth",),
    demo_seeder="marketplace.demo.seed_demo_marketplace",
    mongo_indexes=(
        MongoIndex("categories", (("slug", 1),), unique=True),
        MongoIndex("categories", (("parentId", 1),)),
        MongoIndex("selleroffers", (("sellerId", 1), ("status", 1))),
        MongoIndex("purchaserequests", (("buyerId", 1), ("status", 1))),
        MongoIndex("purchaserequests", (("sellerId", 1), ("status", 1))),
    ),
)
