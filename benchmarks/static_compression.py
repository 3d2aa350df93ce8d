"""A page's first opening over a provincial office's link: the portal's frontend code sent
compressed once and kept (dashboards/compressed_static.py) against Streamlit as shipped
(uncompressed) and against Starlette's GZipMiddleware (compressed again on every request).

    .venv/bin/python -m benchmarks.static_compression --home HOME [--runs 3]
        [--pages home,explorer] [--links loopback,office_8mbit,mobile_4mbit]
        [--out benchmarks/results]

Three servers of the same portal on HOME (a built demo home; only read), run side
by side and opened in turn, each opening in a fresh browser context (nothing cached), the
server on core 0 and Chromium on core 1 as in portal_speed.py. For each network (loopback
as it is; a link Chromium holds to LINKS' speed and delay) and page: the seconds from the
navigation until the page is interactive (its title drawn, the script idle), the bytes the
page took over the wire (the transfer sizes the browser records), and the server's CPU
seconds for the opening. Medians of `runs`. And in process (`in_process`): the same three
ways as ASGI apps over Streamlit's static-file handler, called directly, answering the
files every page's HTML names, so the middleware's own cost is seen without a browser.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

from benchmarks.portal_bench import CHROMIUM, LAUNCH_ARGS, ROOT, _free_port, _serve
from benchmarks.portal_speed import VIEWPORT, _cpu_s, _goto, _load, _pin
from benchmarks.provenance import machine_facts, save_json

SERVERS = {
    "portal": None,  # dashboards/server.py
    "as_shipped": "as_shipped",
    "gzip_each_request": "gzip_each_request",
}
# Chromium's emulated links: (download and upload in bytes/s, round trip in ms). None: the
# loopback as it is.
LINKS = {
    "loopback": None,
    "office_8mbit": (8_000_000 / 8, 2_000_000 / 8, 40),
    "mobile_4mbit": (4_000_000 / 8, 1_000_000 / 8, 80),
}
# Chromium's emulated link now and then stalls a page's loading altogether (measured: 2 of
# 27 openings of the explorer at 8 Mbit/s, the page's own address among the requests left
# waiting, on two of the three servers): such an opening is tried again in a new context,
# and counted.
STALL_S, STALL_TRIES = 30, 3
TRANSFERRED = """() => performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation'))
    .reduce((sum, entry) => sum + (entry.transferSize || 0), 0)"""


def _start(way: str | None, home: Path) -> tuple[subprocess.Popen, str]:
    """A server of the portal served `way` (None: the portal's own), and its address."""
    port = _free_port()
    if way is None:
        return _serve(home, port), f"http://127.0.0.1:{port}"
    os.environ["SALNAMEH_STATIC_SERVER"] = way  # read by static_servers.py in the server
    try:
        server = _serve(home, port, ROOT / "benchmarks" / "static_servers.py")
    finally:
        del os.environ["SALNAMEH_STATIC_SERVER"]
    return server, f"http://127.0.0.1:{port}"


async def _open(browser, served: tuple[subprocess.Popen, str], page: str, link) -> dict:
    """A first opening of `page` in a fresh context, over `link`: seconds, bytes, CPU; an
    opening Chromium's emulated link stalls is tried again (see STALL_S)."""
    server, url = served
    for stalls in range(STALL_TRIES):
        context = await browser.new_context(viewport=VIEWPORT, locale="fa-IR")
        tab = await context.new_page()
        if link is not None:
            cdp = await context.new_cdp_session(tab)
            down, up, latency = link
            await cdp.send("Network.enable")
            await cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": latency, "downloadThroughput": down,
                "uploadThroughput": up})  # fmt: skip
        cpu = _cpu_s([server.pid])
        try:
            seconds = await _goto(tab, f"{url}/{'' if page == 'home' else page}", STALL_S)
        except PlaywrightTimeout:
            await context.close()
            continue
        taken = {"seconds": seconds, "server_cpu_s": _cpu_s([server.pid]) - cpu,
                 "bytes": await tab.evaluate(TRANSFERRED), "stalls": stalls}  # fmt: skip
        await context.close()
        return taken
    raise RuntimeError(f"{url}/{page} did not open in {STALL_TRIES} tries of {STALL_S} s")


async def _answer(app, path: str) -> int:
    """Bytes of the body `app` answers a GET of `path` with, gzip accepted: the ASGI call a
    server makes, without a server, a socket or a client."""
    sent, asked = 0, False

    async def receive() -> dict:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays: Starlette stops listening when done
        return {"type": "http.disconnect"}

    async def send(message) -> None:
        nonlocal sent
        if message["type"] == "http.response.body":
            sent += len(message.get("body", b""))

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "headers": [(b"accept-encoding", b"gzip")], "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1)}  # fmt: skip
    await app(scope, receive, send)
    return sent


def in_process(rounds: int) -> dict:
    """The three ways in this process, without a browser or a network: Streamlit's own
    static-file handler answering the files every page's HTML names (a first visit's
    scripts and style), `rounds` visits after one untimed one (which fills the portal's
    kept bytes). Median seconds and CPU seconds a visit, and the bytes sent."""
    from starlette.middleware.gzip import GZipMiddleware
    from streamlit.web.server.starlette.starlette_static_routes import (
        create_streamlit_static_handler,
    )

    from dashboards.compressed_static import CompressStatic
    from dashboards.preload import STATIC, _in_index

    handler = create_streamlit_static_handler(str(STATIC), None)
    ways = {"portal": CompressStatic(handler), "as_shipped": handler,
            "gzip_each_request": GZipMiddleware(handler, minimum_size=500)}  # fmt: skip
    files = sorted(f"/{f}" for f in _in_index() if (STATIC / f).is_file())

    async def visits(app) -> tuple[list[float], list[float], int]:
        sent = sum([await _answer(app, path) for path in files])
        walls, cpus = [], []
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            sent = sum([await _answer(app, path) for path in files])
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        return walls, cpus, sent

    found = {}
    for name, app in ways.items():
        walls, cpus, sent = asyncio.run(visits(app))
        found[name] = {"seconds_median": round(statistics.median(walls), 4),
                       "cpu_s_median": round(statistics.median(cpus), 4),
                       "bytes": sent}  # fmt: skip
    return {"files": len(files), "rounds": rounds, "ways": found}


async def measure(home: Path, runs: int, pages: list[str], links: list[str]) -> dict:
    from playwright.async_api import async_playwright

    os.sched_setaffinity(0, {1})  # this process, the driver and Chromium: core 1
    servers = {name: _start(way, home) for name, way in SERVERS.items()}
    for server, _url in servers.values():
        _pin(server.pid, {0})
    found: dict = {}
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                       args=LAUNCH_ARGS)  # fmt: skip
            for server in servers.values():  # each server's first runs of the pages, untimed
                for page in pages:
                    await _open(browser, server, page, None)
            for link_name in links:
                link = LINKS[link_name]
                for page in pages:
                    taken: dict[str, list[dict]] = {name: [] for name in servers}
                    names = list(servers)
                    for run in range(runs):
                        # The servers in turn, each run starting from the next one, so
                        # neither drift nor the place in the round falls on one alone.
                        for name in names[run % len(names):] + names[: run % len(names)]:
                            taken[name].append(await _open(browser, servers[name], page, link))
                    found.setdefault(link_name, {})[page] = {
                        name: {
                            "seconds_median": round(statistics.median(t["seconds"] for t in ts), 3),
                            "seconds": [round(t["seconds"], 3) for t in ts],
                            "bytes_median": int(statistics.median(t["bytes"] for t in ts)),
                            "server_cpu_s_median": round(
                                statistics.median(t["server_cpu_s"] for t in ts), 3),
                            "stalled_and_tried_again": sum(t["stalls"] for t in ts),
                        }
                        for name, ts in taken.items()
                    }  # fmt: skip
            await browser.close()
    finally:
        for server, _url in servers.values():
            server.terminate()
            server.wait(timeout=30)
    return {"measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": runs,
            "links": {name: LINKS[name] for name in links}, "load_average_1min": _load(),
            "machine": machine_facts(["streamlit", "starlette", "playwright"],
                                     ["dashboards", "benchmarks"], ["dashboards/*.py"],
                                     "dashboards/*.py"),
            "pages": found, "in_process": in_process(rounds=10 * runs)}  # fmt: skip


def markdown(result: dict) -> str:
    lines = [
        "| link | page | server | first opening (s) | bytes over the wire | server CPU (s) |"
        " stalled, tried again |",
        "|---|---|---|---|---|---|---|",
    ]
    for link, pages in result["pages"].items():
        for page, servers in pages.items():
            for name, got in servers.items():
                cells = (link, page, name, got["seconds_median"], f"{got['bytes_median']:,}",
                         got["server_cpu_s_median"], got["stalled_and_tried_again"])  # fmt: skip
                lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    done = result.get("in_process")
    if done:
        lines += ["", f"In process, the {done['files']} files every page names, a visit "
                  f"(median of {done['rounds']}):", "",
                  "| server | seconds | CPU seconds | bytes |", "|---|---|---|---|"]  # fmt: skip
        for name, got in done["ways"].items():
            lines.append(f"| {name} | {got['seconds_median']} | {got['cpu_s_median']} | "
                         f"{got['bytes']:,} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a built demo home (read only)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="home,explorer")
    parser.add_argument("--links", default=",".join(LINKS), help=f"of {', '.join(LINKS)}")
    parser.add_argument("--out", type=Path, default=None, help="a folder for the JSON")
    args = parser.parse_args()
    if not (args.home / "demo-staff.csv").exists():
        parser.error(f"{args.home} is not a built demo home (no demo-staff.csv)")
    links = args.links.split(",")
    if set(links) - set(LINKS):
        parser.error(f"unknown link: {', '.join(sorted(set(links) - set(LINKS)))}")
    result = asyncio.run(measure(args.home.resolve(), args.runs, args.pages.split(","), links))
    save_json(result, args.out, f"{result['measured'][:10]}-static-compression.json")
    print(json.dumps(result, indent=1))
    print(markdown(result))


if __name__ == "__main__":
    main()
