"""Guarantee 2: purges delete exactly what is past its boundary, in exactly the stores the mode writes.

The clock is frozen (the services' now_ms) so fixtures can sit one millisecond either side of the boundary:
one millisecond is Mongo's precision, the finest difference both stores can hold.
"""

from datetime import datetime, timedelta
from unittest import mock

import pytest

from accounts import services as accounts
from accounts.records import TelegramSessionRecord, TempVerificationRecord
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.legacy import new_id, now_ms
from cutover.testing import set_store_mode
from notifications import services as notifications
from notifications.records import RETENTION
from tests.factories import a_notification, a_user, held_by_store, put_everywhere

pytestmark = pytest.mark.django_db(transaction=True)

MS = timedelta(milliseconds=1)
MODES = pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)


def _purged_from(mode: StoreMode) -> dict[str, bool]:
    """Which stores this code purges in `mode` (in `mongo` the Mongo TTL index does it, not this code)."""
    return {"mongo": mode.is_dual, "postgres": mode is not StoreMode.MONGO}




def _frozen(module, at: datetime):
    return mock.patch.object(module, "now_ms", return_value=at)


def _telegram_session(now: datetime, expires_in: timedelta) -> TelegramSessionRecord:
    return put_everywhere(
        "auth",
        TelegramSessionRecord(
            id=new_id(),
            telegram_user_id=42,
            user_id=None,
            init_data_hash="h",
            auth_date=now - timedelta(hours=1),
            expires_at=now + expires_in,
            created_at=now - timedelta(hours=1),
        ),
    )


def _verification(now: datetime, expires_in: timedelta) -> TempVerificationRecord:
    return put_everywhere(
        "auth",
        TempVerificationRecord(
            id=new_id(),
            email="b@example.com",
            user_id=None,
            code_hash="h",
            purpose="email_verify",
            attempts=0,
            expires_at=now + expires_in,
            created_at=now - timedelta(minutes=1),
        ),
    )




EXPIRY_FIXTURES = {  # expires_in -> purged?
    "expired a minute ago": (-timedelta(minutes=1), True),
    "expired 1 ms ago": (-MS, True),
    "expires in 1 ms": (MS, False),
    "expires in 30 s": (timedelta(seconds=30), False),
    "expires in a day": (timedelta(days=1), False),
}


@MODES
def test_telegram_session_purge_boundary(mode):
    now = now_ms()
    set_store_mode("auth", mode)
    sessions = {name: _telegram_session(now, expires_in) for name, (expires_in, _) in EXPIRY_FIXTURES.items()}
    with _frozen(accounts, now):
        removed = accounts.purge_expired_telegram_sessions(batch_size=1)

    purged = _purged_from(mode)
    expected_gone = [name for name, (_, gone) in EXPIRY_FIXTURES.items() if gone]
    assert removed == len(expected_gone) * sum(purged.values())
    for name, session in sessions.items():
        gone = EXPIRY_FIXTURES[name][1]
        expected = {store: not (gone and purged[store]) for store in purged}
        assert held_by_store("auth", "telegramsessions", session.id) == expected, name


@MODES
def test_temp_verification_purge_boundary(mode):
    now = now_ms()
    set_store_mode("auth", mode)
    records = {name: _verification(now, expires_in) for name, (expires_in, _) in EXPIRY_FIXTURES.items()}
    with _frozen(accounts, now):
        removed = accounts.purge_expired_temp_verifications(batch_size=2)

    purged = _purged_from(mode)
    assert removed == 2 * sum(purged.values())
    for name, record in records.items():
        gone = EXPIRY_FIXTURES[name][1]
        assert held_by_store("auth", "tempverifications", record.id) == {
            store: not (gone and purged[store]) for store in purged
        }, name


AGE_FIXTURES = {  # age -> purged?
    "a year old": (timedelta(days=365), True),
    "120 days old": (timedelta(days=120), True),
    "90 days and 1 ms old": (RETENTION + MS, True),
    "1 ms short of 90 days": (RETENTION - MS, False),
    "60 days old": (timedelta(days=60), False),
    "brand new": (timedelta(0), False),
}


@MODES
def test_notification_purge_boundary(mode):
    assert timedelta(days=90) == RETENTION  # the README's promise; a change to it must be deliberate
    now = now_ms()
    user = a_user()
    set_store_mode("notification", mode)
    records = {name: a_notification(user.id, age=age, now=now) for name, (age, _) in AGE_FIXTURES.items()}
    with _frozen(notifications, now):
        removed = notifications.purge_old_notifications(batch_size=2)

    purged = _purged_from(mode)
    assert removed == 3 * sum(purged.values())
    for name, record in records.items():
        gone = AGE_FIXTURES[name][1]
        assert held_by_store("notification", "notifications", record.id) == {
            store: not (gone and purged[store]) for store in purged
        }, name


def test_the_purges_use_the_real_clock_by_default():
    """Without the frozen clock: an hour either side of now is far enough for any scheduler delay."""
    now = now_ms()
    set_store_mode("auth", "dual")
    expired = _telegram_session(now, -timedelta(hours=1))
    live = _telegram_session(now, timedelta(hours=1))
    assert accounts.purge_expired_telegram_sessions() == 2
    assert held_by_store("auth", "telegramsessions", expired.id) == {"mongo": False, "postgres": False}
    assert held_by_store("auth", "telegramsessions", live.id) == {"mongo": True, "postgres": True}


def _expired_notifications(now: datetime):
    user = a_user()
    for days in (100, 101, 102):  # distinct: Postgres deletes every row on a batch's boundary value at once
        a_notification(user.id, age=timedelta(days=days), now=now)
    return now - RETENTION


def _expired_sessions(now: datetime):
    for minutes in (1, 2, 3):
        _telegram_session(now, -timedelta(minutes=minutes))
    return now


def _expired_verifications(now: datetime):
    for minutes in (1, 2, 3):
        _verification(now, -timedelta(minutes=minutes))
    return now


PURGES = {
    "notifications": ("notification", notifications, notifications.purge_old_notifications, _expired_notifications),
    "telegramsessions": ("auth", accounts, accounts.purge_expired_telegram_sessions, _expired_sessions),
    "tempverifications": ("auth", accounts, accounts.purge_expired_temp_verifications, _expired_verifications),
}


@pytest.mark.parametrize("collection", PURGES)
def test_a_purge_logs_one_line_per_batch_per_store(caplog, collection):
    """Destructive code leaves a trail: one line per batch, naming the count, collection, store, cutoff;
    and the batch size asked for is the one used."""
    domain, module, purge, make_expired = PURGES[collection]
    now = now_ms()
    set_store_mode(domain, "dual")
    cutoff = make_expired(now).isoformat()
    with _frozen(module, now), caplog.at_level("INFO", logger="cutover.scheduled.purge"):
        assert purge(batch_size=2) == 6
    assert [record.getMessage() for record in caplog.records if record.name == "cutover.scheduled.purge"] == [
        f"purged {count} {collection} from {store} (before {cutoff})"
        for store in ("postgres", "mongo")
        for count in (2, 1)
    ]


def test_a_purge_refuses_a_batch_size_below_one():
    from cutover.scheduled.purge import purge_expired

    for size in (0, -1):
        with pytest.raises(ValueError, match="^batch_size must be at least 1$"):
            purge_expired(
                domain="auth", collection="telegramsessions", field="expires_at", before=now_ms(), batch_size=size
            )
