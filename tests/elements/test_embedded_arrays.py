"""Dispute evidence / timeline arrays that are missing, null, empty strings, or whose elements carry
unknown keys (Mongoose subdocument `_id`s), changed in every store mode."""

import pytest
from bson import Int64, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.testing import set_store_mode
from disputes.services import dispute_add_evidence, dispute_change_status
from tests.backfill.conftest import MISSING, postgres_record

SHAPES = {"missing": MISSING, "null": None, "empty_string": "", "empty_list": []}


def _dispute(legacy, evidence, **extra):
    buyer, seller = legacy.user(), legacy.user()
    request = legacy.purchase_request(buyer, seller)
    doc = {
        "_id": ObjectId(),
        "purchaseRequestId": request["_id"],
        "openedById": buyer["_id"],
        "againstUserId": seller["_id"],
        "reason": "fraud",
        "status": "open",
        "evidence": evidence,
        "timeline": [
            {"_id": ObjectId(), "at": legacy.at, "action": "opened", "toStatus": "open", "legacyTag": Int64(3)},
        ],
        "createdAt": legacy.at,
        "updatedAt": legacy.at,
    } | extra
    return legacy._insert("disputes", doc), buyer


def _backfill():
    for name in ("auth", "marketplace", "payment", "dispute"):
        backfill_domain(name)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_status_change_leaves_an_untouched_array_alone(legacy, mode, shape):
    dispute, buyer = _dispute(legacy, SHAPES[shape])
    record_id = str(dispute["_id"])
    _backfill()
    assert postgres_record("dispute", "disputes", record_id).evidence == ()
    set_store_mode("dispute", mode)
    dispute_change_status(dispute_id=record_id, to_status="under_review", actor_id=str(buyer["_id"]))
    if mode is StoreMode.POSTGRES:
        domain_spec("dispute").backends()["mongo"].put_snapshot(postgres_record("dispute", "disputes", record_id))
    elif mode is StoreMode.MONGO:
        backfill_domain("dispute", restart=True)
    doc = legacy.db.disputes.find_one({"_id": dispute["_id"]})
    assert doc["status"] == "under_review"
    if shape == "missing":
        assert "evidence" not in doc
    else:
        assert doc["evidence"] == SHAPES[shape]
    first = doc["timeline"][0]
    assert first["_id"] == dispute["timeline"][0]["_id"] and type(first["legacyTag"]) is Int64
    assert len(doc["timeline"]) == 2
    assert verify_domain("dispute").passed


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_add_evidence_to_an_odd_array_in_every_mode(legacy, mode, shape):
    dispute, buyer = _dispute(legacy, SHAPES[shape])
    record_id = str(dispute["_id"])
    _backfill()
    set_store_mode("dispute", mode)
    dispute_add_evidence(dispute_id=record_id, url="https://x/1", uploaded_by_id=str(buyer["_id"]))
    dispute_add_evidence(dispute_id=record_id, url="https://x/2", uploaded_by_id=str(buyer["_id"]))
    if mode is StoreMode.POSTGRES:
        domain_spec("dispute").backends()["mongo"].put_snapshot(postgres_record("dispute", "disputes", record_id))
    elif mode is StoreMode.MONGO:
        backfill_domain("dispute", restart=True)
    doc = legacy.db.disputes.find_one({"_id": dispute["_id"]})
    assert [e["url"] for e in doc["evidence"]] == ["https://x/1", "https://x/2"]
    assert [e.url for e in postgres_record("dispute", "disputes", record_id).evidence] == ["https://x/1", "https://x/2"]
    assert verify_domain("dispute").passed


def test_legacy_push_then_dual_add_keeps_both_elements(legacy):
    """dual_mongo_primary: the legacy app pushes evidence straight into Mongo (its mirror never ran);
    then our app adds evidence: Mongo keeps both, and a repair brings Postgres up to date."""
    dispute, buyer = _dispute(legacy, [{"url": "https://old", "at": legacy.at, "_id": ObjectId(), "extra": "e"}])
    record_id = str(dispute["_id"])
    _backfill()
    set_store_mode("dispute", "dual_mongo_primary")
    legacy.db.disputes.update_one(
        {"_id": dispute["_id"]}, {"$push": {"evidence": {"url": "https://legacy", "at": legacy.at, "k": 1}}}
    )
    dispute_add_evidence(dispute_id=record_id, url="https://new", uploaded_by_id=str(buyer["_id"]))
    doc = legacy.db.disputes.find_one({"_id": dispute["_id"]})
    assert [e["url"] for e in doc["evidence"]] == ["https://old", "https://legacy", "https://new"]
    assert doc["evidence"][0]["extra"] == "e" and doc["evidence"][1]["k"] == 1
    assert [e.url for e in postgres_record("dispute", "disputes", record_id).evidence] == [
        "https://old",
        "https://legacy",
        "https://new",
    ]
    assert verify_domain("dispute").passed
