"""The disputes port: the use cases the application has, and the storage
primitives each backend supplies. The use cases are written once, here, on top
of the primitives, so every store applies the same legacy rules."""

from abc import abstractmethod
from collections.abc import Callable
from datetime import timedelta

from cutover.legacy import now_ms
from cutover.ports import StoreRepository

from .. import rules
from ..records import DisputeDraft, DisputeRecord, Evidence

Change = Callable[[DisputeRecord], DisputeRecord]


class DisputeRepository(StoreRepository):
    WRITE_METHODS = frozenset({"create", "change_status", "assign_admin", "add_evidence", "resolve"})
    READ_METHODS = frozenset({"get", "list_by_status_priority", "list_by_admin"})

    # --- use cases ---------------------------------------------------------
    def create(self, draft: DisputeDraft) -> DisputeRecord:
        record = rules.dispute_from_draft(draft, at=now_ms())
        self._insert(record)
        return record

    def change_status(self, dispute_id: str, *, to_status: str, actor_id: str | None, note: str = "") -> DisputeRecord:
        return self._update(dispute_id, lambda record: _with_status(record, to_status, actor_id, note))

    def assign_admin(self, dispute_id: str, *, admin_id: str) -> DisputeRecord:
        return self._update(
            dispute_id, lambda record: rules.with_changes(record, admin_id=admin_id, updated_at=_next_moment(record))
        )

    def add_evidence(self, dispute_id: str, *, url: str, uploaded_by_id: str) -> DisputeRecord:
        def add(record: DisputeRecord) -> DisputeRecord:
            at = _next_moment(record)
            evidence = Evidence(url=url, uploaded_by_id=uploaded_by_id, at=at)
            return rules.with_changes(record, evidence=(*record.evidence, evidence), updated_at=at)

        return self._update(dispute_id, add)

    def resolve(self, dispute_id: str, *, outcome: str, resolution: str, actor_id: str) -> DisputeRecord:
        def settle(record: DisputeRecord) -> DisputeRecord:
            return rules.with_changes(_with_status(record, outcome, actor_id, resolution), resolution=resolution)

        return self._update(dispute_id, settle)

    # --- primitives each store implements ------------------------------------
    @abstractmethod
    def list_by_status_priority(
        self, *, status: str, priority: str | None = None, limit: int = 50
    ) -> list[DisputeRecord]:
        """The admin dashboard's queue, newest first (by id)."""

    @abstractmethod
    def list_by_admin(self, *, admin_id: str, status: str | None = None, limit: int = 50) -> list[DisputeRecord]:
        """One admin's disputes, newest first (by id)."""

    @abstractmethod
    def _insert(self, record: DisputeRecord) -> None:
        """Store a new dispute."""

    @abstractmethod
    def _update(self, dispute_id: str, change: Change) -> DisputeRecord:
        """Apply `change` to the current record atomically; raise DisputeNotFound."""


def _with_status(record: DisputeRecord, to_status: str, actor_id: str | None, note: str) -> DisputeRecord:
    at = _next_moment(record)
    entry = rules.status_change_entry(record, to_status=to_status, actor_id=actor_id, note=note, at=at)
    timeline = record.timeline if entry is None else (*record.timeline, entry)
    return rules.with_changes(record, status=to_status, timeline=timeline, updated_at=at)


def _next_moment(record: DisputeRecord):
    """Now, but strictly after the last update, so updatedAt orders a record's versions."""
    return max(now_ms(), record.updated_at + timedelta(milliseconds=1))
