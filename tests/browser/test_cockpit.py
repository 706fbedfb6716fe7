"""The cutover cockpit in a real headless Chromium: what a new admin sees and does.

The incident-first dashboard's own tests (and the README's screenshot): test_incident_dashboard.py."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from cutover.models import (
    BackfillReject,
    BackfillRun,
    MirrorOutboxEntry,
    ShadowMismatch,
    StoreModeChange,
    VerifyResult,
)
from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION, OVERRIDE_PERMISSION
from cutover.testing import set_store_mode
from tests.browser.pages import click_and_wait, log_in, text, wait_for, wait_for_url
from tests.cutover.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _a_cutover_under_way() -> None:
    """auth done and in postgres; marketplace in dual with trouble; payment ready to advance; the rest in mongo."""
    past = timezone.now() - timedelta(hours=2)
    set_store_mode("auth", "postgres")
    set_store_mode("marketplace", "dual", shadow_read_percent=10)
    set_store_mode("payment", "dual_mongo_primary")
    for domain in ("marketplace", "payment"):
        run = BackfillRun.objects.create(
            domain=domain,
            status="finished",
            summary={"users": {"read": 1200, "written": 1200, "unchanged": 0, "rejected": 1, "seconds": 3.2}},
        )
        BackfillRun.objects.filter(pk=run.pk).update(started_at=past, finished_at=past + timedelta(minutes=3))
        VerifyResult.objects.create(domain=domain, started_at=past + timedelta(minutes=5), passed=True)
    VerifyResult.objects.create(
        domain="marketplace", started_at=timezone.now(), passed=False, counts={"selleroffers": {"differing": 2}}
    )
    ShadowMismatch.objects.create(domain="marketplace", method="get_offer", kind="mismatch", primary_store="postgres")
    BackfillReject.objects.create(
        domain="marketplace", collection="selleroffers", record_id="x", kind="bad_value", reason="price", document={}
    )


def test_an_admin_reads_the_dashboard(browser, live_server):
    _a_cutover_under_way()
    make_user("admin", staff=True, superuser=True)
    log_in(browser, live_server, "admin")
    assert "escrow-cutover administration" in text(browser, "#site-name")
    assert not browser.find_elements(By.LINK_TEXT, "View site")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Cutover dashboard"), "#cutover-summary")
    rows = browser.find_elements(By.CSS_SELECTOR, "#cutover-summary tbody tr")
    domains = [row.get_attribute("data-domain") for row in rows]
    assert sorted(domains) == sorted(domain_names()) and domains[0] == "marketplace"  # its incidents first
    marketplace = browser.find_element(By.CSS_SELECTOR, '#cutover-summary tr[data-domain="marketplace"]')
    assert "dual" in marketplace.find_element(By.CSS_SELECTOR, ".cutover-badge").text
    assert "Advance to postgres" in marketplace.text and "Roll back to dual_mongo_primary" in marketplace.text
    assert "✗ Latest verify" in marketplace.text and "✗ Open backfill rejects" in marketplace.text
    payment = browser.find_element(By.CSS_SELECTOR, '#cutover-summary tr[data-domain="payment"]')
    assert "Advance to dual" in payment.text
    # the checklist of a domain, each item linking to its filtered list
    card = browser.find_element(By.ID, "domain-marketplace")
    failing = card.find_elements(By.CSS_SELECTOR, 'tr.cutover-item[data-ok="0"]')
    assert {row.get_attribute("class").split()[-1] for row in failing} >= {
        "cutover-item-verify",
        "cutover-item-rejects",
        "cutover-item-mismatches",
    }
    badge_colour = browser.find_element(By.CSS_SELECTOR, ".cutover-mode-dual").value_of_css_property("background-color")
    assert badge_colour == "rgba(29, 78, 216, 1)"  # the cockpit's stylesheet is served
    rejects = browser.find_element(By.CSS_SELECTOR, "#domain-marketplace tr.cutover-item-rejects a")
    click_and_wait(browser, rejects, "#result_list")
    assert "1 backfill reject" in text(browser, "#changelist-form .paginator")


def test_an_admin_advances_a_domain_with_a_reason_through_the_confirmation(browser, live_server):
    make_user("admin", staff=True, superuser=True)
    log_in(browser, live_server, "admin")
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dashboard/")
    dispute = wait_for(browser, '#cutover-summary tr[data-domain="dispute"]')
    click_and_wait(browser, dispute.find_element(By.LINK_TEXT, "Advance to dual_mongo_primary"), "#step-form")
    assert "Every precondition of advance to dual_mongo_primary is met." in text(browser, "#cutover-step")
    browser.find_element(By.ID, "id_reason").send_keys("start dual writes for disputes")
    click_and_wait(browser, browser.find_element(By.NAME, "review"), "#cutover-confirm")
    confirm = text(browser, "#cutover-confirm")
    assert "dispute" in confirm and "mongo → dual_mongo_primary" in confirm
    assert text(browser, "#confirm-reason") == "start dual writes for disputes"
    assert current_mode("dispute") is StoreMode.MONGO  # nothing changes before the confirmation
    click_and_wait(browser, browser.find_element(By.ID, "confirm-button"), ".messagelist")
    assert text(browser, ".messagelist .success") == "Dispute: mongo → dual_mongo_primary."
    assert "start dual writes for disputes" in text(browser, "#recent-changes")
    assert StoreModeChange.objects.get().to_mode == "dual_mongo_primary"


def test_a_refusal_lists_every_failing_precondition_with_its_command(browser, live_server):
    set_store_mode("dispute", "dual_mongo_primary")
    make_user("alice", CHANGE_PERMISSION)
    log_in(browser, live_server, "alice")
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dispute/change/")
    click_and_wait(browser, wait_for(browser, "a.cutover-step.cutover-blocked"), "#step-form")
    items = browser.find_elements(By.CSS_SELECTOR, "ol.cutover-blockers > li")
    commands = [item.find_element(By.TAG_NAME, "code").text for item in items]
    assert len(items) == 14  # auth, marketplace, payment (in mongo): four steps each; dispute: backfill, verify
    assert commands[:4] == [
        "manage.py store_mode auth --to dual_mongo_primary --user USERNAME --reason 'WHY'",
        "manage.py backfill auth",
        "manage.py verify auth",
        "manage.py store_mode auth --to dual --user USERNAME --reason 'WHY'",
    ]
    assert commands[-2:] == ["manage.py backfill dispute", "manage.py verify dispute"]
    assert not browser.find_elements(By.ID, "danger-zone")  # alice may not override
    assert not browser.find_elements(By.NAME, "review")  # nothing to submit until they are fixed
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY


def test_a_view_only_user_sees_no_change_actions(browser, live_server):
    make_user("viewer", "cutover.view_domainstoremode")
    log_in(browser, live_server, "viewer")
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dashboard/")
    wait_for(browser, "#cutover-summary")
    assert not browser.find_elements(By.CSS_SELECTOR, "a.cutover-step")
    assert "Advance to dual_mongo_primary" in text(browser, '#cutover-summary tr[data-domain="dispute"]')
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dispute/change/")
    wait_for(browser, "#content-main")
    assert not browser.find_elements(By.NAME, "shadow_read_percent")
    assert not browser.find_elements(By.CSS_SELECTOR, "a.cutover-step, input[type=submit]")
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dispute/step/dual_mongo_primary/")
    assert "Permission refused" in text(browser, "h1")  # inside the admin's layout, naming what is missing
    assert "needs the permission cutover.change_store_mode" in text(browser, "#permission-refused")
    assert current_mode("dispute") is StoreMode.MONGO


def test_an_override_is_confirmed_and_flagged_in_history(browser, live_server):
    set_store_mode("dispute", "dual")
    MirrorOutboxEntry.objects.create(domain="dispute", record_id="b" * 24, target="mongo", status="dead")
    make_user("olga", CHANGE_PERMISSION, OVERRIDE_PERMISSION, "cutover.view_storemodechange")
    log_in(browser, live_server, "olga")
    browser.get(f"{live_server.url}/admin/cutover/domainstoremode/dispute/step/dual_mongo_primary/")
    danger = wait_for(browser, "#danger-zone")
    assert "1 mirror write(s) of dispute to mongo are dead" in danger.text
    browser.find_element(By.ID, "id_reason").send_keys("mongo must lead again")
    browser.find_element(By.ID, "id_override").click()
    click_and_wait(browser, browser.find_element(By.NAME, "review"), "#cutover-confirm")
    assert "You are overriding 1 failing precondition(s)" in text(browser, "#override-warning")
    click_and_wait(browser, browser.find_element(By.ID, "confirm-button"), ".messagelist")
    assert "overriding 1 failed precondition(s); flagged" in text(browser, ".messagelist .warning")
    assert "⚠ overridden" in text(browser, "#recent-changes")
    click_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "All changes of dispute"), "#result_list")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Overridden (a failed").click()
    wait_for_url(browser, "overridden=yes")  # the same list, filtered: wait for the new page, not the element
    assert "mongo must lead again" in text(browser, "#result_list")


def test_a_failing_page_can_be_saved_as_a_screenshot(browser, live_server, tmp_path, monkeypatch):
    """The failure hook's helper writes a PNG of the page the browser is on."""
    from tests.browser import conftest

    monkeypatch.setattr(conftest, "SCREENSHOTS", tmp_path)
    browser.get(f"{live_server.url}/admin/login/")
    wait_for(browser, "#id_username")
    path = conftest.save_screenshot(browser, "test_x[param]")
    assert path == tmp_path / "test_x_param.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
