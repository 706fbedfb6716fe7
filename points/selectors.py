"""Point reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import PointTransactionRecord

DOMAIN = "points"


def points_balance(*, user_id: str) -> int:
    """The user's points: the sum of all their transactions (0 with none; may be negative)."""
    return repository_for(DOMAIN).balance(user_id=user_id)


def points_history(*, user_id: str, limit: int = 50) -> list[PointTransactionRecord]:
    return repository_for(DOMAIN).list_transactions(user_id=user_id, limit=limit)
