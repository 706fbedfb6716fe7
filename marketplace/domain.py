from cutover.registry import DomainSpec, MongoIndex

MARKETPLACE_DOMAIN = DomainSpec(
    name="marketplace",
    collections=("categories", "selleroffers", "purchaserequests", "requesttemplates"),
    models=(
        "marketplace.Category",
        "marketplace.SellerOffer",
        "marketplace.PurchaseRequest",
        "marketplace.RequestTemplate",
    ),
    port="marketplace.repositories.base.MarketplaceRepository",
    mongo_repository="marketplace.repositories.mongo.MongoMarketplaceRepository",
    postgres_repository="marketplace.repositories.postgres.PostgresMarketplaceRepository",
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
