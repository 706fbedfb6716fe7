"""Issue 23, "an independent check in verify": verify renders each record back to its legacy document and
compares it with the stored one, key by key, without the parsers. A wrong conversion planted in the parser
(both the backfill and verify read through it, so the parsed records agree) still fails verify, naming the
key, both values and both BSON types; values outside a plausible range are reported, never failed."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from bson import Decimal128, Int64

import cutover.backfill.transform as transform_module
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from tests.backfill.conftest import MISSING
from tests.perf.test_worker_pipeline import RawSource

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _plant(monkeypatch, collection: str, key: str, field: str, wrong, value):
    """A parser that reads `key` of `collection`'s documents as `wrong(value)` where it holds `value` (of
    its type), and everything else as before."""
    original = transform_module.document_reader

    def reader(record_map):
        read = original(record_map)
        if record_map.collection != collection:
            return read
        return lambda doc: (
            dataclasses.replace(read(doc), **{field: wrong(doc[key])})
            if doc.get(key) == value and type(doc.get(key)) is type(value)
            else read(doc)
        )

    monkeypatch.setattr(transform_module, "document_reader", reader)


PLANTS = {
    "double 1.0 read as False": dict(
        doc={"isVerified": 1.0}, key="isVerified", field="is_verified", wrong=lambda value: False
    ),
    "epoch seconds read as milliseconds": dict(
        doc={"updatedAt": 1_700_000_000},
        key="updatedAt",
        field="updated_at",
        wrong=lambda value: _EPOCH + timedelta(milliseconds=value),
    ),
    # (an id with surrounding spaces is a reject by the telegram id table now, before any plant can read it)
    "an id string case-folded": dict(
        doc={"telegramId": "Ext:OKX:1"}, key="telegramId", field="telegram_id", wrong=lambda value: value.lower()
    ),
}


def _verify(raw: bool):
    from escrow_project.mongo import mongo_database

    return verify_domain("auth", source=RawSource(mongo_database(), raw=raw))


@pytest.mark.parametrize("raw", [False, True], ids=["in_process", "workers"])
@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_wrong_conversion_fails_verify(legacy, monkeypatch, plant, raw):
    case = PLANTS[plant]
    for _ in range(3):
        legacy.user()
    user = legacy.user(**case["doc"])
    _plant(monkeypatch, "users", case["key"], case["field"], case["wrong"], case["doc"][case["key"]])
    backfill_domain("auth")
    result = _verify(raw)
    assert not result.passed
    counts, samples = result.counts["users"], result.samples["users"]
    assert counts["differing"] == counts["missing_in_postgres"] == 0  # the parsed records agree: same parser
    assert counts["render_differs"] == 1
    (difference,) = samples["render_differs"][str(user["_id"])]
    assert difference["key"] == case["key"]
    assert difference["mongo"] == repr(case["doc"][case["key"]])
    assert difference["mongo_type"] in ("double", "int", "string")


@pytest.mark.parametrize("raw", [False, True], ids=["in_process", "workers"])
def test_verify_passes_on_documents_written_back_exactly_under_the_documented_normalizations(legacy, raw):
    legacy.user(displayName=MISSING, isVerified=MISSING, level=MISSING, updatedAt=MISSING, telegramId=None)
    legacy.user(level=Int64(3), isVerified=1, role="USER")  # a long, a 0/1 number, another letter case
    legacy.user(level=2.0, createdAt=datetime(2024, 5, 1, 12, 0, tzinfo=UTC).isoformat(), telegramId="42")
    backfill_domain("auth")
    result = _verify(raw)
    assert result.passed, result.samples
    assert result.counts["users"]["render_differs"] == 0


def test_a_money_value_under_normalization_and_its_padding(legacy):
    payment = legacy.payment(amount=10.5, fee=Decimal128("0.10"))
    backfill_domain("auth")
    backfill_domain("marketplace")
    backfill_domain("payment")
    result = verify_domain("payment")
    assert result.passed, result.samples["payments"]
    assert str(payment["_id"]) not in result.samples["payments"]["render_differs"]


def test_values_outside_a_plausible_range_are_reported_and_do_not_fail(legacy):
    legacy.user(createdAt=datetime(2001, 1, 1, tzinfo=UTC), updatedAt=datetime(2001, 1, 1, tzinfo=UTC))
    legacy.user(updatedAt=datetime.now(UTC) + timedelta(days=400))
    backfill_domain("auth")
    result = verify_domain("auth")
    assert result.passed, result.samples
    implausible = result.samples["users"]["implausible"]
    assert implausible["createdAt: before 2015-01-01"]["count"] == 1
    assert implausible["updatedAt: before 2015-01-01"]["count"] == 1
    assert implausible["updatedAt: in the future"]["count"] == 1
    assert result.counts["users"]["implausible"] == 3
