from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

REVIEW_DOMAIN = DomainSpec(
    name="review",
    flag="REVIEW_STORE",
    port="reviews.repositories.base.ReviewRepository",
    depends_on=("auth", "marketplace"),
    demo_seeder="reviews.demo.seed_demo_reviews",
    mongo_indexes=(
        MongoIndex("reviews", (("purchaseRequestId", 1), ("reviewerId", 1)), unique=True),
        MongoIndex("reviews", (("revieweeId", 1), ("createdAt", -1))),
    ),
)
