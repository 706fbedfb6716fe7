"""A config value is arbitrary JSON and comes back exactly, both ways (issue 12): an int stays an int, a
float a float (1.0, 1e20, -0.0 included), null stays null, documents keep their key order and arrays
their order. Checked on the BSON bytes, which see all of that, not with Python's ==, which does not
(1 == 1.0 == True, and dicts ignore order).

- Mongo -> Postgres -> Mongo: a legacy document is loaded by the backfill's loader (COPY), read back
  through the ORM, and written to Mongo again: as a new document, and over a stored one.
- Postgres -> Mongo -> Postgres: an app write in `postgres` mode, copied to Mongo as a reverse run does,
  then read from that document again.
"""

import math
import struct
import uuid

import bson
import pytest
from bson import Int64, ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover.backfill.load import TableLoader
from cutover.modes.registry import domain_spec
from cutover.store.legacy import LegacyValueError, now_ms
from cutover.testing import set_store_mode
from settings_store.records import ConfigRecord
from settings_store.repositories.mapping import CONFIG
from settings_store.selectors import config_value
from settings_store.services import config_set

pytestmark = pytest.mark.django_db

ROUND_TRIPS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Keys: any text a Mongo field name may be, except a leading "$" (a lookalike of an Extended JSON wrapper
# such as {"$oid": ...}: refused on purpose, see the last test) and NUL (BSON keys are C strings).
_keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8).filter(
    lambda key: not key.startswith("$")
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),  # BSON int32
    st.integers(min_value=-(2**63), max_value=2**63 - 1),  # int64 when outside int32
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(Int64),  # an explicit long, even a small one
    # NaN as Python makes it; a NaN with another payload has no JSON form (see the last test).
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: float("nan") if math.isnan(f) else f),
    st.sampled_from([1.0, -0.0, 0.0, 1e20, 1e-300, 2.5, float(2**53)]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),  # NUL included: JSON escapes it
)
json_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4), max_leaves=12
)


def _bson(value) -> bytes:
    return bson.encode({"v": value})


def _legacy_config(value) -> dict:
    at = now_ms()
    return {"_id": ObjectId(), "key": f"k-{uuid.uuid4().hex}", "value": value, "createdAt": at, "updatedAt": at}


@ROUND_TRIPS
@given(value=json_values)
def test_mongo_to_postgres_and_back_keeps_the_value_exactly(value):
    stores = domain_spec("config").backends()
    configs = stores["mongo"].database["configs"]
    doc = _legacy_config(value)
    configs.insert_one(doc)
    record = CONFIG.from_document(configs.find_one({"_id": doc["_id"]}))
    loaded = TableLoader(domain_spec("config"), "configs").load([record])
    assert (loaded.written, loaded.rejects) == ([record.id], [])
    from_postgres = stores["postgres"].get_snapshot("configs", record.id)
    assert from_postgres == record

    configs.delete_one({"_id": doc["_id"]})  # recreated from Postgres, as after a loss
    stores["mongo"].put_snapshot(from_postgres)
    assert _bson(configs.find_one({"_id": doc["_id"]})["value"]) == _bson(value)

    configs.update_one({"_id": doc["_id"]}, {"$set": {"value": "something else"}})  # written over a stored one
    stores["mongo"].put_snapshot(from_postgres)
    assert _bson(configs.find_one({"_id": doc["_id"]})["value"]) == _bson(value)


@ROUND_TRIPS
@given(value=json_values)
def test_postgres_to_mongo_and_back_keeps_the_value_exactly(value):
    set_store_mode("config", "postgres")
    key = f"k-{uuid.uuid4().hex}"
    written = config_set(key=key, value=value)
    stores = domain_spec("config").backends()
    from_postgres = stores["postgres"].get_snapshot("configs", written.id)
    assert from_postgres == written
    assert _bson(config_value(key=key)) == _bson(bson.decode(_bson(value))["v"])

    stores["mongo"].put_snapshot(from_postgres)  # what a reverse run does before a rollback
    doc = stores["mongo"].database["configs"].find_one({"_id": ObjectId(written.id)})
    assert _bson(doc["value"]) == _bson(value)
    assert CONFIG.from_document(doc) == from_postgres


def test_equal_in_python_is_not_equal_here():
    """The cases Python's == would miss, spelled out: each pair differs as a record and in Mongo."""
    pairs = [(1, 1.0), (1, True), (0, False), ({"a": 1, "b": 2}, {"b": 2, "a": 1}), (0.0, -0.0), (5, Int64(5))]
    for left, right in pairs:
        a, b = (
            CONFIG.from_document(_legacy_config(value) | {"_id": ObjectId(), "key": "k"}) for value in (left, right)
        )
        assert a.value_json != b.value_json, (left, right)
        assert _bson(CONFIG.to_document(a)["value"]) == _bson(left)
        assert _bson(CONFIG.to_document(b)["value"]) == _bson(right)


def test_what_json_cannot_hold_is_refused_not_changed():
    """{"$oid": "x"} is a legal Mongo subdocument that Extended JSON would read as another type, and a NaN
    with a payload other than Python's would come back as the plain NaN (found by the property above):
    both are rejects naming the key, never values quietly turned into others."""
    odd_nan = struct.unpack("d", struct.pack("Q", 0x7FF8000000000001))[0]
    for value in ({"$oid": "not an id"}, odd_nan, [1, {"x": odd_nan}]):
        with pytest.raises(LegacyValueError, match="value: expected a value Extended JSON holds exactly"):
            CONFIG.from_document(_legacy_config(value))
    record = CONFIG.from_document(_legacy_config(float("nan")))
    assert _bson(CONFIG.to_document(record)["value"]) == _bson(float("nan"))
    assert isinstance(record, ConfigRecord)
