"""How long each portal page takes to become interactive, in a real browser.

A real `streamlit run` server on a built demo home, Debian's chromium driven by playwright
(as the browser tests do). The coordinator signs in, so every page of the menu (public and
staff) can be opened; each page is opened from the menu as a person does, and timed in the
browser itself from the click to the end of the page's script run (the server's "not
running" status message, read from the websocket by a script in the page, then the page
showing the script idle: see `_RUN_WATCH`), so no polling delay is counted. The first opening pays
the cold caches; the next ones are what a reader moving between pages feels. The target
(issue 7) is 2 s for every page on the demo data.

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
import time
import urllib.request
from pathlib import Path

from dashboards.portal_command import portal_command

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# The end of a script run, as the browser learns it: from the server's own messages, not
# from the page. Streamlit marks its app element `data-test-script-state="running"` while a
# run goes on, but React draws that attribute only if a frame is rendered between the
# "running" and "not running" status messages; when both are handled in one go (a short
# run, or a busy browser: measured under load, a run then left the attribute
# "notRunning" throughout), the page never shows it ran. So a script installed in every
# page before Streamlit's own (`run_watch_script`, via add_init_script) reads each
# websocket message's session status (ForwardMsg.session_status_changed, a protobuf whose
# field numbers are taken from the installed Streamlit): a run began after the click when
# "running" arrives, and ended when "not running" follows it; the run's time ends when the
# page then shows the script idle, at the next animation frame (or 50 ms on, if frames are
# held back: measured once under load, a page drew none for 30 s).
# `flipped` records whether the page's attribute showed "running" at all (the old watch's
# only sign of a run), so the blind spot is counted, not guessed.
_RUN_WATCH = """(() => {
  const STATUS = %(status)d, RUNNING = %(running)d;
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  // null for a message that is not a session status, else whether the script is running.
  const running = (bytes) => {
    let at = 0;
    while (at < bytes.length) {
      let tag, size;
      [tag, at] = varint(bytes, at);
      const field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) [, at] = varint(bytes, at);
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else if (wire === 2) {
        [size, at] = varint(bytes, at);
        if (field === STATUS) {
          const status = bytes.subarray(at, at + size);
          let inner = 0, on = false;
          while (inner < status.length) {
            let key, value;
            [key, inner] = varint(status, inner);
            if ((key & 7) !== 0) break;
            [value, inner] = varint(status, inner);
            if (Math.floor(key / 8) === RUNNING) on = value !== 0;
          }
          return on;
        }
        at += size;
      } else return null;
    }
    return null;
  };
  const heard = (event) => {
    const run = window.__run;
    if (!run || run.done !== null || !(event.data instanceof ArrayBuffer)) return;
    const on = running(new Uint8Array(event.data));
    if (on === null) return;
    run.heard.push([Math.round(performance.now() - run.start), on]);  // for a lost click's record
    if (on === true) run.ran = true;
    else if (on === false && run.ran && run.ended === null) {
      run.ended = performance.now();
      // Done once the page shows the script idle: at the next frame, or (a page whose
      // frames are held back, measured under load) 50 ms on.
      const settle = () => {
        if (window.__run !== run || run.done !== null) return;
        const app = document.querySelector('[data-testid="stApp"]');
        const idle = app?.getAttribute("data-test-script-state") === "notRunning";
        if (idle) run.done = performance.now();
        else setTimeout(settle, 10);
      };
      requestAnimationFrame(settle);
      setTimeout(settle, 50);
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", heard);
    }
  };
})();"""


def run_watch_script() -> str:
    """The page script watching script runs (see _RUN_WATCH), for `add_init_script`."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.SessionStatus_pb2 import SessionStatus

    return _RUN_WATCH % {
        "status": ForwardMsg.DESCRIPTOR.fields_by_name["session_status_changed"].number,
        "running": SessionStatus.DESCRIPTOR.fields_by_name["script_is_running"].number,
    }


# Run before each click: a fresh record for the run the click starts (times in ms from the
# page's origin), and whether the page's attribute shows "running" meanwhile.
WATCH = """() => {
  window.__run = {start: performance.now(), ran: false, ended: null, done: null, flipped: false,
                  heard: []};
  const run = window.__run;
  const watcher = new MutationObserver((changes) => {
    if (changes.some((c) => c.target.getAttribute('data-test-script-state') === 'running'
                            || c.oldValue === 'running')) {
      run.flipped = true;
      watcher.disconnect();
    }
  });
  watcher.observe(document.body, {subtree: true, attributes: true, attributeOldValue: true,
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


def _serve(home: Path, port: int, script: Path | None = None,
           cwd: Path = ROOT) -> subprocess.Popen:  # fmt: skip
    """The portal (or another `script`, run as the portal is) on `port`, once healthy; from
    `cwd` (another checkout's root, whose modules it then imports)."""
    env = {**os.environ, "SALNAMEH_HOME": str(home)}
    command = portal_command(port) if script is None else portal_command(port, script)
    server = subprocess.Popen(command, cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _wait_health(f"http://127.0.0.1:{port}", server)
    return server


def _wait_health(url: str, server: subprocess.Popen) -> None:
    """Until the server at `url` answers its health check; stopped if not within 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
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
            tab.add_init_script(run_watch_script())
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
