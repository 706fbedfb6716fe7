"""The one place notification field names are translated (docs/legacy-collections.md: notifications)."""

from cutover.store.recordmap import BOOL, DATETIME, JSON, OBJECT_ID, TEXT, Field, RecordMap

from ..records import NotificationRecord

NOTIFICATION = RecordMap(
    NotificationRecord,
    collection="notifications",
    model="notifications.Notification",
    version_field=None,
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("user_id", "userId", OBJECT_ID),
        Field("type", "type", TEXT),
        Field("title", "title", TEXT, default=""),
        Field("body", "body", TEXT, default=""),
        Field("data", "data", JSON, default={}),
        Field("is_read", "isRead", BOOL, default=False),
        Field("read_at", "readAt", DATETIME, optional=True),
        Field("created_at", "createdAt", DATETIME),
    ),
)

MAPS = (NOTIFICATION,)
