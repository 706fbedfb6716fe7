"""The notifications port. Reads never return a notification past its retention, whether
or not the purge (or Mongo's TTL monitor) has removed it yet."""

import dataclasses
from datetime import datetime

from cutover.store.filters import Gt
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository

from ..records import RETENTION, NotificationRecord
from . import mapping


class NotificationRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"create_notification", "mark_read", "mark_all_read"})
    READ_METHODS = frozenset({"get_notification", "list_notifications", "count_unread"})

    def create_notification(
        self, *, user_id: str, type: str, title: str, body: str = "", data: dict | None = None
    ) -> NotificationRecord:
        record = NotificationRecord(
            id=new_id(),
            user_id=user_id,
            type=type,
            title=title,
            body=body,
            data=dict(data or {}),
            is_read=False,
            read_at=None,
            created_at=now_ms(),
        )
        self._insert(record)
        return record

    def mark_read(self, notification_id: str) -> NotificationRecord:
        return self._update(NotificationRecord, notification_id, _read)

    def mark_all_read(self, *, user_id: str) -> list[NotificationRecord]:
        unread = self._find(NotificationRecord, _live({"user_id": user_id, "is_read": False}))
        return [self._update(NotificationRecord, item.id, _read) for item in unread]

    def get_notification(self, notification_id: str, *, now: datetime | None = None) -> NotificationRecord | None:
        record = self._get(NotificationRecord, notification_id)
        return record if record is not None and record.created_at > (now or now_ms()) - RETENTION else None

    def list_notifications(
        self, *, user_id: str, unread_only: bool = False, limit: int = 50, now: datetime | None = None
    ) -> list[NotificationRecord]:
        filters = {"user_id": user_id} | ({"is_read": False} if unread_only else {})
        return self._find(NotificationRecord, _live(filters, now), limit=limit)

    def count_unread(self, *, user_id: str, now: datetime | None = None) -> int:
        return self._count(NotificationRecord, _live({"user_id": user_id, "is_read": False}, now))


def _live(filters: dict, now: datetime | None = None) -> dict:
    return filters | {"created_at": Gt((now or now_ms()) - RETENTION)}


def _read(record: NotificationRecord) -> NotificationRecord:
    return record if record.is_read else dataclasses.replace(record, is_read=True, read_at=now_ms())
