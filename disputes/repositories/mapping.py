"""The one place dispute field names are translated (legacy `disputes` documents, docs/legacy-collections.md)."""

from cutover.store.recordmap import DATETIME, OBJECT_ID, TEXT, Child, Field, RecordMap, enum

from ..records import PRIORITIES, REASONS, STATUSES, DisputeRecord, Evidence, TimelineEntry

TIMELINE_ENTRY = RecordMap(
    TimelineEntry,
    fields=(
        Field("at", "at", DATETIME),
        Field("actor_id", "actorId", OBJECT_ID, optional=True),
        Field("action", "action", TEXT),
        Field("from_status", "fromStatus", enum(STATUSES), optional=True),
        Field("to_status", "toStatus", enum(STATUSES), optional=True),
        Field("note", "note", TEXT, default=""),
    ),
    version_field=None,
)

EVIDENCE = RecordMap(
    Evidence,
    fields=(
        Field("url", "url", TEXT),
        Field("uploaded_by_id", "uploadedById", OBJECT_ID, optional=True),
        Field("at", "at", DATETIME),
    ),
    version_field=None,
)

DISPUTE = RecordMap(
    DisputeRecord,
    collection="disputes",
    model="disputes.Dispute",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("purchase_request_id", "purchaseRequestId", OBJECT_ID),
        Field("payment_id", "paymentId", OBJECT_ID, optional=True),
        Field("opened_by_id", "openedById", OBJECT_ID),
        Field("against_user_id", "againstUserId", OBJECT_ID),
        Field("admin_id", "adminId", OBJECT_ID, optional=True),
        Field("reason", "reason", enum(REASONS)),
        Field("description", "description", TEXT, default=""),
        Field("status", "status", enum(STATUSES)),
        Field("priority", "priority", enum(PRIORITIES), default="medium"),
        Field("resolution", "resolution", TEXT, optional=True),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
    children=(
        Child("evidence", "evidence", EVIDENCE, "disputes.DisputeEvidence", "dispute"),
        Child("timeline", "timeline", TIMELINE_ENTRY, "disputes.DisputeTimelineEntry", "dispute"),
    ),
)

MAPS = (DISPUTE,)
