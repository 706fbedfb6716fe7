"""Disputes in PostgreSQL: a row per dispute, child rows for timeline and evidence."""

from django.db import transaction

from ..models import Dispute, DisputeEvidence, DisputeTimelineEntry
from ..records import DisputeNotFound, DisputeRecord
from . import mapping
from .base import Change, DisputeRepository

_SCALAR_FIELDS = [field.attname for field in Dispute._meta.concrete_fields if not field.primary_key]


def _with_children():
    return Dispute.objects.prefetch_related("timeline", "evidence")


class PostgresDisputeRepository(DisputeRepository):
    store = "postgres"

    def get(self, record_id: str) -> DisputeRecord | None:
        row = _with_children().filter(pk=record_id).first()
        return mapping.row_to_record(row) if row else None

    def list_by_status_priority(
        self, *, status: str, priority: str | None = None, limit: int = 50
    ) -> list[DisputeRecord]:
        rows = _with_children().filter(status=status)
        if priority:
            rows = rows.filter(priority=priority)
        return [mapping.row_to_record(row) for row in rows.order_by("-id")[:limit]]

    def list_by_admin(self, *, admin_id: str, status: str | None = None, limit: int = 50) -> list[DisputeRecord]:
        rows = _with_children().filter(admin_id=admin_id)
        if status:
            rows = rows.filter(status=status)
        return [mapping.row_to_record(row) for row in rows.order_by("-id")[:limit]]

    @transaction.atomic
    def put_snapshot(self, record: DisputeRecord) -> None:
        stored = Dispute.objects.select_for_update().filter(pk=record.id).values("updated_at").first()
        if stored and stored["updated_at"] > record.updated_at:
            return  # Postgres already holds a newer version
        mapping.record_to_row(record).save()
        DisputeTimelineEntry.objects.filter(dispute_id=record.id).delete()
        DisputeEvidence.objects.filter(dispute_id=record.id).delete()
        self._append_children(record, record, timeline_from=0, evidence_from=0)

    def delete_snapshot(self, record_id: str) -> None:
        Dispute.objects.filter(pk=record_id).delete()

    @transaction.atomic
    def _insert(self, record: DisputeRecord) -> None:
        mapping.record_to_row(record).save(force_insert=True)
        self._append_children(record, record, timeline_from=0, evidence_from=0)

    @transaction.atomic
    def _update(self, dispute_id: str, change: Change) -> DisputeRecord:
        row = _with_children().select_for_update(of=("self",)).filter(pk=dispute_id).first()
        if row is None:
            raise DisputeNotFound(dispute_id)
        before = mapping.row_to_record(row)
        after = change(before)
        if after == before:
            return after
        changed = [name for name in _SCALAR_FIELDS if getattr(mapping.record_to_row(after), name) != getattr(row, name)]
        mapping.record_to_row(after).save(update_fields=changed)
        self._append_children(before, after, timeline_from=len(before.timeline), evidence_from=len(before.evidence))
        return after

    @staticmethod
    def _append_children(
        before: DisputeRecord, after: DisputeRecord, *, timeline_from: int, evidence_from: int
    ) -> None:
        if after.timeline[:timeline_from] != before.timeline[:timeline_from]:
            raise ValueError("a dispute timeline only grows; entries may not be rewritten")
        DisputeTimelineEntry.objects.bulk_create(mapping.timeline_rows(after, start=timeline_from))
        DisputeEvidence.objects.bulk_create(mapping.evidence_rows(after, start=evidence_from))
