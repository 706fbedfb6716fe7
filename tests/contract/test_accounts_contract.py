"""The auth and address ports, in every store mode."""

from datetime import timedelta

import pytest

from accounts.records import AddressRecord
from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import now_ms
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_user


@pytest.fixture
def auth(repo_of):
    return repo_of("auth")


@pytest.fixture
def addresses(repo_of):
    return repo_of("address")


def test_users_are_stored_with_a_normalized_unique_email(auth):
    user = auth.create_user(email="  Mixed.Case@Example.COM ", password_hash="$2b$12$abc", display_name="Zoë")
    assert user.email == "mixed.case@example.com"
    assert auth.get_user_by_email("MIXED.case@example.com ") == user
    with pytest.raises(UniqueConflict, match="taken"):
        auth.create_user(email="mixed.case@EXAMPLE.com", password_hash="x")
    changed = auth.update_user(user.id, display_name="Zoë K", is_verified=True, level=3)
    assert (changed.display_name, changed.is_verified, changed.level) == ("Zoë K", True, 3)
    assert changed.updated_at > user.updated_at
    assert auth.get_user(user.id) == changed
    assert_stores_follow_mode("auth", auth.mode, [changed])


def test_only_changeable_user_fields_change(auth):
    user = auth.create_user(email="a@example.com", password_hash="x")
    with pytest.raises(ValueError, match="cannot change \\['email'\\]"):
        auth.update_user(user.id, email="b@example.com")


def test_verifications_expire_on_read_and_count_attempts(auth):
    fresh = auth.create_verification(
        email="v@example.com", purpose="email_verify", code_hash="h", ttl=timedelta(minutes=5)
    )
    auth.create_verification(
        email="old@example.com", purpose="email_verify", code_hash="h", ttl=timedelta(milliseconds=1)
    )
    assert auth.get_active_verification(email="V@example.com", purpose="email_verify") == fresh
    assert (
        auth.get_active_verification(
            email="old@example.com", purpose="email_verify", now=now_ms() + timedelta(seconds=1)
        )
        is None
    )
    assert auth.count_verification_attempt(fresh.id).attempts == 1
    assert auth.delete_verification(fresh.id).id == fresh.id
    assert auth.get_active_verification(email="v@example.com", purpose="email_verify") is None


def test_telegram_sessions_expire_on_read(auth):
    user = a_user()
    session = auth.create_telegram_session(
        telegram_user_id=777000, init_data_hash="h", auth_date=now_ms(), ttl=timedelta(hours=1), user_id=user.id
    )
    assert auth.get_active_telegram_session(session.id) == session
    assert auth.get_active_telegram_session(session.id, now=now_ms() + timedelta(hours=2)) is None
    assert_stores_follow_mode("auth", auth.mode, [session])


def test_first_address_is_default_and_there_is_only_one(addresses):
    user = a_user()
    home = addresses.create_address(user_id=user.id, address_type="Home", line1="1 Rue", city="Paris", country="fr")[0]
    work = addresses.create_address(user_id=user.id, address_type="Other", line1="2 Weg", city="Köln", country="DE")[0]
    assert (home.is_default, work.is_default, home.country) == (True, False, "FR")
    changed = addresses.set_default_address(work.id)
    assert [(a.id, a.is_default) for a in changed] == [(home.id, False), (work.id, True)]
    listed = addresses.list_addresses(user.id)
    assert [a.is_default for a in listed] == [False, True]
    assert_stores_follow_mode("address", addresses.mode, listed)
    assert addresses.delete_address(home.id)[0].id == home.id
    assert addresses.get_address(home.id) is None
    assert_stores_follow_mode("address", addresses.mode, [addresses.get_address(work.id)])


def test_deleted_address_is_gone_from_every_store(addresses):
    user = a_user()
    address = addresses.create_address(user_id=user.id, address_type="Work", line1="x", city="y", country="US")[0]
    addresses.delete_address(address.id)
    from cutover.modes.registry import domain_spec

    for store in domain_spec("address").backends().values():
        assert store.get_snapshot("addresses", address.id) is None
    assert isinstance(address, AddressRecord)
