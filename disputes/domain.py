from cutover.registry import DomainSpec, MongoIndex

DISPUTE_DOMAIN = DomainSpec(
    name="dispute",
    collections=("disputes",),
    models=("disputes.Dispute", "disputes.DisputeTimelineEntry", "disputes.DisputeEvidence"),
    port="disputes.repositories.base.DisputeRepository",
    mongo_repository="disputes.repositories.mongo.MongoDisputeRepository",
    postgres_repository="disputes.repositories.postgres.PostgresDisputeRepository",
    depends_on=("auth", "marketplace", "payment"),
    demo_seeder="disputes.demo.seed_demo_disputes",
    mongo_indexes=(
        MongoIndex("disputes", (("status", 1), ("priority", 1))),
        MongoIndex("disputes", (("adminId", 1), ("status", 1))),
    ),
)
