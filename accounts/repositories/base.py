"""The ports of the auth and address domains: their use cases, written once on the storage primitives."""

import dataclasses
from datetime import datetime, timedelta

from cutover.store.backends.errors import RecordNotFound
from cutover.store.filters import Gt, SameKey
from cutover.store.folded_keys import folded_key
from cutover.store.legacy import new_id, now_ms, truncate_ms
from cutover.store.ports import StoreRepository, revised

from ..records import AddressRecord, TelegramSessionRecord, TempVerificationRecord, UserRecord
from . import mapping

USER_FIELDS_CHANGEABLE = frozenset({"display_name", "role", "is_verified", "level", "password_hash", "telegram_id"})
ADDRESS_FIELDS_CHANGEABLE = frozenset({"address_type", "line1", "line2", "city", "region", "postal_code", "country"})


class AuthRepository(StoreRepository):
    MAPS = mapping.AUTH_MAPS
    WRITE_METHODS = frozenset(
        {
            "create_user",
            "update_user",
            "create_verification",
            "count_verification_attempt",
            "delete_verification",
            "create_telegram_session",
        }
    )
    READ_METHODS = frozenset(
        {"get_user", "get_user_by_email", "get_active_verification", "get_active_telegram_session"}
    )

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        display_name: str = "",
        role: str = "user",
        telegram_id: str | None = None,
    ) -> UserRecord:
        email = folded_key(email, "email")  # the app writes the key, as the legacy app saved emails
        self._refuse_taken(f"users: the email {email!r}", lambda store: store.get_user_by_email(email))
        at = now_ms()
        user = UserRecord(
            id=new_id(),
            email=email,
            password_hash=password_hash,
            role=role,
            display_name=display_name,
            telegram_id=telegram_id,
            is_verified=False,
            level=1,
            created_at=at,
            updated_at=at,
        )
        self._insert(user)
        return user

    def update_user(self, user_id: str, **changes) -> UserRecord:
        unknown = set(changes) - USER_FIELDS_CHANGEABLE
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}; changeable: {sorted(USER_FIELDS_CHANGEABLE)}")
        return self._revise(UserRecord, user_id, **changes)

    def get_user(self, user_id: str) -> UserRecord | None:
        return self._get(UserRecord, user_id)

    def get_user_by_email(self, email: str) -> UserRecord | None:
        """The user whose email has `email`'s key (trailing spaces and ASCII case aside), in every store."""
        return self._find_one(UserRecord, {"email": SameKey(email)})

    def create_verification(
        self, *, email: str, purpose: str, code_hash: str, ttl: timedelta, user_id: str | None = None
    ) -> TempVerificationRecord:
        at = now_ms()
        record = TempVerificationRecord(
            id=new_id(),
            email=folded_key(email, "email"),
            user_id=user_id,
            code_hash=code_hash,
            purpose=purpose,
            attempts=0,
            expires_at=at + ttl,
            created_at=at,
        )
        self._insert(record)
        return record

    def get_active_verification(
        self, *, email: str, purpose: str, now: datetime | None = None
    ) -> TempVerificationRecord | None:
        """The newest unexpired verification; expired ones are never returned, purged or not."""
        filters = {"email": SameKey(email), "purpose": purpose, "expires_at": Gt(now or now_ms())}
        return self._find_one(TempVerificationRecord, filters)

    def count_verification_attempt(self, verification_id: str) -> TempVerificationRecord:
        return self._update(
            TempVerificationRecord,
            verification_id,
            lambda record: dataclasses.replace(record, attempts=record.attempts + 1),
        )

    def delete_verification(self, verification_id: str) -> TempVerificationRecord | None:
        record = self._get(TempVerificationRecord, verification_id)
        if record is not None:
            self._delete(TempVerificationRecord, verification_id)
        return record

    def create_telegram_session(
        self,
        *,
        telegram_user_id: int,
        init_data_hash: str,
        auth_date: datetime,
        ttl: timedelta,
        user_id: str | None = None,
    ) -> TelegramSessionRecord:
        at = now_ms()
        record = TelegramSessionRecord(
            id=new_id(),
            telegram_user_id=telegram_user_id,
            user_id=user_id,
            init_data_hash=init_data_hash,
            auth_date=truncate_ms(auth_date),  # BSON dates keep milliseconds: both stores hold the same instant
            expires_at=at + ttl,
            created_at=at,
        )
        self._insert(record)
        return record

    def get_active_telegram_session(
        self, session_id: str, *, now: datetime | None = None
    ) -> TelegramSessionRecord | None:
        record = self._get(TelegramSessionRecord, session_id)
        return record if record is not None and record.expires_at > (now or now_ms()) else None


class AddressRepository(StoreRepository):
    MAPS = mapping.ADDRESS_MAPS
    WRITE_METHODS = frozenset({"create_address", "update_address", "set_default_address", "delete_address"})
    READ_METHODS = frozenset({"get_address", "list_addresses"})

    def create_address(
        self,
        *,
        user_id: str,
        address_type: str,
        line1: str,
        city: str,
        country: str,
        line2: str = "",
        region: str = "",
        postal_code: str = "",
    ) -> list[AddressRecord]:
        """The new address first; a user's first address becomes the default."""
        at = now_ms()
        is_first = not self._count(AddressRecord, {"user_id": user_id})
        address = AddressRecord(
            id=new_id(),
            user_id=user_id,
            address_type=address_type,
            line1=line1,
            line2=line2,
            city=city,
            region=region,
            postal_code=postal_code,
            country=country.upper(),
            is_default=is_first,
            created_at=at,
            updated_at=at,
        )
        self._insert(address)
        return [address]

    def update_address(self, address_id: str, **changes) -> AddressRecord:
        unknown = set(changes) - ADDRESS_FIELDS_CHANGEABLE
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}; changeable: {sorted(ADDRESS_FIELDS_CHANGEABLE)}")
        return self._revise(AddressRecord, address_id, **changes)

    def set_default_address(self, address_id: str) -> list[AddressRecord]:
        """The changed addresses in the order they were written (and are mirrored): those that
        stopped being the default, then the new default, so the one-default rule holds throughout."""
        address = self._get(AddressRecord, address_id)
        if address is None:
            raise RecordNotFound(AddressRecord, address_id)
        with self._atomic(lock_key=f"addresses-default:{address.user_id}"):
            cleared = [
                self._update(AddressRecord, other.id, lambda a: _with_default(a, False))
                for other in self._find(AddressRecord, {"user_id": address.user_id, "is_default": True})
                if other.id != address_id
            ]
            return [*cleared, self._update(AddressRecord, address_id, lambda a: _with_default(a, True))]

    def delete_address(self, address_id: str) -> list[AddressRecord]:
        address = self._get(AddressRecord, address_id)
        if address is None:
            return []
        self._delete(AddressRecord, address_id)
        return [address]

    def get_address(self, address_id: str) -> AddressRecord | None:
        return self._get(AddressRecord, address_id)

    def list_addresses(self, user_id: str) -> list[AddressRecord]:
        return self._find(AddressRecord, {"user_id": user_id}, order=("id",))


def _with_default(address: AddressRecord, is_default: bool) -> AddressRecord:
    return revised(address, is_default=is_default)
