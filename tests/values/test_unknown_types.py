"""Unknown keys of every BSON type (and nasty names) through backfill, dual writes both ways, a reverse
copy that recreates the document, and verify."""

import math
from datetime import UTC, datetime

import pytest
from bson import Binary, Code, DBRef, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.mirror.copy import mirror_record
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from payments.services import payment_update
from tests.backfill.conftest import postgres_record

NASTY = {
    "ts": Timestamp(1700000000, 3),
    "lo": MinKey(),
    "hi": MaxKey(),
    "js": Code("function(){return 1}"),
    "jsScope": Code("x", {"a": 1}),
    "md5": Binary(b"\x00" * 16, 5),
    "uuid": Binary(b"0123456789abcdef", 4),
    "blob": b"\x00\xff\x00",
    "dec": Decimal128("1.000000000000000000000"),
    "decNeg0": Decimal128("-0E-20"),
    "negZero": -0.0,
    "inf": float("-inf"),
    "long": Int64(-(2**63)),
    "int32": -(2**31),
    "regex": Regex("^a.*$", "imsx"),
    "ref": DBRef("users", ObjectId("64b7f0c2a1b2c3d4e5f60718"), "otherdb"),
    "year1": datetime(1, 1, 1, tzinfo=UTC),
    "year9999": datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    "docs": [[{"a": [{"b": [None, True, 1.5]}]}], [], {}],
    "dotted.key": {"inner.dot": 1},
    "nulValue": "nul\x00value",
    "ünïcödé 🔥": "жжж 𝔘 \u202e",
    "long text": "x" * 200_000,
    "": "empty key",
    " ": "space key",
    "emptyDoc": {},
    "emptyList": [],
}


def _backfill(*domains):
    return {name: backfill_domain(name) for name in ("auth", "marketplace", *domains)}


def _same(left, right) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or (
            left == right and math.copysign(1, left) == math.copysign(1, right)
        )
    return type(left) is type(right) and left == right


def _kept(doc, unknown):
    return {key: doc.get(key, "MISSING") for key in unknown}


def _assert_kept(doc, unknown):
    for key, value in unknown.items():
        assert key in doc, f"{key!r} lost"
        assert _same(doc[key], value), f"{key!r}: {value!r} became {doc[key]!r}"


def test_every_bson_type_survives_every_write_path(legacy):
    payment = legacy.payment(**NASTY)
    record_id = str(payment["_id"])
    _backfill("payment")
    assert verify_domain("payment").passed
    set_store_mode("payment", "dual_mongo_primary")
    payment_update(payment_id=record_id, confirmations=4)
    _assert_kept(legacy.db.payments.find_one({"_id": payment["_id"]}), NASTY)
    set_store_mode("payment", "dual")
    payment_update(payment_id=record_id, confirmations=5, status="released")
    _assert_kept(legacy.db.payments.find_one({"_id": payment["_id"]}), NASTY)
    assert verify_domain("payment").passed
    # a rollback's reverse copy into a Mongo that lost the document
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    mirror_record("payment", "payments", record_id, "mongo")
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    _assert_kept(doc, NASTY)
    assert doc["confirmations"] == 5 and doc["status"] == "released"
    assert verify_domain("payment").passed


# Since MongoDB 5.0 a nested field name may start with `$`; legacy payloads (stored webhooks, saved
# filters) hold such subdocuments. Canonical Extended JSON reads them back as BSON types.
DOLLAR_DOCS = {
    "webhookOid": {"$oid": "64b7f0c2a1b2c3d4e5f60718"},
    "savedFilter": {"$regex": "^a", "$options": "i"},
    "rawLong": {"$numberLong": "5"},
    "rawDate": {"$date": 0},
    "rawUndefined": {"$undefined": True},
}


@pytest.mark.parametrize("key", DOLLAR_DOCS)
def test_dollar_subdocuments_are_not_reinterpreted_on_a_reverse_copy(legacy, key):
    payment = legacy.payment(**{key: DOLLAR_DOCS[key]})
    record_id = str(payment["_id"])
    _backfill("payment")
    set_store_mode("payment", "postgres")
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    domain_spec("payment").backends()["mongo"].put_snapshot(postgres_record("payment", "payments", record_id))
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    _assert_kept(doc, {key: DOLLAR_DOCS[key]})


@pytest.mark.parametrize(
    "value", [{"$oid": "not hex"}, {"$date": "soon"}, {"$numberDecimal": "lots"}], ids=["oid", "date", "decimal"]
)
def test_malformed_dollar_subdocument_does_not_crash_the_reverse_copy(legacy, value):
    payment = legacy.payment(payload=value)
    record_id = str(payment["_id"])
    _backfill("payment")
    assert postgres_record("payment", "payments", record_id) is not None
    assert verify_domain("payment").passed
    set_store_mode("payment", "postgres")  # a copy toward Mongo is made only while Postgres leads
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    mirror_record("payment", "payments", record_id, "mongo")
    assert legacy.db.payments.find_one({"_id": payment["_id"]})["payload"] == value


LEGACY_FORMS = {  # known fields in shapes SCHEMA-era data holds; all parse, none is canonical
    "amount": "10.50",
    "status": "Confirmed",
    "confirmations": "3",
    "createdAt": "2024-01-02T03:04:05.678Z",
    "currency": "usdt",
}


def test_known_fields_keep_their_legacy_form_through_dual_writes(legacy):
    # One payment per write path: a transaction hash is set once (payments/rules.py), never rewritten.
    payments = [legacy.payment(**LEGACY_FORMS) for _ in range(2)]
    _backfill("payment")
    for payment, mode, tx_hash in zip(payments, ("dual", "dual_mongo_primary"), ("0xabc", "0xdef"), strict=True):
        set_store_mode("payment", mode)
        payment_update(payment_id=str(payment["_id"]), tx_hash=tx_hash)
        doc = legacy.db.payments.find_one({"_id": payment["_id"]})
        assert {key: doc[key] for key in LEGACY_FORMS} == LEGACY_FORMS and doc["txHash"] == tx_hash
    assert verify_domain("payment").passed
