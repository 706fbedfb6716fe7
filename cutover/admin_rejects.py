"""Backfill rejects in Django admin: filterable to root causes, and acknowledged through the
service (cutover.backfill.review) with a reason asked on an intermediate page."""

from django import forms
from django.contrib import admin, messages

from cutover.admin_base import ExplainedList
from cutover.admin_decisions import DecisionForm, decision_page
from cutover.admin_display import cut
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


class AcknowledgeRejectsForm(DecisionForm):
    """The audited decision's reason, and what becomes of the money a reject carries."""

    money = forms.ChoiceField(
        required=False,
        choices=[
            ("", "No money involved"),
            ("compensate", "Compensate: a compensating ledger entry carries the money into every balance"),
            ("drop", "Drop the money: another user must confirm"),
        ],
        help_text="A reject that carries money (a ledger entry) counts in no balance; acknowledging one needs a "
        "decision. Leave empty to see each balance effect first.",
    )


@admin.register(BackfillReject)
class BackfillRejectAdmin(ExplainedList):
    list_display = ["created_at", "domain", "collection", "record_id", "kind", "status", "reason_line", "blocked_by"]
    list_filter = ["status", RootCauseFilter, "domain", "collection", "kind"]
    search_fields = ["record_id", "reason", "blocked_by"]
    actions = ["acknowledge"]

    @admin.display(description="Reason", ordering="reason")
    def reason_line(self, obj: BackfillReject):
        return cut(obj.reason)  # the whole reason on the reject's page
    empty_explanation = (
        "No backfill reject matches. A document the backfill cannot migrate (bad value, orphan, unique clash, odd "
        "_id) is kept here with its reason; a later run retries it, and an open one blocks dual_mongo_primary → dual "
        "until it loads or is acknowledged."
    )

    def has_acknowledge_permission(self, request) -> bool:
        return request.user.has_perm(ACKNOWLEDGE_PERMISSION)

    @admin.action(description="Acknowledge selected rejects (they stay out of Postgres)", permissions=["acknowledge"])
    def acknowledge(self, request, queryset):
        form = AcknowledgeRejectsForm(request.POST if "apply" in request.POST else None, reason_help=ACKNOWLEDGE_REASON)
        if not form.is_valid():
            return self._acknowledge_page(request, queryset, form)
        reason, money = form.cleaned_data["reason"], form.cleaned_data["money"] or None
        try:
            done = backfill_reject_acknowledge(
                reject_ids=queryset.values_list("pk", flat=True), user=request.user, reason=reason, money=money
            )
        except RejectAcknowledgementRefused as refusal:
            self.message_user(request, f"Refused: {refusal}", level=messages.ERROR)
            return None
        for reject in done:
            money_note = f" [{reject.money_effect}]" if reject.money_effect else ""
            verb = "Dropping its money asked" if reject.status == BackfillReject.Status.OPEN else "Acknowledged"
            self.log_change(request, reject, f"{verb}: {reason}{money_note}")
        acknowledged = sum(reject.status == BackfillReject.Status.ACKNOWLEDGED for reject in done)
        waiting = len(done) - acknowledged
        note = f"; {waiting} wait for another user to confirm dropping their money" if waiting else ""
        self.message_user(request, f"Acknowledged {acknowledged} reject(s){note}.", level=messages.SUCCESS)
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
