"""Notification reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import NotificationRecord

DOMAIN = "notification"


def notifications_for_user(*, user_id: str, unread_only: bool = False, limit: int = 50) -> list[NotificationRecord]:
    """The user's notifications still within their retention, newest first."""
    return repository_for(DOMAIN).list_notifications(user_id=user_id, unread_only=unread_only, limit=limit)


def notification_get(*, notification_id: str) -> NotificationRecord | None:
    return repository_for(DOMAIN).get_notification(notification_id)
