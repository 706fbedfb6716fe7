from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

POINTS_DOMAIN = DomainSpec(
    name="points",
    flag="POINTS_STORE",
    port="points.repositories.base.PointsRepository",
    depends_on=("auth",),
    demo_seeder="points.demo.seed_demo_points",
    mongo_indexes=(MongoIndex("pointtransactions", (("userId", 1), ("createdAt", -1))),),
)
