"""Purges remove exactly the expired records, from exactly the stores the mode says."""

from datetime import timedelta

import pytest

from accounts import services as accounts
from accounts.records import TempVerificationRecord
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.legacy import new_id, now_ms
from cutover.testing import set_store_mode
from notifications import services as notifications
from tests.factories import a_notification, a_user, held_by_store, put_everywhere

pytestmark = pytest.mark.django_db(transaction=True)


def _verification(expires_in: timedelta) -> TempVerificationRecord:
    at = now_ms()
    return put_everywhere(
        "auth",
        TempVerificationRecord(
            id=new_id(),
            email="p@example.com",
            user_id=None,
            code_hash="h",
            purpose="email_verify",
            attempts=0,
            expires_at=at + expires_in,
            created_at=at,
        ),
    )






@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_verification_purge_follows_the_mode(mode):
    set_store_mode("auth", mode)
    expired = [_verification(timedelta(minutes=-1)) for _ in range(5)]
    live = _verification(timedelta(minutes=10))
    removed = accounts.purge_expired_temp_verifications(batch_size=2)

    purged = {"mongo": mode.is_dual, "postgres": mode is not StoreMode.MONGO}
    assert removed == 5 * sum(purged.values())
    for record in expired:
        assert held_by_store("auth", "tempverifications", record.id) == {k: not v for k, v in purged.items()}
    assert held_by_store("auth", "tempverifications", live.id) == {"mongo": True, "postgres": True}


def test_notification_purge_keeps_the_last_90_days():
    set_store_mode("notification", "dual")
    user = a_user()
    old = [a_notification(user.id, age=timedelta(days=91)) for _ in range(3)]
    recent = a_notification(user.id, age=timedelta(days=89))
    assert notifications.purge_old_notifications(batch_size=2) == 6  # 3 in each store
    assert all(held_by_store("notification", "notifications", r.id) == {"mongo": False, "postgres": False} for r in old)
    assert held_by_store("notification", "notifications", recent.id) == {"mongo": True, "postgres": True}


def test_telegram_session_purge():
    set_store_mode("auth", "postgres")
    session = accounts.telegram_session_start(telegram_user_id=1, init_data="d", auth_date=now_ms())
    assert accounts.purge_expired_telegram_sessions() == 0
    assert held_by_store("auth", "telegramsessions", session.id)["postgres"]
