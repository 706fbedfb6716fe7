"""The ledger port. Every write path only inserts: entries are never edited or deleted,
and a correction is a new entry reversing an old one."""

from decimal import Decimal

from cutover.store.backends.errors import RecordNotFound, UniqueConflict
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository

from ..records import LedgerEntryRecord
from . import mapping

_OPPOSITE = {"credit": "debit", "debit": "credit"}


class LedgerRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"append_entry", "reverse_entry"})
    READ_METHODS = frozenset({"get_entry", "list_entries", "list_entries_for_payment", "balance"})

    def append_entry(
        self,
        *,
        user_id: str,
        entry_type: str,
        direction: str,
        amount: Decimal,
        currency: str,
        reference: str,
        payment_id: str | None = None,
        reverses_entry_id: str | None = None,
    ) -> LedgerEntryRecord:
        """Insert an entry; its balanceAfter is the user's balance in that currency after it."""
        with self._atomic(lock_key=f"ledger:{user_id}:{currency}"):  # one writer per balance at a time
            if self._find(LedgerEntryRecord, {"user_id": user_id, "reference": reference}, limit=1):
                raise UniqueConflict(f"fundsledgerentries: reference {reference!r} is taken for user {user_id}")
            signed = amount if direction == "credit" else -amount
            entry = LedgerEntryRecord(
                id=new_id(),
                payment_id=payment_id,
                user_id=user_id,
                entry_type=entry_type,
                direction=direction,
                amount=amount,
                currency=currency,
                balance_after=self.balance(user_id=user_id, currency=currency) + signed,
                reference=reference,
                reverses_entry_id=reverses_entry_id,
                created_at=now_ms(),
            )
            self._insert(entry)
            return entry

    def reverse_entry(self, entry_id: str, *, reference: str) -> LedgerEntryRecord:
        original = self._get(LedgerEntryRecord, entry_id)
        if original is None:
            raise RecordNotFound(LedgerEntryRecord, entry_id)
        return self.append_entry(
            user_id=original.user_id,
            entry_type="adjustment",
            direction=_OPPOSITE[original.direction],
            amount=original.amount,
            currency=original.currency,
            reference=reference,
            payment_id=original.payment_id,
            reverses_entry_id=original.id,
        )

    def get_entry(self, entry_id: str) -> LedgerEntryRecord | None:
        return self._get(LedgerEntryRecord, entry_id)

    def list_entries(self, *, user_id: str, currency: str | None = None, limit: int = 100) -> list[LedgerEntryRecord]:
        filters = {"user_id": user_id} | ({"currency": currency} if currency else {})
        return self._find(LedgerEntryRecord, filters, limit=limit)

    def list_entries_for_payment(self, payment_id: str, *, limit: int = 500) -> list[LedgerEntryRecord]:
        """A payment's entries, newest first (a payment has a handful: deposit, hold, release, fee...)."""
        return self._find(LedgerEntryRecord, {"payment_id": payment_id}, limit=limit)

    def balance(self, *, user_id: str, currency: str) -> Decimal:
        """Credits minus debits of one user in one currency."""
        where = {"user_id": user_id, "currency": currency}
        credits = self._sum(LedgerEntryRecord, "amount", where | {"direction": "credit"})
        debits = self._sum(LedgerEntryRecord, "amount", where | {"direction": "debit"})
        return credits - debits
