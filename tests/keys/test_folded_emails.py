"""Issue case 7: a key the legacy app compares case-insensitively (a user's email) is migrated exactly, looked
up by its folded key in every mode, and a key taken in either store is refused in every mode."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.repositories.mapping import USER
from accounts.services import InvalidAccountInput, user_register
from cutover.backfill.service import backfill_domain
from cutover.factory import repository_for
from cutover.models import BackfillReject
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.backends.errors import UniqueConflict
from cutover.store.folded_keys import fold_expression, folded_key, mongo_key_pattern
from cutover.store.legacy import LegacyValueError
from cutover.testing import set_store_mode
from tests.backfill.conftest import legacy  # noqa: F401 - the fixture
from tests.factories import a_user, put_everywhere

LEGACY_EMAIL = "Bob@Example.com "
MODES = [pytest.param(mode, id=mode.value) for mode in MIGRATION_ORDER]


def test_the_key_trims_ascii_space_and_folds_ascii_letters_only():
    assert folded_key(" \tBob@Example.COM \n") == "bob@example.com"
    assert folded_key("élodie@x.fr") == "élodie@x.fr"
    with pytest.raises(LegacyValueError, match="outside ASCII"):
        folded_key("Élodie@x.fr")


_TEXT = st.text(alphabet=st.sampled_from("aAbBzZ@.+*?[]()^$|\\ \t\n\r\x0b\x0cé_-{}1"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(key_source=_TEXT, candidate=_TEXT)
def test_the_mongo_pattern_matches_exactly_the_values_of_the_same_key(key_source, candidate):
    key = folded_key(key_source)
    assert (re.search(mongo_key_pattern(key), candidate) is not None) == (folded_key(candidate) == key)


@pytest.mark.django_db
def test_postgres_folds_exactly_as_python():
    samples = ["Bob@Example.com ", "\t\nA@B\r\x0b\x0c", "élodie@X.fr", "a B@C", "x@y\n"]
    users = [a_user(email=sample) for sample in samples]
    keys = dict(User.objects.annotate(key=fold_expression("email")).values_list("id", "key"))
    assert [keys[user.id] for user in users] == [folded_key(sample) for sample in samples]


def test_a_legacy_email_migrates_exactly_and_goes_back_exactly(legacy):  # noqa: F811
    bob = legacy.user(email=LEGACY_EMAIL)
    backfill_domain("auth")
    row = User.objects.get(pk=str(bob["_id"]))
    assert row.email == LEGACY_EMAIL
    record = domain_spec("auth").build_postgres_repository().get_user(str(bob["_id"]))
    assert USER.to_document(record)["email"] == LEGACY_EMAIL


def test_two_legacy_users_of_one_key_the_second_is_rejected_naming_the_first(legacy):  # noqa: F811
    first = legacy.user(email="bob@example.com")
    second = legacy.user(email=LEGACY_EMAIL)
    backfill_domain("auth")
    assert User.objects.get(pk=str(first["_id"])).email == "bob@example.com"
    assert not User.objects.filter(pk=str(second["_id"])).exists()
    reject = BackfillReject.objects.get(record_id=str(second["_id"]))
    assert reject.kind == "unique_clash"
    assert f"users/{first['_id']}" in reject.reason


def test_a_legacy_email_with_an_upper_case_letter_outside_ascii_is_a_reject_naming_the_field(legacy):  # noqa: F811
    odd = legacy.user(email="Élodie@example.com")
    backfill_domain("auth")
    reject = BackfillReject.objects.get(record_id=str(odd["_id"]))
    assert (reject.kind, reject.reason.split(":")[0]) == ("bad_value", "email")


@pytest.mark.parametrize("mode", MODES)
def test_a_user_is_found_by_the_key_of_the_email_in_every_mode(mode, transactional_db):
    bob = a_user(email=LEGACY_EMAIL)
    set_store_mode("auth", mode)
    auth = repository_for("auth")
    for asked in ("bob@example.com", "BOB@EXAMPLE.COM", " Bob@Example.com\t"):
        assert auth.get_user_by_email(asked) == bob
    assert auth.get_user_by_email("bob@example.co") is None
    assert auth.get_user_by_email("b.b@example.com") is None  # "." is not a wildcard


@pytest.mark.parametrize("mode", MODES)
def test_a_second_account_of_the_same_key_is_refused_in_every_mode(mode, transactional_db):
    a_user(email=LEGACY_EMAIL)
    set_store_mode("auth", mode)
    with pytest.raises(UniqueConflict, match="is taken"):
        user_register(email="bob@example.com", password_hash="x")
    assert User.objects.count() == 1
    assert domain_spec("auth").build_mongo_repository().count_all("users") == 1


def _only_in(store: str):
    """A user held by one store only (the other never saw it: a mirror still pending, a legacy write)."""
    from accounts.records import UserRecord

    bob = a_user(email="placeholder@example.com")
    record = UserRecord(**{**bob.__dict__, "email": LEGACY_EMAIL})
    for name, backend in domain_spec("auth").backends().items():
        backend.delete_snapshot("users", bob.id)
        if name == store:
            backend.put_snapshot(record)
    return record


def _follower(mode: StoreMode) -> str:
    return "postgres" if mode in (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY) else "mongo"


LIVE_PAIRS = [pytest.param(mode, id=mode.value) for mode in MIGRATION_ORDER if mode is not StoreMode.POSTGRES]


@pytest.mark.parametrize("mode", LIVE_PAIRS)
def test_a_key_only_the_other_store_holds_is_refused_in_every_mode_with_two_stores(mode, transactional_db):
    held = _only_in(_follower(mode))
    set_store_mode("auth", mode)
    with pytest.raises(UniqueConflict, match=f"in the {_follower(mode)} store.*{held.id}"):
        user_register(email="BOB@example.com", password_hash="x")


def test_in_postgres_mode_mongo_is_not_asked(transactional_db, monkeypatch):
    """Mongo is out of the system in `postgres` mode (no process connects to it): a stale Mongo-only key is
    not consulted; the way back (a reverse backfill) rejects the clash instead."""
    _only_in("mongo")
    set_store_mode("auth", StoreMode.POSTGRES)
    monkeypatch.setattr(domain_spec("auth").__class__, "build_mongo_repository", _no_mongo)
    assert user_register(email="BOB@example.com", password_hash="x").email == "bob@example.com"


def _no_mongo(self):
    raise AssertionError("Mongo was asked in postgres mode")


def test_with_mongo_away_a_postgres_led_registration_still_goes_through(transactional_db, mongo_outage):
    set_store_mode("auth", StoreMode.DUAL)
    mongo_outage.start()
    assert user_register(email="new@example.com", password_hash="x").email == "new@example.com"


def test_the_app_writes_the_key_and_refuses_what_cannot_be_folded(transactional_db):
    set_store_mode("auth", StoreMode.DUAL)
    assert user_register(email=" New@Example.com ", password_hash="x").email == "new@example.com"
    with pytest.raises(InvalidAccountInput, match="outside ASCII"):
        user_register(email="Élodie@example.com", password_hash="x")


def test_postgres_refuses_a_second_row_of_the_same_key_on_its_own(transactional_db):
    bob = a_user(email=LEGACY_EMAIL)
    from accounts.records import UserRecord
    from cutover.store.legacy import new_id

    twin = UserRecord(**{**bob.__dict__, "id": new_id(), "email": "BOB@example.com"})
    with pytest.raises(Exception, match="users_email_key_unique"):
        put_everywhere("auth", twin)
