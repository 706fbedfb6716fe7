from datetime import timedelta
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId

from cutover.modes.registry import domain_spec
from cutover.store.legacy import now_ms
from escrow_project.mongo import mongo_database


@pytest.fixture
def legacy(transactional_db):
    """Writes documents straight into the legacy Mongo store, as the legacy app left them."""
    return LegacyData(mongo_database())


class LegacyData:
    def __init__(self, database):
        self.db = database
        self.at = now_ms() - timedelta(days=30)

    def user(self, **overrides) -> dict:
        oid = ObjectId()
        return self._insert(
            "users",
            {
                "_id": oid,
                "email": f"u{oid}@example.com",
                "passwordHash": "$2b$12$x",
                "role": "user",
                "displayName": "Légacy",
                "isVerified": True,
                "level": 1,
                "createdAt": self.at,
                "updatedAt": self.at,
            }
            | overrides,
        )

    def category(self) -> dict:
        oid = ObjectId()
        return self._insert(
            "categories",
            {"_id": oid, "name": "Cards", "slug": f"cards-{oid}", "parentId": None, "isActive": True, "sortOrder": 0},
        )

    def purchase_request(self, buyer: dict, seller: dict) -> dict:
        category = self.category()
        return self._insert(
            "purchaserequests",
            {
                "_id": ObjectId(),
                "buyerId": buyer["_id"],
                "sellerId": seller["_id"],
                "categoryId": category["_id"],
                "title": "Wants",
                "description": "",
                "amount": Decimal128("10.50"),
                "currency": "USDT",
                "status": "accepted",
                "createdAt": self.at,
                "updatedAt": self.at,
            },
        )

    def payment(self, **overrides) -> dict:
        buyer, seller = self.user(), self.user()
        request = self.purchase_request(buyer, seller)
        return self._insert(
            "payments",
            {
                "_id": ObjectId(),
                "purchaseRequestId": request["_id"],
                "buyerId": buyer["_id"],
                "sellerId": seller["_id"],
                "amount": Decimal128("10.50"),
                "currency": "USDT",
                "network": "tron",
                "status": "confirmed",
                "txHash": None,
                "confirmations": 3,
                "createdAt": self.at,
                "updatedAt": self.at,
            }
            | overrides,
        )

    def notification(self, user: dict, **overrides) -> dict:
        return self._insert(
            "notifications",
            {
                "_id": ObjectId(),
                "userId": user["_id"],
                "type": "t",
                "title": "T",
                "body": "",
                "isRead": False,
                "createdAt": now_ms() - timedelta(days=1),
            }
            | overrides,
        )

    def _insert(self, collection: str, doc: dict) -> dict:
        doc = {key: value for key, value in doc.items() if value is not _MISSING}
        self.db[collection].insert_one(doc)
        return doc


_MISSING = object()
MISSING = _MISSING


def postgres_record(domain: str, collection: str, record_id):
    return domain_spec(domain).backends()["postgres"].get_snapshot(collection, str(record_id))


def money(value: str) -> Decimal:
    return Decimal(value)
