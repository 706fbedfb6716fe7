"""The one place auth and address field names are translated (docs/legacy-collections.md: users,
tempverifications, telegramsessions, addresses)."""

import re

from cutover.store.extra_kinds import COUNT, INT64
from cutover.store.folded_keys import EMAIL_KEY
from cutover.store.legacy import LegacyValueError
from cutover.store.recordmap import (
    BOOL,
    DATETIME,
    OBJECT_ID,
    TELEGRAM_ID,
    TEXT,
    Field,
    Kind,
    RecordMap,
    enum,
)

from ..records import (
    ADDRESS_TYPES,
    PURPOSES,
    ROLES,
    AddressRecord,
    TelegramSessionRecord,
    TempVerificationRecord,
    UserRecord,
)


def _country(value, name: str) -> str:
    # ASCII letters only: "ß" upper-cases to SS and the dotless "ı" to I, spellings of no country code
    if value.__class__ is not str or not re.fullmatch(r"[A-Za-z]{2}", value):
        raise LegacyValueError(name, "an ISO 3166-1 alpha-2 country code", value)
    return value.upper()  # either letter case; the stored spelling is kept as a legacy form (cutover.store.absent)


COUNTRY = Kind("country", _country, table=(("string", "two letters A-Z in either case, nothing around them"),))

USER = RecordMap(
    UserRecord,
    collection="users",
    model="accounts.User",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("email", "email", EMAIL_KEY),
        Field("password_hash", "passwordHash", TEXT),
        Field("role", "role", enum(ROLES), default="user"),
        Field("display_name", "displayName", TEXT, default=""),
        Field("telegram_id", "telegramId", TELEGRAM_ID, optional=True),
        Field("is_verified", "isVerified", BOOL, default=False),
        Field("level", "level", COUNT, default=1),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

TEMP_VERIFICATION = RecordMap(
    TempVerificationRecord,
    collection="tempverifications",
    model="accounts.TempVerification",
    version_field=None,
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("email", "email", EMAIL_KEY),
        Field("user_id", "userId", OBJECT_ID, optional=True),
        Field("code_hash", "codeHash", TEXT),
        Field("purpose", "purpose", enum(PURPOSES)),
        Field("attempts", "attempts", COUNT, default=0),
        Field("expires_at", "expiresAt", DATETIME),
        Field("created_at", "createdAt", DATETIME),
    ),
)

TELEGRAM_SESSION = RecordMap(
    TelegramSessionRecord,
    collection="telegramsessions",
    model="accounts.TelegramSession",
    version_field=None,
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("telegram_user_id", "telegramUserId", INT64),
        Field("user_id", "userId", OBJECT_ID, optional=True),
        Field("init_data_hash", "initDataHash", TEXT),
        Field("auth_date", "authDate", DATETIME),
        Field("expires_at", "expiresAt", DATETIME),
        Field("created_at", "createdAt", DATETIME),
    ),
)

ADDRESS = RecordMap(
    AddressRecord,
    collection="addresses",
    model="accounts.Address",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("user_id", "userId", OBJECT_ID),
        Field("address_type", "addressType", enum(ADDRESS_TYPES), default="Other"),
        Field("line1", "line1", TEXT),
        Field("line2", "line2", TEXT, default=""),
        Field("city", "city", TEXT),
        Field("region", "region", TEXT, default=""),
        Field("postal_code", "postalCode", TEXT, default=""),
        Field("country", "country", COUNTRY),
        Field("is_default", "isDefault", BOOL, default=False),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

AUTH_MAPS = (USER, TEMP_VERIFICATION, TELEGRAM_SESSION)
ADDRESS_MAPS = (ADDRESS,)
