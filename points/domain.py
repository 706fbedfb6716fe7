from cutover.registry import DomainSpec, MongoIndex

POINTS_DOMAIN = DomainSpec(
    name="points",
    collections=("pointtransactions",),
    models=("points.PointTransaction",),
    port="points.repositories.base.PointsRepository",
    mongo_repository="points.repositories.mongo.MongoPointsRepository",
    postgres_repository="points.repositories.postgres.PostgresPointsRepository",
    depends_on=("auth",),
    demo_seeder="points.demo.seed_demo_points",
    mongo_indexes=(MongoIndex("pointtransactions", (("userId", 1), ("createdAt", -1))),),
)
