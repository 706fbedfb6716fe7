"""Legacy documents, clean and dirty, through the one mapping module."""

from datetime import UTC, datetime

import pytest
from bson import ObjectId

from cutover.store.legacy import LegacyValueError
from disputes.repositories import mapping

IDS = [ObjectId() for _ in range(4)]


def _legacy_doc(**overrides) -> dict:
    doc = {
        "_id": IDS[0],
        "purchaseRequestId": IDS[1],
        "openedById": IDS[2],
        "againstUserId": IDS[3],
        "reason": "fraud",
        "description": "x",
        "status": "open",
        "priority": "high",
        "timeline": [
            {
                "at": datetime(2024, 1, 2, 3, 4, 5, 678000),
                "actorId": IDS[2],
                "action": "created",
                "fromStatus": None,
                "toStatus": "open",
                "note": "",
            }
        ],
        "evidence": [],
        "createdAt": datetime(2024, 1, 2, 3, 4, 5, 678000),
        "updatedAt": datetime(2024, 1, 2, 3, 4, 5, 678000),
    }
    return doc | overrides


def test_round_trip_keeps_the_legacy_shape():
    record = mapping.DISPUTE.from_document(_legacy_doc())
    assert record.id == str(IDS[0])
    assert record.created_at == datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert mapping.DISPUTE.from_document(mapping.DISPUTE.to_document(record)) == record
    assert set(mapping.DISPUTE.to_document(record)) >= {"purchaseRequestId", "openedById", "timeline", "updatedAt"}


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"_id": str(IDS[0]).upper()}, "id", str(IDS[0])),
        ({"status": "Under_Review"}, "status", "under_review"),
        ({"priority": None}, "priority", "medium"),
        ({"createdAt": "2024-01-02T03:04:05.678Z"}, "created_at", datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
        ({"createdAt": 1704164645678}, "created_at", datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
        ({"updatedAt": None}, "updated_at", datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
        ({"unknownExtra": {"a": 1}}, "reason", "fraud"),
        ({"description": "Ärger 💥"}, "description", "Ärger 💥"),
    ],
)
def test_dirty_values_that_can_be_normalized(overrides, field, expected):
    assert getattr(mapping.DISPUTE.from_document(_legacy_doc(**overrides)), field) == expected


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"status": "escalated"}, "status"),
        ({"purchaseRequestId": None}, "purchaseRequestId"),
        ({"openedById": "not-an-id"}, "openedById"),
        ({"createdAt": "yesterday"}, "createdAt"),
        ({"timeline": [{"at": None, "action": "created"}]}, "timeline[0].at"),
    ],
)
def test_dirty_values_that_cannot_are_named(overrides, field):
    with pytest.raises(LegacyValueError) as error:
        mapping.DISPUTE.from_document(_legacy_doc(**overrides))
    assert error.value.field == field
