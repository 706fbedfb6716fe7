from cutover.registry import DomainSpec

NOTIFICATION_DOMAIN = DomainSpec(
    name="notification",
    collections=("notifications",),
    models=("notifications.Notification",),
    port="notifications.repositories.base.NotificationRepository",
    mongo_repository="notifications.repositories.mongo.MongoNotificationRepository",
    postgres_repository="notifications.repositories.postgres.PostgresNotificationRepository",
    depends_on=("auth",),
    demo_seeder="notifications.demo.seed_demo_notifications",
)
