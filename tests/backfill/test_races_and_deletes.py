"""Concurrent app writes racing a backfill batch, and deletes in each mode followed by a backfill."""

from datetime import timedelta

from bson import ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.source import MongoDocumentSource
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from notifications.services import notification_mark_read
from tests.backfill.conftest import postgres_record


def _address(legacy, user):
    doc = {
        "_id": ObjectId(),
        "userId": user["_id"],
        "addressType": "Home",
        "line1": "1 Main St",
        "city": "Town",
        "country": "DE",
        "isDefault": True,
        "createdAt": legacy.at,
        "updatedAt": legacy.at,
        "legacyNote": "keep",
    }
    legacy.db.addresses.insert_one(doc)
    return doc


def _notification(legacy, user, **extra):
    doc = {
        "_id": ObjectId(),
        "userId": user["_id"],
        "type": "system",
        "title": "Hello",
        "message": "hi",
        "isRead": False,
        "createdAt": now_ms() - timedelta(days=1),
    } | extra
    return legacy._insert("notifications", doc)  # drops MISSING values


def _after_read(monkeypatch, collection, action):
    """The source performs `action` once, after reading a batch of `collection` and before returning it."""
    original = MongoDocumentSource.batch
    done = []

    def batch(self, name, **kwargs):
        docs = original(self, name, **kwargs)
        if name == collection and docs and not done:
            done.append(True)
            action(docs)
        return docs

    monkeypatch.setattr(MongoDocumentSource, "batch", batch)


def test_a_delete_in_dual_racing_a_backfill_is_not_undone(legacy, monkeypatch):
    user = legacy.user()
    address = _address(legacy, user)
    backfill_domain("auth")
    backfill_domain("address")
    set_store_mode("address", "dual")
    record_id = str(address["_id"])

    def delete(docs):
        repository_for("address").delete_address(record_id)
        assert postgres_record("address", "addresses", record_id) is None
        assert legacy.db.addresses.find_one({"_id": address["_id"]}) is None

    _after_read(monkeypatch, "addresses", delete)
    backfill_domain("address", restart=True)
    assert postgres_record("address", "addresses", record_id) is None, "the deleted address came back"


def test_a_delete_in_postgres_mode_is_not_undone_by_a_backfill(legacy):
    user = legacy.user()
    address = _address(legacy, user)
    backfill_domain("auth")
    backfill_domain("address")
    set_store_mode("address", "postgres")
    record_id = str(address["_id"])
    repository_for("address").delete_address(record_id)
    assert legacy.db.addresses.find_one({"_id": address["_id"]}) is not None  # Mongo is behind in postgres mode
    try:
        backfill_domain("address", restart=True)
    except Exception:
        return  # refusing to run is a fine answer
    assert postgres_record("address", "addresses", record_id) is None, "the deleted address came back"


def test_mark_read_in_dual_mongo_primary_racing_a_backfill_is_kept(legacy, monkeypatch):
    user = legacy.user()
    note = _notification(legacy, user)
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual_mongo_primary")
    record_id = str(note["_id"])
    _after_read(monkeypatch, "notifications", lambda docs: notification_mark_read(notification_id=record_id))
    backfill_domain("notification", restart=True)
    assert legacy.db.notifications.find_one({"_id": note["_id"]})["isRead"] is True
    assert postgres_record("notification", "notifications", record_id).is_read is True
    assert verify_domain("notification").passed


def test_mark_read_racing_a_first_backfill_is_kept(legacy, monkeypatch):
    """The row does not exist yet when the batch is read; the mirror inserts it before the COPY."""
    user = legacy.user()
    note = _notification(legacy, user)
    backfill_domain("auth")
    set_store_mode("notification", "dual_mongo_primary")
    record_id = str(note["_id"])
    _after_read(monkeypatch, "notifications", lambda docs: notification_mark_read(notification_id=record_id))
    backfill_domain("notification")
    assert postgres_record("notification", "notifications", record_id).is_read is True
    assert verify_domain("notification").passed


def test_mark_read_in_dual_racing_a_backfill_is_kept(legacy, monkeypatch):
    user = legacy.user()
    note = _notification(legacy, user)
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual")
    record_id = str(note["_id"])
    _after_read(monkeypatch, "notifications", lambda docs: notification_mark_read(notification_id=record_id))
    backfill_domain("notification", restart=True)
    assert postgres_record("notification", "notifications", record_id).is_read is True
    assert legacy.db.notifications.find_one({"_id": note["_id"]})["isRead"] is True
    assert verify_domain("notification").passed


def test_a_delete_in_dual_mongo_primary_racing_a_backfill_is_not_undone(legacy, monkeypatch):
    user = legacy.user()
    address = _address(legacy, user)
    backfill_domain("auth")
    backfill_domain("address")
    set_store_mode("address", "dual_mongo_primary")
    record_id = str(address["_id"])

    def delete(docs):
        repository_for("address").delete_address(record_id)

    _after_read(monkeypatch, "addresses", delete)
    backfill_domain("address", restart=True)
    assert legacy.db.addresses.find_one({"_id": address["_id"]}) is None
    assert postgres_record("address", "addresses", record_id) is None, "the deleted address came back"


def test_a_backfill_running_across_the_move_to_dual_never_reverts_postgres(legacy, settings, monkeypatch):
    from cutover.mirror.outbox import outbox_enqueue
    from cutover.models import DomainStoreMode
    from cutover.modes.cache import current_mode

    settings.CUTOVER_MODE_CACHE_SECONDS = 3600
    user = legacy.user()
    note = _notification(legacy, user)
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual_mongo_primary")
    assert current_mode("notification").value == "dual_mongo_primary"  # this process caches it
    record_id = str(note["_id"])

    def move_to_dual_and_write(docs):
        # another process: the admin moves the domain to dual, a request marks the notification read
        DomainStoreMode.objects.filter(domain="notification").update(mode="dual")
        domain_spec("notification").backends()["postgres"]._update(
            type(postgres_record("notification", "notifications", record_id)),
            record_id,
            lambda r: __import__("dataclasses").replace(r, is_read=True, read_at=now_ms()),
        )
        outbox_enqueue(domain="notification", collection="notifications", record_id=record_id, target="mongo")

    _after_read(monkeypatch, "notifications", move_to_dual_and_write)
    backfill_domain("notification", restart=True)
    assert postgres_record("notification", "notifications", record_id).is_read is True, (
        "Postgres-primary write reverted"
    )
