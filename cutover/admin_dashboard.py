"""The cutover dashboard's rows, incident first (cutover.operations.standing): a summary line, then each domain with
its state (done, in progress, an incident's severity), its incidents in one line each, its next step, its checklist
and, in the dual modes, its shadow-read mismatch rate and each store's latency. Display only; admin_modes serves the
page."""

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cutover.admin_display import checklist_summary, checklist_table, list_url, mode_badge, one_line, step_summary
from cutover.modes.registry import domain_names
from cutover.operations.readiness import domain_readiness
from cutover.operations.standing import DONE, cutover_overview
from cutover.operations.store_latency import counted_since

ONE_LINE_CHARACTERS = 110  # an incident's line in the summary table; the whole text is on the domain's card


def dashboard_context(*, can_change: bool) -> dict:
    overview = cutover_overview([domain_readiness(name) for name in domain_names()])
    return {
        "overview": overview,
        "rows": [_row(standing, can_change) for standing in overview.standings],
        "mismatch_window": f"{settings.CUTOVER_MISMATCH_WINDOW_SECONDS / 60:g} min",
        "latency_window": counted_since(),
    }


def _row(standing, can_change: bool) -> dict:
    readiness = standing.readiness
    by_key = {item.key: item for item in readiness.checklist}
    return {
        "standing": standing,
        "readiness": readiness,
        "badge": mode_badge(readiness.mode),
        "state": state_badge(standing),
        "incidents": [
            {
                "incident": incident,
                "line": one_line(incident.what, ONE_LINE_CHARACTERS),
                "url": list_url(by_key[incident.item_key].list_filter) if incident.item_key else "",
            }
            for incident in standing.incidents
        ],
        "steps": step_summary(readiness, can_change=can_change),
        "summary": checklist_summary(readiness),
        "checklist": checklist_table(readiness),
        "mismatch": _mismatch(standing.mismatch),
        "change_url": reverse("admin:cutover_domainstoremode_change", args=[readiness.domain]),
        "history_url": reverse("admin:cutover_storemodechange_changelist") + f"?domain={readiness.domain}",
    }


def state_badge(standing):
    if standing.state == DONE:
        return mark_safe('<span class="cutover-state cutover-state-done">done</span>')
    if standing.severity:
        return format_html(
            '<span class="cutover-state cutover-state-{}">{}</span>', standing.severity, standing.severity
        )
    return mark_safe('<span class="cutover-state cutover-state-progress">in progress</span>')


def _mismatch(rate) -> str:
    if rate is None:
        return "-"
    if not rate.reads and not rate.mismatches:
        return "no shadow reads"
    return f"{rate.percent:.2f}% ({rate.mismatches} in {rate.reads} reads)"
