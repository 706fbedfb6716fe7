"""Verify's independent check: a record rendered back to its legacy document (RecordMap.to_document, the
writer of every recreated document and of the reverse backfill) against the stored document, key by key.

Comparing parsed records alone cannot see a wrong conversion: both stores' records come out of the same
parser. This check does not use the parsers. A stored value and its rendering are equal when they are the
same BSON value (type included; embedded documents with their keys in the same order), or under one of
the normalizations below, each an exact rule written here apart from the parsers (docs/legacy-collections.md
lists them); any other difference is reported with the key, both values and both BSON types, secrets masked:

- Decimal128 and Decimal128: the same number (padding zeros: 10.50 and 10.5);
- money (rendered Decimal128) stored as an int, a long, a double (its shortest decimal form) or a decimal
  string without spaces: the same number;
- an integer stored as a long, an int, or a double without fraction: the same number;
- a boolean stored as the number 0 or 1 (int, long, double) or the string "true", "false", "0" or "1";
- a date stored as an ISO 8601 string (YYYY-MM-DD, a time by T or a space, Z or an offset; none means UTC;
  read field by field here, not by datetime.fromisoformat as the parser does): the same instant, to the
  microsecond; stored as a number: milliseconds since the epoch when its size is at least
  EPOCH_MILLISECONDS_FROM, seconds below that (a millisecond count that small is a date in 1973);
- an ObjectId stored as its 24 hex characters in one case (in an array of ids, element by element);
- an enum value (a country or currency code too) stored in another letter case;
- a telegram id stored as a number or as its digits; text stored as an int or a long: its digits.

The render restores the keys a document left blank (missing, null, "") but no other stored form
(RecordMap.to_document with value_forms=False): a value read from another form of its kind's table is
rendered in the kind's own form and judged by the rules above. The one value form it keeps is that of a
composite's key the composite's write leaves out (a `sellerOfferId` beside a user `sellerId`): no conversion
made it, and the record keeps it verbatim; each key the composite writes is judged as written.

Verify renders the records it read from Mongo, which it has proved equal to the Postgres rows field by field
(the range digest or the record comparison): the rendering of the row is that same document.
Also here: values outside a plausible range, counted per collection (informational, never a failure).
"""

import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import bson
from bson import Decimal128, Int64, ObjectId

from cutover.store.masking import MASK, is_secret_key
from cutover.store.recordmap import RecordMap

EPOCH_MILLISECONDS_FROM = 10**11  # 1973-03-03 as milliseconds, the year 5138 as seconds
# The platform's first day: a date before it was not written by the platform (dates are informational).
PLATFORM_START = datetime(2015, 1, 1, tzinfo=UTC)
FUTURE_MARGIN = timedelta(days=1)
# Dates that are meant to lie ahead (an expiry, a deadline): not counted as in the future.
_FORWARD_NAMES = ("expire", "until", "due", "deadline", "scheduled")
SAMPLE = 20

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MISSING = object()
_DECIMAL_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_INTEGER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBERS = (int, Int64, float)
_BOOL_TEXTS = {"true": True, "false": False, "1": True, "0": False}
_CASE_FREE = frozenset({"enum", "country", "currency"})
_PLAIN = frozenset({str, int, bool, Int64, ObjectId, type(None)})  # equal values of one of these types: the same


def differences(record_map: RecordMap, stored: dict[str, Any], record: Any) -> list[dict[str, Any]]:
    """Each key where `record` rendered back differs from `stored`: {key, mongo, mongo_type, rendered,
    rendered_type}, secret values masked. The arrays held as element records are compared apart."""
    found: list[dict[str, Any]] = []
    # The kinds' own forms only: restoring a value's stored form (cutover.store.absent) would hide a wrong reading.
    _compare(record_map, stored, record_map.to_document(record, value_forms=False), "", found)
    return found


_plans: dict[int, tuple] = {}


def _plan(record_map: RecordMap) -> tuple[dict[str, str], dict[str, Any], frozenset[str]]:
    """(key -> kind name, key -> Child, element keys) of a map, once per map (verify's hot loop; by id: a
    map's hash walks all its fields)."""
    plan = _plans.get(id(record_map))
    if plan is None or plan[0] is not record_map:
        kinds = {f.key: f.kind.name for f in record_map.fields}
        children = {child.key: child for child in record_map.children}
        plan = _plans[id(record_map)] = (record_map, kinds, children, frozenset(record_map.element_keys))
    return plan[1:]


def _compare(record_map: RecordMap, stored: dict, rendered: dict, prefix: str, found: list) -> None:
    kinds, children, element_keys = _plan(record_map)
    keys = list(stored) if stored.keys() >= rendered.keys() else [*stored, *(k for k in rendered if k not in stored)]
    for key in keys:
        if key in element_keys:
            continue
        here, want = stored.get(key, _MISSING), rendered.get(key, _MISSING)
        if here.__class__ in _PLAIN and here.__class__ is want.__class__ and here == want:
            continue  # the common case, at once
        child = children.get(key)
        if child is not None and isinstance(here, list) and isinstance(want, list) and len(here) == len(want):
            for index, (item, rendered_item) in enumerate(zip(here, want, strict=True)):
                if isinstance(item, dict) and isinstance(rendered_item, dict):
                    _compare(child.map, item, rendered_item, f"{prefix}{key}.{index}.", found)
                elif not same_value(item, rendered_item):
                    found.append(_difference(f"{prefix}{key}.{index}", item, rendered_item))
        elif not equivalent(kinds.get(key), here, want):
            found.append(_difference(prefix + str(key), here, want))


def equivalent(kind: str | None, stored: Any, rendered: Any) -> bool:
    """`stored` and `rendered` hold the same value, exactly or under a documented normalization."""
    if stored is _MISSING or rendered is _MISSING:
        return stored is rendered
    if same_value(stored, rendered):
        return True
    if kind == "object_ids" and stored.__class__ is rendered.__class__ is list and len(stored) == len(rendered):
        return all(equivalent("object_id", item, want) for item, want in zip(stored, rendered, strict=True))
    if rendered.__class__ is Decimal128:
        return _number_as_decimal(stored) == rendered.to_decimal()
    if rendered.__class__ is bool:
        if stored.__class__ in _NUMBERS and stored in (0, 1):
            return bool(stored) is rendered
        return stored.__class__ is str and _BOOL_TEXTS.get(stored) is rendered
    if rendered.__class__ in (int, Int64):
        if kind == "telegram_id" and stored.__class__ is str:
            return stored == str(rendered)
        if stored.__class__ is float:
            return stored.is_integer() and int(stored) == rendered
        if stored.__class__ in (int, Int64):
            return int(stored) == int(rendered)
        return stored.__class__ is str and bool(_INTEGER_TEXT.fullmatch(stored)) and int(stored) == rendered
    if rendered.__class__ is datetime:
        return _instant(stored) == _utc(rendered)
    if rendered.__class__ is ObjectId:
        return stored.__class__ is str and stored in (str(rendered), str(rendered).upper())
    if rendered.__class__ is str:
        if kind in _CASE_FREE and stored.__class__ is str:  # both ways: the Kelvin sign lower-cases to k only
            return stored.lower() == rendered.lower() and stored.upper() == rendered.upper()
        if kind in ("telegram_id", "text") and stored.__class__ in (int, Int64):
            return str(stored) == rendered
    return False


def same_value(stored: Any, rendered: Any) -> bool:
    """The same BSON value: the same type and value; documents and arrays as BSON (key order, every type)."""
    if stored.__class__ is not rendered.__class__:
        return False
    if isinstance(stored, dict | list):
        try:
            return bson.encode({"v": stored}) == bson.encode({"v": rendered})
        except Exception:  # noqa: BLE001 - a value BSON cannot hold is never the same as anything
            return False
    if stored.__class__ is float:  # -0.0 == 0.0 in Python, not in BSON
        if math.isnan(stored):
            return math.isnan(rendered)
        return stored == rendered and math.copysign(1.0, stored) == math.copysign(1.0, rendered)
    if stored.__class__ is datetime:
        return _utc(stored) == _utc(rendered)
    if stored.__class__ is Decimal128:
        return stored.bid == rendered.bid or stored.to_decimal() == rendered.to_decimal()
    return stored == rendered


def _number_as_decimal(value: Any) -> Decimal | None:
    try:
        if value.__class__ is Decimal128:
            return value.to_decimal()
        if value.__class__ in (int, Int64):
            return Decimal(int(value))
        if value.__class__ is float and math.isfinite(value):
            return Decimal(repr(value))
        if value.__class__ is str and _DECIMAL_TEXT.fullmatch(value):
            return Decimal(value)
    except InvalidOperation:
        return None
    return None


def _instant(value: Any) -> datetime | None:
    """The instant a stored date value names, by the rules above; None if it names none."""
    try:
        if value.__class__ is datetime:
            return _utc(value)
        if value.__class__ is str:
            return _iso_instant(value)
        if value.__class__ in _NUMBERS:
            amount = Decimal(repr(value)) if value.__class__ is float else Decimal(int(value))
            milliseconds = amount if abs(amount) >= EPOCH_MILLISECONDS_FROM else amount * 1000
            return _EPOCH + timedelta(microseconds=int(milliseconds * 1000))
    except (ValueError, OverflowError, InvalidOperation):
        return None
    return None


_ISO = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|([+-])([0-9]{2}):?([0-9]{2}))?)?"
)


def _iso_instant(text: str) -> datetime | None:
    """An ISO 8601 date string's instant, read here field by field (not by the parsers' datetime.fromisoformat):
    a calendar date, an optional time to the minute, second or microsecond, Z or an offset (none: UTC)."""
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone, sign, zone_hours, zone_minutes = match.groups()
    moment = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
        int((fraction or "0").ljust(6, "0")), tzinfo=UTC,
    )  # fmt: skip
    offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes)) if zone and zone != "Z" else timedelta()
    return moment - offset if sign != "-" else moment + offset


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _difference(key: str, stored: Any, rendered: Any) -> dict[str, Any]:
    secret = is_secret_key(key.rsplit(".", 1)[-1])
    return {
        "key": key,
        "mongo": _shown(stored, secret),
        "mongo_type": _bson_type(stored),
        "rendered": _shown(rendered, secret),
        "rendered_type": _bson_type(rendered),
    }


def _shown(value: Any, secret: bool) -> Any:
    if value is _MISSING:
        return "(no key)"
    if secret and value is not None:
        return MASK
    return repr(value)[:200]


def _bson_type(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    names = {bool: "bool", int: "int", Int64: "long", float: "double", str: "string", datetime: "date"}
    names |= {Decimal128: "decimal", ObjectId: "objectId", dict: "object", list: "array", type(None): "null"}
    return names.get(value.__class__, type(value).__name__)


# --- values outside a plausible range (informational) -----------------------------------------------------


def implausible(record_map: RecordMap, record: Any, now: datetime) -> list[str]:
    """What is implausible in `record`: "<key>: before <PLATFORM_START>", "<key>: in the future" (dates
    that record the past), "<key>: negative" (money: the platform has no negative amount)."""
    found = []
    for f in record_map.fields:
        value = getattr(record, f.name, None)
        if value is None:
            continue
        if f.kind.name == "datetime" and value.__class__ is datetime:
            if value < PLATFORM_START:
                found.append(f"{f.key}: before {PLATFORM_START.date().isoformat()}")
            elif value > now + FUTURE_MARGIN and not any(part in f.name for part in _FORWARD_NAMES):
                found.append(f"{f.key}: in the future")
        elif f.kind.name == "money" and isinstance(value, Decimal) and value < 0:
            found.append(f"{f.key}: negative")
    return found


def check_range(record_map: RecordMap, documents: dict[str, dict], records: list[Any]) -> tuple[dict, dict]:
    """(record id -> its differences, what -> [count, sample ids]) for records read from `documents`."""
    now = datetime.now(UTC)
    differing: dict[str, list] = {}
    odd: dict[str, list] = {}
    for record in records:
        found = differences(record_map, documents[record.id], record)
        if found:
            differing[record.id] = found
        for what in implausible(record_map, record, now):
            entry = odd.setdefault(what, [0, []])
            entry[0] += 1
            if len(entry[1]) < SAMPLE:
                entry[1].append(record.id)
    return differing, odd
