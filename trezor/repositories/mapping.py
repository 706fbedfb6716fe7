"""The one place trezor field names are translated (docs/legacy-collections.md: trezoraccounts)."""

from cutover.store.extra_kinds import COUNT
from cutover.store.recordmap import DATETIME, OBJECT_ID, TEXT, Child, Field, RecordMap

from ..records import DerivedAddress, TrezorAccountRecord

DERIVED_ADDRESS = RecordMap(
    DerivedAddress,
    version_field=None,
    fields=(
        Field("index", "index", COUNT),
        Field("address", "address", TEXT),
        Field("path", "path", TEXT),
        Field("used_at", "usedAt", DATETIME, optional=True),
    ),
)

TREZOR_ACCOUNT = RecordMap(
    TrezorAccountRecord,
    collection="trezoraccounts",
    model="trezor.TrezorAccount",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("user_id", "userId", OBJECT_ID, optional=True),
        Field("label", "label", TEXT, default=""),
        Field("xpub", "xpub", TEXT),
        Field("network", "network", TEXT),
        Field("account_index", "accountIndex", COUNT, default=0),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
    children=(
        Child("derived_addresses", "derivedAddresses", DERIVED_ADDRESS, "trezor.TrezorDerivedAddress", "account"),
    ),
)

MAPS = (TREZOR_ACCOUNT,)
