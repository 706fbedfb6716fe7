"""Purges in dual modes: legacy date shapes must be purged in Mongo as they are in Postgres."""

from datetime import timedelta

import pytest
from bson import ObjectId

from cutover.backfill.service import backfill_domain
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from notifications.services import purge_old_notifications
from tests.adversarial.test_races_and_deletes import _notification
from tests.backfill.conftest import MISSING, postgres_record

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
    garbled = _notification(legacy, user, _id=ObjectId.from_datetime(OLD + timedelta(seconds=1)), createdAt="last tuesday")
    backfill_domain("auth")
    backfill_domain("notification")
    set_store_mode("notification", "dual")
    purge_old_notifications()
    assert legacy.db.notifications.find_one({"_id": old["_id"]}) is None
    assert legacy.db.notifications.find_one({"_id": garbled["_id"]}) is not None, "nothing guessed, nothing deleted"
    assert "does not read as a date" in caplog.text
