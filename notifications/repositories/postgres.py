"""Notifications in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import NotificationRepository


class PostgresNotificationRepository(PostgresBackend, NotificationRepository):
    MODELS = {"notifications": "notifications.Notification"}
