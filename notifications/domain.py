from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex
from notifications.records import RETENTION

NOTIFICATION_DOMAIN = DomainSpec(
    name="notification",
    flag="NOTIFICATION_STORE",
    port="notifications.repositories.base.NotificationRepository",
    depends_on=("auth",),
    demo_seeder="notifications.demo.seed_demo_notifications",
    purge_tasks=("notifications.purge_old_notifications",),
    mongo_indexes=(
        MongoIndex("notifications", (("createdAt", 1),), expire_after_seconds=int(RETENTION.total_seconds())),
        MongoIndex("notifications", (("userId", 1), ("isRead", 1), ("createdAt", -1))),
    ),
)
