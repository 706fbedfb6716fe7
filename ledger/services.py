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


def ledger_compensate(entry_id: str, reference: str) -> LedgerEntryRecord:
    """The cutover's correction of an entry (cutover.operations.deleted_entries): a reversing entry."""
    return ledger_reverse(entry_id=entry_id, reference=reference)
