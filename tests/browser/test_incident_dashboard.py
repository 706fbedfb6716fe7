"""The incident-first dashboard in headless Chromium at 1366 px: the summary line, incidents first with their
severity, a finished domain green "done" with its rollback's prerequisites shown as such, the mismatch rate of the
dual modes with each store's latency beside it, and lists that fit the width (long values one line, whole on the
object's page).

DASHBOARD_SCREENSHOT=docs/dashboard.png refreshes the README's screenshot from test_the_dashboard_puts_incidents_first.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cutover.mirror.counters import STORE_SECONDS
from cutover.models import BackfillRun, MirrorOutboxEntry, VerifyResult
from cutover.modes.registry import domain_names
from cutover.testing import set_store_mode
from tests.api.alarm_faults import a_dead_entry, mismatches, scheduled_tasks_ran
from tests.browser.pages import log_in, wait_for
from tests.cutover.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1366
TOPOLOGY_DUMP = "ServerSelectionTimeoutError: mongo-1:27017: [Errno 111] Connection refused, Timeout: 30s, " + (
    "Topology Description: <TopologyDescription id: 65f, topology_type: Unknown, servers: [<ServerDescription "
    "('mongo-1', 27017) server_type: Unknown, rtt: None, error=AutoReconnect('mongo-1:27017: [Errno 111]')>]>\n" * 10
)


def _a_finished_domain_an_incident_and_a_mismatch_rate() -> None:
    """auth done (postgres, backfilled and verified, outbox empty, purges on time); payment with a dead mirror
    write (critical); marketplace in dual with 2 mismatches in 100 shadow reads (warning); the rest in mongo."""
    scheduled_tasks_ran()
    now = timezone.now()
    set_store_mode("auth", "postgres")
    BackfillRun.objects.create(domain="auth", status="finished", finished_at=now - timedelta(minutes=10))
    VerifyResult.objects.create(domain="auth", started_at=now - timedelta(minutes=5), passed=True)
    set_store_mode("payment", "dual")
    a_dead_entry("payment")
    MirrorOutboxEntry.objects.filter(domain="payment").update(last_error=TOPOLOGY_DUMP)
    set_store_mode("marketplace", "dual", shadow_read_percent=10)
    mismatches("marketplace", reads=100, mismatched=2)
    STORE_SECONDS.clear()  # the live server runs in this process: its registry is this one
    for _ in range(40):
        STORE_SECONDS.labels("marketplace", "postgres", "read").observe(0.002)
    STORE_SECONDS.labels("marketplace", "mongo", "shadow_read").observe(0.03)


@pytest.fixture
def admin_at_1366(browser, live_server):
    browser.set_window_size(WIDTH, 1000)
    make_user("admin", staff=True, superuser=True)
    log_in(browser, live_server, "admin")
    browser.execute_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    return browser


def _fits(browser) -> bool:
    return browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_the_dashboard_puts_incidents_first(admin_at_1366, live_server):
    browser = admin_at_1366
    _a_finished_domain_an_incident_and_a_mismatch_rate()
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dashboard/")
    overview = wait_for(browser, "#cutover-overview").text
    others = len(domain_names()) - 3
    assert overview == f"{len(domain_names())} domains: 1 done, {others} in progress, 2 with incidents (1 critical)"
    assert not browser.find_elements(By.ID, "cutover-deployment-alarms")  # every task ran: none
    rows = browser.find_elements(By.CSS_SELECTOR, "#cutover-summary tbody tr")
    order = [
        (row.get_attribute("data-domain"), row.get_attribute("data-state"), row.get_attribute("data-severity"))
        for row in rows
    ]
    assert order[:2] == [("payment", "incident", "critical"), ("marketplace", "incident", "warning")]
    assert order[-1] == ("auth", "done", "")
    assert {state for _, state, _ in order[2:-1]} == {"in progress"}
    payment, marketplace, auth = rows[0], rows[1], rows[-1]
    assert "Dead mirror writes" in payment.text
    assert "2.00% (2 in 100 reads)" in marketplace.text
    assert "shadow-read mismatch" in marketplace.text  # the rate alarm, over its threshold (0% by default)
    done = auth.find_element(By.CSS_SELECTOR, ".cutover-state-done")
    assert done.text == "DONE" or done.text == "done"
    assert done.value_of_css_property("background-color") == "rgba(21, 128, 61, 1)"
    assert "✗" not in auth.text and "none: cutover complete" in auth.text
    latency = browser.find_element(By.ID, "latency-marketplace")
    figures = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in latency.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    assert figures[0][:3] == ["postgres", "read", "40"] and figures[1][:3] == ["mongo", "shadow_read", "1"]
    assert all(cell.endswith(" ms") for row in figures for cell in row[3:])
    assert "estimated from the histogram's buckets" in latency.text and "since this web process started" in latency.text
    assert not browser.find_elements(By.ID, "latency-auth")  # on postgres: no second store to compare
    card = browser.find_element(By.ID, "domain-auth")
    assert "What a rollback to dual would need" in card.text and "Not failures" in card.text
    assert not card.find_elements(By.CSS_SELECTOR, 'tr.cutover-item[data-ok="0"]')
    assert _fits(browser), "the dashboard scrolls sideways at 1366 px"
    if os.environ.get("DASHBOARD_SCREENSHOT"):  # the summary table whole, at the width it is tested at
        bottom = browser.execute_script(
            "return document.getElementById('cutover-summary').getBoundingClientRect().bottom"
        )
        browser.set_window_size(WIDTH, int(bottom) + 160)
        browser.save_screenshot(os.environ["DASHBOARD_SCREENSHOT"])


def test_a_long_error_is_one_line_in_the_list_and_whole_on_its_page(admin_at_1366, live_server):
    browser = admin_at_1366
    _a_finished_domain_an_incident_and_a_mismatch_rate()
    browser.get(f"{live_server.url}/admin/cutover/mirroroutboxentry/")
    cell = wait_for(browser, "#result_list td.field-error_line .cutover-cut")
    assert cell.get_attribute("title") == TOPOLOGY_DUMP.splitlines()[0]
    assert cell.size["height"] < 30, "one line"
    assert _fits(browser), "the outbox list scrolls sideways at 1366 px"
    entry = MirrorOutboxEntry.objects.get(domain="payment")
    browser.get(f"{live_server.url}/admin/cutover/mirroroutboxentry/{entry.pk}/change/")
    whole = wait_for(browser, ".field-last_error .readonly").text  # the entry's page is read-only
    assert whole.split() == TOPOLOGY_DUMP.split()


def test_the_scheduled_tasks_headers_keep_their_words_apart_and_the_page_fits(admin_at_1366, live_server):
    browser = admin_at_1366
    scheduled_tasks_ran()
    browser.get(f"{live_server.url}/admin/cutover/scheduledtaskrun/")
    headers = wait_for(browser, "#configured-tasks").find_elements(By.CSS_SELECTOR, "thead th")
    gaps = browser.execute_script(
        "const r = [...arguments[0]].map(th => { const g = document.createRange(); g.selectNodeContents(th);"
        " return g.getBoundingClientRect(); });"
        " return r.slice(1).map((box, i) => box.left - r[i].right);",
        headers,
    )
    assert min(gaps) >= 8, f"header words run together: gaps {gaps} px"
    assert _fits(browser), "the scheduled tasks page scrolls sideways at 1366 px"
