"""The cutover's lists in Django admin: the audit history and the operational records, each worth opening
(counts, durations, ages, filters, and a word when a list is empty). Store modes, the dashboard and mode
changes are in cutover.admin_modes; the forms there only collect requests for cutover.operations.mode_changes."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cutover import admin_modes  # noqa: F401  (registers DomainStoreModeAdmin: dashboard, steps, shadow reads)
from cutover.admin_backfill import BackfillControls
from cutover.admin_base import ExplainedList, ReadOnlyAdmin
from cutover.admin_display import cut
from cutover.admin_requeue import RequeueDeadLettersAction
from cutover.models import (
    BackfillCheckpoint,
    BackfillRun,
    MirrorOutboxEntry,
    OutboxRequeue,
    ScheduledTaskRun,
    ShadowMismatch,
    StoreModeChange,
    VerifyResult,
)
from cutover.scheduled.status import humanize_duration, scheduled_task_statuses


class OverriddenFilter(admin.SimpleListFilter):
    title = "overridden"
    parameter_name = "overridden"

    def lookups(self, request, model_admin):
        return [("yes", "Overridden (a failed precondition was passed over)"), ("no", "Not overridden")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(overridden_refusal="")
        if self.value() == "no":
            return queryset.filter(overridden_refusal="")
        return queryset


@admin.register(StoreModeChange)
class StoreModeChangeAdmin(ExplainedList):
    list_display = ["created_at", "domain", "kind", "change", "changed_by_name", "reason", "overridden_flag"]
    list_filter = [OverriddenFilter, "kind", "domain", "to_mode", "created_at"]
    search_fields = ["domain", "reason", "changed_by_name", "overridden_refusal"]
    date_hierarchy = "created_at"
    empty_explanation = (
        "No mode or shadow-read change matches. Every change made in the cutover dashboard, on a domain's page "
        "or with manage.py store_mode is kept here, with who, when and why."
    )

    @admin.display(description="Change")
    def change(self, obj: StoreModeChange) -> str:
        return obj.change

    @admin.display(description="Overridden", boolean=True, ordering="overridden_refusal")
    def overridden_flag(self, obj: StoreModeChange) -> bool:
        return obj.overridden


@admin.register(MirrorOutboxEntry)
class MirrorOutboxEntryAdmin(RequeueDeadLettersAction, ExplainedList):
    list_display = ["id", "domain", "record_id", "target", "status", "age", "attempts", "next_attempt_at", "error_line"]
    list_filter = ["status", "domain", "target"]
    search_fields = ["record_id"]
    empty_explanation = (
        "No mirror write matches. Entries appear when a domain in a dual mode writes (one per record to copy to "
        "the other store); done entries are kept, pending ones are retried by the repair task "
        "(manage.py repair_mirror), dead ones gave up retrying."
    )

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj: MirrorOutboxEntry) -> str:
        return humanize_duration(timezone.now() - obj.created_at)

    @admin.display(description="Last error", ordering="last_error")
    def error_line(self, obj: MirrorOutboxEntry):
        return cut(obj.last_error)  # "Class: the first line of the message"; the whole error on the entry's page


@admin.register(ShadowMismatch)
class ShadowMismatchAdmin(ExplainedList):
    list_display = ["created_at", "domain", "method", "record_id", "kind", "primary_store"]
    list_filter = ["domain", "kind", "method", "created_at"]
    search_fields = ["record_id"]
    empty_explanation = (
        "No shadow mismatch matches. Shadow reads run only in the dual modes, for a domain's shadow read "
        "percent of reads (set on its page); a difference between the stores, or a failed read of the other "
        "store, is recorded here."
    )


@admin.register(ScheduledTaskRun)
class ScheduledTaskRunAdmin(ExplainedList):
    list_display = ["task", "last_outcome", "last_started_at", "duration", "last_count", "last_success_at", "runs"]
    change_list_template = "admin/cutover/scheduledtaskrun/change_list.html"
    empty_explanation = (
        "No scheduled task has run yet: the schedule above runs in Celery. Start exactly one beat "
        "(celery -A escrow_project beat -l INFO) and a worker (celery -A escrow_project worker -l INFO), or "
        "for development both at once: celery -A escrow_project worker -B -l INFO."
    )

    @admin.display(description="Duration", ordering="last_duration_seconds")
    def duration(self, obj: ScheduledTaskRun) -> str:
        return humanize_duration(obj.last_duration_seconds)

    def changelist_view(self, request, extra_context=None):
        statuses = [
            {
                **vars(status),
                "every": humanize_duration(status.interval) if status.interval else "custom",
                "duration": humanize_duration(status.run.last_duration_seconds) if status.run else "-",
            }
            for status in scheduled_task_statuses()
        ]
        return super().changelist_view(request, {"task_statuses": statuses, **(extra_context or {})})


def _summed(summary: dict, name: str) -> int:
    return sum(part.get(name, 0) or 0 for part in (summary or {}).values() if isinstance(part, dict))


def _duration(started, finished) -> str:
    return humanize_duration(finished - started) if started and finished else "-"


@admin.register(BackfillRun)
class BackfillRunAdmin(BackfillControls, ExplainedList):
    list_display = [
        "id",
        "domain",
        "direction",
        "status",
        "kind",
        "started_at",
        "duration",
        "read",
        "written",
        "unchanged",
        "rejected",
        "page",
    ]
    list_filter = ["domain", "direction", "status", "dry_run"]
    change_list_template = "admin/cutover/backfillrun/change_list.html"  # with its start link
    empty_explanation = (
        "No backfill has run. manage.py backfill --all copies every domain, parents first "
        "(or manage.py backfill DOMAIN); a run counts for a mode change only if it started after the domain "
        "entered dual_mongo_primary."
    )

    @admin.display(description="Run")
    def page(self, obj: BackfillRun):
        return format_html(
            '<a href="{}">progress and controls</a>', reverse("admin:cutover_backfillrun_run", args=[obj.pk])
        )

    @admin.display(description="Kind", ordering="dry_run")
    def kind(self, obj: BackfillRun) -> str:
        return "dry run (counts for nothing)" if obj.dry_run else "real"

    @admin.display(description="Duration")
    def duration(self, obj: BackfillRun) -> str:
        return _duration(obj.started_at, obj.finished_at)

    @admin.display(description="Read")
    def read(self, obj: BackfillRun) -> int:
        return _summed(obj.summary, "read")

    @admin.display(description="Written")
    def written(self, obj: BackfillRun) -> int:
        return _summed(obj.summary, "written")

    @admin.display(description="Unchanged")
    def unchanged(self, obj: BackfillRun) -> int:
        return _summed(obj.summary, "unchanged")

    @admin.display(description="Rejected")
    def rejected(self, obj: BackfillRun) -> int:
        return _summed(obj.summary, "rejected")


@admin.register(BackfillCheckpoint)
class BackfillCheckpointAdmin(ExplainedList):
    list_display = [
        "domain",
        "collection",
        "direction",
        "shard",
        "phase",
        "last_key",
        "done",
        "read",
        "written",
        "rejected",
        "updated_at",
    ]
    list_filter = ["domain", "direction", "done"]
    empty_explanation = "No checkpoint: a backfill commits one per collection (and shard) with each batch."


from cutover import admin_rejects  # noqa: E402, F401  (registers BackfillRejectAdmin: list filters, acknowledge action)


@admin.register(OutboxRequeue)
class OutboxRequeueAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by_name", "domain", "count", "reason"]


@admin.register(VerifyResult)
class VerifyResultAdmin(ExplainedList):
    list_display = [
        "finished_at",
        "domain",
        "passed",
        "duration",
        "documents",
        "compared",
        "missing_in_postgres",
        "missing_in_mongo",
        "differing",
    ]
    list_filter = ["domain", "passed"]
    empty_explanation = (
        "No verify has run. manage.py verify DOMAIN (or --all) compares every document with its rows; a passing "
        "verify after the backfill is what a move to dual needs."
    )

    @admin.display(description="Duration")
    def duration(self, obj: VerifyResult) -> str:
        return _duration(obj.started_at, obj.finished_at)

    @admin.display(description="Documents")
    def documents(self, obj: VerifyResult) -> int:
        return _summed(obj.counts, "documents")

    @admin.display(description="Compared")
    def compared(self, obj: VerifyResult) -> int:
        return _summed(obj.counts, "compared")

    @admin.display(description="Missing in Postgres")
    def missing_in_postgres(self, obj: VerifyResult) -> int:
        return _summed(obj.counts, "missing_in_postgres")

    @admin.display(description="Missing in Mongo")
    def missing_in_mongo(self, obj: VerifyResult) -> int:
        return _summed(obj.counts, "missing_in_mongo")

    @admin.display(description="Differing")
    def differing(self, obj: VerifyResult) -> int:
        return _summed(obj.counts, "differing")
