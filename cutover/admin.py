"""Store modes in Django admin. The form only collects the request; the
service (cutover.operations.mode_changes) decides, audits, and says why it refuses."""

from django import forms
from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin
from cutover.admin_masking import MaskedLegacyDataAdmin
from cutover.admin_requeue import RequeueDeadLettersAction
from cutover.models import (
    MODE_CHOICES,
    BackfillCheckpoint,
    BackfillRun,
    DomainStoreMode,
    MirrorOutboxEntry,
    OutboxRequeue,
    ScheduledTaskRun,
    ShadowMismatch,
    StoreModeChange,
    VerifyResult,
)
from cutover.operations.mode_changes import (
    CHANGE_PERMISSION,
    StoreModeChangeRefused,
    store_mode_change,
    store_mode_change_refusal,
    store_mode_set_shadow_percent,
)
from cutover.operations.transition import mode_transition


class StoreModeForm(forms.ModelForm):
    new_mode = forms.ChoiceField(choices=MODE_CHOICES, help_text="One step from the current mode.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why; kept in the audit history. Required to change the mode.",
    )
    override_guard = forms.BooleanField(required=False, help_text="Change despite a failed precondition (recorded).")
    user = None  # set by the admin: who asks

    class Meta:
        model = DomainStoreMode
        fields = ["shadow_read_percent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_mode"].initial = self.instance.mode

    @property
    def mode_changes(self) -> bool:
        return self.cleaned_data.get("new_mode") not in (None, self.instance.mode)

    def clean(self):
        cleaned = super().clean()
        if self.mode_changes:
            refusal = store_mode_change_refusal(
                domain=self.instance.domain,
                to_mode=cleaned["new_mode"],
                user=self.user,
                reason=cleaned.get("reason", ""),
                override=cleaned.get("override_guard", False),
            )
            if refusal:
                raise forms.ValidationError(f"Refused: {refusal}")
        return cleaned


@admin.register(DomainStoreMode)
class DomainStoreModeAdmin(admin.ModelAdmin):
    form = StoreModeForm
    list_display = ["domain", "mode", "transition", "shadow_read_percent", "updated_at"]
    readonly_fields = ["domain", "mode", "transition", "updated_at", "history"]
    fields = [
        "domain",
        "mode",
        "transition",
        "new_mode",
        "reason",
        "override_guard",
        "shadow_read_percent",
        "updated_at",
        "history",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # rows come from the domain registry

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    @admin.display(description="Transition")
    def transition(self, obj: DomainStoreMode) -> str:
        """Mid-transition (switching, settling) and what it waits for; "steady" otherwise."""
        return str(mode_transition(obj.domain))

    @admin.display(description="Audit history (latest 20)")
    def history(self, obj: DomainStoreMode) -> str:
        changes = StoreModeChange.objects.filter(domain=obj.domain)[:20]
        lines = [
            f"{c.created_at:%Y-%m-%d %H:%M} {c.changed_by_name}: {c.from_mode} → {c.to_mode}: {c.reason}"
            for c in changes
        ]
        return "\n".join(lines) or "no changes yet"

    def save_model(self, request, obj, form, change) -> None:
        """Save through the services (audit, lock, preconditions re-checked), never obj.save()."""
        data = form.cleaned_data
        if form.mode_changes:
            try:
                store_mode_change(
                    domain=obj.domain,
                    to_mode=data["new_mode"],
                    user=request.user,
                    reason=data["reason"],
                    override=data["override_guard"],
                )
            except StoreModeChangeRefused as refusal:  # something changed since the form was checked
                self.message_user(request, f"Refused: {refusal}", level="error")
                return
        if "shadow_read_percent" in form.changed_data:
            store_mode_set_shadow_percent(domain=obj.domain, percent=data["shadow_read_percent"], user=request.user)


@admin.register(StoreModeChange)
class StoreModeChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "domain", "from_mode", "to_mode", "changed_by_name", "reason", "overridden_refusal"]
    list_filter = ["domain", "to_mode"]


@admin.register(MirrorOutboxEntry)
class MirrorOutboxEntryAdmin(RequeueDeadLettersAction, ReadOnlyAdmin):
    list_display = ["id", "domain", "record_id", "target", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "domain", "target"]
    search_fields = ["record_id"]


@admin.register(ShadowMismatch)
class ShadowMismatchAdmin(MaskedLegacyDataAdmin, ReadOnlyAdmin):
    masked_json_fields = ("differences",)
    list_display = ["created_at", "domain", "method", "record_id", "kind", "primary_store"]
    list_filter = ["domain", "kind", "method"]
    search_fields = ["record_id"]


@admin.register(ScheduledTaskRun)
class ScheduledTaskRunAdmin(ReadOnlyAdmin):
    list_display = [
        "task",
        "last_outcome",
        "last_started_at",
        "last_duration_seconds",
        "last_count",
        "last_success_at",
        "runs",
    ]


@admin.register(BackfillRun)
class BackfillRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "domain", "direction", "status", "dry_run", "started_at", "finished_at"]
    list_filter = ["domain", "direction", "status"]


@admin.register(BackfillCheckpoint)
class BackfillCheckpointAdmin(ReadOnlyAdmin):
    list_display = [
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


from cutover import admin_rejects  # noqa: E402, F401  (registers BackfillRejectAdmin: list filters, acknowledge action)


@admin.register(OutboxRequeue)
class OutboxRequeueAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by_name", "domain", "count", "reason"]


@admin.register(VerifyResult)
class VerifyResultAdmin(MaskedLegacyDataAdmin, ReadOnlyAdmin):
    masked_json_fields = ("samples",)
    list_display = ["finished_at", "domain", "passed", "started_at"]
    list_filter = ["domain", "passed"]
