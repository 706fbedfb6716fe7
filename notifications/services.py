from cutover.factory import repository_for
from cutover.scheduled.purge import purge_expired
from cutover.store.legacy import now_ms

from .records import RETENTION, NotificationRecord

DOMAIN = "notification"


def notification_send(
    *, user_id: str, type: str, title: str, body: str = "", data: dict | None = None
) -> NotificationRecord:
    if not type.strip() or not title.strip():
        raise ValueError("a notification needs a type and a title")
    return repository_for(DOMAIN).create_notification(user_id=user_id, type=type, title=title, body=body, data=data)


def notification_mark_read(*, notification_id: str) -> NotificationRecord:
    return repository_for(DOMAIN).mark_read(notification_id)


def notifications_mark_all_read(*, user_id: str) -> int:
    return len(repository_for(DOMAIN).mark_all_read(user_id=user_id))


def purge_old_notifications(*, batch_size: int = 5000) -> int:
    """Delete notifications older than the 90-day retention from the stores the mode writes."""
    return purge_expired(
        domain=DOMAIN,
        collection="notifications",
        field="created_at",
        before=now_ms() - RETENTION,
        batch_size=batch_size,
    )
