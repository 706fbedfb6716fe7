"""The disputes port: the use cases the application has, written once on the
storage primitives, so every store applies the same legacy rules."""

from cutover.store.filters import Filters
from cutover.store.legacy import next_moment, now_ms
from cutover.store.ports import StoreRepository

from .. import rules
from ..records import DisputeDraft, DisputeRecord, Evidence
from . import mapping


class DisputeRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"create", "change_status", "assign_admin", "add_evidence", "resolve"})
    READ_METHODS = frozenset({"get", "list_by_status_priority", "list_by_admin"})

    def create(self, draft: DisputeDraft) -> DisputeRecord:
        record = rules.dispute_from_draft(draft, at=now_ms())
        self._insert(record)
        return record

    def get(self, dispute_id: str) -> DisputeRecord | None:
        return self._get(DisputeRecord, dispute_id)

    def list_by_status_priority(
        self, *, status: str, priority: str | None = None, limit: int = 50
    ) -> list[DisputeRecord]:
        """The admin dashboard's queue, newest first (by id)."""
        filters: Filters = {"status": status} | ({"priority": priority} if priority else {})
        return self._find(DisputeRecord, filters, limit=limit)

    def list_by_admin(self, *, admin_id: str, status: str | None = None, limit: int = 50) -> list[DisputeRecord]:
        """One admin's disputes, newest first (by id)."""
        filters: Filters = {"admin_id": admin_id} | ({"status": status} if status else {})
        return self._find(DisputeRecord, filters, limit=limit)

    def change_status(self, dispute_id: str, *, to_status: str, actor_id: str | None, note: str = "") -> DisputeRecord:
        return self._update(DisputeRecord, dispute_id, lambda record: _with_status(record, to_status, actor_id, note))

    def assign_admin(self, dispute_id: str, *, admin_id: str) -> DisputeRecord:
        return self._revise(DisputeRecord, dispute_id, admin_id=admin_id)

    def add_evidence(self, dispute_id: str, *, url: str, uploaded_by_id: str) -> DisputeRecord:
        def add(record: DisputeRecord) -> DisputeRecord:
            at = next_moment(record.updated_at)
            evidence = Evidence(url=url, uploaded_by_id=uploaded_by_id, at=at)
            return rules.with_changes(record, evidence=(*record.evidence, evidence), updated_at=at)

        return self._update(DisputeRecord, dispute_id, add)

    def resolve(self, dispute_id: str, *, outcome: str, resolution: str, actor_id: str | None) -> DisputeRecord:
        def settle(record: DisputeRecord) -> DisputeRecord:
            rules.check_resolution(record, outcome=outcome, resolution=resolution)
            return rules.with_changes(_with_status(record, outcome, actor_id, resolution), resolution=resolution)

        return self._update(DisputeRecord, dispute_id, settle)


def _with_status(record: DisputeRecord, to_status: str, actor_id: str | None, note: str) -> DisputeRecord:
    at = next_moment(record.updated_at)
    entry = rules.status_change_entry(record, to_status=to_status, actor_id=actor_id, note=note, at=at)
    timeline = record.timeline if entry is None else (*record.timeline, entry)
    return rules.with_changes(record, status=to_status, timeline=timeline, updated_at=at)
