"""The outbox admin's requeue action: dead mirror writes back to pending, through the service
(cutover.operations.requeue) with a reason asked on an intermediate page. The CLI twin: `requeue_dead_letters`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from cutover.models import MirrorOutboxEntry
from cutover.operations.requeue import REQUEUE_PERMISSION, RequeueRefused, outbox_requeue_dead


class RequeueForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why the cause of these dead entries is fixed; kept in the requeue audit.",
    )


class RequeueDeadLettersAction:
    """Mixed into the outbox's ModelAdmin: the `requeue_dead` action."""

    actions = ["requeue_dead"]

    def has_requeue_permission(self, request) -> bool:
        return request.user.has_perm(REQUEUE_PERMISSION)

    @admin.action(description="Requeue selected dead entries (back to pending)", permissions=["requeue"])
    def requeue_dead(self, request, queryset):
        form = RequeueForm(request.POST if "apply" in request.POST else None)
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

    def _requeue_page(self, request, queryset, form) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Requeue dead mirror writes",
            "opts": self.model._meta,
            "entries": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cutover/mirroroutboxentry/requeue.html", context)
