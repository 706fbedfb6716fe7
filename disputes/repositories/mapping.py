"""The one place dispute field names are translated: legacy Mongo document
<-> DisputeRecord <-> Postgres rows. Reading a legacy document normalizes what
SCHEMA.md says real data holds (id strings, date shapes, enum case) and raises
LegacyValueError for what it cannot."""

from typing import Any

from cutover.legacy import (
    legacy_datetime,
    legacy_enum,
    legacy_text,
    object_id_hex,
    to_object_id,
)

from ..models import Dispute, DisputeEvidence, DisputeTimelineEntry
from ..records import PRIORITIES, REASONS, STATUSES, DisputeRecord, Evidence, TimelineEntry

COLLECTION = "disputes"
APPENDABLE_ARRAYS = ("timeline", "evidence")  # grow by $push, never rewritten


# --- Mongo document -> record ---------------------------------------------------
def document_to_record(doc: dict[str, Any]) -> DisputeRecord:
    created_at = legacy_datetime(doc.get("createdAt"), "createdAt")
    return DisputeRecord(
        id=object_id_hex(doc.get("_id"), "_id"),
        purchase_request_id=object_id_hex(doc.get("purchaseRequestId"), "purchaseRequestId"),
        payment_id=object_id_hex(doc.get("paymentId"), "paymentId", optional=True),
        opened_by_id=object_id_hex(doc.get("openedById"), "openedById"),
        against_user_id=object_id_hex(doc.get("againstUserId"), "againstUserId"),
        admin_id=object_id_hex(doc.get("adminId"), "adminId", optional=True),
        reason=legacy_enum(doc.get("reason"), "reason", REASONS),
        description=legacy_text(doc.get("description"), "description", optional=True),
        status=legacy_enum(doc.get("status"), "status", STATUSES),
        priority=legacy_enum(doc.get("priority"), "priority", PRIORITIES, default="medium"),
        resolution=doc.get("resolution"),
        evidence=tuple(_evidence(item, index) for index, item in enumerate(doc.get("evidence") or [])),
        timeline=tuple(_timeline_entry(item, index) for index, item in enumerate(doc.get("timeline") or [])),
        created_at=created_at,
        updated_at=legacy_datetime(doc.get("updatedAt"), "updatedAt", optional=True) or created_at,
    )


def _timeline_entry(item: dict[str, Any], index: int) -> TimelineEntry:
    field = f"timeline[{index}]"
    return TimelineEntry(
        at=legacy_datetime(item.get("at"), f"{field}.at"),
        actor_id=object_id_hex(item.get("actorId"), f"{field}.actorId", optional=True),
        action=legacy_text(item.get("action"), f"{field}.action"),
        from_status=_optional_status(item.get("fromStatus"), f"{field}.fromStatus"),
        to_status=_optional_status(item.get("toStatus"), f"{field}.toStatus"),
        note=legacy_text(item.get("note"), f"{field}.note", optional=True),
    )


def _optional_status(value: Any, field: str) -> str | None:
    return None if value is None else legacy_enum(value, field, STATUSES)


def _evidence(item: dict[str, Any], index: int) -> Evidence:
    field = f"evidence[{index}]"
    return Evidence(
        url=legacy_text(item.get("url"), f"{field}.url"),
        uploaded_by_id=object_id_hex(item.get("uploadedById"), f"{field}.uploadedById", optional=True),
        at=legacy_datetime(item.get("at"), f"{field}.at"),
    )


# --- record -> Mongo document ---------------------------------------------------
def record_to_document(record: DisputeRecord) -> dict[str, Any]:
    return {
        "_id": to_object_id(record.id),
        "purchaseRequestId": to_object_id(record.purchase_request_id),
        "paymentId": to_object_id(record.payment_id),
        "openedById": to_object_id(record.opened_by_id),
        "againstUserId": to_object_id(record.against_user_id),
        "adminId": to_object_id(record.admin_id),
        "reason": record.reason,
        "description": record.description,
        "status": record.status,
        "priority": record.priority,
        "resolution": record.resolution,
        "evidence": [
            {"url": item.url, "uploadedById": to_object_id(item.uploaded_by_id), "at": item.at}
            for item in record.evidence
        ],
        "timeline": [
            {
                "at": entry.at,
                "actorId": to_object_id(entry.actor_id),
                "action": entry.action,
                "fromStatus": entry.from_status,
                "toStatus": entry.to_status,
                "note": entry.note,
            }
            for entry in record.timeline
        ],
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
    }


# --- Postgres rows <-> record ---------------------------------------------------
def row_to_record(row: Dispute) -> DisputeRecord:
    """`row` must come with timeline and evidence prefetched (see postgres.py)."""
    return DisputeRecord(
        id=row.id,
        purchase_request_id=row.purchase_request_id,
        payment_id=row.payment_id,
        opened_by_id=row.opened_by_id,
        against_user_id=row.against_user_id,
        admin_id=row.admin_id,
        reason=row.reason,
        description=row.description,
        status=row.status,
        priority=row.priority,
        resolution=row.resolution,
        evidence=tuple(Evidence(url=e.url, uploaded_by_id=e.uploaded_by_id, at=e.at) for e in row.evidence.all()),
        timeline=tuple(
            TimelineEntry(
                at=t.at,
                actor_id=t.actor_id,
                action=t.action,
                from_status=t.from_status,
                to_status=t.to_status,
                note=t.note,
            )
            for t in row.timeline.all()
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def record_to_row(record: DisputeRecord) -> Dispute:
    return Dispute(
        id=record.id,
        purchase_request_id=record.purchase_request_id,
        payment_id=record.payment_id,
        opened_by_id=record.opened_by_id,
        against_user_id=record.against_user_id,
        admin_id=record.admin_id,
        reason=record.reason,
        description=record.description,
        status=record.status,
        priority=record.priority,
        resolution=record.resolution,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def timeline_rows(record: DisputeRecord, start: int = 0) -> list[DisputeTimelineEntry]:
    return [
        DisputeTimelineEntry(
            dispute_id=record.id,
            position=position,
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            from_status=entry.from_status,
            to_status=entry.to_status,
            note=entry.note,
        )
        for position, entry in enumerate(record.timeline[start:], start=start)
    ]


def evidence_rows(record: DisputeRecord, start: int = 0) -> list[DisputeEvidence]:
    return [
        DisputeEvidence(
            dispute_id=record.id, position=position, url=item.url, uploaded_by_id=item.uploaded_by_id, at=item.at
        )
        for position, item in enumerate(record.evidence[start:], start=start)
    ]
