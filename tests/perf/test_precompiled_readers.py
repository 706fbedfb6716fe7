"""The precompiled reader of every map reads every document exactly as RecordMap.from_document does:
the same record, or the same error (issue 15: a faster transform, not a different one)."""

from datetime import UTC, datetime, timedelta

import pytest
from bson import Decimal128, ObjectId
from hypothesis import given
from hypothesis import strategies as st

from cutover.store.converters import document_reader
from tests.values.test_dirty_properties import ALL_MAPS, NASTY_VALUES, PROPERTY_SETTINGS, _valid_document, documents


def _outcome(read, doc):
    try:
        return "record", read(doc)
    except Exception as error:  # noqa: BLE001 - the error itself is what is compared
        return "error", (type(error), str(error))


@pytest.mark.parametrize(("domain", "record_map"), ALL_MAPS, ids=[m.collection for _, m in ALL_MAPS])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_precompiled_reader_is_from_document(domain, record_map, data):
    doc = data.draw(documents(record_map))
    fast, slow = _outcome(document_reader(record_map), doc), _outcome(record_map.from_document, doc)
    assert fast == slow
    if fast[0] == "record":
        assert fast[1].__dict__ == slow[1].__dict__  # the same attributes, not only equal fields


@pytest.mark.parametrize(("domain", "record_map"), ALL_MAPS, ids=[m.collection for _, m in ALL_MAPS])
def test_every_nasty_value_reads_the_same(domain, record_map):
    base = _valid_document(record_map)
    read = document_reader(record_map)
    for key in [*base, "createdAt", "updatedAt"]:
        for value in [*NASTY_VALUES, None, "", "x", ObjectId(), Decimal128("1.5"), datetime(2024, 1, 1)]:
            doc = base | {key: value}
            assert _outcome(read, doc) == _outcome(record_map.from_document, doc), (key, value)
        missing = {k: v for k, v in base.items() if k != key}
        assert _outcome(read, missing) == _outcome(record_map.from_document, missing), key


def test_clean_values_take_the_fast_path_and_odd_ones_the_full_reading():
    from payments.repositories.mapping import PAYMENT

    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    doc = {
        "_id": ObjectId(),
        "purchaseRequestId": ObjectId(),
        "buyerId": ObjectId(),
        "sellerId": ObjectId(),
        "amount": Decimal128("10.50"),
        "currency": "USDT",
        "network": "tron",
        "status": "confirmed",
        "createdAt": at,
        "extra": {"kept": 1},
    }
    read = document_reader(PAYMENT)
    record = read(doc)
    assert record == PAYMENT.from_document(doc)
    assert record.updated_at == at and record.confirmations == 0 and record.legacy_fields
    # odd shapes: a string date with an offset, an upper-case enum, a string _id
    odd = doc | {"createdAt": "2025-01-02T04:04:05.123+01:00", "currency": "usdt", "_id": str(doc["_id"]).upper()}
    assert read(odd) == PAYMENT.from_document(odd)
    assert read(odd).created_at == at + timedelta(milliseconds=123)
    assert read(odd).legacy_id == str(doc["_id"]).upper()
