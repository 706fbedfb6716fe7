"""Purges in dual modes: legacy date shapes must be purged in Mongo as they are in Postgres."""

from datetime import timedelta

import pytest
from bson import ObjectId
from django.db import connection

from cutover.backfill.service import backfill_domain
from cutover.scheduled.purge import purge_expired
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from notifications.models import Notification
from notifications.services import purge_old_notifications
from tests.backfill.conftest import MISSING, postgres_record
from tests.backfill.test_races_and_deletes import _notification

OLD = now_ms() - timedelta(days=200)
SHAPES = {
    "iso_string": OLD.isoformat().replace("+00:00", "Z"),
    "epoch_ms": int(OLD.timestamp() * 1000),
    "missing": MISSING,  # derived from the ObjectId
}


def test_a_bson_date_is_purged_from_both_stores(legacy):
    user = legacy.user()
    note = _notification(legacy, user, createdAt=OLD)
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual")
    purge_old_notifications()
    assert postgres_record("notification", "notifications", note["_id"]) is None
    assert legacy.db.notifications.find_one({"_id": note["_id"]}) is None


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["dual_mongo_primary", "dual"])
def test_legacy_date_shapes_are_purged_from_mongo_too(legacy, mode, shape):
    user = legacy.user()
    note = _notification(legacy, user, _id=ObjectId.from_datetime(OLD), createdAt=SHAPES[shape])
    backfill_domain("auth")
    backfill_domain("notification")
    assert postgres_record("notification", "notifications", note["_id"]) is not None
    set_store_mode("notification", mode)
    purge_old_notifications()
    assert postgres_record("notification", "notifications", note["_id"]) is None
    assert legacy.db.notifications.find_one({"_id": note["_id"]}) is None, "purged in Postgres only"


RECENT = now_ms() - timedelta(days=3)


@pytest.mark.parametrize(
    "stored", [RECENT.isoformat().replace("+00:00", "Z"), int(RECENT.timestamp() * 1000)], ids=["iso", "epoch_ms"]
)
def test_undated_documents_inside_the_retention_stay_in_both_stores(legacy, stored):
    user = legacy.user()
    note = _notification(legacy, user, createdAt=stored)
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual")
    assert purge_old_notifications() == 0
    assert postgres_record("notification", "notifications", note["_id"]) is not None
    assert legacy.db.notifications.find_one({"_id": note["_id"]}) is not None


def test_a_date_that_does_not_read_is_kept_in_mongo_and_logged(legacy, caplog):
    user = legacy.user()
    old = _notification(legacy, user, _id=ObjectId.from_datetime(OLD), createdAt=SHAPES["iso_string"])
    garbled = _notification(
        legacy, user, _id=ObjectId.from_datetime(OLD + timedelta(seconds=1)), createdAt="last tuesday"
    )
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual")
    purge_old_notifications()
    assert legacy.db.notifications.find_one({"_id": old["_id"]}) is None
    assert legacy.db.notifications.find_one({"_id": garbled["_id"]}) is not None, "nothing guessed, nothing deleted"
    assert "does not read as a date" in caplog.text


def _deleting_one_row_before_each_delete(rows: list[str]):
    """A writer that deletes a row of the batch between the purge's boundary query and its DELETE."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith("WITH durability") and rows:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {Notification._meta.db_table} WHERE id = %s", [rows.pop(0)])
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.parametrize("mode", ["postgres", "dual"])
def test_a_row_deleted_by_a_writer_during_a_batch_does_not_end_the_purge_early(legacy, mode):
    """A batch that deletes fewer rows than it found (a writer deleted one meanwhile) is not the last one:
    every expired row goes in one purge, not only those up to the batch the writer touched."""
    user = legacy.user()
    notes = [_notification(legacy, user, createdAt=OLD + timedelta(seconds=n)) for n in range(6)]
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", mode)
    with connection.execute_wrapper(_deleting_one_row_before_each_delete([str(notes[0]["_id"])])):
        purge_expired(
            domain="notification", collection="notifications", field="created_at", before=RECENT, batch_size=2
        )
    assert Notification.objects.count() == 0
    assert legacy.db.notifications.count_documents({}) == (0 if mode == "dual" else len(notes))


def test_ties_on_batch_boundaries_all_go_and_a_record_exactly_at_the_cutoff_stays_in_both_stores(legacy):
    user = legacy.user()
    tied = [_notification(legacy, user, createdAt=OLD) for _ in range(5)]
    later = [_notification(legacy, user, createdAt=OLD + timedelta(milliseconds=1)) for _ in range(3)]
    at_cutoff = _notification(legacy, user, createdAt=RECENT)
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual")
    purged = purge_expired(
        domain="notification", collection="notifications", field="created_at", before=RECENT, batch_size=2
    )
    assert purged == 2 * len(tied + later)  # each record once in each store
    assert list(Notification.objects.values_list("id", flat=True)) == [str(at_cutoff["_id"])]
    assert [doc["_id"] for doc in legacy.db.notifications.find({}, {"_id": 1})] == [at_cutoff["_id"]]


@pytest.mark.parametrize("stored", [None, "", "  ", {"$date": "x"}, [OLD], True], ids=repr)
def test_odd_date_shapes_are_purged_from_both_stores_or_never_loaded(legacy, stored):
    """A date the backfill read is purged in both stores. One it rejected (never in Postgres) is kept in Mongo
    and logged, except an array of dates: Mongo's TTL index expires that at its earliest date, and so does
    the purge's range over dates."""
    user = legacy.user()
    note = _notification(legacy, user, _id=ObjectId.from_datetime(OLD), createdAt=stored)
    backfill_domain("auth")
    backfill_domain("notification")
    loaded = postgres_record("notification", "notifications", note["_id"]) is not None
    set_store_mode("notification", "dual")
    purge_old_notifications()
    in_postgres = postgres_record("notification", "notifications", note["_id"]) is not None
    in_mongo = legacy.db.notifications.find_one({"_id": note["_id"]}) is not None
    assert (in_postgres, in_mongo) == ((False, False) if loaded else (False, not isinstance(stored, list)))
