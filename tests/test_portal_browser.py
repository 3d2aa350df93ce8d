"""The portal in a real browser: Debian's chromium driven by playwright, against a real
`streamlit run` server on a copy of the demo home (../shared/STACK.md says how).

Screenshots of every page go to test-output/portal/ in the project, for a person to look
at. In CI (`CI=true`) a missing browser fails the run; elsewhere the tests are skipped with
the package to install.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import copy_home, in_ci

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "portal"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

pytestmark = pytest.mark.browser


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("the Debian package `chromium` (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package `playwright` (uv sync)")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if in_ci():
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def portal(demo_home, tmp_path_factory):
    """A real portal server on a private copy of the demo home; yields (url, home)."""
    _need_browser()
    home = copy_home(demo_home.root, tmp_path_factory.mktemp("portal") / "home")
    port = _free_port()
    env = {**os.environ, "SALNAMEH_HOME": str(home)}
    log = (tmp_path_factory.mktemp("portal-log") / "streamlit.log").open("w")
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboards" / "app.py"),
               "--server.port", str(port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/_stcore/health", server)
        yield url, home
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for(health: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the portal server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the portal did not answer {health} within {timeout} s")


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = context.new_page()
    yield tab
    context.close()


def settle(tab, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script for what is on screen."""
    tab.wait_for_timeout(300)  # let a click's rerun start before waiting for its end
    tab.wait_for_selector(IDLE, timeout=timeout)


def shot(tab, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def visit(tab, url: str, path: str = "") -> None:
    tab.goto(f"{url}/{path}")
    settle(tab)


def demo_password(home: Path, user_id: str) -> str:
    with (home / "demo-staff.csv").open(encoding="utf-8") as handle:
        return next(r["password"] for r in csv.DictReader(handle) if r["user_id"] == user_id)


def sign_in(tab, url: str, home: Path, user_id: str) -> None:
    visit(tab, url, "sign_in")
    tab.get_by_label("نام کاربری").fill(user_id)
    tab.get_by_label("گذرواژه").fill(demo_password(home, user_id))
    tab.get_by_role("button", name="ورود").click()
    settle(tab)


def test_public_pages_render_in_the_browser(portal, page):
    url, _home = portal
    for path, name in [("", "home"), ("yearbook", "yearbook"), ("explorer", "explorer"),
                       ("county", "county"), ("county_map", "county_map"),
                       ("search", "search"), ("sql", "sql")]:  # fmt: skip
        visit(page, url, path)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        assert shot(page, f"public-{name}").stat().st_size > 10_000
    # Persian first: the page runs right to left.
    direction = page.evaluate("getComputedStyle(document.querySelector('h1')).direction")
    assert direction == "rtl"
