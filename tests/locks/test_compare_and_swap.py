"""A legacy writer changes the document between our read and our guarded write."""

import pytest

import cutover.store.backends.mongo as mongo_backend
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.testing import set_store_mode
from payments.services import payment_update
from tests.backfill.conftest import postgres_record


def _interfere_once(monkeypatch, legacy, update):
    original = mongo_backend.locate
    done = []

    def locate(collection, record_id, legacy_id=None, **options):
        doc = original(collection, record_id, legacy_id, **options)
        if doc is not None and not done and collection.name == "payments":
            done.append(True)
            legacy.db.payments.update_one({"_id": doc["_id"]}, update)
        return doc

    monkeypatch.setattr(mongo_backend, "locate", locate)
    return done


def _backfill():
    for name in ("auth", "marketplace", "payment"):
        backfill_domain(name)


@pytest.mark.parametrize(
    "update,expect",
    [
        ({"$set": {"status": "refunded"}}, {"status": "refunded", "confirmations": 7}),
        ({"$set": {"adminNote": "x"}}, {"adminNote": "x", "confirmations": 7}),
        ({"$set": {"confirmations": 5}}, {"confirmations": 7}),
        ({"$unset": {"txHash": ""}}, {"confirmations": 7}),
    ],
    ids=["other_owned_key", "unknown_key", "same_key", "unset"],
)
@pytest.mark.parametrize("mode", ["mongo", "dual_mongo_primary"])
def test_a_racing_legacy_write_is_not_clobbered_by_a_mongo_primary_update(legacy, monkeypatch, mode, update, expect):
    payment = legacy.payment(status="confirmed", confirmations=3)
    _backfill()
    set_store_mode("payment", mode)
    done = _interfere_once(monkeypatch, legacy, update)
    payment_update(payment_id=str(payment["_id"]), confirmations=7)
    assert done
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    assert {key: doc.get(key) for key in expect} == expect
    if mode == "dual_mongo_primary":
        assert verify_domain("payment").passed


@pytest.mark.parametrize(
    "update", [{"$set": {"adminNote": "x"}}, {"$set": {"status": "refunded"}}], ids=["unknown_key", "owned_key"]
)
def test_a_racing_legacy_write_during_a_dual_mirror(legacy, monkeypatch, update):
    payment = legacy.payment(status="confirmed", confirmations=3)
    _backfill()
    set_store_mode("payment", "dual")
    done = _interfere_once(monkeypatch, legacy, update)
    payment_update(payment_id=str(payment["_id"]), confirmations=7)
    assert done
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    assert doc["confirmations"] == 7
    if "adminNote" in update["$set"]:
        assert doc["adminNote"] == "x"
    assert postgres_record("payment", "payments", payment["_id"]).confirmations == 7
