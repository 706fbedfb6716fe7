"""telegramId: text in Postgres, written to Mongo as a number when it `isdigit()`."""

import pytest

from accounts.services import user_update
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.testing import set_store_mode
from tests.backfill.conftest import postgres_record


@pytest.mark.parametrize("telegram_id", ["007", "١٢٣", "²"], ids=["leading_zero", "arabic_digits", "superscript"])
@pytest.mark.parametrize("mode", ["dual_mongo_primary", "dual"])
def test_a_telegram_id_is_written_as_it_reads(legacy, mode, telegram_id):
    user = legacy.user()
    backfill_domain("auth")
    set_store_mode("auth", mode)
    user_update(user_id=str(user["_id"]), telegram_id=telegram_id)
    assert postgres_record("auth", "users", user["_id"]).telegram_id == telegram_id
    assert verify_domain("auth").passed


def test_a_legacy_telegram_id_with_spaces_is_a_reject_never_stripped(legacy):
    """Issue 23 case 5: stripping loses the legacy value, keeping it makes an id no lookup finds: a reject."""
    from cutover.models import BackfillReject

    user = legacy.user(telegramId=" 12345 ")
    backfill_domain("auth")
    assert postgres_record("auth", "users", user["_id"]) is None
    (reject,) = BackfillReject.objects.filter(record_id=str(user["_id"]))
    assert reject.reason.startswith("telegramId: expected") and "' 12345 '" in reject.reason


@pytest.mark.parametrize("stored", [12345, "12345"])
def test_legacy_telegram_ids_round_trip(legacy, stored):
    user = legacy.user(telegramId=stored)
    backfill_domain("auth")
    set_store_mode("auth", "dual")
    user_update(user_id=str(user["_id"]), display_name="New")
    doc = legacy.db.users.find_one({"_id": user["_id"]})
    assert doc["telegramId"] == stored and doc["displayName"] == "New"
    # Verify passes exactly when the record kept the legacy value (issue 23 case 5: a stripped id is a value
    # lost, which verify's render-back check reports).
    kept = postgres_record("auth", "users", user["_id"]).telegram_id == str(stored)
    assert verify_domain("auth").passed is kept
