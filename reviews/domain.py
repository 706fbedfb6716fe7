from cutover.registry import DomainSpec, MongoIndex

REVIEW_DOMAIN = DomainSpec(
    name="review",
    collections=("reviews",),
    models=("reviews.Review",),
    port="reviews.repositories.base.ReviewRepository",
    mongo_repository="reviews.repositories.mongo.MongoReviewRepository",
    postgres_repository="reviews.repositories.postgres.PostgresReviewRepository",
    depends_on=("auth", "marketplace"),
    demo_seeder="reviews.demo.seed_demo_reviews",
    mongo_indexes=(
        MongoIndex("reviews", (("purchaseRequestId", 1), ("reviewerId", 1)), unique=True),
        MongoIndex("reviews", (("revieweeId", 1), ("createdAt", -1))),
    ),
)
