"""Id clashes that appear after a first backfill, and dates at the edges."""

from datetime import UTC, datetime

import pytest
from bson import Decimal128, Int64, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.testing import set_store_mode
from payments.services import payment_update
from tests.backfill.conftest import postgres_record


def _backfill(*domains):
    for name in ("auth", "marketplace", *domains):
        backfill_domain(name)


def test_verify_fails_while_an_objectid_and_string_id_clash(legacy):
    first = legacy.payment(amount=Decimal128("100"))
    legacy.db.payments.insert_one(dict(first, _id=str(first["_id"]), amount=Decimal128("999")))
    _backfill("payment")
    assert not verify_domain("payment").passed


def test_verify_fails_when_an_objectid_twin_appears_after_the_string_one_was_loaded(legacy):
    payment = legacy.payment(amount=Decimal128("100"), status="pending")
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(dict(payment, _id=str(payment["_id"])))
    _backfill("payment")
    assert postgres_record("payment", "payments", payment["_id"]).legacy_id == str(payment["_id"])
    legacy.db.payments.insert_one(dict(payment, amount=Decimal128("999"), status="confirmed"))  # the ObjectId twin
    backfill_domain("payment")
    assert BackfillReject.objects.filter(status="open", kind="unique_clash").exists()
    assert not verify_domain("payment").passed


def test_mongo_reads_and_postgres_row_are_the_same_document_after_a_late_twin(legacy):
    """What the app reads in mongo mode must be what the backfill put in Postgres (or a reject says so)."""
    payment = legacy.payment(amount=Decimal128("100"), status="pending")
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(dict(payment, _id=str(payment["_id"])))
    _backfill("payment")
    legacy.db.payments.insert_one(dict(payment, amount=Decimal128("999"), status="confirmed"))
    backfill_domain("payment")
    reject = BackfillReject.objects.get(status="open", kind="unique_clash")
    assert reject.record_id == str(payment["_id"])


EDGE_DATES = {
    "year1": datetime(1, 1, 1, tzinfo=UTC),
    "epoch0": 0,
    "negative_seconds": -1,  # under 10^11 in size: seconds by the unit rule (issue 23), exactly
    "int64_ms": Int64(1_700_000_000_123),
    "float_ms": 1_700_000_000_123.0,
    "iso_offset": "2020-02-29T23:59:59.999+14:00",
    "iso_date_only": "2020-02-29",
}


# Read by the conversion table (docs/legacy-collections.md) exactly as verify's render-back rules read it: none is
# lossy any more (a fraction of a millisecond is a reject: test_malformed_dates_are_rejects).
LOSSY_UNDER_THE_RENDER_BACK_RULES: set[str] = set()


@pytest.mark.parametrize("shape", EDGE_DATES)
@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_edge_dates_survive_writes_in_every_mode(legacy, mode, shape):
    payment = legacy.payment(createdAt=EDGE_DATES[shape], updatedAt=EDGE_DATES[shape])
    _backfill("payment")
    row = postgres_record("payment", "payments", payment["_id"])
    assert row is not None
    set_store_mode("payment", mode)
    payment_update(payment_id=str(payment["_id"]), confirmations=8)
    if mode is StoreMode.MONGO:
        backfill_domain("payment", restart=True)
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    if mode is not StoreMode.POSTGRES:
        assert doc["confirmations"] == 8
        assert doc["createdAt"] == EDGE_DATES[shape] and type(doc["createdAt"]) is type(EDGE_DATES[shape])
        # Verify's render-back check (docs/legacy-collections.md) reads a number under 10^11 as epoch seconds
        # and compares to the microsecond: a value read otherwise (-1 as milliseconds, a fraction of a
        # millisecond dropped) is reported, never passed silently.
        assert verify_domain("payment").passed is (shape not in LOSSY_UNDER_THE_RENDER_BACK_RULES)
    assert postgres_record("payment", "payments", payment["_id"]).created_at == row.created_at


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), "1700000000000", 10**17, "9999-12-31T23:00:00-05:00", "", "  ", 1_700_000_000_123.9],
)
def test_malformed_dates_are_rejects(legacy, value):
    payment = legacy.payment(createdAt=value, _id=ObjectId("0" * 24) if value == "" else ObjectId())
    _backfill("payment")
    row = postgres_record("payment", "payments", payment["_id"])
    rejected = BackfillReject.objects.filter(status="open", record_id=str(payment["_id"])).exists()
    assert rejected or (row is not None and row.created_at is not None)


@pytest.mark.parametrize("mode", ["mongo", "dual"])
def test_update_of_a_record_stamped_at_the_end_of_time(legacy, mode):
    end = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
    payment = legacy.payment(updatedAt=end)
    _backfill("payment")
    set_store_mode("payment", mode)
    payment_update(payment_id=str(payment["_id"]), confirmations=8)


def _objectid_with_string_twin(legacy):
    first = legacy.payment(amount=Decimal128("100"), status="pending")
    twin = dict(first, _id=str(first["_id"]), amount=Decimal128("999"), status="confirmed")
    legacy.db.payments.insert_one(twin)
    _backfill("payment")
    assert postgres_record("payment", "payments", first["_id"]).legacy_id is None
    return first, twin


def test_a_retried_delete_mirror_never_deletes_the_clash_twin(legacy):
    from cutover.mirror.copy import mirror_record
    from cutover.modes.registry import domain_spec

    first, twin = _objectid_with_string_twin(legacy)
    set_store_mode("payment", "dual")
    domain_spec("payment").backends()["postgres"].delete_snapshot("payments", str(first["_id"]))
    mirror_record("payment", "payments", str(first["_id"]), "mongo")
    mirror_record("payment", "payments", str(first["_id"]), "mongo")  # the outbox retries after a timeout
    assert legacy.db.payments.find_one({"_id": twin["_id"]}) is not None, "the twin document was deleted"


def test_a_dual_write_never_lands_in_the_clash_twin(legacy):
    first, twin = _objectid_with_string_twin(legacy)
    legacy.db.payments.delete_one({"_id": first["_id"]})  # e.g. removed by the legacy app / an operator
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(first["_id"]), confirmations=77)
    kept = legacy.db.payments.find_one({"_id": twin["_id"]})
    assert kept["amount"] == Decimal128("999") and kept["status"] == "confirmed" and kept["confirmations"] != 77


def test_an_id_type_cleanup_is_not_a_clash(legacy):
    payment = legacy.payment(confirmations=1)
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(dict(payment, _id=str(payment["_id"])))
    _backfill("payment")
    # the legacy team normalizes ids: the string-_id document is replaced by its ObjectId form
    legacy.db.payments.delete_one({"_id": str(payment["_id"])})
    legacy.db.payments.insert_one(dict(payment, confirmations=2))
    backfill_domain("payment")
    assert not BackfillReject.objects.filter(status="open").exists()
    row = postgres_record("payment", "payments", payment["_id"])
    assert (row.legacy_id, row.confirmations) == (None, 2)


def test_a_dual_write_after_an_id_type_cleanup_does_not_duplicate_the_document(legacy):
    payment = legacy.payment(confirmations=1)
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(dict(payment, _id=str(payment["_id"])))
    _backfill("payment")
    legacy.db.payments.delete_one({"_id": str(payment["_id"])})
    legacy.db.payments.insert_one(dict(payment))  # the same document, now with its ObjectId _id
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), confirmations=5)
    docs = list(legacy.db.payments.find({"_id": {"$in": [payment["_id"], str(payment["_id"])]}}))
    assert len(docs) == 1, [d["_id"] for d in docs]
    assert (docs[0]["_id"], docs[0]["confirmations"]) == (payment["_id"], 5), "the write landed in the cleaned-up one"
