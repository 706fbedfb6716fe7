"""Reverse backfill after deletes in `postgres` mode; shadow reads of records with legacy fields; notification
`data` with BSON types; a backfill in `dual` with pending outbox entries."""

from datetime import timedelta

import pytest
from bson import Decimal128, Int64, ObjectId

from cutover.backfill.reverse import reverse_backfill_domain
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.mirror.copy import mirror_record
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry, ShadowMismatch
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from notifications.services import notification_mark_read
from payments.services import payment_update
from tests.backfill.conftest import postgres_record
from tests.backfill.test_races_and_deletes import _address, _notification


def _backfill(*domains):
    for name in ("auth", "marketplace", *domains):
        backfill_domain(name)


def test_reverse_backfill_propagates_deletes_made_in_postgres_mode(legacy):
    user = legacy.user()
    address = _address(legacy, user)
    _backfill("address")
    set_store_mode("address", "postgres")
    repository_for("address").delete_address(str(address["_id"]))
    set_store_mode("address", "dual")  # rolling back: Postgres still authoritative while Mongo catches up
    reverse_backfill_domain("address")
    assert legacy.db.addresses.find_one({"_id": address["_id"]}) is None, "deleted address still in Mongo"


def test_reverse_backfill_keeps_legacy_shape(legacy):
    payment = legacy.payment(extraNote="keep", amount=10.5, confirmations=Int64(3), fee=Decimal128("0.10"))
    _backfill("payment")
    set_store_mode("payment", "postgres")
    payment_update(payment_id=str(payment["_id"]), status="released")
    set_store_mode("payment", "dual")
    reverse_backfill_domain("payment")
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    assert doc["status"] == "released" and doc["extraNote"] == "keep"
    assert type(doc["amount"]) is float and type(doc["confirmations"]) is Int64
    assert doc["fee"] == Decimal128("0.10")
    assert verify_domain("payment").passed


@pytest.mark.parametrize("primary", ["dual", "dual_mongo_primary"])
def test_shadow_reads_of_records_with_legacy_fields_agree(legacy, primary):
    payment = legacy.payment(extraNote="keep", nested={"a": [Int64(1), {"b": None}]}, amount=10.5)
    string_payment = legacy.payment(extra2=Decimal128("1.10"))
    legacy.db.payments.delete_one({"_id": string_payment["_id"]})
    legacy.db.payments.insert_one(string_payment | {"_id": str(string_payment["_id"]).upper()})
    _backfill("payment")
    set_store_mode("payment", primary, shadow_read_percent=100)
    repo = repository_for("payment")
    for record_id in (payment["_id"], string_payment["_id"]):
        payment_update(payment_id=str(record_id), confirmations=6)
        assert repo.get_payment(str(record_id)).confirmations == 6
    assert list(ShadowMismatch.objects.values("record_id", "differences")) == []


def test_notification_data_with_bson_types_round_trips(legacy):
    user = legacy.user()
    data = {"n": Int64(5), "d": Decimal128("1.50"), "at": now_ms(), "oid": ObjectId(), "f": 2.0, "s": "é"}
    note = _notification(legacy, user, data=data)
    _backfill("notification")
    set_store_mode("notification", "dual")
    notification_mark_read(notification_id=str(note["_id"]))
    doc = legacy.db.notifications.find_one({"_id": note["_id"]})
    assert doc["isRead"] is True
    assert doc["data"] == data and {k: type(v) for k, v in doc["data"].items()} == {k: type(v) for k, v in data.items()}
    assert verify_domain("notification").passed


def test_notification_data_types_survive_a_recreation(legacy):
    data = {"n": Int64(5), "x": 1.0, "when": None}
    user = legacy.user()
    note = _notification(legacy, user, data=data)
    _backfill("notification")
    set_store_mode("notification", "postgres")  # a copy toward Mongo is made only while Postgres leads
    legacy.db.notifications.delete_one({"_id": note["_id"]})
    mirror_record("notification", "notifications", str(note["_id"]), "mongo")
    doc = legacy.db.notifications.find_one({"_id": note["_id"]})
    assert doc["data"] == data
    assert {k: type(v) for k, v in doc["data"].items()} == {k: type(v) for k, v in data.items()}


def test_notification_data_no_json_form_holds_is_a_reject_not_another_type(legacy):
    from cutover.models import BackfillReject

    user = legacy.user()
    note = _notification(legacy, user, data={"raw": {"$oid": "64b7f0c2a1b2c3d4e5f60718"}})
    _backfill("notification")
    assert postgres_record("notification", "notifications", note["_id"]) is None
    [reject] = BackfillReject.objects.filter(collection="notifications")
    assert reject.kind == "bad_value" and reject.reason.startswith("data:")


def test_backfill_in_dual_with_a_pending_outbox_entry_keeps_the_postgres_write(legacy, mongo_outage):
    payment = legacy.payment(extraNote="keep")
    _backfill("payment")
    set_store_mode("payment", "dual")
    mongo_outage.start()
    payment_update(payment_id=str(payment["_id"]), status="released")
    mongo_outage.end()
    assert MirrorOutboxEntry.objects.filter(status="pending").exists()
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"status": "refunded", "legacyNew": 1}})
    backfill_domain("payment", restart=True)
    assert postgres_record("payment", "payments", payment["_id"]).status == "released"
    MirrorOutboxEntry.objects.update(next_attempt_at=now_ms() - timedelta(seconds=1))
    outbox_repair_pending()
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    assert doc["status"] == "released" and doc["extraNote"] == "keep" and doc["legacyNew"] == 1


@pytest.mark.xfail(
    strict=True,
    reason="Mongo sorts _id by BSON type first (strings before ObjectIds) while Postgres sorts the normalized hex: a list mixing string-_id and ObjectId records comes back in another order from each store (a shadow mismatch in dual; with a limit, different records)",
)
def test_list_order_agrees_between_stores_with_string_ids(legacy):
    from bson import ObjectId as Oid

    first = legacy.payment()
    request_id = first["purchaseRequestId"]
    # two more payments of the same request; the lowest id becomes a string _id
    ids = sorted([Oid(), Oid()])
    low, high = ids
    legacy.db.payments.insert_one(dict(first, _id=high))
    legacy.db.payments.insert_one(dict(first, _id=str(low)))
    _backfill("payment")
    set_store_mode("payment", "dual", shadow_read_percent=100)
    repository_for("payment").list_payments_for_request(str(request_id))
    assert list(ShadowMismatch.objects.values("method", "differences")) == []
