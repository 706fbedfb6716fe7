"""Disputes in MongoDB, in the legacy document shape (SCHEMA.md, `disputes`)."""

from pymongo import DESCENDING

from cutover.mongo_writes import document_update, replace_unless_newer_safe
from escrow_project.mongo import mongo_database

from ..records import DisputeNotFound, DisputeRecord
from . import mapping
from .base import Change, DisputeRepository

_MAX_RETRIES = 5


class MongoDisputeRepository(DisputeRepository):
    store = "mongo"

    def __init__(self, database=None):
        self.collection = (database if database is not None else mongo_database())[mapping.COLLECTION]

    def get(self, record_id: str) -> DisputeRecord | None:
        doc = self.collection.find_one({"_id": mapping.to_object_id(record_id)})
        return mapping.document_to_record(doc) if doc else None

    def list_by_status_priority(
        self, *, status: str, priority: str | None = None, limit: int = 50
    ) -> list[DisputeRecord]:
        query = {"status": status} | ({"priority": priority} if priority else {})
        return self._find(query, limit)

    def list_by_admin(self, *, admin_id: str, status: str | None = None, limit: int = 50) -> list[DisputeRecord]:
        query = {"adminId": mapping.to_object_id(admin_id)} | ({"status": status} if status else {})
        return self._find(query, limit)

    def put_snapshot(self, record: DisputeRecord) -> None:
        replace_unless_newer_safe(self.collection, mapping.record_to_document(record))

    def delete_snapshot(self, record_id: str) -> None:
        self.collection.delete_one({"_id": mapping.to_object_id(record_id)})

    def _insert(self, record: DisputeRecord) -> None:
        self.collection.insert_one(mapping.record_to_document(record))

    def _update(self, dispute_id: str, change: Change) -> DisputeRecord:
        """Read, change, write back only if nobody wrote in between (compare-and-swap on updatedAt)."""
        for _ in range(_MAX_RETRIES):
            doc = self.collection.find_one({"_id": mapping.to_object_id(dispute_id)})
            if doc is None:
                raise DisputeNotFound(dispute_id)
            before = mapping.document_to_record(doc)
            after = change(before)
            update = document_update(
                mapping.record_to_document(before),
                mapping.record_to_document(after),
                appendable=mapping.APPENDABLE_ARRAYS,
            )
            guard = {"_id": doc["_id"], "updatedAt": doc.get("updatedAt")}
            if not update or self.collection.update_one(guard, update).matched_count:
                return after
        raise RuntimeError(f"dispute {dispute_id} kept changing under us; gave up after {_MAX_RETRIES} tries")

    def _find(self, query: dict, limit: int) -> list[DisputeRecord]:
        cursor = self.collection.find(query).sort("_id", DESCENDING).limit(limit)
        return [mapping.document_to_record(doc) for doc in cursor]
