"""Dirty values an operator meets that look like a kind's own form but are not (issue 23's principle: read
exactly or reject, never guess): bson's Code is a str subclass, the Kelvin sign lower-cases to k, "ß"
upper-cases to SS and the dotless ı to I. Each is a reject naming the field, and verify's render-back never
takes one for the value it resembles."""

import pytest
from bson import Code, ObjectId

from cutover.backfill import renderback
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.store.kinds import enum
from cutover.store.legacy import LegacyValueError
from tests.fidelity.test_conversion_tables import FIELDS

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
