"""Reading legacy Mongo values, which years of loose validation left untidy.

Each parser accepts the shapes docs/legacy-collections.md lists and raises LegacyValueError,
naming the field and what was expected, for anything else. The mapping
modules use these; the backfill turns the error into a reject record.
"""

import re
import struct
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from bson import Decimal128, ObjectId, tz_util

from cutover.store.masking import MASK, is_secret_key

HEX24 = re.compile(r"^[0-9a-fA-F]{24}$")
DECIMAL_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
MONEY_PLACES = 18  # ETH amounts carry 18 decimals; the money columns keep exactly that many
_UTC_ZONES = (UTC, tz_util.utc)  # pymongo's tz-aware dates carry bson's own UTC object


class LegacyValueError(ValueError):
    def __init__(self, field: str, expected: str, value: Any):
        self.field, self.expected, self.value = field, expected, value
        # The message becomes a reject's reason, a log line and command output: a secret's value stays out of it.
        shown = MASK if is_secret_key(field.rsplit(".", 1)[-1]) else repr(value)
        super().__init__(f"{field}: expected {expected}, got {shown}"[:500])

    def within(self, prefix: str) -> "LegacyValueError":
        """The same error, for a field inside an embedded document at `prefix`."""
        return LegacyValueError(f"{prefix}.{self.field}", self.expected, self.value)


def now_ms() -> datetime:
    """Now, in UTC, at Mongo's millisecond precision, so both stores hold the same instant."""
    return truncate_ms(datetime.now(UTC))


def truncate_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def next_moment(previous: datetime) -> datetime:
    """Now, but strictly after `previous`, so a record's updatedAt orders its versions (at the very end
    of time, a legacy 9999-12-31T23:59:59.999, it stays there: equal versions still win over older ones)."""
    if previous >= _LAST_MOMENT:
        return previous
    return max(now_ms(), previous + timedelta(milliseconds=1))


_LAST_MOMENT = datetime.max.replace(tzinfo=UTC) - timedelta(milliseconds=1)


def new_id() -> str:
    return str(ObjectId())


def object_id_hex(value: Any, field: str, *, optional: bool = False) -> str | None:
    """An ObjectId or its 24-hex string, as 24 lowercase hex characters."""
    if type(value) is ObjectId:  # the common case first: backfills call this millions of times
        return str(value)
    if value is None or value == "":
        if optional:
            return None
        raise LegacyValueError(field, "an ObjectId", value)
    if isinstance(value, ObjectId):
        return str(value)
    if value.__class__ is str and HEX24.fullmatch(value) and value in (value.lower(), value.upper()):
        return value.lower()  # the same 12 bytes; the stored spelling is a legacy form (cutover.store.absent)
    raise LegacyValueError(field, "an ObjectId or 24 hex characters in one case, nothing around them", value)


def to_object_id(value: str | None) -> ObjectId | None:
    return ObjectId(value) if value is not None else None


EPOCH_MILLISECONDS_FROM = 10**11  # a number this large counts milliseconds, a smaller one seconds (1973 / 5138)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def legacy_datetime(value: Any, field: str) -> datetime:
    """A BSON date, an ISO 8601 string, or epoch seconds / milliseconds (docs/legacy-collections.md, the unit
    rule: |n| >= EPOCH_MILLISECONDS_FROM counts milliseconds, below that seconds), as an aware UTC datetime.
    Whatever names an instant finer than a millisecond (Mongo's and the stores' precision) is refused, never
    truncated."""
    if type(value) is datetime and value.tzinfo in _UTC_ZONES and value.microsecond % 1000 == 0:
        return value  # already what we want: a BSON date read by a tz-aware client
    if value is None or value == "":  # a field map decides what a missing date means, not this parser
        raise LegacyValueError(field, "a date", value)
    try:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            moment = _epoch_moment(value, field)
        elif value.__class__ is str:  # exactly a string: bson's Code is a str too, and no date
            moment = _iso_datetime(value, field)
        else:  # bson's DatetimeMS (a date outside years 1-9999) lands here too
            raise LegacyValueError(field, "a date, ISO string or epoch seconds/milliseconds", value)
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError, OSError, InvalidOperation) as error:  # NaN, 10**17 ms, 9999-12-31T23:00-05:00
        if isinstance(error, LegacyValueError):
            raise
        raise LegacyValueError(field, "a date between the years 1 and 9999", value) from None
    if moment.microsecond % 1000:
        raise LegacyValueError(field, "a date at millisecond precision (finer would be lost)", value)
    return moment


def _epoch_moment(value: int | float, field: str) -> datetime:
    """Epoch seconds or milliseconds by the unit rule, exactly: a count that is not a whole number of
    milliseconds is refused (a double's decimal form is its shortest repr, as the legacy app wrote it)."""
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(int(value))
    if not amount.is_finite():
        raise LegacyValueError(field, "a finite epoch number", value)
    milliseconds = amount if abs(amount) >= EPOCH_MILLISECONDS_FROM else amount * 1000
    if milliseconds != milliseconds.to_integral_value():
        raise LegacyValueError(field, "a whole number of epoch milliseconds", value)
    return _EPOCH + timedelta(milliseconds=int(milliseconds))


# The ISO 8601 forms a date string may take: a calendar date, optionally a time (T or a space) to the minute,
# second or fraction, and a time's offset (Z, +hh:mm or +hhmm; none: UTC). Week and ordinal dates, the basic
# format (20231114T2213), an hour alone and comma fractions are ISO too, but no legacy writer's: refused.
ISO_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


def _iso_datetime(value: str, field: str) -> datetime:
    if not ISO_DATE.fullmatch(value):
        raise LegacyValueError(
            field, "an ISO 8601 date (YYYY-MM-DD, then [T ]hh:mm[:ss[.fff]], then Z or +hh:mm)", value
        )
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise LegacyValueError(field, "an ISO 8601 date", value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def legacy_money(value: Any, field: str) -> Decimal:
    """Decimal128, a double or a numeric string, as a Decimal (never a float)."""
    if isinstance(value, Decimal128):
        amount = decimal128_to_decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the double's shortest decimal form, as the legacy app wrote it
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(int(value))
    elif value.__class__ is str:
        if not DECIMAL_TEXT.fullmatch(value):  # no spaces, exponents, signs or bare points: nothing to guess
            raise LegacyValueError(field, "a number written as -?digits[.digits] (no spaces, no exponent)", value)
        amount = Decimal(value)
    else:
        raise LegacyValueError(field, "Decimal128, a number or a numeric string", value)
    if not amount.is_finite():
        raise LegacyValueError(field, "a finite amount", value)
    return amount


def decimal128_to_decimal(value: Decimal128) -> Decimal:
    """Decimal128.to_decimal(), five times faster: the backfill converts every amount of years of
    payments. Finite values in the common encoding are decoded here; the rest go to bson."""
    low, high = struct.unpack("<QQ", value.bid)
    if (high >> 61) & 3 == 3:  # NaN, Infinity, or the rare large-coefficient encoding
        return value.to_decimal()
    exponent = ((high >> 49) & 0x3FFF) - 6176
    coefficient = ((high & 0x1FFFFFFFFFFFF) << 64) | low
    return Decimal(f"{'-' if high >> 63 else ''}{coefficient}E{exponent}")


def legacy_enum(value: Any, field: str, allowed: frozenset[str]) -> str:
    """An enum value in any letter case (nothing around it: spaces are not a spelling)."""
    if value.__class__ is str and value.lower() in allowed and _case_of(value, value.lower()):
        return value.lower()
    raise LegacyValueError(field, f"one of {sorted(allowed)}", value)


def _case_of(value: str, spelling: str) -> bool:
    """`value` is `spelling` with letters in another case, letter by letter: the Kelvin sign lower-cases to
    k, but it is no spelling of k."""
    if len(value) != len(spelling):  # "İ" lower-cases to two characters
        return False
    return all(c in (s, s.upper(), s.lower()) for c, s in zip(value, spelling, strict=True))


def legacy_text(value: Any, field: str) -> str:
    if value.__class__ is str:  # exactly a string: bson's Code (JavaScript) is a str too, and would lose its type
        if "\x00" in value:
            raise LegacyValueError(field, "text without NUL characters (PostgreSQL cannot store them)", value)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an int or long: its decimal digits (a double's text would be a guess: 1e+16)
    raise LegacyValueError(field, "a string, or an integer", value)


def plain_decimal(value: Decimal) -> Decimal:
    """`value` without trailing fractional zeros (10.500000000000000000 -> 10.5; 100.00 -> 100): the
    money columns pad every amount to 18 places, which is not how the amount was written."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return value
    if not any(digits):  # a zero written with many places (0E-20) is zero
        return Decimal(0)
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    drop = min(zeros, -exponent)
    return Decimal((sign, digits[: len(digits) - drop] or (0,), exponent + drop))


def fits_places(value: Decimal, places: int) -> bool:
    """True when `value` has at most `places` decimals once trailing zeros are dropped (exact, no rounding)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:  # the common case, decided without building digits
        return True
    return plain_decimal(value).as_tuple().exponent >= -places
