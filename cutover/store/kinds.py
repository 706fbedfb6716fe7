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
from decimal import Decimal
from typing import Any

import bson
from bson import Decimal128, json_util

from cutover.store import legacy

_PLAIN_NUMBER = re.compile(r"[1-9][0-9]{0,18}")  # ASCII digits, no leading zero, fits a BSON int64

# Free-form legacy values (a notification's `data`) keep their BSON types through Postgres as relaxed
# Extended JSON: {"$oid": …}, {"$date": …}, {"$numberDecimal": …}; plain JSON values stay plain.
_RELAXED = json_util.JSONOptions(json_mode=json_util.JSONMode.RELAXED, tz_aware=True, tzinfo=legacy.UTC)
# Unknown keys keep every BSON type exactly (int32 vs int64, double vs int) as canonical Extended JSON.
_CANONICAL = json_util.JSONOptions(
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
    like a wrapper, {"$oid": …}) is refused rather than turned into another type."""
    for options in (_RELAXED, _CANONICAL):
        try:
            encoded = json.loads(json_util.dumps(value, json_options=options))
            if bson.encode({"v": _json_dump(encoded)}) == bson.encode({"v": value}):
                return encoded
        except Exception:  # noqa: BLE001 - NaN keys, huge ints, lookalike wrappers: try the next form, then refuse
            continue
    expected = "a value Extended JSON holds exactly (no $-keyed lookalike subdocuments)"
    raise legacy.LegacyValueError(name, expected, value)


def _json_dump(value: Any) -> Any:
    return json_util.loads(json.dumps(value), json_options=_CANONICAL)  # reads relaxed and canonical alike


def encode_legacy_fields(extras: dict[str, Any]) -> str | None:
    """Canonical Extended JSON, readable in Postgres; but a legacy subdocument can itself look like an
    Extended JSON wrapper ({"$oid": …} is a legal value), which would come back as another type, so when
    the text does not decode to exactly the same BSON the fields are kept as BSON itself ("bson:" base64)."""
    if not extras:
        return None
    text = json_util.dumps(extras, json_options=_CANONICAL)
    try:
        if bson.encode(json_util.loads(text, json_options=_CANONICAL)) == bson.encode(extras):
            return text
    except Exception:  # noqa: BLE001 - any value json_util cannot read back ({"$numberDecimal": "lots"}): keep BSON
        pass
    return _BSON_PREFIX + base64.b64encode(bson.encode(extras)).decode("ascii")


def decode_legacy_fields(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    if text.startswith(_BSON_PREFIX):
        return bson.decode(base64.b64decode(text[len(_BSON_PREFIX) :]), codec_options=_BSON_OPTIONS)
    return json_util.loads(text, json_options=_CANONICAL)


@dataclass(frozen=True)
class Kind:
    """How one kind of value is read from legacy data and written back."""

    name: str
    parse: Callable[[Any, str], Any]
    dump: Callable[[Any], Any] = lambda value: value
    examples: tuple = ()  # canonical values, for tests that generate documents
    check: Callable[[Any, str], None] | None = None  # refuses an app-written value a store cannot keep exactly


def enum(allowed: frozenset[str]) -> Kind:
    """Values in any case, stored in the case `allowed` spells them (lowercase, `Home`, `USDT`)."""
    canonical = {value.lower(): value for value in allowed}
    lowered = frozenset(canonical)

    def parse(value: Any, name: str) -> str:
        if value.__class__ is str and value in allowed:  # already canonical: the common case
            return value
        return canonical[legacy.legacy_enum(value, name, lowered)]

    return Kind("enum", parse, examples=tuple(sorted(allowed)))


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

    return Kind("money", parse, _money_dump, check=check)


def _telegram_id_dump(value: str) -> int | str:
    """A numeric telegram id goes back as a number, as the legacy app wrote it; anything else ("007",
    other scripts' digits) as the text it was read as, so the document reads back the same."""
    return int(value) if _PLAIN_NUMBER.fullmatch(value) else value


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1) or (isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1")):
        return str(value).strip().lower() in ("1", "true")
    raise legacy.LegacyValueError(name, "a boolean", value)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise legacy.LegacyValueError(name, "an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise legacy.LegacyValueError(name, "an integer", value)


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


def _email(value: Any, name: str) -> str:
    text = legacy.legacy_text(value, name).strip().lower()
    if "@" not in text:
        raise legacy.LegacyValueError(name, "an email address", value)
    return text


OBJECT_ID = Kind("object_id", lambda v, n: legacy.object_id_hex(v, n), legacy.to_object_id)
DATETIME = Kind("datetime", lambda v, n: legacy.legacy_datetime(v, n))
MONEY = money()
TELEGRAM_ID = Kind("telegram_id", lambda v, n: legacy.legacy_text(v, n).strip(), _telegram_id_dump)
TEXT = Kind("text", _text, check=lambda value, name: _text(value, name))
INT = Kind("int", _int)
BOOL = Kind("bool", _bool)
EMAIL = Kind("email", _email)
# free-form legacy data, every BSON type kept
JSON = Kind("json", _json_parse, _json_dump, check=lambda value, name: _no_nul(value, name))
