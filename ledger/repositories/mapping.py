"""The one place ledger field names are translated (docs/legacy-collections.md: fundsledgerentries)."""

from decimal import Decimal

from cutover.store.recordmap import DATETIME, MONEY, OBJECT_ID, TEXT, Field, RecordMap, enum, money

from ..records import DIRECTIONS, ENTRY_TYPES, LedgerEntryRecord

LEDGER_ENTRY = RecordMap(
    LedgerEntryRecord,
    collection="fundsledgerentries",
    model="ledger.LedgerEntry",
    version_field=None,
    insert_only=True,
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("payment_id", "paymentId", OBJECT_ID, optional=True),
        Field("user_id", "userId", OBJECT_ID),
        Field("entry_type", "entryType", enum(ENTRY_TYPES)),
        Field("direction", "direction", enum(DIRECTIONS)),
        Field("amount", "amount", money(minimum=Decimal("1e-18"))),
        Field("currency", "currency", TEXT),
        Field("balance_after", "balanceAfter", MONEY),
        Field("reference", "reference", TEXT),
        Field("reverses_entry_id", "reversesEntryId", OBJECT_ID, optional=True),
        Field("created_at", "createdAt", DATETIME),
    ),
)

MAPS = (LEDGER_ENTRY,)
