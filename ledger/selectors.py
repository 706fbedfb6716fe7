from decimal import Decimal

from cutover.factory import repository_for


def ledger_balance(*, user_id: str, currency: str) -> Decimal:
    """Credits minus debits for one user and currency, from the store the mode reads."""
    return repository_for("ledger").balance(user_id=user_id, currency=currency)
