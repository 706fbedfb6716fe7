"""Disputes in admin: a read view of the Postgres rows.

Edits go through the services (and so through the store mode); editing rows
here would bypass the dual write, so the admin is read-only.
"""

from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import Dispute, DisputeEvidence, DisputeTimelineEntry


class TimelineInline(admin.TabularInline):
    model = DisputeTimelineEntry
    extra = 0
    can_delete = False
    readonly_fields = ["position", "at", "actor_id", "action", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EvidenceInline(TimelineInline):
    model = DisputeEvidence
    readonly_fields = ["position", "url", "uploaded_by_id", "at"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "priority", "reason", "admin", "created_at"]
    list_filter = ["status", "priority", "reason"]
    search_fields = ["id"]
    inlines = [TimelineInline, EvidenceInline]
