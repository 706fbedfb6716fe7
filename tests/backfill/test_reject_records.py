"""Reject records: one per document, found again on retry, never resolved while the document is still bad."""

import pytest
from bson import Decimal128, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject


def _backfill(*domains):
    for name in ("auth", "marketplace", *domains):
        backfill_domain(name)


def _open(collection="payments"):
    return list(BackfillReject.objects.filter(status="open", collection=collection))


def test_two_long_bad_ids_are_two_rejects(legacy):
    prefix = "legacy-payment-" + "x" * 60
    legacy.payment(_id=prefix + "-a")
    legacy.payment(_id=prefix + "-b")
    _backfill("payment")
    assert len(_open()) == 2


def test_a_nul_in_a_bad_id_does_not_resolve_its_reject(legacy):
    legacy.payment(_id="bad\x00id")
    _backfill("payment")
    assert len(_open()) == 1
    backfill_domain("payment")  # the next run retries open rejects
    assert len(_open()) == 1, [(r.status, r.reason) for r in BackfillReject.objects.all()]


def test_a_bad_objectid_doc_keeps_its_reject_when_its_string_twin_loads(legacy):
    bad = legacy.payment(amount="ten")
    legacy.db.payments.insert_one(dict(bad, _id=str(bad["_id"]), amount=Decimal128("5")))
    _backfill("payment")
    backfill_domain("payment")
    backfill_domain("payment")
    rejects = _open()
    assert any(r.kind == "bad_value" for r in rejects), [(r.kind, r.reason) for r in BackfillReject.objects.all()]


def test_many_runs_keep_one_open_reject_per_bad_document(legacy):
    for _ in range(3):
        legacy.payment(status=["confirmed"])
    legacy.payment(_id={"weird": ObjectId()})
    for _ in range(3):
        _backfill("payment")
    assert len(_open()) == 4


@pytest.mark.parametrize("form", [str.upper], ids=["upper"])
def test_a_fixed_odd_string_id_resolves_its_reject(legacy, form):
    from tests.backfill.conftest import postgres_record

    payment = legacy.payment(amount="ten")
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy_id = form(str(payment["_id"]))
    legacy.db.payments.insert_one(dict(payment, _id=legacy_id))
    _backfill("payment")
    assert len(_open()) == 1
    legacy.db.payments.update_one({"_id": legacy_id}, {"$set": {"amount": Decimal128("10")}})
    backfill_domain("payment")
    assert postgres_record("payment", "payments", payment["_id"]) is not None
    assert _open() == []
