"""The cockpit's backfill controls: start a backfill (forward, reverse, dry run) or a verify of a domain as a
Celery task, and the page of a run: live progress per collection (done/total, rate, ETA, read from the run's
progress every two seconds), its audited decisions, and pause, resume and cancel, each with a reason
(cutover.operations.backfill_control, as the CLI's `backfill_control`)."""

import time

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from cutover.admin_decisions import ReasonField
from cutover.models import BackfillRun
from cutover.modes.registry import domain_names
from cutover.operations.backfill_control import (
    CONTROL_PERMISSION,
    BackfillControlRefused,
    request_stop,
    resume_decision,
    start_decision,
)

KINDS = {"forward": "Backfill (Mongo → Postgres)", "reverse": "Reverse backfill (Postgres → Mongo)", "verify": "Verify"}
RUN_APPEARS_SECONDS = 10  # how long the start page waits for the worker to open the run before listing runs


class StartForm(forms.Form):
    domain = forms.ChoiceField(choices=())
    kind = forms.ChoiceField(choices=list(KINDS.items()))
    dry_run = forms.BooleanField(required=False, help_text="count what it would write; write nothing")
    batch_size = forms.IntegerField(min_value=1, initial=2000)
    max_rate = forms.FloatField(required=False, min_value=0.001, help_text="throttle: rows/s at most")
    target_batch_seconds = forms.FloatField(required=False, min_value=0.001, help_text="throttle: shrink slow batches")
    reason = ReasonField(help_text="Why now; kept on the run.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [(name, name) for name in domain_names()]


class ControlForm(forms.Form):
    reason = ReasonField(help_text="Why; kept on the run.")


class BackfillControls:
    """Mixed into BackfillRunAdmin: the start page, the run page and its JSON progress, the controls."""

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("start/", view(self.start_view), name="cutover_backfillrun_start"),
            path("<int:run_id>/run/", view(self.run_view), name="cutover_backfillrun_run"),
            path("<int:run_id>/progress/", view(self.progress_view), name="cutover_backfillrun_progress"),
            path("<int:run_id>/<str:action>/", view(self.control_view), name="cutover_backfillrun_control"),
        ]
        return own + super().get_urls()

    def start_view(self, request):
        form = StartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                return self._start(request, form.cleaned_data)
            except BackfillControlRefused as refusal:
                messages.error(request, f"Refused: {refusal}")
        context = {**self.admin_site.each_context(request), "title": "Start a backfill or verify", "form": form}
        context["opts"] = self.model._meta
        return TemplateResponse(request, "admin/cutover/backfillrun/start.html", context)

    def _start(self, request, data: dict):
        from cutover.backfill.tasks import backfill_task, verify_task

        kind, domain = data["kind"], data["domain"]
        decision = start_decision(domain, user=request.user, reason=data["reason"], what=KINDS[kind].lower())
        if kind == "verify":
            verify_task.delay(domain)
            messages.info(request, f"Verify of {domain} started; its result appears here when it ends.")
            return HttpResponseRedirect(reverse("admin:cutover_verifyresult_changelist"))
        since = timezone.now()
        throttle = {"max_rate": data["max_rate"], "target_batch_seconds": data["target_batch_seconds"]}
        entry = {"action": "start", "user": decision.user_name, "reason": decision.reason, "at": since.isoformat()}
        backfill_task.delay(
            domain,
            direction=kind,
            dry_run=data["dry_run"],
            batch_size=data["batch_size"],
            throttle=throttle,
            decision=entry,
        )
        run = _run_started(domain, since)
        if run is None:
            messages.warning(request, f"The {kind} backfill of {domain} is queued; no worker has opened it yet.")
            return HttpResponseRedirect(reverse("admin:cutover_backfillrun_changelist"))
        return HttpResponseRedirect(reverse("admin:cutover_backfillrun_run", args=[run.pk]))

    def run_view(self, request, run_id: int):
        run = _get(run_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{run.direction} backfill of {run.domain} #{run.pk}",
            "opts": self.model._meta,
            "run": run,
            "form": ControlForm(),
            "can_control": request.user.has_perm(CONTROL_PERMISSION),
            "progress_url": reverse("admin:cutover_backfillrun_progress", args=[run.pk]),
        }
        return TemplateResponse(request, "admin/cutover/backfillrun/run.html", context)

    def progress_view(self, request, run_id: int):
        run = _get(run_id)
        return JsonResponse({"status": run.status, "requested": run.requested, "progress": run.progress})

    def control_view(self, request, run_id: int, action: str):
        if request.method != "POST" or action not in ("pause", "resume", "cancel"):
            raise Http404("no such control")
        form = ControlForm(request.POST)
        target = reverse("admin:cutover_backfillrun_run", args=[run_id])
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("reason", [])))
            return HttpResponseRedirect(target)
        try:
            target = self._control(request, run_id, action, form.cleaned_data["reason"]) or target
        except BackfillControlRefused as refusal:
            messages.error(request, f"Refused: {refusal}")
        return HttpResponseRedirect(target)

    def _control(self, request, run_id: int, action: str, reason: str) -> str | None:
        from cutover.backfill.tasks import backfill_task

        if action != "resume":
            request_stop(run_id, action, user=request.user, reason=reason)
            messages.info(request, f"Asked run #{run_id} to {action}: it stops at its next batch boundary.")
            return None
        paused = resume_decision(run_id, user=request.user, reason=reason)
        since = timezone.now()
        entry = {"action": "resume", "of": paused.pk, "user": request.user.get_username(), "reason": reason}
        backfill_task.delay(
            paused.domain,
            direction=paused.direction,
            dry_run=paused.dry_run,
            batch_size=2000,
            throttle={},
            decision=entry | {"at": since.isoformat()},
        )
        run = _run_started(paused.domain, since)
        messages.info(
            request, f"Run #{paused.pk} resumes from its checkpoints" + (f" as run #{run.pk}." if run else ".")
        )
        return reverse("admin:cutover_backfillrun_run", args=[run.pk]) if run else None


def _run_started(domain: str, since) -> BackfillRun | None:
    """The run a worker opened for the task just queued (waits up to RUN_APPEARS_SECONDS)."""
    give_up = time.monotonic() + RUN_APPEARS_SECONDS
    while time.monotonic() < give_up:
        run = BackfillRun.objects.filter(domain=domain, started_at__gte=since).order_by("pk").first()
        if run is not None:
            return run
        time.sleep(0.2)
    return None


def _get(run_id: int) -> BackfillRun:
    run = BackfillRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404(f"no backfill run #{run_id}")
    return run
