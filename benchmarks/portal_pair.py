"""A change to the portal measured before and after in the same run: the server of an earlier
commit and the server of this tree side by side, their pages opened in turn in one Chromium.

    .venv/bin/python -m benchmarks.portal_pair --home HOME --before REV
        [--pages home,explorer] [--pairs 6] [--out benchmarks/results]

Why: on this machine the same code's first openings moved by a third between sessions and
by 0.2-0.4 s between runs of one session, more than most changes to a page are worth; two
runs an hour apart cannot tell a 0.2 s gain from the machine. Here both servers run at once
on one demo home (HOME; only read), the older from a git worktree of REV (made in a
temporary folder with the fonts `make setup` fetched, removed after), both on core 0 and
Chromium on core 1 as in portal_speed.py. Each pair opens a page on one server and then on
the other, each in a fresh context (first opening, until the page falls quiet; then its
address again, the "again" of portal_speed), which server goes first alternating pair by
pair. Reported per page: the medians of each side and the median of the pairs' differences
(after minus before) with their range, so a difference is read against the spread of the
pairs it comes from.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchmarks.portal_bench import CHROMIUM, LAUNCH_ARGS, ROOT, _free_port, _serve
from benchmarks.portal_speed import LONG_TASKS, VIEWPORT, _goto, _load, _pin, _quiet
from benchmarks.provenance import git_commit, save_json

FONTS = Path("dashboards") / "static" / "fonts"  # fetched by `make setup`, not in git


def _worktree(rev: str, folder: Path) -> Path:
    """A checkout of `rev` in `folder`, with this tree's fonts."""
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), rev], cwd=ROOT,
                   check=True, capture_output=True)  # fmt: skip
    if (ROOT / FONTS).is_dir():
        shutil.copytree(ROOT / FONTS, folder / FONTS, dirs_exist_ok=True)
    if not (folder / "dashboards" / "server.py").exists():
        raise SystemExit(f"{rev} has no dashboards/server.py (the portal's server since 8ed12d7)")
    return folder


async def _open_twice(browser, url: str, page: str) -> tuple[float, float]:
    """A page's first opening in a fresh context and its address again, each after the last
    fell quiet, as portal_speed.py opens a public page."""
    context = await browser.new_context(viewport=VIEWPORT, locale="fa-IR")
    await context.add_init_script(LONG_TASKS)
    tab = await context.new_page()
    address = f"{url}/{'' if page == 'home' else page}"
    first = await _goto(tab, address)
    await _quiet(tab, first)
    again = await _goto(tab, address)
    await _quiet(tab, again)
    await context.close()
    return first, again


def _differences(before: list[float], after: list[float]) -> dict:
    pairs = [b - a for a, b in zip(before, after, strict=True)]
    return {"before_median_s": round(statistics.median(before), 3),
            "after_median_s": round(statistics.median(after), 3),
            "difference_median_s": round(statistics.median(pairs), 3),
            "difference_range_s": [round(min(pairs), 3), round(max(pairs), 3)]}  # fmt: skip


async def measure(home: Path, before: str, pages: list[str], pairs: int) -> dict:
    from playwright.async_api import async_playwright

    os.sched_setaffinity(0, {1})  # this process, the driver and Chromium: core 1
    scratch = Path(tempfile.mkdtemp(prefix="salnameh-pair-"))
    tree = _worktree(before, scratch / "before")
    servers = {}
    try:
        for side, root in (("before", tree), ("after", ROOT)):
            port = _free_port()
            server = _serve(home, port, root / "dashboards" / "server.py", cwd=root)
            _pin(server.pid, {0})
            servers[side] = (server, f"http://127.0.0.1:{port}")
        found = {}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                       args=LAUNCH_ARGS)  # fmt: skip
            for page in pages:
                for _server, url in servers.values():  # each server's first run, untimed
                    await _open_twice(browser, url, page)
                times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
                for pair in range(pairs):
                    order = ("before", "after") if pair % 2 == 0 else ("after", "before")
                    for side in order:
                        times[side].append(await _open_twice(browser, servers[side][1], page))
                found[page] = {
                    "first": _differences([t[0] for t in times["before"]],
                                          [t[0] for t in times["after"]]),
                    "again": _differences([t[1] for t in times["before"]],
                                          [t[1] for t in times["after"]]),
                    "load_average_1min": _load(),
                }  # fmt: skip
            await browser.close()
    finally:
        for server, _url in servers.values():
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(scratch, ignore_errors=True)
    return {"measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "before": before, "after": git_commit(["dashboards"]), "pairs": pairs,
            "pages": found}  # fmt: skip


def markdown(result: dict) -> str:
    lines = [
        f"Before: {result['before']}; after: {result['after']}; {result['pairs']} pairs.",
        "",
        "| page | opening | before (s) | after (s) | after - before, median of pairs (range) |",
        "|---|---|---|---|---|",
    ]
    for page, got in result["pages"].items():
        for opening in ("first", "again"):
            d = got[opening]
            low, high = d["difference_range_s"]
            lines.append(f"| {page} | {opening} | {d['before_median_s']} | "
                         f"{d['after_median_s']} | {d['difference_median_s']:+} "
                         f"({low:+} to {high:+}) |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a built demo home (read only)")
    parser.add_argument("--before", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--pages", default="home,explorer")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--out", type=Path, default=None, help="a folder for the JSON")
    args = parser.parse_args()
    if not (args.home / "demo-staff.csv").exists():
        parser.error(f"{args.home} is not a built demo home (no demo-staff.csv)")
    result = asyncio.run(measure(args.home.resolve(), args.before, args.pages.split(","),
                                 args.pairs))  # fmt: skip
    save_json(result, args.out, f"{result['measured'][:10]}-portal-pair.json")
    print(json.dumps(result, indent=1))
    print(markdown(result))


if __name__ == "__main__":
    main()
