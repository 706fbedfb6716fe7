"""The ledger port. Every write path only inserts: entries are never edited or deleted,
and a correction is a new entry reversing an old one."""

from decimal import Decimal

from cutover.store.backends.errors import RecordNotFound, UniqueConflict
from cutover.store.filters import NotIn
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository

from ..quarantine import quarantined_entry_ids
from ..records import LedgerEntryRecord
from ..rules import NEVER_BELOW_ZERO, AlreadyReversed, InsufficientBalance
from . import mapping

_OPPOSITE = {"credit": "debit", "debit": "credit"}


class LedgerRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"append_entry", "reverse_entry"})
    READ_METHODS = frozenset(
        {"get_entry", "get_entry_by_reference", "list_entries", "list_entries_for_payment", "balance"}
    )

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
            self._refuse_taken(
                f"fundsledgerentries: reference {reference!r} for user {user_id}",
                lambda store: store.get_entry_by_reference(user_id=user_id, reference=reference),
            )
            signed = amount if direction == "credit" else -amount
            balance_after = self.balance(user_id=user_id, currency=currency) + signed
            if entry_type in NEVER_BELOW_ZERO and balance_after < 0:
                raise InsufficientBalance(
                    f"a {entry_type} of {amount} {currency} would leave user {user_id} at {balance_after}; refused"
                )
            entry = LedgerEntryRecord(
                id=new_id(),
                payment_id=payment_id,
                user_id=user_id,
                entry_type=entry_type,
                direction=direction,
                amount=amount,
                currency=currency,
                balance_after=balance_after,
                reference=reference,
                reverses_entry_id=reverses_entry_id,
                created_at=now_ms(),
            )
            self._insert(entry)
            return entry

    def reverse_entry(self, entry_id: str, *, reference: str) -> LedgerEntryRecord:
        """A new entry taking back `entry_id`'s money, at most once: a second reversal is refused when either
        store holds one, under the balance's lock (the unique reversesEntryId indexes of both stores still catch
        a writer outside this app). An entry no balance counts (ledger.quarantine) is not reversed: its
        reversal would count, and take money the balance never had; its reject is settled instead."""
        if entry_id in quarantined_entry_ids():
            raise AlreadyReversed(
                f"fundsledgerentries: entry {entry_id} is held as a backfill reject and counts in no balance; "
                "settle the reject (backfill_rejects --acknowledge ... --money) instead of reversing it"
            )
        original = self._get(LedgerEntryRecord, entry_id)
        if original is None:
            raise RecordNotFound(LedgerEntryRecord, entry_id)
        with self._atomic(lock_key=f"ledger:{original.user_id}:{original.currency}"):
            try:
                self._refuse_taken(
                    f"fundsledgerentries: entry {entry_id} is reversed already; its reversal",
                    lambda store: store._find_one(LedgerEntryRecord, {"reverses_entry_id": entry_id}),
                )
            except UniqueConflict as taken:
                raise AlreadyReversed(str(taken)) from None
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

    def get_entry_by_reference(self, *, user_id: str, reference: str) -> LedgerEntryRecord | None:
        return self._find_one(LedgerEntryRecord, {"user_id": user_id, "reference": reference})

    def list_entries(self, *, user_id: str, currency: str | None = None, limit: int = 100) -> list[LedgerEntryRecord]:
        filters = {"user_id": user_id} | ({"currency": currency} if currency else {})
        return self._find(LedgerEntryRecord, filters, limit=limit)

    def list_entries_for_payment(self, payment_id: str, *, limit: int = 500) -> list[LedgerEntryRecord]:
        """A payment's entries, newest first (a payment has a handful: deposit, hold, release, fee...)."""
        return self._find(LedgerEntryRecord, {"payment_id": payment_id}, limit=limit)

    def balance(self, *, user_id: str, currency: str) -> Decimal:
        """Credits minus debits of one user in one currency, over the entries the ledger has accepted: an entry
        held as an unresolved backfill reject counts in neither store (ledger.quarantine), so every mode
        gives the same balance."""
        where = {"user_id": user_id, "currency": currency}
        quarantined = quarantined_entry_ids()
        if quarantined:
            where["id"] = NotIn(quarantined)
        credits = self._sum(LedgerEntryRecord, "amount", where | {"direction": "credit"})
        debits = self._sum(LedgerEntryRecord, "amount", where | {"direction": "debit"})
        return credits - debits
