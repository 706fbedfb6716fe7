"""Backfill rejects in Django admin: filterable to root causes, and acknowledged through the
service (cutover.backfill.review) with a reason asked on an intermediate page."""

from django.contrib import admin, messages

from cutover.admin_base import ExplainedList
from cutover.admin_decisions import DecisionForm, decision_page
from cutover.backfill.review import (
    ACKNOWLEDGE_PERMISSION,
    RejectAcknowledgementRefused,
    backfill_reject_acknowledge,
    root_causes,
    waiting_on_a_rejected_parent,
)
from cutover.models import BackfillReject

ACKNOWLEDGE_REASON = "Why these documents may stay out of Postgres; kept with each reject."


class RootCauseFilter(admin.SimpleListFilter):
    title = "cause"
    parameter_name = "cause"

    def lookups(self, request, model_admin):
        return [("root", "Root causes"), ("blocked", "Waiting on a rejected parent")]

    def queryset(self, request, queryset):
        if self.value() == "root":
            return root_causes(queryset)
        if self.value() == "blocked":
            return waiting_on_a_rejected_parent(queryset)
        return queryset


@admin.register(BackfillReject)
class BackfillRejectAdmin(ExplainedList):
    list_display = ["created_at", "domain", "collection", "record_id", "kind", "status", "reason", "blocked_by"]
    list_filter = ["status", RootCauseFilter, "domain", "collection", "kind"]
    search_fields = ["record_id", "reason", "blocked_by"]
    actions = ["acknowledge"]
    empty_explanation = (
        "No backfill reject matches. A document the backfill cannot migrate (bad value, orphan, unique clash, odd "
        "_id) is kept here with its reason; a later run retries it, and an open one blocks dual_mongo_primary → dual "
        "until it loads or is acknowledged."
    )

    def has_acknowledge_permission(self, request) -> bool:
        return request.user.has_perm(ACKNOWLEDGE_PERMISSION)

    @admin.action(description="Acknowledge selected rejects (they stay out of Postgres)", permissions=["acknowledge"])
    def acknowledge(self, request, queryset):
        form = DecisionForm(request.POST if "apply" in request.POST else None, reason_help=ACKNOWLEDGE_REASON)
        if not form.is_valid():
            return self._acknowledge_page(request, queryset, form)
        reason = form.cleaned_data["reason"]
        try:
            done = backfill_reject_acknowledge(
                reject_ids=queryset.values_list("pk", flat=True), user=request.user, reason=reason
            )
        except RejectAcknowledgementRefused as refusal:
            self.message_user(request, f"Refused: {refusal}", level=messages.ERROR)
            return None
        for reject in done:
            self.log_change(request, reject, f"Acknowledged: {reason}")
        self.message_user(request, f"Acknowledged {len(done)} reject(s).", level=messages.SUCCESS)
        return None

    def _acknowledge_page(self, request, queryset, form):
        return decision_page(
            self,
            request,
            form=form,
            action="acknowledge",
            title="Acknowledge backfill rejects",
            explanation=(
                "Each reject below stays out of Postgres once acknowledged: the domain may then move to a "
                "Postgres-primary mode without it. A rerun of the backfill still loads it if its document is fixed."
            ),
            items=((r.pk, f"{r.collection}/{r.record_id} ({r.kind}, {r.status}): {r.reason}") for r in queryset),
            submit=f"Acknowledge {len(queryset)} reject(s)",
        )
