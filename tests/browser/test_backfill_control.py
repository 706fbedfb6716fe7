"""The cockpit runs a backfill on a real Celery worker: start it from the start page, pause it, resume it,
see it finish with every document loaded once; each decision kept on its run."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillRun
from escrow_project.celery import app
from payments.models import Payment
from tests.backfill.test_processes import _many_payments
from tests.browser.pages import click_and_wait, log_in, wait_for
from tests.cutover.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "nightly copy of payments (browser test)"


def _status_shown(browser, status: str, seconds: float = 60) -> None:
    WebDriverWait(browser, seconds).until(lambda d: d.find_element(By.ID, "run-status").text == status)


def _control(browser, button: str) -> None:
    reason = wait_for(browser, "#control-form textarea[name=reason]")
    reason.clear()
    reason.send_keys(REASON)
    browser.find_element(By.ID, button).click()


def test_start_pause_resume_and_finish_a_backfill_from_the_cockpit(browser, live_server, worker):
    ids = _many_payments(3000)
    backfill_domain("auth")
    backfill_domain("marketplace")
    make_user("admin", staff=True, superuser=True)
    previous, app.conf.task_default_queue = app.conf.task_default_queue, worker  # the test worker's queue
    try:
        log_in(browser, live_server, "admin")
        browser.get(f"{live_server.url}/admin/cutover/backfillrun/")
        click_and_wait(browser, browser.find_element(By.ID, "start-backfill"), "#start-form")
        Select(browser.find_element(By.ID, "id_domain")).select_by_value("payment")
        Select(browser.find_element(By.ID, "id_kind")).select_by_value("forward")
        for field, value in (("id_batch_size", "50"), ("id_max_rate", "300"), ("id_reason", REASON)):
            browser.find_element(By.ID, field).clear()
            browser.find_element(By.ID, field).send_keys(value)
        click_and_wait(browser, browser.find_element(By.ID, "start-button"), "#backfill-run")
        first = BackfillRun.objects.get(domain="payment")
        WebDriverWait(browser, 30).until(lambda d: "payments" in d.find_element(By.ID, "run-progress").text)
        assert "/ 3000" in browser.find_element(By.ID, "run-progress").text  # done / total, live

        _control(browser, "pause-button")
        _status_shown(browser, "paused")
        first.refresh_from_db()
        assert 0 < Payment.objects.count() < 3000, "the run finished before the pause: slow it down further"
        assert [d["action"] for d in first.decisions] == ["start", "pause"]

        _control(browser, "resume-button")
        _status_shown(browser, "finished", seconds=120)
        resumed = BackfillRun.objects.filter(domain="payment").order_by("pk").last()
        assert resumed.pk != first.pk and resumed.status == "finished"
        assert resumed.summary["payments"]["read"] == 3000 - first.summary["payments"]["read"]
        assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(i) for i in ids)
        assert [d["action"] for d in BackfillRun.objects.get(pk=first.pk).decisions] == ["start", "pause", "resume"]
    finally:
        app.conf.task_default_queue = previous
