"""Verification codes: keyed hashes, constant-time checks, and a lockout after a few guesses (accounts.codes).

The finding: the stored hash was an unsalted sha256 of a 6-digit code (trying every code offline gave it
back), and `verification_check` counted wrong guesses but never stopped accepting them."""

import hashlib
from datetime import timedelta

import pytest
from bson import ObjectId
from django.test import override_settings

from accounts import codes
from accounts import services as accounts
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL, PURPOSE, CODE = "holder@example.com", "password_reset", "482913"


@pytest.fixture(params=MIGRATION_ORDER, ids=lambda mode: mode.value)
def mode(request) -> StoreMode:
    set_store_mode("auth", request.param)
    return request.param


def _wrong(attempt: int) -> str:
    return f"{(int(CODE) + attempt + 1) % 10**6:06d}"


def test_a_stored_code_hash_does_not_give_the_code_back_offline(mode):
    stored = accounts.verification_start(email=EMAIL, purpose=PURPOSE, code=CODE).code_hash
    assert stored.startswith(codes.CODE_HASH_PREFIX)
    digest = stored.removeprefix(codes.CODE_HASH_PREFIX)
    # The attack of the finding: every 6-digit code through sha256. Nothing matches the stored hash.
    assert not any(hashlib.sha256(f"{n:06d}".encode()).hexdigest() == digest for n in range(10**6))
    # Bound to its email and purpose, and to the key: the same code elsewhere is another hash.
    assert codes.code_hash(CODE, email="other@example.com", purpose=PURPOSE) != stored
    assert codes.code_hash(CODE, email=EMAIL, purpose="email_verify") != stored
    with override_settings(SECRET_KEY="another-key-" * 4):
        assert codes.code_hash(CODE, email=EMAIL, purpose=PURPOSE) != stored


def test_the_right_code_passes_once(mode):
    accounts.verification_start(email=EMAIL, purpose=PURPOSE, code=CODE)
    assert accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)
    assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)  # used up


def test_after_the_allowed_guesses_even_the_right_code_is_refused(mode):
    started = accounts.verification_start(email=EMAIL, purpose=PURPOSE, code=CODE)
    for attempt in range(codes.MAX_CODE_ATTEMPTS):
        assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=_wrong(attempt))
    assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)
    from cutover.factory import repository_for

    held = repository_for("auth").get_active_verification(email=EMAIL, purpose=PURPOSE)
    assert held.id == started.id and held.attempts == codes.MAX_CODE_ATTEMPTS  # locked, not counting on
    # A new verification (a new code sent) is what unlocks.
    accounts.verification_start(email=EMAIL, purpose=PURPOSE, code="111111")
    assert accounts.verification_check(email=EMAIL, purpose=PURPOSE, code="111111")


def test_one_guess_short_of_the_limit_the_right_code_still_passes(mode):
    accounts.verification_start(email=EMAIL, purpose=PURPOSE, code=CODE)
    for attempt in range(codes.MAX_CODE_ATTEMPTS - 1):
        assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=_wrong(attempt))
    assert accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)


def _legacy_verification(code_hash: str) -> None:
    """A verification the legacy app wrote to Mongo itself: its own sha256 of the code."""
    at = now_ms()
    mongo_database().tempverifications.insert_one(
        {
            "_id": ObjectId(),
            "email": EMAIL,
            "codeHash": code_hash,
            "purpose": PURPOSE,
            "attempts": 0,
            "expiresAt": at + timedelta(minutes=15),
            "createdAt": at,
        }
    )


@pytest.mark.parametrize("legacy_mode", [StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY], ids=lambda m: m.value)
def test_a_legacy_sha256_code_still_verifies_but_only_within_the_lockout(legacy_mode):
    set_store_mode("auth", legacy_mode)
    _legacy_verification(hashlib.sha256(CODE.encode()).hexdigest())
    assert accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)
    _legacy_verification(hashlib.sha256(CODE.encode()).hexdigest())
    for attempt in range(codes.MAX_CODE_ATTEMPTS):
        assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=_wrong(attempt))
    assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)
    (document,) = mongo_database().tempverifications.find({"email": EMAIL})
    assert document["codeHash"] == hashlib.sha256(CODE.encode()).hexdigest()  # stored as the legacy app wrote it


@pytest.mark.parametrize("stored", ["h", "", "482913", "sha256$" + "0" * 64, codes.CODE_HASH_PREFIX])
def test_a_hash_in_no_known_form_never_matches(stored):
    assert not codes.code_matches(CODE, stored, email=EMAIL, purpose=PURPOSE)
    assert not codes.code_matches(stored, stored, email=EMAIL, purpose=PURPOSE)


def test_a_code_made_before_a_key_rotation_still_verifies():
    with override_settings(SECRET_KEY="the-old-key-" * 4):
        stored = codes.code_hash(CODE, email=EMAIL, purpose=PURPOSE)
    with override_settings(SECRET_KEY="the-new-key-" * 4, SECRET_KEY_FALLBACKS=["the-old-key-" * 4]):
        assert codes.code_matches(CODE, stored, email=EMAIL, purpose=PURPOSE)
    with override_settings(SECRET_KEY="the-new-key-" * 4, SECRET_KEY_FALLBACKS=[]):
        assert not codes.code_matches(CODE, stored, email=EMAIL, purpose=PURPOSE)


def test_codes_are_compared_in_constant_time(monkeypatch):
    compared = []
    original = codes.constant_time_compare
    monkeypatch.setattr(codes, "constant_time_compare", lambda a, b: compared.append((a, b)) or original(a, b))
    stored = codes.code_hash(CODE, email=EMAIL, purpose=PURPOSE)
    assert codes.code_matches(CODE, stored, email=EMAIL, purpose=PURPOSE)
    assert codes.code_matches(CODE, hashlib.sha256(CODE.encode()).hexdigest(), email=EMAIL, purpose=PURPOSE)
    assert len(compared) == 2


@pytest.mark.parametrize("concurrent_mode", [StoreMode.POSTGRES, StoreMode.DUAL], ids=lambda m: m.value)
def test_guesses_sent_at_once_get_no_more_comparisons_than_the_limit(concurrent_mode, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    set_store_mode("auth", concurrent_mode)
    accounts.verification_start(email=EMAIL, purpose=PURPOSE, code=CODE)
    compared = []
    original = accounts.code_matches
    monkeypatch.setattr(accounts, "code_matches", lambda *a, **k: compared.append(1) or original(*a, **k))

    def guess(attempt: int) -> bool:
        try:
            return accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=_wrong(attempt))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert not any(pool.map(guess, range(40)))
    assert len(compared) == codes.MAX_CODE_ATTEMPTS
    assert not accounts.verification_check(email=EMAIL, purpose=PURPOSE, code=CODE)
