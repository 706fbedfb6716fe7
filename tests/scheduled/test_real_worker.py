"""A real Celery worker on the machine's Redis runs a purge and the mirror repair end to end."""

from datetime import timedelta

import pytest

from cutover.models import MirrorOutboxEntry, ScheduledTaskRun
from cutover.modes.registry import domain_spec
from cutover.scheduled.tasks import SCHEDULED
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from escrow_project.mongo import reset_mongo_clients
from notifications.records import NotificationRecord
from notifications.services import notification_send
from tests.factories import a_user, put_everywhere

pytestmark = pytest.mark.django_db(transaction=True)


def _old_notification(user_id: str) -> NotificationRecord:
    return put_everywhere(
        "notification",
        NotificationRecord(
            id=str(__import__("bson").ObjectId()),
            user_id=user_id,
            type="t",
            title="old",
            body="",
            data={},
            is_read=False,
            read_at=None,
            created_at=now_ms() - timedelta(days=100),
        ),
    )


def test_worker_purges_and_repairs(worker, mongo_outage):
    set_store_mode("notification", "dual")
    user = a_user()
    old = _old_notification(user.id)
    mongo_outage.start()
    fresh = notification_send(user_id=user.id, type="payment", title="written while Mongo was down")
    mongo_outage.end()
    assert MirrorOutboxEntry.objects.get(record_id=fresh.id).status == "pending"
    MirrorOutboxEntry.objects.update(next_attempt_at=now_ms() - timedelta(seconds=1))

    purge = SCHEDULED["notifications.purge_old_notifications"].apply_async(queue=worker).get(timeout=90)
    assert (purge["outcome"], purge["count"]) == ("ok", 2)  # the old one, from both stores
    repair = SCHEDULED["cutover.repair_mirror_outbox"].apply_async(queue=worker).get(timeout=90)
    assert (repair["outcome"], repair["count"]) == ("ok", 1)

    reset_mongo_clients()  # read the store afresh from disk
    stores = domain_spec("notification").backends()
    assert stores["mongo"].get_snapshot("notifications", fresh.id) == fresh
    assert all(store.get_snapshot("notifications", old.id) is None for store in stores.values())
    assert MirrorOutboxEntry.objects.get(record_id=fresh.id).status == "done"
    assert ScheduledTaskRun.objects.get(task="notifications.purge_old_notifications").last_count == 2
