"""Auth and address writes, through whichever store(s) each domain's mode selects."""

import hashlib
from datetime import datetime, timedelta

from cutover.factory import repository_for
from cutover.scheduled.purge import purge_expired
from cutover.store.folded_keys import folded_key
from cutover.store.legacy import LegacyValueError, now_ms
from cutover.store.validation import require_one_of

from .codes import MAX_CODE_ATTEMPTS, code_hash, code_matches
from .records import ADDRESS_TYPES, PURPOSES, ROLES, AddressRecord, TempVerificationRecord, UserRecord

AUTH, ADDRESS = "auth", "address"
VERIFICATION_TTL = timedelta(minutes=15)
TELEGRAM_SESSION_TTL = timedelta(days=1)


class InvalidAccountInput(ValueError):
    pass


def _require(value: str, allowed: frozenset[str], name: str) -> str:
    return require_one_of(value, allowed, name, error=InvalidAccountInput)


def user_register(*, email: str, password_hash: str, display_name: str = "", role: str = "user") -> UserRecord:
    try:
        key = folded_key(email, "email")
    except LegacyValueError as error:
        raise InvalidAccountInput(str(error)) from None
    if "@" not in key:
        raise InvalidAccountInput(f"{email!r} is not an email address")
    return repository_for(AUTH).create_user(
        email=email, password_hash=password_hash, display_name=display_name, role=_require(role, ROLES, "role")
    )


def user_update(*, user_id: str, **changes) -> UserRecord:
    if "role" in changes:
        _require(changes["role"], ROLES, "role")
    return repository_for(AUTH).update_user(user_id, **changes)


def verification_start(*, email: str, purpose: str, code: str, user_id: str | None = None) -> TempVerificationRecord:
    return repository_for(AUTH).create_verification(
        email=email,
        purpose=_require(purpose, PURPOSES, "purpose"),
        code_hash=code_hash(code, email=email, purpose=purpose),
        ttl=VERIFICATION_TTL,
        user_id=user_id,
    )


def verification_check(*, email: str, purpose: str, code: str) -> bool:
    """True (and the verification is used up) when `code` matches the newest unexpired verification.

    Every guess is counted before it is compared (the count is a locked or compare-and-swap update), so
    even guesses sent at once get MAX_CODE_ATTEMPTS comparisons in all; after that the verification is
    locked: the right code is refused too, until a new verification is started."""
    repo = repository_for(AUTH)
    verification = repo.get_active_verification(email=email, purpose=purpose)
    if verification is None or verification.attempts >= MAX_CODE_ATTEMPTS:
        return False
    if repo.count_verification_attempt(verification.id).attempts > MAX_CODE_ATTEMPTS:
        return False
    if not code_matches(code, verification.code_hash, email=verification.email, purpose=verification.purpose):
        return False
    repo.delete_verification(verification.id)
    return True


def telegram_session_start(*, telegram_user_id: int, init_data: str, auth_date: datetime, user_id: str | None = None):
    return repository_for(AUTH).create_telegram_session(
        telegram_user_id=telegram_user_id,
        init_data_hash=hashlib.sha256(init_data.encode()).hexdigest(),
        auth_date=auth_date,
        ttl=TELEGRAM_SESSION_TTL,
        user_id=user_id,
    )


def address_add(*, user_id: str, address_type: str, line1: str, city: str, country: str, **optional) -> AddressRecord:
    _require(address_type, ADDRESS_TYPES, "address_type")
    if len(country.strip()) != 2:
        raise InvalidAccountInput(f"country must be an ISO 3166-1 alpha-2 code, got {country!r}")
    return repository_for(ADDRESS).create_address(
        user_id=user_id, address_type=address_type, line1=line1, city=city, country=country.strip(), **optional
    )[0]


def address_make_default(*, address_id: str) -> AddressRecord:
    return repository_for(ADDRESS).set_default_address(address_id)[-1]


def purge_expired_temp_verifications(*, batch_size: int = 5000) -> int:
    return purge_expired(
        domain=AUTH, collection="tempverifications", field="expires_at", before=now_ms(), batch_size=batch_size
    )


def purge_expired_telegram_sessions(*, batch_size: int = 5000) -> int:
    return purge_expired(
        domain=AUTH, collection="telegramsessions", field="expires_at", before=now_ms(), batch_size=batch_size
    )
