"""The points port: record a transaction, list a user's, and their balance."""

from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository

from ..records import PointTransactionRecord
from . import mapping


class PointsRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"record_points"})
    READ_METHODS = frozenset({"get_transaction", "list_transactions", "balance"})

    def record_points(
        self, *, user_id: str, points: int, reason: str, reference_id: str | None = None
    ) -> PointTransactionRecord:
        transaction = PointTransactionRecord(
            id=new_id(),
            user_id=user_id,
            points=points,
            reason=reason,
            reference_id=reference_id,
            created_at=now_ms(),
        )
        self._insert(transaction)
        return transaction

    def get_transaction(self, transaction_id: str) -> PointTransactionRecord | None:
        return self._get(PointTransactionRecord, transaction_id)

    def list_transactions(self, *, user_id: str, limit: int = 50) -> list[PointTransactionRecord]:
        return self._find(PointTransactionRecord, {"user_id": user_id}, order=("-created_at", "-id"), limit=limit)

    def balance(self, *, user_id: str) -> int:
        return int(self._sum(PointTransactionRecord, "points", {"user_id": user_id}))
