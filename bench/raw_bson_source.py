"""A DocumentSource over raw BSON, decoded batch by batch as pymongo's cursor decodes a server's replies.

mongomock filters in Python and is far too slow to stand in for a server at this size."""

import bisect
from datetime import UTC, datetime, timedelta

import bson
from bson import Decimal128, ObjectId


def payment_documents(count: int) -> list[dict]:
    """`count` payment documents with real parents in the scratch database (created here)."""
    parents = _parents()
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    return [
        {
            "_id": ObjectId(),
            "purchaseRequestId": parents["request"],
            "buyerId": parents["buyer"],
            "sellerId": parents["seller"],
            "amount": Decimal128(f"{10 + number % 500}.{number % 100:02d}"),
            "currency": "USDT",
            "network": "tron",
            "status": "confirmed",
            "txHash": f"0x{number:064x}",
            "confirmations": 12,
            "destinationId": None,
            "createdAt": at,
            "updatedAt": at,
        }
        for number in range(count)
    ]


class RawBsonSource:
    def __init__(self, documents):
        """`documents` in _id order; only their BSON is kept, as a server would hold it."""
        self.ids, self.raw = [], []
        for doc in documents:
            self.ids.append(doc["_id"])
            self.raw.append(bson.encode(doc))

    def batch(self, collection: str, *, phase: str, after=None, limit: int, lower: str = "", upper: str = ""):
        if phase != "objectId":
            return []
        start = bisect.bisect_right(self.ids, after) if after is not None else 0
        return bson.decode_all(b"".join(self.raw[start : start + limit]), _CODEC)

    def count(self, collection: str) -> int:
        return len(self.raw)

    def find(self, collection: str, ids: list) -> list[dict]:
        wanted = set(ids)
        return [bson.decode(raw, _CODEC) for oid, raw in zip(self.ids, self.raw, strict=True) if oid in wanted]

    def other_ids(self, collection: str) -> list[dict]:
        return []

    def id_bounds(self, collection: str):
        return (self.ids[0], self.ids[-1]) if self.ids else (None, None)

    def all_documents(self) -> list[dict]:
        return bson.decode_all(b"".join(self.raw), _CODEC)


_CODEC = bson.CodecOptions(tz_aware=True)


def _parents() -> dict:
    from decimal import Decimal

    from accounts.records import UserRecord
    from cutover.legacy import new_id, now_ms
    from cutover.mirror import backends
    from marketplace.records import CategoryRecord, PurchaseRequestRecord

    at = now_ms()
    postgres = {name: backends(name)["postgres"] for name in ("auth", "marketplace")}
    users = [
        UserRecord(
            id=new_id(),
            email=f"{new_id()}@bench.example",
            password_hash="x",
            role="user",
            display_name="",
            telegram_id=None,
            is_verified=True,
            level=1,
            created_at=at,
            updated_at=at,
        )
        for _ in range(2)
    ]
    for user in users:
        postgres["auth"].put_snapshot(user)
    category = CategoryRecord(id=new_id(), name="Bench", slug=new_id(), parent_id=None, is_active=True, sort_order=0)
    postgres["marketplace"].put_snapshot(category)
    request = PurchaseRequestRecord(
        id=new_id(),
        buyer_id=users[0].id,
        seller_id=users[1].id,
        seller_offer_id=None,
        category_id=category.id,
        title="Bench",
        description="",
        amount=Decimal("1"),
        currency="USDT",
        status="accepted",
        accepted_at=at,
        completed_at=None,
        created_at=at,
        updated_at=at,
    )
    postgres["marketplace"].put_snapshot(request)
    return {"buyer": ObjectId(users[0].id), "seller": ObjectId(users[1].id), "request": ObjectId(request.id)}
