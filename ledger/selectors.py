from decimal import Decimal

from cutover.factory import repository_for


def ledger_balance(*, user_id: str, currency: str) -> Decimal:
    """Credits minus debits for one user and currency, from the store the mode reads."""
    return repository_for("ledger").balance(user_id=user_id, currency=currency)


def ledger_entries_for_payment(*, payment_id: str, limit: int = 500):
    """The entries of one payment, newest first, from the store the mode reads."""
    return repository_for("ledger").list_entries_for_payment(payment_id, limit=limit)
