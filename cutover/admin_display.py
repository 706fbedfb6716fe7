"""How the cutover admin shows readiness: mode badges, links to filtered lists, the checklist. Display only:
the facts come from cutover.operations.readiness."""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cutover.admin_base import COCKPIT_CSS  # noqa: F401  (re-exported for the cockpit's admin classes)
from cutover.modes.store_mode import StoreMode
from cutover.operations.readiness import ListFilter, Readiness, Step, domain_readiness


def mode_badge(mode: StoreMode | str) -> SafeString:
    mode = StoreMode(mode)
    return format_html(
        '<span class="cutover-badge cutover-mode-{}" title="{}">{}</span>', mode.value, mode.label, mode.value
    )


def list_url(list_filter: ListFilter | None) -> str:
    if list_filter is None:
        return ""
    url = reverse(f"admin:cutover_{list_filter.model}_changelist")
    return f"{url}?{urlencode(list_filter.query)}" if list_filter.query else url


def step_url(domain: str, step: Step) -> str:
    return reverse("admin:cutover_domainstoremode_step", args=[domain, step.to_mode.value])


def readiness_of(obj) -> Readiness:
    """The readiness of a DomainStoreMode row, computed once per row object (a list shows several columns)."""
    if getattr(obj, "_readiness", None) is None:
        obj._readiness = domain_readiness(obj.domain)
    return obj._readiness


def step_summary(readiness: Readiness, *, can_change: bool) -> SafeString:
    """The next step (advance, else roll back): a link for those who may take it, with what blocks it."""
    parts = []
    for step in readiness.steps:
        state = "allowed" if step.allowed else f"{len(step.blockers)} blocker(s)"
        if can_change:
            parts.append(
                format_html(
                    '<a class="button cutover-step cutover-{}" href="{}">{}</a> <small>{}</small>',
                    "ok" if step.allowed else "blocked",
                    step_url(readiness.domain, step),
                    step.label,
                    state,
                )
            )
        else:
            parts.append(format_html("{} <small>({})</small>", step.label, state))
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))


def checklist_summary(readiness: Readiness) -> SafeString:
    """ "6/8 ok" and a link to each failing item's filtered list."""
    failing = [item for item in readiness.checklist if not item.ok]
    ok = len(readiness.checklist) - len(failing)
    links = format_html_join(
        ", ",
        '<a class="cutover-fail" href="{}" title="{}">✗ {}</a>',
        ((list_url(item.list_filter), item.detail, item.label) for item in failing),
    )
    return format_html(
        '<span class="cutover-{}">{}/{} ok</span> {}',
        "ok" if not failing else "fail",
        ok,
        len(readiness.checklist),
        links,
    )


def checklist_table(readiness: Readiness) -> SafeString:
    rows = [(item, list_url(item.list_filter)) for item in readiness.checklist]
    return render_to_string("admin/cutover/_checklist.html", {"readiness": readiness, "rows": rows})


def one_line(text: str, limit: int) -> str:
    """The first line of `text` (an error: its class and the first line of its message), cut at `limit`
    characters with an ellipsis."""
    lines = (text or "").strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def cut(text: str, limit: int = 90) -> SafeString:
    """A long value in a list: one line, cut, the whole first line on hover; the object's page has all of it."""
    return format_html('<span class="cutover-cut" title="{}">{}</span>', one_line(text, 2000), one_line(text, limit))
