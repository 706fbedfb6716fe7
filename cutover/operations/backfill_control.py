"""Operators control a backfill while it runs, from the cockpit or the CLI, audited like a mode change
(who, why, when; CONTROL_PERMISSION and a reason of the minimum length): start one as a Celery task, pause
it (it stops at its next batch boundary, its checkpoints kept), resume it (a new run of the same domain
and direction, from those checkpoints), cancel it (a running one stops at its next batch boundary; a paused
one is ended). Each decision is kept on the run it concerns (BackfillRun.decisions)."""

from django.utils import timezone

from cutover.audit import audited_decision
from cutover.models import BackfillRun

CONTROL_PERMISSION = "cutover.control_backfillrun"
_VERBS = {"pause": "pausing", "resume": "resuming", "cancel": "canceling", "start": "starting"}


class BackfillControlRefused(Exception):
    """The control was not allowed as asked; the message says why."""


def request_stop(run_id: int, action: str, *, user, reason: str) -> BackfillRun:
    """Ask run `run_id` to pause or cancel at its next batch boundary (a paused run is canceled at once)."""
    run = _run(run_id)
    _decide(run, action, user, reason)
    if action == "cancel" and run.status == BackfillRun.Status.PAUSED:
        BackfillRun.objects.filter(pk=run.pk).update(status=BackfillRun.Status.CANCELED, requested="")
    elif run.status == BackfillRun.Status.RUNNING:
        BackfillRun.objects.filter(pk=run.pk, status=BackfillRun.Status.RUNNING).update(requested=action)
    else:
        raise BackfillControlRefused(f"run #{run.pk} is {run.status}: only a running run can be {action}d")
    run.refresh_from_db()
    return run


def resume_decision(run_id: int, *, user, reason: str) -> BackfillRun:
    """Check that paused run `run_id` may resume and record who resumes it; the caller starts the new run
    (in its process, or as a Celery task) with the paused run's domain and direction."""
    run = _run(run_id)
    if run.status not in (BackfillRun.Status.PAUSED, BackfillRun.Status.STOPPED):
        raise BackfillControlRefused(f"run #{run.pk} is {run.status}: only a paused (or stopped) run resumes")
    _decide(run, "resume", user, reason)
    return run


def start_decision(domain: str, *, user, reason: str, what: str = "a backfill"):
    """Who starts a run from the cockpit, and why (the run's record gets it when it begins)."""
    return audited_decision(
        user=user,
        permissions=[CONTROL_PERMISSION],
        reason=reason,
        what=f"starting {what} of {domain}",
        refused=BackfillControlRefused,
    )


def _decide(run: BackfillRun, action: str, user, reason: str) -> None:
    if action not in _VERBS:
        raise BackfillControlRefused(f"unknown control {action!r}: pause, resume or cancel")
    decision = audited_decision(
        user=user,
        permissions=[CONTROL_PERMISSION],
        reason=reason,
        what=f"{_VERBS[action]} backfill run #{run.pk} ({run.domain})",
        refused=BackfillControlRefused,
    )
    entry = {"action": action, "user": decision.user_name, "reason": decision.reason, "at": timezone.now().isoformat()}
    run.decisions = [*run.decisions, entry]
    BackfillRun.objects.filter(pk=run.pk).update(decisions=run.decisions)


def _run(run_id: int) -> BackfillRun:
    run = BackfillRun.objects.filter(pk=run_id).first()
    if run is None:
        raise BackfillControlRefused(f"there is no backfill run #{run_id}")
    return run
