from cutover.registry import DomainSpec, MongoIndex

NOTIFICATION_DOMAIN = DomainSpec(
    name="notification",
    collections=("notifications",),
    models=("notifications.Notification",),
    port="notifications.repositories.base.NotificationRepository",
    mongo_repository="notifications.repositories.mongo.MongoNotificationRepository",
    postgres_repository="notifications.repositories.postgres.PostgresNotificationRepository",
    depends_on=("auth",),
    demo_seeder="notifications.demo.seed_demo_notifications",
    purge_tasks=("notifications.purge_old_notifications",),
    mongo_indexes=(
        MongoIndex("notifications", (("createdAt", 1),), expire_after_seconds=90 * 24 * 3600),
        MongoIndex("notifications", (("userId", 1), ("isRead", 1), ("createdAt", -1))),
    ),
)
