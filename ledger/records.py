"""Funds ledger entries: append-only. A correction is a new entry that reverses an old one."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cutover.store.legacy import plain_decimal
from cutover.store.records import LegacyShape

ENTRY_TYPES = frozenset({"deposit", "hold", "release", "refund", "fee", "payout", "adjustment"})
DIRECTIONS = frozenset({"credit", "debit"})


@dataclass(frozen=True)
class LedgerEntryRecord(LegacyShape):
    id: str
    payment_id: str | None
    user_id: str
    entry_type: str
    direction: str
    amount: Decimal  # always positive; the direction gives the sign
    currency: str
    balance_after: Decimal
    reference: str  # unique per user
    reverses_entry_id: str | None
    created_at: datetime

    @property
    def balance_effect(self) -> str:
        """What this entry does to its user's balance, in words (a conflict about the entry names it)."""
        sign, amount = "+" if self.direction == "credit" else "-", format(plain_decimal(self.amount), "f")
        return (
            f"{self.entry_type} {self.direction}, {sign}{amount} {self.currency} on user {self.user_id}'s "
            f"balance (reference {self.reference!r})"
        )
