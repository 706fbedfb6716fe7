"""Notifications in MongoDB, in the legacy document shape."""

from cutover.backends.mongo import MongoBackend

from .base import NotificationRepository


class MongoNotificationRepository(MongoBackend, NotificationRepository):
    pass
