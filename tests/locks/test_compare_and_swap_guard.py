"""The compare-and-swap guard, held at its critical point: our write has read the document and not yet
written it when the legacy app changes a key our write also changes. The guard must see it and redo the
write on the new state: the dispute's timeline then records the status it really changed from. Guarded by
`_id` alone, the write lands on top of the legacy change and the timeline says the status went from a value
it no longer had."""

import pytest
from bson import ObjectId

import cutover.store.backends.mongo as mongo_backend
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from disputes.services import dispute_change_status
from escrow_project.mongo import mongo_database
from tests.locks.disputes import a_dispute


@pytest.mark.parametrize("mode", [StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY], ids=lambda mode: mode.value)
def test_a_legacy_change_of_a_key_we_write_is_seen_and_our_write_redone(transactional_db, monkeypatch, mode):
    set_store_mode("dispute", mode)
    dispute = a_dispute()
    read = mongo_backend.locate
    interfered = []

    def legacy_writes_after_our_read(collection, record_id, legacy_id=None, **options):
        document = read(collection, record_id, legacy_id, **options)
        if collection.name == "disputes" and document is not None and not interfered:
            interfered.append(document["status"])
            collection.update_one({"_id": document["_id"]}, {"$set": {"status": "under_review"}})
        return document

    monkeypatch.setattr(mongo_backend, "locate", legacy_writes_after_our_read)
    changed = dispute_change_status(dispute_id=dispute.id, to_status="awaiting_response", actor_id=dispute.opened_by_id)
    assert interfered == ["open"]
    last = changed.timeline[-1]
    assert (last.from_status, last.to_status) == ("under_review", "awaiting_response")
    stored = mongo_database().disputes.find_one({"_id": ObjectId(dispute.id)})
    assert stored["status"] == "awaiting_response"
    assert stored["timeline"][-1]["fromStatus"] == "under_review"
