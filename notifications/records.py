from dataclasses import dataclass
from datetime import datetime, timedelta

from cutover.store.records import LegacyShape

# How long a notification lives (the legacy TTL index on createdAt); older ones are never read.
RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class NotificationRecord(LegacyShape):
    id: str
    user_id: str
    type: str
    title: str
    body: str
    data: dict  # free-form, kept as the legacy JSON
    is_read: bool
    read_at: datetime | None
    created_at: datetime
