"""Records of the auth and address domains: frozen, so dual reads compare with ==."""

from dataclasses import dataclass
from datetime import datetime

from cutover.store.records import LegacyShape

ROLES = frozenset({"user", "admin", "moderator"})
PURPOSES = frozenset({"email_verify", "password_reset", "telegram_link"})
ADDRESS_TYPES = frozenset({"Home", "Work", "Shipping", "Billing", "Other"})


@dataclass(frozen=True)
class UserRecord(LegacyShape):
    id: str
    email: str  # the legacy value exactly; compared by its folded key (cutover.store.folded_keys)
    password_hash: str  # bcrypt, kept as is
    role: str
    display_name: str
    telegram_id: str | None
    is_verified: bool
    level: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TempVerificationRecord(LegacyShape):
    id: str
    email: str
    user_id: str | None
    code_hash: str
    purpose: str
    attempts: int
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class TelegramSessionRecord(LegacyShape):
    id: str
    telegram_user_id: int
    user_id: str | None
    init_data_hash: str
    auth_date: datetime
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class AddressRecord(LegacyShape):
    id: str
    user_id: str
    address_type: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2
    is_default: bool
    created_at: datetime
    updated_at: datetime
