"""Small page helpers for the browser tests: log in, open a page, wait for what the next page shows."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "x-for-tests-only"  # tests.cutover.helpers.make_user
WAIT_SECONDS = 15


def wait_for(driver, css: str):
    """The element, once the page shows it (a condition polled by WebDriverWait, not a sleep)."""
    return WebDriverWait(driver, WAIT_SECONDS).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def log_in(driver, live_server, username: str) -> None:
    driver.get(f"{live_server.url}/admin/login/")
    wait_for(driver, "#id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(driver, "#user-tools")


def text(driver, css: str) -> str:
    return wait_for(driver, css).text


def click_and_wait(driver, element, css_on_next_page: str):
    element.click()
    return wait_for(driver, css_on_next_page)


def wait_for_url(driver, fragment: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(ec.url_contains(fragment))
