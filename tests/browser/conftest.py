"""Headless Chromium (Debian's chromium + chromium-driver, installed by .ci/run) driving the live admin.

No download at run time: the driver and the browser are the system's. A failing test saves a screenshot of the
page it was on under .data/browser-screenshots/ (the path is printed with the failure). Without Chromium the
tests skip, except in CI or with REQUIRE_BROWSER=1, where they fail.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / ".data" / "browser-screenshots"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1100",
)
_report_key = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_report_key] = report
    return report


def _chromium_paths() -> tuple[str, str] | None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (binary, driver) if binary and driver else None


def start_chromium(user_data_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = _chromium_paths()
    if paths is None:
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium and chromium-driver are not installed (.ci/run installs them with apt-get)")
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    binary, driver = paths
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def save_screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name.replace('/', '_').replace('[', '_').replace(']', '')}.png"
    driver.save_screenshot(str(path))
    return path


@pytest.fixture
def browser(request, live_server, transactional_db):
    """A fresh headless Chromium (fresh profile) on the live server; a screenshot if the test fails."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = start_chromium(profile)
        driver.implicitly_wait(0)
        try:
            yield driver
        finally:
            report = request.node.stash.get(_report_key, None)
            if report is not None and report.failed:
                path = save_screenshot(driver, request.node.name)
                report.sections.append(("browser screenshot", str(path)))
                print(f"\nscreenshot of the failing page: {path}")
            driver.quit()
