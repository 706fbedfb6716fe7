"""Issue 23, "one conversion table per field kind": every BSON type in every field of every collection's record
map (element maps included) gives exactly one of two outcomes, never a third:

- a record whose document, written back (parse -> record -> Postgres row -> read -> to_document), holds the
  very same BSON value, type included (a double 1.0 stays a double, epoch seconds stay an int);
- a LegacyValueError naming the field.

A value of a BSON type the kind's table (Kind.table) does not list is always the second, and every table is
written down in docs/legacy-collections.md. Seeded and bounded for CI (derandomized, max_examples)."""

import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bson
import pytest
from bson import Binary, Decimal128, Int64, ObjectId, Regex, Timestamp
from django.db import DatabaseError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover.backfill import renderback
from cutover.modes.registry import domain_spec, domains_in_dependency_order
from cutover.store.legacy import LegacyValueError
from cutover.store.recordmap import RecordMap
from tests.values.test_dirty_properties import _valid_document

TABLE_SETTINGS = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DOC = Path(__file__).resolve().parents[2] / "docs" / "legacy-collections.md"
_MISSING = object()


def _maps(record_map: RecordMap, where: str):
    yield where, record_map
    for child in record_map.children:
        yield from _maps(child.map, f"{where}.{child.key}")


ALL_MAPS = [
    (domain, found, found_map)
    for spec in domains_in_dependency_order()
    for domain in [spec.name]
    for collection in spec.collections
    for found, found_map in _maps(spec.record_map(collection), collection)
]
FIELDS = [
    (domain, where, record_map, f)
    for domain, where, record_map in ALL_MAPS
    for f in record_map.fields
    if f.key != "_id"
]


def _bson_type(value) -> str:
    if value is None:
        return "null"
    names = {bool: "bool", Int64: "long", float: "double", str: "string", datetime: "date", Decimal128: "decimal"}
    names |= {ObjectId: "objectId", dict: "object", list: "array", Binary: "binData", Regex: "regex"}
    names |= {Timestamp: "timestamp", bytes: "binData"}
    if value.__class__ is int:
        return "int" if -(2**31) <= value < 2**31 else "long"
    return names.get(value.__class__, value.__class__.__name__)


_HEX = st.builds(ObjectId).map(str)
_EPOCHS = st.sampled_from([1_700_000_000, 1_700_000_000.25, 1_700_000_000_123, 1.7e12, 1_700_000_000.0001, -5, 0])
BSON_VALUES = st.one_of(
    st.sampled_from([1.0, 0.0, 0.5, -1.0, math.nan, math.inf, -math.inf, 2.0**53, 1e20, 0.1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(Int64),
    st.sampled_from([Decimal128("10.50"), Decimal128("1"), Decimal128("NaN"), Decimal128("-0.000001")]),
    st.sampled_from(["", " ", "true", "True", " 1", "0", "1", "42", "007", "-3", "1.50", "1e5", "USDT", "usdt"]),
    st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000123Z", " 2024-01-01", "ext:okx:1", " ext:x "]),
    st.sampled_from(["a@b.c", " Bob@Example.com ", "DE", "de", " de", "open", "OPEN", " open"]),
    st.text(max_size=8).filter(lambda t: "\x00" not in t and all(not 0xD800 <= ord(c) <= 0xDFFF for c in t)),
    _HEX,
    _HEX.map(str.upper),
    _HEX.map(lambda h: f" {h} "),
    _HEX.map(lambda h: h[:12] + h[12:].upper()),
    st.builds(ObjectId),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)).map(lambda d: d.replace(tzinfo=UTC)),
    st.sampled_from([datetime(2024, 1, 1, 0, 0, 0, 1000, tzinfo=UTC), datetime(2024, 1, 1, 0, 0, 0, 1500, tzinfo=UTC)]),
    _EPOCHS,
    st.booleans(),
    st.none(),
    st.just(_MISSING),
    st.lists(st.one_of(st.integers(0, 3), _HEX, st.text(max_size=3)), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b", "key"]), st.integers(0, 3), max_size=2),
    st.sampled_from([b"\x01\x02", Binary(b"\x01\x02", 5), Regex("^a", "i"), Timestamp(1, 1)]),  # subtype 0: bytes
)


def _same_bson(left, right) -> bool:
    try:
        return bson.encode({"v": left}) == bson.encode({"v": right})
    except Exception:  # noqa: BLE001 - a value BSON cannot hold is the same as nothing
        return False


_CLEAN = {"folded_email": "base@example.com", "text": "t", "object_id": ObjectId("64ab64ab64ab64ab64ab64ab")}


def _valid_base(record_map: RecordMap) -> dict:
    """A document of `record_map` that reads as a record (a clean value where the generated one does not)."""
    doc = _valid_document(record_map)
    for f in record_map.fields:
        try:
            f.kind.parse(doc.get(f.key), f.key)
        except (LegacyValueError, Exception):  # noqa: BLE001 - any clean value of the kind will do
            doc[f.key] = f.kind.examples[0] if f.kind.examples else _CLEAN.get(f.kind.name, doc.get(f.key))
    return doc


_BASES = {id(record_map): _valid_base(record_map) for _, _, record_map in ALL_MAPS}  # outside any @given


def _base(record_map: RecordMap) -> dict:
    return dict(_BASES[id(record_map)])


def _outcome(record_map: RecordMap, doc: dict, key: str):
    """The record of `doc`, or the LegacyValueError naming `key` (anything else fails the test)."""
    try:
        return record_map.from_document(doc)
    except LegacyValueError as error:
        assert re.match(rf"{re.escape(key)}(\[|\.|$)", error.field), (key, error.field, str(error))
        return None


def _written(record_map: RecordMap, record) -> dict:
    return record_map.to_document(record)


@pytest.mark.parametrize(("domain", "where", "record_map", "f"), FIELDS, ids=[f"{w}.{f.key}" for _, w, _, f in FIELDS])
@TABLE_SETTINGS
@given(value=BSON_VALUES)
def test_every_bson_type_in_every_field_round_trips_exactly_or_is_rejected_by_name(domain, where, record_map, f, value):
    doc = _base(record_map)
    if value is _MISSING:
        doc.pop(f.key, None)
    else:
        doc[f.key] = value
    record = _outcome(record_map, doc, f.key)
    blank = value is _MISSING or value is None or value == ""
    listed = {bson_type for bson_type, _ in f.kind.table}
    if record is None:
        return
    assert blank or "any" in listed or _bson_type(value) in listed, (f.kind.name, _bson_type(value), value)
    back = _written(record_map, record)
    assert _same_bson(back.get(f.key, _MISSING), value) or (value is _MISSING and f.key not in back), (value, back)
    assert record_map.from_document(back) == record
    assert record_map.owned_update(doc, record) == {}
    # verify's render-back check, written apart from the parsers, agrees with every conversion they accept
    found = [d for d in renderback.differences(record_map, doc, record) if d["key"] == f.key]
    assert found == [], (f.kind.name, value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("domain", "collection", "record_map"),
    [(domain, where, m) for domain, where, m in ALL_MAPS if not m.is_child and not m.insert_only],
    ids=[where for _, where, m in ALL_MAPS if not m.is_child and not m.insert_only],
)
@TABLE_SETTINGS
@given(data=st.data())
def test_through_postgres_every_accepted_form_comes_back(domain, collection, record_map, data):
    """parse -> record -> Postgres row -> read -> to_document: the stored BSON value, type included. (The
    append-only ledger's rows cannot be removed between examples: its fields are covered above.)"""
    doc = _base(record_map) | {"_id": ObjectId()}
    keys = [f.key for f in record_map.fields if f.key != "_id"]
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        doc[key] = data.draw(BSON_VALUES.filter(lambda v: v is not _MISSING))
    try:
        record = record_map.from_document(doc)
    except LegacyValueError:
        return
    backend = domain_spec(domain).backends()["postgres"]
    try:
        with transaction.atomic():
            backend.put_snapshot(record)
    except (ValueError, DatabaseError):
        return  # refused by the store (a text past its column's length): the backfill's loader rejects that row

    try:
        read = backend.get_snapshot(collection, record.id)
        assert read == record
        back = record_map.to_document(read)
        for key, value in doc.items():
            if key not in record_map.element_keys and key not in {c.key for c in record_map.children}:
                assert _same_bson(back.get(key, _MISSING), value), (key, value, back.get(key, "(no key)"))
    finally:
        backend.delete_snapshot(collection, record.id)


def test_every_kind_has_a_table_and_docs_write_each_row_down():
    text = DOC.read_text()
    kinds = {f.kind.name: f.kind for _, _, _, f in FIELDS}
    for name, kind in kinds.items():
        assert kind.table, f"kind {name} has no conversion table"
        for bson_type, conversion in kind.table:
            row = f"| {name} | {bson_type} | {conversion} |"
            assert row in text, f"docs/legacy-collections.md lacks the row {row}"


def test_the_unit_rule_is_the_one_verify_documents():
    from cutover.backfill import renderback
    from cutover.store import legacy

    assert legacy.EPOCH_MILLISECONDS_FROM == renderback.EPOCH_MILLISECONDS_FROM
    assert legacy.legacy_datetime(10**11 - 1, "k") == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=10**11 - 1)
    assert legacy.legacy_datetime(10**11, "k") == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=10**11)
