"""Store modes in Django admin: the cutover dashboard, readiness columns, mode changes as "Advance to X" /
"Roll back to Y" steps (blockers listed first, a confirmation page, override as a danger zone), and the
audited shadow-read percent. Forms only collect requests: cutover.operations.mode_changes decides, audits and refuses;
cutover.operations.readiness says where each domain stands."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Value
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from cutover.admin_decisions import ReasonField
from cutover.admin_display import (
    COCKPIT_CSS,
    checklist_summary,
    checklist_table,
    mode_badge,
    readiness_of,
    step_summary,
    step_url,
)
from cutover.models import DomainStoreMode, StoreModeChange
from cutover.modes.cache import current_mode_state
from cutover.modes.registry import UnknownDomain, domain_names
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import (
    CHANGE_PERMISSION,
    OVERRIDE_PERMISSION,
    StoreModeChangeRefused,
    latest_mode_history_id,
    prepared_on_another_state,
    store_mode_change,
    store_mode_set_shadow_percent,
    store_mode_shadow_percent_refusal,
)
from cutover.operations.readiness import domain_readiness
from cutover.operations.record_clocks import future_clocks
from cutover.operations.transition import mode_transition

RECENT_CHANGES = 10
# The one permission model of store modes, said where a user without it looks (Django's add/change/delete
# permissions of the row are not created: DomainStoreMode.Meta.default_permissions).
PERMISSION_MODEL = (
    f"Taking a step and setting shadow reads need the permission {CHANGE_PERMISSION}; passing over a failed "
    f"precondition also needs {OVERRIDE_PERMISSION}. Viewing needs cutover.view_domainstoremode."
)


class ShadowPercentForm(forms.ModelForm):
    """The domain page edits only the shadow-read percent, with a reason; mode changes are steps."""

    shadow_read_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        error_messages={
            "max_value": "Shadow read percent is a share of reads: at most 100.",
            "min_value": "Shadow read percent cannot be negative.",
        },
        help_text="In the dual modes, the share of reads (0-100) also made from the other store and compared.",
    )
    shadow_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Reason",
        help_text="Why the shadow-read percent changes; kept in the audit history. Required to change it.",
    )
    user = None  # set by the admin: who asks

    class Meta:
        model = DomainStoreMode
        fields = ["shadow_read_percent"]

    def clean(self):
        cleaned = super().clean()
        if "shadow_read_percent" in self.changed_data and "shadow_read_percent" in cleaned:
            refusal = store_mode_shadow_percent_refusal(
                domain=self.instance.domain,
                percent=cleaned["shadow_read_percent"],
                user=self.user,
                reason=cleaned.get("shadow_reason", ""),
            )
            if refusal:
                raise forms.ValidationError(f"Refused: {refusal}")
        return cleaned


class StepForm(forms.Form):
    from_mode = forms.CharField(widget=forms.HiddenInput)
    # The mode history entry the page was prepared on (latest_mode_history_id): a change someone else
    # made since, even one that came back to the same mode, refuses the confirmation.
    history = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = ReasonField()
    override = forms.BooleanField(required=False)


@admin.register(DomainStoreMode)
class DomainStoreModeAdmin(admin.ModelAdmin):
    form = ShadowPercentForm
    list_display = ["domain", "mode_badge", "transition", "next_step", "checklist", "shadow_read_percent", "updated_at"]
    readonly_fields = [
        "domain", "mode_badge", "transition", "mode_steps", "readiness", "record_clocks", "history", "updated_at"
    ]
    fieldsets = [
        (None, {"fields": ["domain", "mode_badge", "transition", "mode_steps"]}),
        ("Readiness", {"fields": ["readiness", "record_clocks"]}),
        ("Shadow reads", {"fields": ["shadow_read_percent", "shadow_reason"]}),
        ("History", {"fields": ["history", "updated_at"]}),
    ]

    class Media:
        css = {"all": [COCKPIT_CSS]}

    def has_add_permission(self, request) -> bool:
        return False  # rows come from the domain registry

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fieldsets
        return [
            (name, {"fields": [f for f in opts["fields"] if f != "shadow_reason"]}) for name, opts in self.fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_urls(self):
        own = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="cutover_dashboard"),
            path(
                "<str:domain>/step/<str:to_mode>/",
                self.admin_site.admin_view(self.step_view),
                name="cutover_domainstoremode_step",
            ),
        ]
        return own + super().get_urls()

    def get_queryset(self, request):
        for name in domain_names():  # a registered domain's row exists from its first mode on
            current_mode_state(name)
        # Whether this request may change modes travels with each row: the admin instance is shared by threads.
        can_change = Value(self.has_change_permission(request), output_field=BooleanField())
        return super().get_queryset(request).annotate(cutover_can_change=can_change)

    # --- columns and fields -------------------------------------------------------------------------------

    @admin.display(description="Mode", ordering="mode")
    def mode_badge(self, obj: DomainStoreMode):
        return mode_badge(obj.mode)

    @admin.display(description="Transition")
    def transition(self, obj: DomainStoreMode) -> str:
        """Mid-transition (switching, settling) and what it waits for; "steady" otherwise."""
        return str(mode_transition(obj.domain))

    @admin.display(description="Next step")
    def next_step(self, obj: DomainStoreMode):
        return step_summary(readiness_of(obj), can_change=getattr(obj, "cutover_can_change", False))

    @admin.display(description="Checklist")
    def checklist(self, obj: DomainStoreMode):
        return checklist_summary(readiness_of(obj))

    @admin.display(description="Change the mode")
    def mode_steps(self, obj: DomainStoreMode):
        can_change = getattr(obj, "cutover_can_change", False)
        steps = step_summary(readiness_of(obj), can_change=can_change)
        if can_change:
            return steps
        return format_html('{}<p class="help">{}</p>', steps, PERMISSION_MODEL)

    @admin.display(description="Checklist")
    def readiness(self, obj: DomainStoreMode):
        return checklist_table(readiness_of(obj))

    @admin.display(description="Record clocks")
    def record_clocks(self, obj: DomainStoreMode):
        lines = future_clocks(obj.domain)  # skewed clocks are reported, never a reason to skip a copy
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) if lines else "no updatedAt ahead"

    @admin.display(description=f"Recent changes (latest {RECENT_CHANGES})")
    def history(self, obj: DomainStoreMode):
        changes = StoreModeChange.objects.filter(domain=obj.domain)[:RECENT_CHANGES]
        audit = reverse("admin:cutover_storemodechange_changelist") + f"?domain={obj.domain}"
        if not changes:
            return format_html('no changes yet (<a href="{}">audit history</a>)', audit)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{c.created_at:%Y-%m-%d %H:%M:%S} UTC",
                    c.changed_by_name,
                    c.change,
                    c.reason,
                    format_html('<span class="cutover-fail" title="{}">⚠ overridden</span>', c.overridden_refusal)
                    if c.overridden
                    else "",
                )
                for c in changes
            ),
        )
        return format_html(
            '<table id="recent-changes"><thead><tr><th>When</th><th>Who</th><th>Change</th><th>Reason</th><th></th>'
            '</tr></thead><tbody>{}</tbody></table><a href="{}">All changes of {} in the audit history →</a>',
            rows,
            audit,
            obj.domain,
        )

    # --- the shadow-read percent, through the service -----------------------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        """Save through the service (lock, audit, checks re-run), never obj.save(). A refusal here (the mode
        changed since the form was checked) shows the reason, and neither a success message nor a LogEntry."""
        if "shadow_read_percent" not in form.changed_data:
            return
        try:
            change = store_mode_set_shadow_percent(
                domain=obj.domain,
                percent=form.cleaned_data["shadow_read_percent"],
                user=request.user,
                reason=form.cleaned_data.get("shadow_reason", ""),
            )
        except StoreModeChangeRefused as refusal:
            request.cutover_refused = True
            self.message_user(request, f"Refused: {refusal}", level=messages.ERROR)
            return
        request.cutover_done = f"{obj.domain}: {change.change}."

    def log_change(self, request, obj, message):
        if getattr(request, "cutover_refused", False) or not message:  # refused, or nothing changed
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        """Say what changed (from → to), or that nothing did; Django's message would only name the row."""
        if getattr(request, "cutover_refused", False):
            return HttpResponseRedirect(request.path)
        done = getattr(request, "cutover_done", "")
        self.message_user(request, done or "Nothing changed.", messages.SUCCESS if done else messages.INFO)
        return HttpResponseRedirect(request.path)

    # --- the dashboard -------------------------------------------------------------------------------------

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied(
                f"The cutover dashboard needs the permission cutover.view_domainstoremode or {CHANGE_PERMISSION}."
            )
        can_change = self.has_change_permission(request)
        rows = []
        for name in domain_names():
            readiness = domain_readiness(name)
            rows.append(
                {
                    "readiness": readiness,
                    "badge": mode_badge(readiness.mode),
                    "steps": step_summary(readiness, can_change=can_change),
                    "summary": checklist_summary(readiness),
                    "checklist": checklist_table(readiness),
                    "change_url": reverse("admin:cutover_domainstoremode_change", args=[name]),
                    "history_url": reverse("admin:cutover_storemodechange_changelist") + f"?domain={name}",
                }
            )
        context = {**self.admin_site.each_context(request), "title": "Cutover dashboard", "rows": rows}
        return TemplateResponse(request, "admin/cutover/dashboard.html", context)

    # --- a mode change: review, confirm, apply --------------------------------------------------------------

    def step_view(self, request, domain: str, to_mode: str):
        if not self.has_change_permission(request):
            raise PermissionDenied(f"Changing a store mode needs the permission {CHANGE_PERMISSION}.")
        try:
            readiness = domain_readiness(domain)
            target = StoreMode(to_mode)
        except (UnknownDomain, ValueError):
            raise Http404(f"no store domain {domain!r} or mode {to_mode!r}") from None
        step = next((s for s in readiness.steps if s.to_mode is target), None)
        change_url = reverse("admin:cutover_domainstoremode_change", args=[domain])
        if step is None:
            self.message_user(
                request, f"{domain} is in {readiness.mode.value}: {target.value} is not one step away.", messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        can_override = request.user.has_perm(OVERRIDE_PERMISSION)
        prepared_on = {"from_mode": readiness.mode.value, "history": latest_mode_history_id(domain)}
        form = StepForm(request.POST or None, initial=prepared_on)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{step.label}: {domain}",
            "opts": self.model._meta,
            "domain": domain,
            "step": step,
            "form": form,
            "can_override": can_override,
            "change_url": change_url,
            "step_url": step_url(domain, step),
            "from_badge": mode_badge(readiness.mode),
            "to_badge": mode_badge(step.to_mode),
        }
        if request.method == "POST" and form.is_valid() and self._step_form_ok(form, readiness, step, can_override):
            if "confirm" in request.POST:
                applied = self._apply_step(request, domain, step, form)
                if applied is not None:
                    return applied
            else:
                context.update(reason=form.cleaned_data["reason"], override=self._overrides(form, step))
                return TemplateResponse(request, "admin/cutover/domainstoremode/step_confirm.html", context)
        return TemplateResponse(request, "admin/cutover/domainstoremode/step.html", context)

    def _step_form_ok(self, form, readiness, step, can_override: bool) -> bool:
        data = form.cleaned_data
        moved = prepared_on_another_state(readiness.domain, readiness.mode, data["from_mode"], data["history"])
        if moved:
            form.add_error(None, f"{moved}This page shows it as it is now.")
            form.data = form.data.copy()
            form.data["from_mode"] = readiness.mode.value
            form.data["history"] = latest_mode_history_id(readiness.domain)
            return False
        if data["override"] and not can_override:
            form.add_error(None, f"Overriding needs the permission {OVERRIDE_PERMISSION}.")
            return False
        if step.blockers and not data["override"]:
            form.add_error(None, f"{len(step.blockers)} precondition(s) fail (listed above); fix them first.")
            return False
        return True

    @staticmethod
    def _overrides(form, step) -> bool:
        """An override only means something where a precondition fails; elsewhere it is ignored, not recorded."""
        return bool(form.cleaned_data["override"] and step.blockers)

    def _apply_step(self, request, domain: str, step, form):
        data = form.cleaned_data
        try:
            change = store_mode_change(
                domain=domain,
                to_mode=step.to_mode.value,
                user=request.user,
                reason=data["reason"],
                override=self._overrides(form, step),
                expected_from=data["from_mode"],
                expected_history=data["history"],
            )
        except StoreModeChangeRefused as refusal:  # something changed since the page was shown
            self.message_user(request, f"Refused: {domain} stays in {data['from_mode']}. {refusal}", messages.ERROR)
            return None
        row = DomainStoreMode.objects.get(domain=domain)
        flagged = " (OVERRIDE)" if change.overridden else ""
        self.log_change(request, row, f"Store mode {change.change}{flagged}: {change.reason}")
        if change.overridden:
            count = len(change.overridden_refusal.splitlines())
            self.message_user(
                request,
                f"{domain}: {change.change}, overriding {count} failed precondition(s); flagged in the audit history.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"{domain}: {change.change}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cutover_domainstoremode_change", args=[domain]))
