"""Dirty values an operator meets that look like a kind's own form but are not (issue 23's principle: read
exactly or reject, never guess): bson's Code is a str subclass, the Kelvin sign lower-cases to k, "ß"
upper-cases to SS and the dotless ı to I. Each is a reject naming the field, and verify's render-back never
takes one for the value it resembles."""

from datetime import UTC, datetime, timedelta

import bson
import pytest
from bson import Code, ObjectId

from cutover.backfill import renderback
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.store.kinds import DATETIME, TELEGRAM_ID, enum
from cutover.store.legacy import LegacyValueError
from tests.values.test_conversion_tables import FIELDS

# A string each kind reads, by kind name: its Code twin must be refused.
_STRINGS = [str(ObjectId()), "2023-11-14T22:13:20Z", "10.5", "1", "true", "US", "USDT", "x", "12345"]


def _string_read(kind):
    for text in [*kind.examples, *_STRINGS]:
        if text.__class__ is not str:
            continue
        try:
            kind.parse(text, "k")
        except (LegacyValueError, ValueError):
            continue
        return text
    return None


STRING_FIELDS = [
    pytest.param(f, text, id=f"{where}.{f.key}")
    for _, where, _, f in FIELDS
    if f.kind.name not in ("json", "json_text") and (text := _string_read(f.kind)) is not None
]


def test_there_are_string_reading_fields():
    assert len(STRING_FIELDS) > 40


@pytest.mark.parametrize(("f", "text"), STRING_FIELDS)
def test_javascript_code_is_no_string_of_any_kind(f, text):
    with pytest.raises(LegacyValueError) as error:
        f.kind.parse(Code(text), f.key)
    assert error.value.field == f.key


def test_code_in_a_text_field_is_a_reject_naming_the_field(legacy):
    kept, refused = legacy.user(), legacy.user(displayName=Code("Légacy"))
    backfill_domain("auth")
    assert not BackfillReject.objects.filter(record_id=str(kept["_id"])).exists()
    (reason,) = BackfillReject.objects.filter(record_id=str(refused["_id"])).values_list("reason", flat=True)
    assert reason.startswith("displayName: expected"), reason


def test_an_enum_is_read_in_another_letter_case_only():
    kind = enum(frozenset({"kyc", "Home"}))
    assert kind.parse("KYC", "k") == "kyc" and kind.parse("hOME", "k") == "Home"
    for lookalike in ("\u212ayc", "ＫＹＣ", "kyc ", "ho\u0301me"):
        with pytest.raises(LegacyValueError):
            kind.parse(lookalike, "k")
    with pytest.raises(LegacyValueError):
        enum(frozenset({"i\u0307d"})).parse("\u0130d", "k")  # İ lower-cases to i and a dot: two characters
    assert renderback.equivalent("enum", "KYC", "kyc")
    assert not renderback.equivalent("enum", "\u212ayc", "kyc")  # the Kelvin sign: k one way only
    assert not renderback.equivalent("country", "\u0131t", "IT")  # the dotless i: I one way only


@pytest.mark.parametrize(("collection", "key", "value"), [("users", "country", "\u0131t"), ("users", "country", "ß")])
def test_a_country_is_two_ascii_letters(collection, key, value):
    from accounts.repositories.mapping import COUNTRY  # noqa: PLC0415

    with pytest.raises(LegacyValueError) as error:
        COUNTRY.parse(value, key)
    assert error.value.field == key


@pytest.mark.parametrize("value", ["ｕｓｄｔ", "ß", "Ⅻ"])
def test_a_currency_is_ascii_letters(value):
    from marketplace.repositories import mapping  # noqa: PLC0415

    with pytest.raises(LegacyValueError):
        mapping._currency(value, "currency")


@pytest.mark.parametrize(
    "text",
    ["2023-W46-2", "2023-318", "2023-11-14T22", "20231114T221320Z", "2023-11-14T22:13:20,5Z", "2023-11-14t22:13"],
)
def test_an_iso_form_no_legacy_writer_used_is_a_reject(text):
    with pytest.raises(LegacyValueError) as error:
        DATETIME.parse(text, "createdAt")
    assert error.value.field == "createdAt"


ISO_READINGS = {
    "2023-11-14": datetime(2023, 11, 14, tzinfo=UTC),
    "2023-11-14 22:13": datetime(2023, 11, 14, 22, 13, tzinfo=UTC),
    "2023-11-14T22:13:20.5Z": datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC),
    "2023-11-14T22:13:20+0530": datetime(2023, 11, 14, 16, 43, 20, tzinfo=UTC),
    "2023-11-14T22:13:20-01:30": datetime(2023, 11, 14, 23, 43, 20, tzinfo=UTC),
    "1969-07-20T20:17:40Z": datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC),
}


@pytest.mark.parametrize("text", sorted(ISO_READINGS))
def test_an_iso_string_reads_as_its_instant_and_render_back_agrees_on_its_own(text):
    meant = ISO_READINGS[text]
    assert DATETIME.parse(text, "createdAt") == meant
    assert renderback.equivalent("datetime", text, meant)
    for wrong in (meant + timedelta(hours=1), meant.replace(tzinfo=None).replace(tzinfo=UTC) + timedelta(minutes=30)):
        assert not renderback.equivalent("datetime", text, wrong)


@pytest.mark.parametrize(("text", "written"), [("9223372036854775807", 2**63 - 1), ("9999999999999999999", None)])
def test_a_telegram_id_goes_back_as_a_number_only_when_a_long_holds_it(text, written):
    value = TELEGRAM_ID.parse(text, "telegramId")
    dumped = TELEGRAM_ID.dump(value)
    assert dumped == (text if written is None else written)
    assert bson.decode(bson.encode({"v": dumped}))["v"] == dumped  # BSON can hold what is written back
    assert renderback.equivalent("telegram_id", text, dumped)


def test_render_back_tells_a_negative_zero_from_zero():
    assert not renderback.same_value(-0.0, 0.0) and renderback.same_value(-0.0, -0.0)
    assert renderback.same_value(float("nan"), float("nan"))
    assert not renderback.equivalent("json", {"v": -0.0}, {"v": 0.0})
