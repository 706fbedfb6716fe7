"""Property-based: any value in any field of any legacy document yields a record or a reject with a
reason, never an exception; a record written back to a document reads as the same record; a batch of
records loads as rows or rejects, and every reject is storable (issue 8: "No value crashes a run")."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from bson import Decimal128, Int64, ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover.backfill.load import TableLoader
from cutover.backfill.rejects import save_batch_outcome
from cutover.backfill.transform import transform
from cutover.models import BackfillReject, BackfillRun
from cutover.modes.registry import domain_spec, domains_in_dependency_order
from cutover.store.recordmap import RecordMap

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

_decimal128 = st.decimals(min_value=-(10**13), max_value=10**13, places=20, allow_nan=False).map(
    lambda d: Decimal128(str(d))
) | st.sampled_from([Decimal128("NaN"), Decimal128("-Infinity"), Decimal128("1E+6000"), Decimal128("0.1")])
_dates = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
    lambda d: d.replace(tzinfo=UTC, microsecond=d.microsecond // 1000 * 1000)
)
# BSON strings are valid UTF-8 (bson refuses to decode anything else), so no lone surrogates.
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
# Nor a NUL in a key: BSON keys are C strings (a server refuses them; bson.encode cannot write them).
_key = _text.filter(lambda key: "\x00" not in key)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(Int64),
    st.floats(allow_nan=True, allow_infinity=True),
    _text,
    st.sampled_from(["", " ", "\x00", "0x\x00ab", "NaN", "9999-12-31T23:00:00-05:00", "2024-02-30", "é✓"]),
    st.builds(ObjectId),
    st.builds(ObjectId).map(str),
    _dates,
    st.sampled_from([10**17, -(10**17), 2**53]),
    _decimal128,
)
# The values that broke runs before (issue 8, item 8), drawn often rather than by luck.
NASTY_VALUES = [
    10**17,
    -(10**17),
    float("nan"),
    float("inf"),
    "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+01:00",
    "\x00",
    "a\x00b",
    [],
    {},
    ["confirmed"],
    {"x": 1},
    Decimal128("NaN"),
    "",
    True,
    2**64,
    -1,
]
_any_value = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_key, inner, max_size=3),
    max_leaves=6,
)


def _valid_value(kind):
    by_kind = {
        "object_id": st.builds(ObjectId),
        "datetime": _dates,
        "money": st.decimals(min_value=Decimal("0.000001"), max_value=10**9, places=6).map(
            lambda d: Decimal128(str(d))
        ),
        "int": st.integers(min_value=0, max_value=10**6),
        "bool": st.booleans(),
        "text": st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20),
        "email": st.emails(),
        "telegram_id": st.integers(min_value=1, max_value=10**12),
        "json": st.dictionaries(_key, _scalars, max_size=3),
        "country": st.sampled_from(["DE", "fr", "US"]),
        "currency": st.sampled_from(["USDT", "btc"]),
    }
    if kind.examples:
        return st.sampled_from(kind.examples)
    return by_kind.get(kind.name, _any_value)


_ABSENT = object()


def _valid_keys(record_map: RecordMap) -> dict:
    keys = {field.key: _valid_value(field.kind) for field in record_map.fields}
    for composite in record_map.composites:
        for key in composite.keys:
            keys[key] = st.one_of(st.builds(ObjectId), _text, st.none())
    for child in record_map.children:
        keys[child.key] = st.lists(documents(child.map), max_size=3)
    return keys


def documents(record_map: RecordMap):
    """Documents of `record_map`'s shape: valid values, then one or two keys made dirty (a nasty or
    arbitrary value, null, or absent), so that every field's parser is reached; plus unknown keys."""
    keys = _valid_keys(record_map)
    dirty = st.lists(
        st.tuples(
            st.sampled_from(sorted(keys)),
            st.one_of(st.sampled_from(NASTY_VALUES), _any_value, st.none(), st.just(_ABSENT)),
        ),
        max_size=2,
    )
    extra = st.dictionaries(_key.filter(lambda k: k != "").filter(lambda k: k not in keys), _any_value, max_size=3)
    return st.tuples(st.fixed_dictionaries(keys), dirty, extra).map(_assemble)


def _assemble(parts) -> dict:
    doc, dirty, extra = parts
    doc = doc | dict(dirty)
    return {key: value for key, value in doc.items() if value is not _ABSENT} | extra


ALL_MAPS = [
    (spec.name, spec.record_map(collection))
    for spec in domains_in_dependency_order()
    for collection in spec.collections
]


@pytest.mark.parametrize(("domain", "record_map"), ALL_MAPS, ids=[m.collection for _, m in ALL_MAPS])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_document_is_a_record_or_a_reject_and_records_round_trip(domain, record_map, data):
    doc = data.draw(documents(record_map))
    out = transform(record_map, [doc])
    assert len(out.records) + len(out.rejects) == 1
    for reject in out.rejects:
        assert reject.kind in ("bad_id", "bad_value") and reject.reason
        # every parser names the field and what it expected; the catch-all is only a safety net
        assert not reject.reason.startswith("unreadable document"), reject.reason
        assert "\x00" not in reject.reason and "\x00" not in str(reject.document)
    for record in out.records:
        assert record_map.from_document(record_map.to_document(record)) == record
        assert record_map.owned_update(record_map.to_document(record), record) == {}


@pytest.mark.django_db(transaction=True)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_batch_of_payments_loads_as_rows_or_storable_rejects(legacy, data):
    """With real parents, every database-level refusal is a reject too, and every reject saves."""
    spec = domain_spec("payment")
    parents = legacy.payment()
    record_map = spec.record_map("payments")
    # Mongo keeps `_id` unique: so do the generated batches
    docs = data.draw(st.lists(documents(record_map), min_size=1, max_size=4, unique_by=lambda d: repr(d.get("_id"))))
    for doc in docs:
        doc.update({k: parents[k] for k in ("purchaseRequestId", "buyerId", "sellerId") if data.draw(st.booleans())})
    out = transform(record_map, docs)
    result = TableLoader(spec, "payments").load(out.records)
    assert len(result.written) + len(result.rejects) <= len(out.records)
    run = BackfillRun.objects.create(domain="payment")
    rejected = save_batch_outcome(spec, "payments", run, out, result)
    assert BackfillReject.objects.filter(run=run).count() == rejected == len(out.rejects) + len(result.rejects)


@pytest.mark.parametrize(("domain", "record_map"), ALL_MAPS, ids=[m.collection for _, m in ALL_MAPS])
def test_every_nasty_value_in_every_field_is_read_or_named(domain, record_map):
    """Deterministically, every value that once broke a run, in every key of every collection: a
    record, or a reject whose reason names the key (a parser's own error, not the safety net)."""
    base = _valid_document(record_map)
    for key in base:
        for value in NASTY_VALUES:
            out = transform(record_map, [base | {key: value}])
            assert len(out.records) + len(out.rejects) == 1, (key, value)
            for reject in out.rejects:
                assert not reject.reason.startswith("unreadable document"), (key, value, reject.reason)


def _valid_document(record_map: RecordMap) -> dict:
    @settings(max_examples=1, database=None)
    @given(st.fixed_dictionaries(_valid_keys(record_map)))
    def capture(doc):
        found.append(doc)

    found: list[dict] = []
    capture()
    return found[0]
