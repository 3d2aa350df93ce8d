"""A page opened at its own address: the portal's server (dashboards/server.py, which
declares the server's root in the page) against plain `streamlit run dashboards/app.py`,
the same portal on Streamlit's own server, whose frontend first asks /<page>/_stcore/health,
gets a 404 and waits 100 ms.

    .venv/bin/python -m benchmarks.page_address_bench --home HOME [--pages search,explorer]
        [--reloads 4] [--rounds 2] [--latency 0,100] [--pin] [--out DIR]

Both servers on the same demo home (only read), in turn (`rounds` times each, so a drift of
the machine falls on both), each page loaded once and then `reloads` times in one Chromium
context. Timed from the navigation's commit to the page's title drawn with the script idle,
so the browser's load event (which a download button's own check of its file can hold back)
is not counted. `--latency` adds a round-trip delay to every request in Chromium (CDP's
network emulation), as a reader on a real network has; `--pin` puts the server on core 0
and Chromium on core 1, as benchmarks/portal_speed.py does (without it the browser may use
both cores, as a reader's own computer would). Medians per server, page and latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import time
from pathlib import Path

from benchmarks.portal_bench import CHROMIUM, LAUNCH_ARGS, ROOT, _free_port, _wait_health
from benchmarks.provenance import save_json
from dashboards.portal_command import SERVER, portal_command

TITLE_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"] [data-testid="stMain"] h1'
SERVERS = {"streamlit run app.py": ROOT / "dashboards" / "app.py", "dashboards/server.py": SERVER}


def _start(script: Path, home: Path, pin: bool) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "SALNAMEH_HOME": str(home)}
    server = subprocess.Popen(portal_command(port, script), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    if pin:
        os.sched_setaffinity(server.pid, {0})
    url = f"http://127.0.0.1:{port}"
    _wait_health(url, server)
    return server, url


def _reloads(browser, url: str, page: str, latency_ms: float, reloads: int) -> list[float]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = context.new_page()
    network = context.new_cdp_session(tab)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                 "downloadThroughput": -1, "uploadThroughput": -1})  # fmt: skip
    tab.goto(f"{url}/{page}", timeout=60_000)
    tab.wait_for_selector(TITLE_IDLE, timeout=60_000)
    times = []
    for _ in range(reloads):
        started = time.perf_counter()
        tab.goto(f"{url}/{page}", timeout=60_000, wait_until="commit")
        tab.wait_for_selector(TITLE_IDLE, timeout=60_000)
        times.append(time.perf_counter() - started)
        tab.wait_for_timeout(300)
    context.close()
    return times


def measure(home: Path, pages: list[str], latencies: list[float], reloads: int, rounds: int,
            pin: bool) -> dict:  # fmt: skip
    from playwright.sync_api import sync_playwright

    if pin:
        os.sched_setaffinity(0, {1})  # Chromium is started from here and inherits it
    found: dict[tuple[str, str, float], list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for _ in range(rounds):
            for name, script in SERVERS.items():
                server, url = _start(script, home, pin)
                try:
                    for latency in latencies:
                        for page in pages:
                            times = _reloads(browser, url, page, latency, reloads)
                            found.setdefault((name, page, latency), []).extend(times)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
        browser.close()
    rows = [{"server": name, "page": page, "latency_ms": latency,
             "median_s": round(statistics.median(times), 3),
             "times_s": [round(t, 3) for t in times]}
            for (name, page, latency), times in found.items()]  # fmt: skip
    return {"date": dt.date.today().isoformat(), "pinned": pin, "reloads": reloads,
            "rounds": rounds, "rows": rows}  # fmt: skip


def markdown(result: dict) -> str:
    where = "server on core 0, Chromium on core 1" if result["pinned"] else "unpinned"
    lines = [f"Reloads, {result['date']} ({where}; {result['rounds']} rounds x "
             f"{result['reloads']} reloads per server and page; median s):", "",
             "| page | latency (ms) | `streamlit run app.py` | dashboards/server.py |",
             "|---|---|---|---|"]  # fmt: skip
    by = {(r["server"], r["page"], r["latency_ms"]): r["median_s"] for r in result["rows"]}
    for page, latency in dict.fromkeys((r["page"], r["latency_ms"]) for r in result["rows"]):
        plain, ours = (by[(name, page, latency)] for name in SERVERS)
        lines.append(f"| {page} | {latency:g} | {plain} | {ours} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a built demo home (read only)")
    parser.add_argument("--pages", default="search,explorer")
    parser.add_argument("--latency", default="0,100", help="added round trips, ms")
    parser.add_argument("--reloads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pin", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="a folder for the JSON")
    args = parser.parse_args()
    result = measure(args.home.resolve(), args.pages.split(","),
                     [float(x) for x in args.latency.split(",")], args.reloads, args.rounds,
                     args.pin)  # fmt: skip
    pinned = "-pinned" if args.pin else ""
    save_json(result, args.out, f"{result['date']}-page-address{pinned}.json")
    print(markdown(result))


if __name__ == "__main__":
    main()
