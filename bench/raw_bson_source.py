"""A DocumentSource over raw BSON, decoded batch by batch as pymongo's cursor decodes a server's replies.

mongomock filters in Python and is far too slow to stand in for a server at this size."""

import bisect
from datetime import UTC, datetime, timedelta

import bson
from bson import Decimal128, ObjectId
from common import escrow_parents


def payment_documents(count: int) -> list[dict]:
    """`count` payment documents with real parents in the scratch database (created here)."""
    parents = {name: ObjectId(value) for name, value in escrow_parents().items()}
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

    raw_batches = True  # as pymongo's find_raw_batches hands a server's reply over

    def raw_batch(self, collection: str, *, phase: str, after=None, limit: int, lower: str = "", upper: str = ""):
        from cutover.backfill.raw import RawBatch

        if phase != "objectId":
            return RawBatch(b"", _CODEC)
        start = bisect.bisect_right(self.ids, after) if after is not None else 0
        return RawBatch(b"".join(self.raw[start : start + limit]), _CODEC)

    def count(self, collection: str) -> int:
        return len(self.raw)

    @property
    def database(self) -> "_IdsHeld":
        """What the forward run's delete sweep asks the store it read (cutover/backfill/deletes.py): which of
        some ids it holds. Without it the sweep asks the leader, the bench's empty Mongo, and removes the rows."""
        if getattr(self, "_held", None) is None:
            self._held = _IdsHeld(frozenset(self.ids))
        return self._held

    def ids_after(self, collection: str, *, after, limit: int, upper: str = "") -> list:
        start = bisect.bisect_right(self.ids, after)
        return self.ids[start : start + limit]

    def find(self, collection: str, ids: list) -> list[dict]:
        wanted = set(ids)
        positions = [bisect.bisect_left(self.ids, oid) for oid in ids if isinstance(oid, ObjectId)]
        found = [p for p in positions if p < len(self.ids) and self.ids[p] in wanted]
        return [bson.decode(self.raw[p], _CODEC) for p in sorted(set(found))]

    def other_ids(self, collection: str) -> list[dict]:
        return []

    def id_bounds(self, collection: str):
        return (self.ids[0], self.ids[-1]) if self.ids else (None, None)

    def all_documents(self) -> list[dict]:
        return bson.decode_all(b"".join(self.raw), _CODEC)


_CODEC = bson.CodecOptions(tz_aware=True)


class _IdsHeld:
    """A database whose every collection answers `find({"_id": {"$in": ids}}, {"_id": 1})` from a set of ids."""

    def __init__(self, ids: frozenset):
        self.ids = ids

    def __getitem__(self, collection: str) -> "_IdsHeld":
        return self

    def find(self, query: dict, projection: dict | None = None) -> list[dict]:
        return [{"_id": value} for value in query["_id"]["$in"] if value in self.ids]
