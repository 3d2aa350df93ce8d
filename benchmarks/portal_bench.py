"""How long each portal page takes to become interactive, in a real browser.

A real `streamlit run` server on a built demo home, Debian's chromium driven by playwright
(as the browser tests do). The coordinator signs in, so every page of the menu (public and
staff) can be opened; each page is opened from the menu as a person does, and timed in the
browser itself from the click to the end of the page's script run (Streamlit marks its app
element `data-test-script-state="notRunning"`), through a MutationObserver, so no polling
delay is counted. The first opening pays the cold caches; the next ones are what a reader
moving between pages feels. The target (issue 7) is 2 s for every page on the demo data.

    .venv/bin/python -m benchmarks.portal_bench --home var [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# Installed before each click: records when the script run that the click starts has ended.
WATCH = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__run = {start: performance.now(), ran: false, done: null};
  const watcher = new MutationObserver((changes) => {
    const state = app.getAttribute('data-test-script-state');
    // A short run can go running -> notRunning before this callback sees it: the old
    // value of each change still tells that it ran.
    if (state === 'running' || changes.some((c) => c.oldValue === 'running')) {
      window.__run.ran = true;
    }
    if (window.__run.ran && state === 'notRunning' && window.__run.done === null) {
      window.__run.done = performance.now();
      watcher.disconnect();
    }
  });
  watcher.observe(app, {attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
}"""


def browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(home: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboards" / "app.py"),
               "--server.port", str(port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "SALNAMEH_HOME": str(home)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise TimeoutError("the portal server did not start within 60 s")


def _password(home: Path, user_id: str) -> str:
    with (home / "demo-staff.csv").open(encoding="utf-8") as handle:
        return next(r["password"] for r in csv.DictReader(handle) if r["user_id"] == user_id)


def _open_from_menu(tab, title: str) -> float:
    tab.evaluate(WATCH)
    tab.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    tab.wait_for_function("window.__run.done !== null", timeout=120_000)
    return tab.evaluate("(window.__run.done - window.__run.start) / 1000")


def measure(home: Path, rounds: int = 3) -> dict:
    """Seconds to interactive per page: the first opening and the median of `rounds` more."""
    from playwright.sync_api import sync_playwright

    from dashboards.app import PUBLIC_PAGES, STAFF_PAGES

    port = _free_port()
    server = _serve(home, port)
    pages: dict[str, dict] = {}
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            tab = browser.new_page(viewport={"width": 1366, "height": 900})
            tab.goto(f"http://127.0.0.1:{port}/sign_in")
            tab.wait_for_selector(IDLE, timeout=60_000)
            tab.get_by_label("نام کاربری").fill("demo-coordinator")
            tab.get_by_label("گذرواژه").fill(_password(home, "demo-coordinator"))
            tab.get_by_role("button", name="ورود").click()
            tab.wait_for_timeout(500)
            tab.wait_for_selector(IDLE, timeout=60_000)
            menu = [(path, title) for path, title, _en, _action in PUBLIC_PAGES + STAFF_PAGES]
            for path, title in menu:
                pages[Path(path).stem] = {"first_s": round(_open_from_menu(tab, title), 3)}
            for _ in range(rounds):
                for path, title in menu:
                    pages[Path(path).stem].setdefault("again_s", []).append(
                        _open_from_menu(tab, title)
                    )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    for figures in pages.values():
        again = figures.pop("again_s")
        figures["median_s"] = round(statistics.median(again), 3)
        figures["max_s"] = round(max(again), 3)
    slowest = max(max(f["first_s"], f["max_s"]) for f in pages.values())
    return {"pages": pages, "rounds": rounds, "target_s": TARGET_S,
            "slowest_s": round(slowest, 3), "met": slowest <= TARGET_S}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a built demo home")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.home.resolve(), args.rounds), indent=2))


if __name__ == "__main__":
    main()
