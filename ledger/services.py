"""Ledger writes: appends only, through whichever store(s) the mode selects."""

from decimal import Decimal

from cutover.factory import repository_for

from .records import DIRECTIONS, ENTRY_TYPES, LedgerEntryRecord

DOMAIN = "ledger"


class InvalidLedgerInput(ValueError):
    pass


def ledger_append(
    *,
    user_id: str,
    entry_type: str,
    direction: str,
    amount,
    currency: str,
    reference: str,
    payment_id: str | None = None,
) -> LedgerEntryRecord:
    if entry_type not in ENTRY_TYPES or direction not in DIRECTIONS:
        raise InvalidLedgerInput(
            f"entry_type must be one of {sorted(ENTRY_TYPES)} and direction one of "
            f"{sorted(DIRECTIONS)}, got {entry_type!r}, {direction!r}"
        )
    amount = Decimal(str(amount))
    if not amount.is_finite() or amount <= 0:
        raise InvalidLedgerInput(f"a ledger amount is always positive (the direction gives the sign), got {amount}")
    return repository_for(DOMAIN).append_entry(
        user_id=user_id,
        entry_type=entry_type,
        direction=direction,
        amount=amount,
        currency=currency,
        reference=reference,
        payment_id=payment_id,
    )


def ledger_reverse(*, entry_id: str, reference: str) -> LedgerEntryRecord:
    return repository_for(DOMAIN).reverse_entry(entry_id, reference=reference)


def ledger_compensate(*, user_id: str, currency: str, signed_amount: Decimal, reference: str) -> LedgerEntryRecord:
    """An `adjustment` entry carrying `signed_amount` (a credit when positive) into the ledger, in whichever
    store(s) the mode writes: how an operator's decision about money the ledger does not hold (a rejected
    legacy entry, a legacy entry deleted behind the app's back) becomes part of every balance. Idempotent
    by `reference`: a retry returns the entry written the first time, and refuses one that differs."""
    direction, amount = ("credit" if signed_amount > 0 else "debit"), abs(signed_amount)
    earlier = repository_for(DOMAIN).get_entry_by_reference(user_id=user_id, reference=reference)
    if earlier is not None:
        if (earlier.direction, earlier.amount, earlier.currency) != (direction, amount, currency):
            raise InvalidLedgerInput(f"reference {reference!r} holds another entry ({earlier.id}); not compensated")
        return earlier
    return ledger_append(
        user_id=user_id,
        entry_type="adjustment",
        direction=direction,
        amount=amount,
        currency=currency,
        reference=reference,
    )


def ledger_compensate_entry(entry_id: str, reference: str) -> LedgerEntryRecord:
    """The cutover's correction of an entry whose legacy document was deleted (cutover.operations.deleted_entries):
    a reversing entry, written once the entry's reject is resolved (an entry with an unresolved reject counts in no
    balance and cannot be reversed: ledger/quarantine.py)."""
    return ledger_reverse(entry_id=entry_id, reference=reference)
