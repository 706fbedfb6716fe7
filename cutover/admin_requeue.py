"""The outbox admin's requeue action: dead mirror writes back to pending, through the service
(cutover.operations.requeue) with a reason asked on an intermediate page. The CLI twin: `requeue_dead_letters`."""

from django.contrib import admin, messages

from cutover.admin_decisions import DecisionForm, decision_page
from cutover.models import MirrorOutboxEntry
from cutover.operations.requeue import REQUEUE_PERMISSION, RequeueRefused, outbox_requeue_dead

REQUEUE_REASON = "Why the cause of these dead entries is fixed; kept in the requeue audit."


class RequeueDeadLettersAction:
    """Mixed into the outbox's ModelAdmin: the `requeue_dead` action."""

    actions = ["requeue_dead"]

    def has_requeue_permission(self, request) -> bool:
        return request.user.has_perm(REQUEUE_PERMISSION)

    @admin.action(description="Requeue selected dead entries (back to pending)", permissions=["requeue"])
    def requeue_dead(self, request, queryset):
        form = DecisionForm(request.POST if "apply" in request.POST else None, reason_help=REQUEUE_REASON)
        if not form.is_valid():
            return self._requeue_page(request, queryset, form)
        try:
            done = outbox_requeue_dead(
                user=request.user, reason=form.cleaned_data["reason"], entry_ids=queryset.values_list("pk", flat=True)
            )
        except RequeueRefused as refusal:
            self.message_user(request, f"Refused: {refusal}", level=messages.ERROR)
            return None
        for entry in MirrorOutboxEntry.objects.filter(pk__in=done.entry_ids):
            self.log_change(request, entry, f"Requeued (audit #{done.pk}): {done.reason}")
        self.message_user(request, f"Requeued {done.count} dead entr{'y' if done.count == 1 else 'ies'}.")
        return None

    def _requeue_page(self, request, queryset, form):
        return decision_page(
            self,
            request,
            form=form,
            action="requeue_dead",
            title="Requeue dead mirror writes",
            explanation=(
                "Each dead entry below goes back to pending, with its attempts reset, and the next repair mirrors "
                "it. Fix the cause first (its last error is shown); the requeue is recorded with your reason. "
                "Entries that are not dead are left as they are."
            ),
            items=(
                (
                    e.pk,
                    f"{e.domain} {e.collection}/{e.record_id} → {e.target} ({e.status}, {e.attempts} attempts): "
                    f"{e.last_error}",
                )
                for e in queryset
            ),
            submit=f"Requeue {len(queryset)} entr{'y' if len(queryset) == 1 else 'ies'}",
        )
