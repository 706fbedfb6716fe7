"""Kinds of legacy values: how each is read from a legacy document, written back, and checked.

A field map (cutover.store.recordmap) says which record field is stored under which
legacy key, of which Kind. Parsers accept the dirty shapes docs/legacy-collections.md lists and
raise LegacyValueError naming the field; dumps write the contract's types; a
Kind's `check` refuses an app-written value a store could not keep exactly.
Also here: the lossless encoding of a document's unknown keys (`legacy_fields`).
"""

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import bson
from bson import Decimal128, json_util

from cutover.store import legacy

_PLAIN_NUMBER = re.compile(r"[1-9][0-9]{0,18}")  # ASCII digits, no leading zero, fits a BSON int64

# Free-form legacy values (a notification's `data`) keep their BSON types through Postgres as relaxed
# Extended JSON: {"$oid": …}, {"$date": …}, {"$numberDecimal": …}; plain JSON values stay plain.
_RELAXED = json_util.JSONOptions(json_mode=json_util.JSONMode.RELAXED, tz_aware=True, tzinfo=legacy.UTC)
# Unknown keys and legacy forms (cutover.store.absent) keep every BSON type exactly (int32 vs int64, double
# vs int) as canonical Extended JSON.
CANONICAL_JSON = json_util.JSONOptions(
    json_mode=json_util.JSONMode.CANONICAL,
    tz_aware=True,
    tzinfo=legacy.UTC,
    datetime_conversion=json_util.DatetimeConversion.DATETIME_AUTO,
)


_BSON_PREFIX = "bson:"  # canonical Extended JSON always starts with "{"
_BSON_OPTIONS = bson.CodecOptions(
    tz_aware=True, tzinfo=legacy.UTC, datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO
)


def _money_dump(value: Decimal | None) -> Decimal128 | None:
    return None if value is None else Decimal128(str(legacy.plain_decimal(value)))


def _json_parse(value: Any, name: str) -> Any:
    """json_form, refusing a NUL character as text does (the app's writes are refused it by the kind's check)."""
    _no_nul(value, name)
    return json_form(value, name)


def json_form(value: Any, name: str) -> Any:
    """Relaxed Extended JSON (plain JSON stays plain in Postgres); where that would lose a BSON type (an
    Int64 becomes an int32), canonical; a value no JSON form holds exactly (a subdocument whose keys look
    like a wrapper, {"$oid": …}) is refused rather than turned into another type, and so is a date finer
    than a millisecond (BSON and Extended JSON would both drop the rest)."""
    _whole_milliseconds(value, name)
    for options in (_RELAXED, CANONICAL_JSON):
        try:
            encoded = json.loads(json_util.dumps(value, json_options=options))
            if bson.encode({"v": _json_dump(encoded)}) == bson.encode({"v": value}):
                return encoded
        except Exception:  # noqa: BLE001 - NaN keys, huge ints, lookalike wrappers: try the next form, then refuse
            continue
    expected = "a value Extended JSON holds exactly (no $-keyed lookalike subdocuments)"
    raise legacy.LegacyValueError(name, expected, value)


def _whole_milliseconds(value: Any, name: str) -> None:
    if isinstance(value, datetime) and value.microsecond % 1000:
        raise legacy.LegacyValueError(name, "dates at millisecond precision (finer would be lost)", value)
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _whole_milliseconds(item, name)


def _json_dump(value: Any) -> Any:
    return json_util.loads(json.dumps(value), json_options=CANONICAL_JSON)  # reads relaxed and canonical alike


def encode_legacy_fields(extras: dict[str, Any]) -> str | None:
    """Canonical Extended JSON, readable in Postgres; but a legacy subdocument can itself look like an
    Extended JSON wrapper ({"$oid": …} is a legal value), which would come back as another type, so when
    the text does not decode to exactly the same BSON the fields are kept as BSON itself ("bson:" base64)."""
    if not extras:
        return None
    text = json_util.dumps(extras, json_options=CANONICAL_JSON)
    try:
        if bson.encode(json_util.loads(text, json_options=CANONICAL_JSON)) == bson.encode(extras):
            return text
    except Exception:  # noqa: BLE001 - any value json_util cannot read back ({"$numberDecimal": "lots"}): keep BSON
        pass
    return _BSON_PREFIX + base64.b64encode(bson.encode(extras)).decode("ascii")


def decode_legacy_fields(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    if text.startswith(_BSON_PREFIX):
        return bson.decode(base64.b64decode(text[len(_BSON_PREFIX) :]), codec_options=_BSON_OPTIONS)
    return json_util.loads(text, json_options=CANONICAL_JSON)


def same(value: Any) -> Any:
    """The dump of kinds whose record value is the BSON value itself."""
    return value


@dataclass(frozen=True)
class Kind:
    """How one kind of value is read from legacy data and written back.

    `table` is the kind's conversion table: per accepted BSON type (Mongo's $type alias: double, int, long,
    decimal, string, objectId, date, bool, array, object), the exact conversion. Any other type is a reject;
    so is a value of a listed type the conversion cannot take exactly (the parser says which). A value read
    from a type other than the one `dump` writes keeps its stored form (cutover.store.absent). The tables are
    written down in docs/legacy-collections.md; tests check both agree and that unlisted types are refused."""

    name: str
    parse: Callable[[Any, str], Any]
    dump: Callable[[Any], Any] = same
    examples: tuple = ()  # canonical values, for tests that generate documents
    check: Callable[[Any, str], None] | None = None  # refuses an app-written value a store cannot keep exactly
    table: tuple[tuple[str, str], ...] = ()  # (BSON type, its exact conversion), see above


ENUM_TABLE = (("string", "one of the values in any letter case (A-Z and beyond), nothing around it"),)
MONEY_TABLE = (
    ("decimal", "the same number (finite; at most 18 decimals; within the field's range)"),
    ("double", "the number its shortest decimal form writes (0.1 is 0.1)"),
    ("int", "the same number"),
    ("long", "the same number"),
    ("string", "-?digits[.digits] exactly (no spaces, exponent or sign +)"),
)


def enum(allowed: frozenset[str]) -> Kind:
    """Values in any case, stored in the case `allowed` spells them (lowercase, `Home`, `USDT`)."""
    canonical = {value.lower(): value for value in allowed}
    lowered = frozenset(canonical)

    def parse(value: Any, name: str) -> str:
        if value.__class__ is str and value in allowed:  # already canonical: the common case
            return value
        return canonical[legacy.legacy_enum(value, name, lowered)]

    return Kind("enum", parse, examples=tuple(sorted(allowed)), table=ENUM_TABLE)


def money(*, minimum: Decimal | None = None, maximum: Decimal = Decimal("1e12")) -> Kind:
    """Money that must lie in [minimum, maximum] (negative or absurd legacy amounts are refused) and fit
    the money columns exactly: more than MONEY_PLACES decimals would be rounded, so it is refused too."""

    def parse(value: Any, name: str) -> Decimal:
        amount = legacy.legacy_money(value, name)
        check(amount, name)
        return amount

    def check(amount: Decimal, name: str) -> None:
        if (minimum is not None and amount < minimum) or abs(amount) > maximum:
            raise legacy.LegacyValueError(name, f"an amount between {minimum} and {maximum}", amount)
        if not legacy.fits_places(amount, legacy.MONEY_PLACES):
            raise legacy.LegacyValueError(name, f"at most {legacy.MONEY_PLACES} decimal places (exactly)", amount)

    return Kind("money", parse, _money_dump, check=check, table=MONEY_TABLE)


def _telegram_id_dump(value: str) -> int | str:
    """A numeric telegram id goes back as a number, as the legacy app wrote it; anything else ("007",
    other scripts' digits) as the text it was read as, so the document reads back the same."""
    if _PLAIN_NUMBER.fullmatch(value) and int(value) < 2**63:  # a long at most: 19 digits may be more
        return int(value)
    return value


_BOOL_TEXTS = {"true": True, "false": False, "1": True, "0": False}
_INTEGER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)")
_EXACT_DOUBLE = 2**53  # a double holds every integer up to this one exactly


def _bool(value: Any, name: str) -> bool:
    if value.__class__ is bool:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
        return value == 1  # exactly 0 or 1 (an int, a long, or the double 0.0 / 1.0); 0.5 is no boolean
    if value.__class__ is str and value in _BOOL_TEXTS:
        return _BOOL_TEXTS[value]  # exactly these spellings: " True" is no spelling the table knows
    raise legacy.LegacyValueError(name, "a boolean (true/false, 0/1 as a number, or the text true/false/0/1)", value)


INT32 = (-(2**31), 2**31 - 1)  # Postgres `integer` (Django's IntegerField): what INT's columns hold


def whole_number(value: Any, name: str) -> int:
    """An integer of any size by INT's table (extra_kinds.int_between bounds it otherwise)."""
    if isinstance(value, bool):
        raise legacy.LegacyValueError(name, "an integer", value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_DOUBLE:
        return int(value)
    if value.__class__ is str and _INTEGER_TEXT.fullmatch(value):
        return int(value)
    raise legacy.LegacyValueError(name, "an integer (an int, a long, a whole double, or -?digits as text)", value)


def _int32(value: Any, name: str) -> int:
    number = whole_number(value, name)
    _int32_check(number, name)
    return number


def _int32_check(number: int, name: str) -> None:
    """A column of Postgres `integer` refuses anything wider; refused here, naming the field, not by the row."""
    if not INT32[0] <= number <= INT32[1]:
        raise legacy.LegacyValueError(name, f"an integer from {INT32[0]} to {INT32[1]}", number)


def _text(value: Any, name: str) -> str:
    return legacy.legacy_text(value, name)


def _no_nul(value: Any, name: str) -> None:
    """PostgreSQL's text and jsonb cannot hold a NUL character: refused in any string of a JSON value."""
    if isinstance(value, str):
        _text(value, name)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, name)
            _no_nul(item, name)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item, name)


def _telegram_id(value: Any, name: str) -> str:
    """A telegram id as text: a string kept exactly (one with surrounding whitespace is refused: stripping it
    would lose the legacy value, keeping it would make an id no lookup finds), an int or long as its digits."""
    text = legacy.legacy_text(value, name)
    if text != text.strip() or not text:
        raise legacy.LegacyValueError(name, "a telegram id without surrounding whitespace", value)
    return text


OBJECT_ID = Kind(
    "object_id",
    lambda v, n: legacy.object_id_hex(v, n),
    legacy.to_object_id,
    table=(
        ("objectId", "the id"),
        ("string", "24 hex characters in one case, nothing around them: the id they spell"),
    ),
)
DATETIME = Kind(
    "datetime",
    lambda v, n: legacy.legacy_datetime(v, n),
    table=(
        ("date", "the instant (a millisecond at most)"),
        ("string", "YYYY-MM-DD[Thh:mm[:ss[.fff]][Z or ±hh:mm]] (T or a space; no offset: UTC), whole milliseconds"),
        ("int", "epoch milliseconds from 10**11 in size up, epoch seconds below"),
        ("long", "epoch milliseconds from 10**11 in size up, epoch seconds below"),
        ("double", "by the same unit rule, when that gives a whole number of milliseconds"),
    ),
)
MONEY = money()
TELEGRAM_ID = Kind(
    "telegram_id",
    lambda v, n: _telegram_id(v, n),  # looked up per call, as the other kinds' parsers: a test may put an old one back
    _telegram_id_dump,
    table=(("string", "the text exactly, when nothing surrounds it"), ("int", "its digits"), ("long", "its digits")),
)
TEXT = Kind(
    "text",
    _text,
    check=lambda value, name: _text(value, name),
    table=(("string", "the text exactly (no NUL)"), ("int", "its digits"), ("long", "its digits")),
)
INT = Kind(
    "int",
    lambda v, n: _int32(v, n),
    check=lambda value, name: _int32_check(value, name),
    table=(
        ("int", "the number"),
        ("long", "the number"),
        ("double", "the number when whole and at most 2**53 in size"),
        ("string", "-?digits exactly (no spaces, sign + or leading zero)"),
    ),
)
BOOL = Kind(
    "bool",
    lambda v, n: _bool(v, n),
    table=(
        ("bool", "the boolean"),
        ("int", "0 is false, 1 is true"),
        ("long", "0 is false, 1 is true"),
        ("double", "0.0 is false, 1.0 is true"),
        ("string", '"true", "1" are true; "false", "0" are false (exactly these)'),
    ),
)
# free-form legacy data, every BSON type kept
JSON_TABLE = (("any", "the value itself, every BSON type kept (no $-keyed lookalike subdocuments, no NUL)"),)
JSON = Kind("json", _json_parse, _json_dump, check=lambda value, name: _no_nul(value, name), table=JSON_TABLE)
