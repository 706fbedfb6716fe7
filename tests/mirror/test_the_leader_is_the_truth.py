"""Issue 22, items 5 and 9: a copy toward the follower takes the leader's state, whatever the records'
clocks say; a Mongo-primary write that Postgres would refuse is refused before Mongo has it."""

from datetime import timedelta

import pytest
from bson import ObjectId
from django.db import IntegrityError

import cutover.mirror.dual as dual
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.store.legacy import new_id, now_ms
from cutover.testing import set_store_mode
from notifications.services import notification_send
from payments.services import payment_update
from tests.factories import a_user


def _backfill():
    for name in ("auth", "marketplace", "payment"):
        backfill_domain(name)


def _both(payment_id: ObjectId) -> tuple:
    row = domain_spec("payment").backends()["postgres"].get_snapshot("payments", str(payment_id))
    doc = domain_spec("payment").backends()["mongo"].get_snapshot("payments", str(payment_id))
    return row, doc


def test_a_legacy_clock_ahead_of_ours_loses_no_acknowledged_write(legacy):
    """Backfilled with updatedAt 3 h ahead, then a correct-clock legacy write: our write in
    dual_mongo_primary reaches Postgres (it was skipped as older), and after the switch to `dual` the next
    write keeps it (it copied the stale row over Mongo)."""
    payment = legacy.payment(status="confirmed", confirmations=3, updatedAt=now_ms() + timedelta(hours=3))
    _backfill()
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"confirmations": 4, "updatedAt": now_ms()}})
    set_store_mode("payment", "dual_mongo_primary")
    payment_update(payment_id=str(payment["_id"]), confirmations=7)
    row, doc = _both(payment["_id"])
    assert (row.confirmations, doc.confirmations) == (7, 7)
    assert verify_domain("payment").passed
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), status="released")
    row, doc = _both(payment["_id"])
    assert (row.confirmations, row.status) == (doc.confirmations, doc.status) == (7, "released")


def test_a_legacy_write_with_a_clock_behind_ours_during_the_mirror_reaches_postgres(legacy, monkeypatch, caplog):
    """The race: the legacy app writes the document (its clock an hour behind ours) between our Mongo write
    and its Postgres copy. Mongo leads: the copy takes the legacy state, the stores agree, and the clock going
    backwards is logged for an operator's eye."""
    payment = legacy.payment(status="confirmed", confirmations=3)
    _backfill()
    set_store_mode("payment", "dual_mongo_primary")
    payment_update(payment_id=str(payment["_id"]), confirmations=5)  # Postgres's copy now has our clock
    real_mirror = dual.mirror_record

    def legacy_writes_first(domain, collection, record_id, target):
        legacy.db.payments.update_one(
            {"_id": payment["_id"]}, {"$set": {"status": "refunded", "updatedAt": now_ms() - timedelta(hours=1)}}
        )
        real_mirror(domain, collection, record_id, target)

    monkeypatch.setattr(dual, "mirror_record", legacy_writes_first)
    payment_update(payment_id=str(payment["_id"]), confirmations=7)
    row, doc = _both(payment["_id"])
    assert row == doc
    assert (row.confirmations, row.status) == (7, "refunded")
    assert verify_domain("payment").passed
    backwards = [r for r in caplog.records if r.name == "cutover.clocks" and "goes backwards" in r.getMessage()]
    assert [(r.levelname, r.getMessage().split(":")[0]) for r in backwards] == [("WARNING", f"payments {row.id}")]


@pytest.mark.parametrize("mode", ["dual_mongo_primary"])
def test_a_mongo_primary_write_postgres_refuses_is_refused_before_mongo_has_it(legacy, mode):
    """Issue 22 item 9: a notification for a user id that does not exist. The caller is refused, and neither
    store has the notification (it was in Mongo alone, with no outbox row and no log line)."""
    backfill_domain("auth")
    set_store_mode("notification", mode)
    ghost = new_id()
    with pytest.raises(IntegrityError):
        notification_send(user_id=ghost, type="system", title="hello")
    assert legacy.db.notifications.count_documents({}) == 0
    assert domain_spec("notification").postgres_model("notifications").objects.count() == 0
    assert not MirrorOutboxEntry.objects.exists()


def test_a_mongo_primary_write_postgres_accepts_still_goes_to_both(legacy):
    backfill_domain("auth")
    set_store_mode("notification", "dual_mongo_primary")
    user = a_user()
    sent = notification_send(user_id=user.id, type="system", title="hello")
    stores = domain_spec("notification").backends()
    assert stores["mongo"].get_snapshot("notifications", sent.id) == sent
    assert stores["postgres"].get_snapshot("notifications", sent.id) == sent


def test_a_copy_refused_after_the_check_is_recorded_never_silent(legacy, monkeypatch):
    """Should Postgres refuse the copy anyway (the check passed, then something changed), the refusal is
    caught in the copy's savepoint, constraints checked there and not at commit: an outbox row names the
    record, so a document is never in Mongo alone without a record of it."""
    backfill_domain("auth")
    set_store_mode("notification", "dual_mongo_primary")
    monkeypatch.setattr(dual, "_postgres_would_accept", lambda *args: None, raising=False)  # as if the check had passed
    sent = notification_send(user_id=new_id(), type="system", title="hello")
    assert legacy.db.notifications.count_documents({"_id": ObjectId(sent.id)}) == 1
    entry = MirrorOutboxEntry.objects.get(record_id=sent.id)
    assert (entry.target, entry.collection) == ("postgres", "notifications")
    assert "foreign key" in entry.last_error


def test_a_copy_toward_the_leader_is_never_made(legacy):
    """An outbox entry toward Postgres left from before a switch to `dual`, retried now: Postgres leads, so the
    follower's state (a stray legacy write in Mongo) is not copied over it."""
    from cutover.mirror.copy import mirror_record

    payment = legacy.payment(confirmations=3)
    _backfill()
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), confirmations=9)
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"confirmations": 1}})
    mirror_record("payment", "payments", str(payment["_id"]), "postgres")
    row, _ = _both(payment["_id"])
    assert row.confirmations == 9
    mirror_record("payment", "payments", str(payment["_id"]), "mongo")  # toward the follower: made
    assert _both(payment["_id"])[1].confirmations == 9
