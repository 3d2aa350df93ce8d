"""The table builder's answer for the issue's selection (16 places x every year x 2 sexes of
the estimated population, places down, years and sex across): in process, as a whole
process, and in Chromium against a served portal.

    .venv/bin/python -m benchmarks.table_builder_bench --home HOME [--reps 30]
        [--process-runs 10] [--browser-rounds 5 | --no-browser]

- in process: what the page computes, with the public snapshot opened for every query as
  the portal does (`dashboards.context.query`, uncached here), after one untimed run;
  median, p95 and min of `reps`: a new selection (its cells and the pivot in Persian; the
  page holds the table's axes), a new table (its axes too), the new selection on one open
  connection (without the cost of opening the snapshot), and the pivot alone. Each
  download format is timed the same way (the page writes a file only when its button is
  clicked).
- whole process: `python -m benchmarks.table_builder_bench --once` run `process-runs`
  times, hyperfine-style (one untimed warm-up, then wall time per run: interpreter start,
  imports, one answer); the child also reports its own answer time.
- Chromium: a real `streamlit run` server, the builder opened at the selection's address;
  then, timed in the browser from the click to the end of the script run (as
  benchmarks/portal_bench.py does): "None" then "All" of the years (the second click is the
  whole selection's answer again) and "Swap rows and columns".

HOME is a built demo home; it is only read (the browser part serves a copy of it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

TABLE = "pop_county_sex_estimate"
TARGET_S = 0.5


def _stats(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_s": round(statistics.median(ordered), 4), "p95_s": round(p95, 4),
            "min_s": round(ordered[0], 4), "runs": len(ordered)}  # fmt: skip


def _setup(home_path: Path):
    from dashboards import table_builder as builder
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.settings import home
    from salnameh.snapshots import PUBLIC, open_snapshot

    salnameh_home = home(str(home_path))

    def query(sql: str, params=()):
        # As the portal's query: the snapshot opened for each call (a build may swap it).
        with open_snapshot(salnameh_home, PUBLIC) as con:
            return con.execute(sql, list(params)).df()

    reference = Reference.for_home(salnameh_home)
    table = load_catalog().in_words_of(reference).table(TABLE)
    return builder, query, reference, table


def selection_of(builder, axes, table):
    """16 places (the province and its first 15 counties), every year, male and female."""
    chosen = builder.default_selection(table, axes)
    members = {**chosen.members, "geo": chosen.members["geo"][:16], "sex": ("male", "female")}
    return dataclasses.replace(
        chosen, members=members, rows=("geo",), columns=("year", "sex", "measure")
    )


def answer(builder, query, reference, table):
    """What the page computes for a new table: axes, cells, the pivot in Persian."""
    axes = builder.table_axes(query, table, reference)
    selection = selection_of(builder, axes, table)
    cells = builder.selected_cells(query, table, selection)
    grid = builder.pivot(cells, selection, axes, "fa")
    return axes, selection, cells, grid


def _timed(work, reps: int) -> dict:
    work()  # untimed: first imports and caches
    spent = []
    for _ in range(reps):
        started = time.perf_counter()
        work()
        spent.append(time.perf_counter() - started)
    return _stats(spent)


def in_process(home_path: Path, reps: int) -> dict:
    from salnameh.settings import home
    from salnameh.snapshots import PUBLIC, open_snapshot

    builder, query, reference, table = _setup(home_path)
    axes, selection, cells, grid = answer(builder, query, reference, table)
    load_before = os.getloadavg()[0]
    new_table = _timed(lambda: answer(builder, query, reference, table), reps)

    def new_selection(run_query):
        # The page holds the table's axes (cached queries); a new selection asks for its
        # cells and lays them out.
        builder.pivot(builder.selected_cells(run_query, table, selection), selection, axes, "fa")

    per_query = _timed(lambda: new_selection(query), reps)
    with open_snapshot(home(str(home_path)), PUBLIC) as con:
        one = _timed(lambda: new_selection(lambda sql, p=(): con.execute(sql, list(p)).df()), reps)
    pivot_only = _timed(lambda: builder.pivot(cells, selection, axes, "fa"), reps)
    edition = builder.selection_edition(table, cells)
    downloads = {
        fmt: _timed(
            lambda fmt=fmt: builder.download(
                fmt, cells, selection, table, axes, edition, reference, "fa"
            ),
            max(3, reps // 3),
        )
        for fmt in builder.FORMATS
    }
    shape = {a: len(selection.members[a]) for a in ("geo", "year", "sex")}
    return {
        "selection": shape,
        "cells": len(cells),
        "pivot_shape": list(grid.shape),
        "new_table": new_table,
        "new_selection": per_query,
        "new_selection_one_connection": one,
        "pivot_only": pivot_only,
        "downloads": downloads,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "target_s": TARGET_S,
        "met": per_query["median_s"] < TARGET_S,
    }


def once(home_path: Path) -> None:
    started = time.perf_counter()
    builder, query, reference, table = _setup(home_path)
    answer(builder, query, reference, table)
    print(json.dumps({"answer_s": round(time.perf_counter() - started, 4)}))


def whole_process(home_path: Path, runs: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.table_builder_bench", "--home", str(home_path),
               "--once"]  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    subprocess.run(command, cwd=root, check=True, capture_output=True)  # warm-up
    walls, inside = [], []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=root, check=True, capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        inside.append(json.loads(done.stdout.strip().splitlines()[-1])["answer_s"])
    return {"wall": _stats(walls), "answer_inside_child": _stats(inside)}


def in_browser(home_path: Path, rounds: int) -> dict:
    from playwright.sync_api import sync_playwright

    from benchmarks.portal_bench import (
        CHROMIUM,
        IDLE,
        LAUNCH_ARGS,
        WATCH,
        _free_port,
        _serve,
        run_watch_script,
    )

    builder, query, reference, table = _setup(home_path)
    axes = builder.table_axes(query, table, reference)
    params = builder.selection_params(selection_of(builder, axes, table))
    # The portal is served from a copy: the home given is only read.
    served = Path(tempfile.mkdtemp(prefix="builder-bench-")) / "home"
    shutil.copytree(home_path, served, ignore=shutil.ignore_patterns("dbt", "*.lock", "archive"))
    port = _free_port()
    server = _serve(served, port)
    url = f"http://127.0.0.1:{port}/table_builder?{urlencode(params)}"

    def click(tab, locator) -> float:
        tab.evaluate(WATCH)
        locator.click()
        tab.wait_for_function("window.__run.done !== null", timeout=120_000)
        return tab.evaluate("(window.__run.done - window.__run.start) / 1000")

    timings: dict[str, list[float]] = {"all_years": [], "swap": []}
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            tab = browser.new_page(viewport={"width": 1366, "height": 900})
            tab.add_init_script(run_watch_script())  # WATCH reads the server's run status
            started = time.perf_counter()
            tab.goto(url)
            tab.wait_for_selector("table.tb", timeout=120_000)
            tab.wait_for_selector(IDLE, timeout=120_000)
            first = time.perf_counter() - started
            for _ in range(rounds):
                click(tab, tab.locator('[class*="st-key-tb_none_year"] button'))
                timings["all_years"].append(
                    click(tab, tab.locator('[class*="st-key-tb_all_year"] button'))
                )
                timings["swap"].append(click(tab, tab.locator('[class*="st-key-tb_swap"] button')))
            assert tab.locator("table.tb").count() == 1
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(served.parent, ignore_errors=True)
    return {"first_open_s": round(first, 3),
            **{name: _stats(spent) for name, spent in timings.items()}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a built demo home")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--process-runs", type=int, default=10)
    parser.add_argument("--browser-rounds", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    home_path = args.home.resolve()
    if args.once:
        once(home_path)
        return
    result = {"in_process": in_process(home_path, args.reps),
              "whole_process": whole_process(home_path, args.process_runs)}  # fmt: skip
    if not args.no_browser:
        result["chromium"] = in_browser(home_path, args.browser_rounds)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
