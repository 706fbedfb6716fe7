"""The dispute records every store returns: frozen, so dual reads compare with ==."""

from dataclasses import dataclass
from datetime import datetime

from cutover.store.records import LegacyShape

REASONS = frozenset({"not_received", "not_as_described", "payment_issue", "fraud", "other"})
STATUSES = frozenset({"open", "under_review", "awaiting_response", "resolved_buyer", "resolved_seller", "closed"})
OUTCOMES = frozenset({"resolved_buyer", "resolved_seller", "closed"})
PRIORITIES = frozenset({"low", "medium", "high", "urgent"})


@dataclass(frozen=True)
class TimelineEntry(LegacyShape):
    at: datetime
    actor_id: str | None
    action: str  # "created", "status_changed", or a legacy action kept as is
    from_status: str | None
    to_status: str | None
    note: str = ""


@dataclass(frozen=True)
class Evidence(LegacyShape):
    url: str
    uploaded_by_id: str | None
    at: datetime


@dataclass(frozen=True)
class DisputeDraft:
    """What opening a dispute needs; the store adds id defaults, timestamps and the timeline."""

    purchase_request_id: str
    opened_by_id: str
    against_user_id: str
    reason: str
    description: str = ""
    priority: str = "medium"
    payment_id: str | None = None


@dataclass(frozen=True)
class DisputeRecord(LegacyShape):
    id: str
    purchase_request_id: str
    payment_id: str | None
    opened_by_id: str
    against_user_id: str
    admin_id: str | None
    reason: str
    description: str
    status: str
    priority: str
    resolution: str | None
    evidence: tuple[Evidence, ...]
    timeline: tuple[TimelineEntry, ...]
    created_at: datetime
    updated_at: datetime
