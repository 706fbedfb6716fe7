"""Issue 23 cases 1, 2 and 5: a legacy value is read exactly under its kind's conversion table or rejected,
never guessed; a value read from another form than the kind's own (the double 1.0 as a boolean, epoch
seconds as a date) goes back to Mongo in that form (reverse backfill, dual writes) while it is unchanged;
and verify's render-back check judges the conversion itself: with the old conversion put back, it fails."""

from datetime import UTC, datetime, timedelta

import bson
import pytest
from bson import Int64, ObjectId

import cutover.store.kinds as kinds_module
import cutover.store.legacy as legacy_module
from cutover.backfill.reverse import reverse_backfill_domain
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.testing import set_store_mode
from tests.backfill.conftest import postgres_record

SECONDS = 1_700_000_000  # 2023-11-14T22:13:20Z
AT_SECONDS = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
DATES = {
    "int seconds": (SECONDS, AT_SECONDS),
    "long seconds": (Int64(SECONDS), AT_SECONDS),
    "double seconds": (SECONDS + 0.25, AT_SECONDS + timedelta(milliseconds=250)),
    "int milliseconds": (SECONDS * 1000 + 7, AT_SECONDS + timedelta(milliseconds=7)),
    "double milliseconds": (float(SECONDS * 1000), AT_SECONDS),
}
BOOLEANS = {"double 1.0": (1.0, True), "double 0.0": (0.0, False), "int 1": (1, True), "text 0": ("0", False)}


def _recreated(legacy, domain: str, collection: str, doc: dict) -> dict:
    """`doc` deleted from Mongo while Postgres leads, then written back by the reverse backfill."""
    set_store_mode(domain, "postgres")
    legacy.db[collection].delete_one({"_id": doc["_id"]})
    set_store_mode(domain, "dual")
    reverse_backfill_domain(domain)
    return legacy.db[collection].find_one({"_id": doc["_id"]})


def _same_bson(left, right) -> bool:
    """The same BSON value, type included (a Python int past 2**31 is a long, as Int64 is)."""
    return bson.encode({"v": left}) == bson.encode({"v": right})


@pytest.mark.parametrize("shape", sorted(BOOLEANS))
def test_case_1_a_boolean_stored_as_a_number_reads_exactly_and_goes_back_as_stored(legacy, shape):
    stored, meant = BOOLEANS[shape]
    user = legacy.user(isVerified=stored)
    category = legacy.category()
    legacy.db.categories.update_one({"_id": category["_id"]}, {"$set": {"isActive": stored}})
    backfill_domain("auth")
    backfill_domain("marketplace")
    assert postgres_record("auth", "users", user["_id"]).is_verified is meant
    assert postgres_record("marketplace", "categories", category["_id"]).is_active is meant
    assert verify_domain("auth").passed and verify_domain("marketplace").passed
    back = _recreated(legacy, "auth", "users", user)
    assert _same_bson(back["isVerified"], stored), back["isVerified"]
    back = _recreated(legacy, "marketplace", "categories", category)
    assert _same_bson(back["isActive"], stored), back["isActive"]


@pytest.mark.parametrize("value", [0.5, 2, "yes", " true", "True", -1.0])
def test_case_1_a_number_or_text_that_is_no_boolean_by_the_table_is_a_reject(legacy, value):
    user = legacy.user(isVerified=value)
    backfill_domain("auth")
    (reject,) = BackfillReject.objects.filter(record_id=str(user["_id"]))
    assert reject.reason.startswith("isVerified: expected a boolean") and repr(value) in reject.reason


@pytest.mark.parametrize("shape", sorted(DATES))
def test_case_2_an_epoch_number_reads_by_the_unit_rule_and_goes_back_as_stored(legacy, shape):
    stored, meant = DATES[shape]
    user = legacy.user(createdAt=stored)
    backfill_domain("auth")
    assert postgres_record("auth", "users", user["_id"]).created_at == meant
    assert verify_domain("auth").passed
    back = _recreated(legacy, "auth", "users", user)
    assert _same_bson(back["createdAt"], stored), back["createdAt"]


@pytest.mark.parametrize(
    "value", [SECONDS + 0.0001, SECONDS * 1000 + 0.5, "2024-01-01T00:00:00.000123Z", " 2024-01-01"]
)
def test_case_2_a_date_finer_than_a_millisecond_or_padded_is_a_reject(legacy, value):
    user = legacy.user(createdAt=value)
    backfill_domain("auth")
    (reject,) = BackfillReject.objects.filter(record_id=str(user["_id"]))
    assert reject.reason.startswith("createdAt: expected"), reject.reason


def test_forms_survive_a_dual_write_that_changes_another_key_and_yield_to_a_changed_value(legacy):
    from accounts.services import user_update

    user = legacy.user(isVerified=1.0, createdAt=SECONDS, level="2")
    backfill_domain("auth")
    set_store_mode("auth", "dual")
    user_update(user_id=str(user["_id"]), display_name="Renamed")
    stored = legacy.db.users.find_one({"_id": user["_id"]})
    assert stored["displayName"] == "Renamed"
    assert _same_bson(stored["isVerified"], 1.0) and _same_bson(stored["createdAt"], SECONDS)
    assert _same_bson(stored["level"], "2")
    assert verify_domain("auth").passed


@pytest.mark.parametrize(
    ("collection", "key", "value"),
    [
        ("users", "telegramId", "  12345  "),
        ("users", "telegramId", "ext:okx:1 "),
        ("notifications", "userId", None),  # the user's id with spaces around it, filled in below
        ("notifications", "userId", "upper"),  # the user's id in mixed case
    ],
)
def test_case_5_an_id_with_surrounding_spaces_or_folded_case_is_a_reject_never_stripped(legacy, collection, key, value):
    user = legacy.user()
    if collection == "users":
        doc = legacy.user(**{key: value})
    else:
        hex_id = str(user["_id"])
        spelled = f"  {hex_id}  " if value is None else hex_id[:12] + hex_id[12:].upper()
        if spelled == hex_id:
            spelled = "A" + hex_id[1:] if hex_id[0] in "abcdef" else hex_id[:23] + "F"  # mixed case either way
        value = spelled
        doc = legacy.notification(user, userId=spelled)
    backfill_domain("auth")
    backfill_domain("notification")
    (reject,) = BackfillReject.objects.filter(record_id=str(doc["_id"]))
    assert reject.reason.startswith(f"{key}: expected") and repr(value) in reject.reason


@pytest.mark.parametrize("seller", ["  ext:okx:1  ", "ext:okx:1 ", lambda: f" {ObjectId()}"])
def test_case_5_a_seller_reference_with_spaces_is_a_reject(seller):
    from payments.repositories.mapping import DESTINATION  # noqa: PLC0415

    seller = seller() if callable(seller) else seller
    doc = {
        "_id": ObjectId(),
        "purchaseRequestId": ObjectId(),
        "sellerId": seller,
        "address": "T1",
        "network": "tron",
        "derivationPath": "m/0",
        "createdAt": AT_SECONDS,
    }
    with pytest.raises(legacy_module.LegacyValueError) as error:
        DESTINATION.from_document(doc)
    assert error.value.field == "sellerId" and error.value.value == seller
    assert DESTINATION.from_document(doc | {"sellerId": seller.strip()}).seller_external_ref in (seller.strip(), None)


# --- verify judges the conversion: the old one put back fails it ----------------------------------------------


def _old_bool(value, name):
    if isinstance(value, bool):
        return value
    if value in (0, 1) or (isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1")):
        return str(value).strip().lower() in ("1", "true")  # str(1.0) is "1.0": False
    raise legacy_module.LegacyValueError(name, "a boolean", value)


_new_datetime = legacy_module.legacy_datetime


def _old_datetime(value, field):
    if isinstance(value, int | float) and not isinstance(value, bool):
        return legacy_module.truncate_ms(datetime.fromtimestamp(value / 1000, tz=UTC))  # every number as ms
    return _new_datetime(value, field)


_new_object_id_hex = legacy_module.object_id_hex


def _old_object_id_hex(value, field, *, optional=False):
    if isinstance(value, str) and legacy_module.HEX24.match(value.strip()):
        return value.strip().lower()
    return _new_object_id_hex(value, field, optional=optional)


OLD_CONVERSIONS = {
    "case 1: bool 1.0": (kinds_module, "_bool", _old_bool, "users", {"isVerified": 1.0}, "isVerified"),
    "case 2: int seconds": (
        legacy_module,
        "legacy_datetime",
        _old_datetime,
        "users",
        {"createdAt": SECONDS},
        "createdAt",
    ),
    "case 2: double seconds": (
        legacy_module,
        "legacy_datetime",
        _old_datetime,
        "users",
        {"createdAt": SECONDS + 0.5},
        "createdAt",
    ),
    "case 5: telegram id stripped": (
        kinds_module,
        "_telegram_id",
        lambda v, n: legacy_module.legacy_text(v, n).strip(),
        "users",
        {"telegramId": "  12345  "},
        "telegramId",
    ),
    "case 5: object id stripped": (
        legacy_module,
        "object_id_hex",
        _old_object_id_hex,
        "notifications",
        {"userId": "spaced"},
        "userId",
    ),
}


@pytest.mark.parametrize("case", sorted(OLD_CONVERSIONS))
def test_verify_fails_when_the_old_conversion_is_put_back(legacy, monkeypatch, case):
    module, name, old, collection, dirty, key = OLD_CONVERSIONS[case]
    monkeypatch.setattr(module, name, old)
    user = legacy.user()
    if collection == "users":
        doc = legacy.user(**dirty)
        domain = "auth"
    else:
        doc = legacy.notification(user, userId=f"  {user['_id']}  ")
        domain = "notification"
    backfill_domain("auth")
    backfill_domain(domain)
    assert not BackfillReject.objects.filter(record_id=str(doc["_id"])).exists()  # the old guess took it
    result = verify_domain(domain)
    assert not result.passed
    counts, samples = result.counts[collection], result.samples[collection]
    assert counts["differing"] == 0  # both stores read through the same (wrong) parser: they agree
    assert counts["render_differs"] == 1
    (difference,) = samples["render_differs"][str(doc["_id"])]
    assert difference["key"] == key


def test_old_conversions_are_what_they_were(legacy):
    """The old conversions above are the ones that guessed: each gives a wrong value where the table reads."""
    assert _old_bool(1.0, "k") is False and kinds_module._bool(1.0, "k") is True
    assert _old_datetime(SECONDS, "k").year == 1970 and legacy_module.legacy_datetime(SECONDS, "k") == AT_SECONDS
    spaced = f"  {ObjectId()}  "
    assert _old_object_id_hex(spaced, "k") == spaced.strip()
    with pytest.raises(legacy_module.LegacyValueError):
        legacy_module.object_id_hex(spaced, "k")
