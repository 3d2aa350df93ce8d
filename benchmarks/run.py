"""One benchmark run: every figure beside its plain baseline and its target, in one JSON.

    make bench                                          # the full run (python -m benchmarks.run)
    .venv/bin/python -m benchmarks.run --quick --out DIR [--home BUILT_DEMO_HOME]

Calls each benchmark's functions in turn on one machine, in one process (dbt, Dagster and
the memory probes run as children), so every ratio compares two measurements of the same
run: ingestion (ingest_bench), the national-scale agency files (national) ingested
against the baseline, the warehouse build from 1 to 31 provinces (build_bench), the
indicator explorer's queries (explorer_bench), the sensor path from inbox to snapshot
(inbox_latency), the exports of one year (export_bench), the portal's pages in a browser
(portal_bench) and anomaly detection against its two baselines (anomaly_eval).

Writes `<out>/<YYYY-MM-DD>.json` (out: benchmarks/results for a full run) and, for a full
run, rewrites the table between the markers in benchmarks/README.md. `--quick` runs the
same code on a tiny set (1-2 provinces x 2 years, a handful of files) inside `make test`;
its figures are a smoke check, not measurements. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import build_bench, ingest_bench
from benchmarks.build_bench import Plan
from benchmarks.national import YEARS
from salnameh.settings import DBT_PROJECT_DIR

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
README = Path(__file__).resolve().parent / "README.md"
START_MARK = "<!-- bench:results:start (written by `python -m benchmarks.run`; do not edit) -->"
END_MARK = "<!-- bench:results:end -->"
EXPORT_YEAR = 1401
STEPS = ("ingest", "national", "build", "explorer", "sensor", "exports", "portal", "anomalies",
         "dagster")  # fmt: skip


@dataclass(frozen=True)
class Mode:
    name: str
    ingest: ingest_bench.Sizes
    national_provinces: int  # provinces of the generated national agency files
    national_years: tuple[int, ...]
    sample_year: int  # the national files ingested: this year of every province...
    sample_limit: int | None  # ...or only this many files of the last province
    build: Plan  # demo builds and national sizes
    sensor_drops: int  # files through the sensor path, in process
    explorer_reps: int  # timed runs of each explorer query
    export_runs: int
    anomaly_rounds: int  # rounds of injected anomalies (0: the planted ones only)
    anomaly_per_kind: int
    dagster_drops: int  # files through the real Dagster sensor (0: not run)
    portal_rounds: int = 0  # openings of every portal page after the first (0: not run)
    startup_runs: int = 1  # counted pairs of each whole-process ingestion case


FULL = Mode(
    "full", ingest_bench.FULL, 31, YEARS, 1401, None,
    Plan(demo_repeats=1, empty_repeats=3, provinces=(1, 8, 31)),
    sensor_drops=3, explorer_reps=30, export_runs=3, anomaly_rounds=3, anomaly_per_kind=10,
    dagster_drops=2, portal_rounds=3, startup_runs=5,
)  # fmt: skip
QUICK = Mode(
    "quick", ingest_bench.TINY, 2, (1401, 1402), 1401, 12,
    Plan(demo_repeats=0, empty_repeats=0, provinces=(1,), years=(1401, 1402), warm_up=False),
    sensor_drops=1, explorer_reps=3, export_runs=1, anomaly_rounds=0, anomaly_per_kind=0,
    dagster_drops=0,
)  # fmt: skip


# ------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Spec:
    """One figure of the results table: what it is and what it should be."""

    key: str
    label: str
    unit: str  # values/s, s, ms, MB, share, x, or '' for a plain number
    target: str = ""  # as the issue that set it says it; '' where none was set
    check: Callable[[float], bool] | None = None
    full_only: bool = False  # not measured by --quick


def figure_specs(mode: Mode) -> list[Spec]:
    """Every figure a run of this mode writes, in the order of the README's table."""
    lt, ge = (lambda bound: lambda v: v < bound), (lambda bound: lambda v: v >= bound)
    plain = "plain: pandas calamine + melt + DuckDB CREATE TABLE AS; ratio Salnameh / plain"
    specs = [
        Spec("ingest.help_s", "`salnameh --help`, whole process: CPU s (beside it: a bare "
             "`python -c pass`)", "s", "< 0.3 s", lt(0.3)),
        Spec("ingest.form_process_s", f"One real form, `salnameh ingest`, whole process: CPU s "
             f"({plain})", "s"),
        Spec("ingest.form_process_ratio", "  the same: Salnameh / plain CPU, pair by pair", "x",
             "<= 1.2x", lambda v: v <= 1.2),
        Spec("ingest.form_process_wall_s", "  the same: wall time", "s"),
        Spec("ingest.form_in_process_s", "  the same in process (after imports and catalog): "
             "wall", "s"),
        Spec("ingest.upload_verdict_s", "Portal: the upload verdict for a real form "
             "(`receive_upload`, the first in a fresh process)", "s", "< 0.5 s", lt(0.5)),
        Spec("ingest.demo_year_process_s", f"A demo year, `salnameh ingest FOLDER`, whole "
             f"process: CPU s ({plain})", "s"),
        Spec("ingest.demo_year_s", "A demo year, in process (one batch): wall", "s", "< 10 s",
             lt(10)),
        Spec("ingest.xlsx_values_per_s", f"Throughput: one large .xlsx, in process: values/s "
             f"of `Ingestor.ingest` ({plain})", "values/s", ">= 1,000,000 values/s",
             ge(1_000_000)),
        Spec("ingest.xlsx_process_s", "  the same, whole process: CPU s", "s"),
        Spec("ingest.peak_rss_mb", "Ingestion, peak memory (RSS) for a ~50 MB CSV", "MB",
             "reported (no bound set)"),
        Spec("national.generate_s", "National generator: agency files written", "s"),
        Spec("ingest.national_values_per_s", "Ingestion, national agency files: values/s "
             f"({plain})", "values/s"),
        Spec("build.demo_s", "`build_warehouse` on the demo after one new file (stage inputs, "
             "models and data tests replayed, publish; baseline: the same with `dbt build`)",
             "s", "< 3 s (issue 22)", lt(3)),
    ]  # fmt: skip
    for n in mode.build.provinces:
        years = len(mode.build.years)
        specs += [
            Spec(f"build.p{n}.dbt_s", f"Full `dbt build`, {n} province(s) x {years} years: "
                 "wall time", "s"),
            Spec(f"build.p{n}.peak_rss_mb", f"  {n} province(s): peak memory of dbt", "MB"),
            Spec(f"build.p{n}.startup_share", f"  {n} province(s): dbt start-up share "
                 "(wall - node time) / wall", "share"),
            Spec(f"build.p{n}.new_file_s", f"  {n} province(s): one new file, then the "
                 "build that recomputes the tables it changed (replay + publish, in process; "
                 "baseline: the full dbt build)",
                 "s", *(("< 10 s (issue 22)", lt(10)) if n == max(mode.build.provinces)
                        else ())),
        ]  # fmt: skip
    one_size = len(mode.build.provinces) < 2  # growth needs two sizes: not in --quick
    specs += [
        Spec("build.growth_exponent", "Growth of dbt build time with provinces: b in "
             "time ~ provinces^b, smallest to largest size", "", full_only=one_size),
        Spec("build.growth_s_per_province", "Growth: seconds per added province "
             "(least squares over the sizes)", "s", full_only=one_size),
        Spec("sensor.in_process_s", "One new file -> its values in the internal snapshot: "
             "ingest + build + query, in process", "s", "< 60 s", lt(60)),
        Spec("sensor.dagster_s", "The same through the real Dagster sensor (`dagster dev`: "
             "sensor wait, queue, run)", "s", "< 60 s", lt(60), full_only=True),
        Spec("explorer.national_p50_ms", "Indicator explorer, national-scale set (internal "
             "snapshot, 'latest', every province): p50 of the query set", "ms"),
        Spec("explorer.national_p95_ms", "  the same: p95", "ms", "< 100 ms", lt(100)),
        Spec("explorer.public_p50_ms", "Indicator explorer, public snapshot of the national "
             "build ('released'): p50", "ms"),
        Spec("explorer.public_p95_ms", "  the same: p95", "ms", "< 100 ms", lt(100)),
        Spec("portal.slowest_page_s", "Portal, every page interactive on demo data: the "
             "slowest page, first opening or again (chromium, from the menu click)", "s",
             "<= 2 s", lambda v: v <= 2, full_only=True),
        Spec("portal.median_page_s", "  the same: a page opened again, median over the pages",
             "s", full_only=True),
        Spec("export.xlsx_s", f"Export of one year ({EXPORT_YEAR}, every table): xlsx", "s",
             "< 20 s", lt(20)),
        Spec("export.pdf_s", f"Export of one year ({EXPORT_YEAR}): PDF", "s", "< 60 s", lt(60),
             full_only=True),
    ]  # fmt: skip
    for part, full_only in (("planted", False), ("injected", True)):
        for method, name in (("salnameh", "`fct_anomalies`"), ("zscore", "z-score baseline"),
                             ("yoy", "year-over-year z-score baseline")):  # fmt: skip
            for measure in ("recall", "precision"):
                specs.append(Spec(
                    f"anomaly.{part}.{method}.{measure}",
                    f"Anomalies, {part}: {name}, {measure}", "share", full_only=full_only,
                ))  # fmt: skip
    return specs


@dataclass
class Figures:
    specs: list[Spec]
    values: dict[str, dict] = field(default_factory=dict)

    def record(
        self, key: str, value: float | None, baseline: float | None = None,
        ratio: float | None = None, note: str = "", label: str | None = None,
    ) -> None:  # fmt: skip
        spec = next(s for s in self.specs if s.key == key)
        met = spec.check(value) if spec.check and value is not None else None
        self.values[key] = {
            "label": label or spec.label, "unit": spec.unit, "value": value,
            "baseline": baseline, "ratio": ratio, "target": spec.target, "met": met,
            "note": note,
        }  # fmt: skip

    def finish(self, quick: bool, not_run: dict[str, str]) -> dict[str, dict]:
        """Every spec's figure, in order; those not measured say why."""
        out = {}
        for spec in self.specs:
            if spec.key in self.values:
                out[spec.key] = self.values[spec.key] | {"skipped": None}
                continue
            if spec.full_only and quick:
                why = "full run only"
            else:
                why = not_run.get(_step_of(spec.key)) or "not measured"
            out[spec.key] = {
                "label": spec.label, "unit": spec.unit, "value": None, "baseline": None,
                "ratio": None, "target": spec.target, "met": None, "note": "", "skipped": why,
            }  # fmt: skip
        return out


def _step_of(key: str) -> str:
    """The step that measures a figure."""
    prefix = key.split(".")[0]
    if key.startswith("ingest.national") or prefix == "national":
        return "national"
    if key == "build.demo_s" or prefix == "sensor":
        return "dagster" if key == "sensor.dagster_s" else "sensor"
    return {"export": "exports", "anomaly": "anomalies"}.get(prefix, prefix)


class StepSkipped(Exception):
    """A step that cannot run on this machine (the message says why); not an error."""


# --------------------------------------------------------------------------- steps


@dataclass
class Context:
    mode: Mode
    tmp: Path
    figures: Figures
    details: dict = field(default_factory=dict)
    home_arg: Path | None = None
    demo_source: Path | None = None  # a built demo home: given, or made once
    pinned: Path | None = None  # the dbt project as copied at the start
    national_home: Path | None = None  # the largest national build, for the explorer

    @property
    def quick(self) -> bool:
        return self.mode.name == "quick"


def step_ingest(ctx: Context) -> None:
    from benchmarks import startup_bench

    folder = ctx.tmp / "ingest"
    folder.mkdir()
    results = ingest_bench.run(ctx.mode.ingest, ctx.quick, folder, profile=False)
    fig, files = results.figures, results.files
    big, mem = fig["big"], fig["mem"]
    median, plain = statistics.median(big["runs"]), statistics.median(big["plain_runs"])
    print("== ingest: whole process, beside the plain alternative", flush=True)
    work = ctx.tmp / "startup"
    work.mkdir()
    big_input = {k: files[k] for k in ("big", "catalog", "seeds", "table")}
    big_input["path"] = big_input.pop("big")
    real = startup_bench.run(work, ctx.mode.startup_runs, files["demo"], files["demo_dir"],
                             big_input)  # fmt: skip
    runs = f"median of {real['runs']} pairs, in turn"

    def whole(key: str, case: dict, label: str | None = None) -> None:
        ours, theirs = case["salnameh"], case["plain"]
        ctx.figures.record(key, ours["cpu_s"], theirs["cpu_s"], case["ratio_cpu"], label=label,
                           note=f"{runs}; wall {ours['wall_s']:.2f} s against "
                           f"{theirs['wall_s']:.2f} s")  # fmt: skip

    helped = real["help"]
    ctx.figures.record("ingest.help_s", helped["salnameh"]["cpu_s"], helped["plain"]["cpu_s"],
                       _number(helped["ratio_cpu"]), note=f"{runs}; wall "
                       f"{helped['salnameh']['wall_s']:.2f} s, fastest "
                       f"{min(helped['salnameh']['wall_runs']):.2f} s")  # fmt: skip
    form = real["form"]
    in_form = real["form_in_process"]
    whole("ingest.form_process_s", form,
          label=f"One real form ({real['form_file']}, {in_form['values']:,} values), `salnameh "
          "ingest`, whole process: CPU s (plain: pandas calamine + melt + DuckDB CREATE TABLE "
          "AS; ratio Salnameh / plain)")  # fmt: skip
    ctx.figures.record("ingest.form_process_ratio", form["ratio_cpu"],
                       note=f"wall, pair by pair: {form['ratio_wall']:.2f}x")  # fmt: skip
    ctx.figures.record("ingest.form_process_wall_s", form["salnameh"]["wall_s"],
                       form["plain"]["wall_s"], form["ratio_wall"], note=runs)  # fmt: skip
    ctx.figures.record("ingest.form_in_process_s", in_form["salnameh"]["wall_s"],
                       in_form["plain"]["wall_s"], in_form["ratio_wall"],
                       note=f"CPU {in_form['salnameh']['cpu_s']:.3f} s against "
                       f"{in_form['plain']['cpu_s']:.3f} s")  # fmt: skip
    upload = real["upload"]
    rejected = (f"; a rejected file ({upload['rejected_file']}, {upload['rejected_verdict']}) "
                f"next: {upload['rejected_s']:.2f} s, CPU {upload['rejected_cpu_s']:.2f} s"
                if upload["rejected_s"] else "")  # fmt: skip
    ctx.figures.record("ingest.upload_verdict_s", upload["first_s"],
                       note=f"wall; CPU {upload['first_cpu_s']:.2f} s; again "
                       f"{upload['again_s']:.2f} s (CPU {upload['again_cpu_s']:.2f} s){rejected}; "
                       f"the page's imports {upload['imports_s']:.1f} s once a server "
                       "process")  # fmt: skip
    year, in_year = real["year"], real["year_in_process"]
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(in_year["verdicts"].items()))
    whole("ingest.demo_year_process_s", year,
          label=f"A demo year ({ingest_bench.YEAR}, {year['files']} agency files, "
          f"{in_year['values']:,} values), `salnameh ingest FOLDER`, whole process: CPU s "
          "(plain: pandas calamine + melt + DuckDB CREATE TABLE AS; ratio Salnameh / "
          "plain)")  # fmt: skip
    ctx.figures.record("ingest.demo_year_s", in_year["salnameh"]["wall_s"],
                       in_year["plain"]["wall_s"], in_year["ratio_wall"],
                       note=f"{verdicts}; CPU {in_year['salnameh']['cpu_s']:.2f} s against "
                       f"{in_year['plain']['cpu_s']:.2f} s")  # fmt: skip
    ctx.figures.record(
        "ingest.xlsx_values_per_s", big["values"] / median, big["values"] / plain, median / plain,
        label=f"Throughput: one large .xlsx ({big['values']:,} values, "
        f"{big['bytes'] / 2**20:.1f} MB), in process: values/s of `Ingestor.ingest` (plain: "
        "pandas calamine + melt + DuckDB CREATE TABLE AS; ratio Salnameh / plain time)",
        note=f"median of {len(big['runs'])}; the old baseline (openpyxl + row inserts, "
        f"extrapolated) {big['base']['total']:.0f} s",
    )  # fmt: skip
    whole("ingest.xlsx_process_s", real["big"])
    ours_mb, base_mb = mem["ours"]["maxrss_mb"], mem["base"]["maxrss_mb"]
    ctx.figures.record(
        "ingest.peak_rss_mb", ours_mb, base_mb, ours_mb / base_mb,
        label=f"Ingestion, peak memory (RSS) for a {mem['bytes'] / 2**20:.1f} MB CSV "
        f"({mem['ours']['values']:,} values)", note="ratio: Salnameh / baseline memory",
    )  # fmt: skip
    ctx.details["ingest"] = {"sizes": dataclasses.asdict(results.sizes), "facts": results.facts,
                             "figures": fig, "real_size": real}  # fmt: skip


def step_national(ctx: Context) -> None:
    from benchmarks.national import generate_national

    mode = ctx.mode
    made = generate_national(
        ctx.tmp / "national-files", mode.national_provinces, mode.national_years,
        progress=lambda text: print(f"   {text}", flush=True),
    )  # fmt: skip
    ctx.figures.record(
        "national.generate_s", made.seconds,
        label=f"National generator: {made.files:,} agency files ({made.bytes / 2**20:.0f} MB) "
        f"for {len(made.codes)} provinces x {len(made.years)} years",
        note=f"{made.anomalies} planted anomalies; deterministic (seeded)",
    )  # fmt: skip
    rows = ingest_bench.national_sample(made, mode.sample_year, mode.sample_limit)
    folder = ctx.tmp / "national-ingest"
    folder.mkdir()
    result = ingest_bench.ingest_national(made, rows, folder)
    values, ours, plain = result["values"], result["seconds"], result["baseline_seconds"]
    note = ", ".join(f"{k} {v}" for k, v in sorted(result["verdicts"].items()))
    if result["rejected_unplanted"]:
        note += f"; {len(result['rejected_unplanted'])} rejected with nothing planted"
    ctx.figures.record(
        "ingest.national_values_per_s", values / ours, values / plain, ours / plain,
        label=f"Ingestion, national agency files ({result['files']:,} files of "
        f"{mode.sample_year}, {result['provinces']} province(s), {values:,} values), in "
        "process: values/s (plain: pandas calamine + melt + DuckDB CREATE TABLE AS; ratio "
        "Salnameh / plain time)", note=note,
    )  # fmt: skip
    ctx.details["national"] = {
        "files": made.files, "bytes": made.bytes, "provinces": made.codes,
        "years": list(made.years), "anomalies": made.anomalies, "seconds": made.seconds,
        "ingested_sample": result,
    }  # fmt: skip


def ensure_demo_home(ctx: Context) -> Path:
    """A built demo home: the one given, or one made now (`demo --ingest`, `build`)."""
    if ctx.demo_source is not None:
        return ctx.demo_source
    if ctx.home_arg is not None:
        ctx.demo_source = ctx.home_arg
        return ctx.demo_source
    root = ctx.tmp / "demo-source"
    start = time.perf_counter()
    for args in (("demo", "--ingest"), ("build",)):
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "--home", str(root), *args],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"salnameh {' '.join(args)} failed:\n{done.stdout[-3000:]}")
    ctx.details["demo_home"] = {"made_seconds": time.perf_counter() - start}
    ctx.demo_source = root
    return root


def step_build(ctx: Context) -> None:
    source = ensure_demo_home(ctx)
    plan = ctx.mode.build
    details: dict = {}
    if plan.demo_repeats:
        demo = build_bench.measure_demo(ctx.tmp / "build-demo", plan, source)
        details["demo"] = demo
    folder = ctx.tmp / "build-national"
    folder.mkdir()
    national = build_bench.measure_national(folder, source / "warehouse.duckdb", ctx.pinned, plan)
    details["national"] = national
    ctx.national_home = national.home
    runs = national.runs
    for r in runs:
        failed = ", ".join(f"{f.name} ({f.failures} rows)" for f in r.dbt.failed)
        ctx.figures.record(
            f"build.p{r.provinces}.dbt_s", r.dbt.wall,
            label=f"Full `dbt build`, {r.provinces} province(s) x {len(plan.years)} years "
            f"({r.values:,} values): wall time",
            note=f"build total with copy and publish {r.build_seconds:.1f} s"
            + (f"; failed: {failed}" if failed else ""),
        )  # fmt: skip
        ctx.figures.record(f"build.p{r.provinces}.peak_rss_mb", r.dbt.maxrss_mb)
        if r.new_file is not None:
            nf = r.new_file
            ctx.figures.record(
                f"build.p{r.provinces}.new_file_s", nf.seconds, baseline=r.dbt.wall,
                ratio=r.dbt.wall / nf.seconds,
                note=f"baseline: the full `dbt build` of that size; replay "
                f"{nf.replay_seconds:.1f} s ({nf.tables_recomputed} table(s) "
                f"recomputed), publish {nf.publish_seconds:.1f} s; {nf.values:,} values",
            )  # fmt: skip
        ctx.figures.record(f"build.p{r.provinces}.startup_share",
                           r.dbt.fixed_seconds / r.dbt.wall,
                           note=f"{r.dbt.fixed_seconds:.1f} s of {r.dbt.wall:.1f} s")  # fmt: skip
    if len(runs) >= 2:
        first, last = runs[0], runs[-1]
        scale = math.log(last.provinces / first.provinces)

        def exponent(a: float, b: float) -> float:
            return math.log(b / a) / scale

        ctx.figures.record(
            "build.growth_exponent", exponent(first.dbt.wall, last.dbt.wall),
            note=f"node time alone: {exponent(first.dbt.node_seconds, last.dbt.node_seconds):.2f}"
            f"; peak memory: {exponent(first.dbt.maxrss_mb, last.dbt.maxrss_mb):.2f}",
        )  # fmt: skip
        line = statistics.linear_regression([r.provinces for r in runs], [r.dbt.wall for r in runs])
        nodes = statistics.linear_regression([r.provinces for r in runs],
                                             [r.dbt.node_seconds for r in runs])  # fmt: skip
        ctx.figures.record(
            "build.growth_s_per_province", line.slope,
            note=f"dbt wall ~ {line.intercept:.1f} + {line.slope:.2f} n s; node time "
            f"~ {nodes.intercept:.1f} + {nodes.slope:.2f} n s",
        )  # fmt: skip
    details["skipped_sizes"] = national.skipped
    details["public_rows"] = {r.provinces: r.published.get("marts.fct_observations") for r in runs}
    ctx.details["build"] = details


def step_explorer(ctx: Context) -> None:
    from benchmarks.explorer_bench import time_queries

    if ctx.national_home is None:
        raise RuntimeError("the explorer needs the national build (step 'build')")
    snapshots = ctx.national_home / "snapshots"
    reps = ctx.mode.explorer_reps
    national = time_queries(snapshots / "internal.duckdb", "latest", reps)
    public = time_queries(snapshots / "public.duckdb", "released", reps)
    for name, result in (("national", national), ("public", public)):
        note = (f"{result['queries']} queries x {reps} runs; {result['series_rows']:,} series "
                f"rows of {result['provinces']} province(s); {result['function']}")  # fmt: skip
        ctx.figures.record(f"explorer.{name}_p50_ms", result["p50_ms"], note=note)
        ctx.figures.record(f"explorer.{name}_p95_ms", result["p95_ms"],
                           note=f"slowest run {result['max_ms']:.0f} ms")  # fmt: skip
    ctx.details["explorer"] = {"national": national, "public": public}


def step_sensor(ctx: Context) -> None:
    from benchmarks.inbox_latency import measure_in_process
    from salnameh.settings import home

    source = ensure_demo_home(ctx)
    root = ctx.tmp / "sensor-home"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("dbt", "dagster", "*.lock"))
    rows = measure_in_process(home(root), ctx.mode.sensor_drops)
    total = statistics.median(r["total"] for r in rows)
    parts = ("ingest", "stage inputs (copy_inputs)", "models and tests replayed",
             "publish snapshots", "build, other", "query the internal snapshot")  # fmt: skip
    ctx.figures.record(
        "sensor.in_process_s", total,
        note=f"median of {len(rows)}: "
        + ", ".join(f"{p} {statistics.median(r[p] for r in rows):.1f} s" for p in parts),
    )  # fmt: skip
    builds = statistics.median(r["build_warehouse"] for r in rows)
    baseline = statistics.median(r["dbt build instead (baseline)"] for r in rows)
    ctx.figures.record(
        "build.demo_s", builds, baseline=baseline, ratio=baseline / builds,
        note=f"median of {len(rows)}, each paired with `dbt build` of the same state; dbt's "
        f"fixed cost (wall - node time) {statistics.median(r['dbt fixed'] for r in rows):.1f} s",
    )  # fmt: skip
    ctx.details["sensor"] = {"in_process": rows}


def step_exports(ctx: Context) -> None:
    from benchmarks.export_bench import time_exports

    source = ensure_demo_home(ctx)
    # The PDF goes through the same function as the workbook: --quick leaves its 10 s out.
    kinds = ("xlsx",) if ctx.quick else ("xlsx", "pdf")
    results = time_exports(source, EXPORT_YEAR, kinds, ctx.mode.export_runs, ctx.tmp / "exports")
    for kind in kinds:
        result = results[kind]
        note = f"median of {len(result['runs'])}; {result['mb']:.1f} MB"
        ctx.figures.record(f"export.{kind}_s", result["seconds"], note=note)
    ctx.details["exports"] = results


def step_portal(ctx: Context) -> None:
    from benchmarks import portal_bench

    if not ctx.mode.portal_rounds:
        return
    if not portal_bench.browser_available():
        raise StepSkipped("no chromium and playwright on this machine")
    source = ensure_demo_home(ctx)
    failures = []
    for attempt in range(2):
        root = ctx.tmp / f"portal-home-{attempt}"  # signing in writes to the ledger: a copy
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("dbt", "dagster", "*.lock"))
        try:
            result = portal_bench.measure(root, ctx.mode.portal_rounds)
            break
        except Exception as exc:  # a page whose run was never seen to end: once more
            failures.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
            print(f"   portal attempt {attempt + 1} failed: {failures[-1]}", flush=True)
    else:
        raise RuntimeError(f"the portal benchmark failed twice: {'; '.join(failures)}")
    pages = result["pages"]
    slowest = max(pages, key=lambda p: max(pages[p]["first_s"], pages[p]["max_s"]))
    ctx.figures.record(
        "portal.slowest_page_s", result["slowest_s"],
        note=f"{len(pages)} pages, {result['rounds']} rounds; slowest: {slowest} (first "
        f"{pages[slowest]['first_s']:.2f} s, again up to {pages[slowest]['max_s']:.2f} s)",
    )  # fmt: skip
    ctx.figures.record("portal.median_page_s",
                       statistics.median(p["median_s"] for p in pages.values()))  # fmt: skip
    ctx.details["portal"] = result | {"failed_attempts": failures}


def step_anomalies(ctx: Context) -> None:
    from benchmarks.anomaly_eval import evaluate

    source = ensure_demo_home(ctx)
    folder = ctx.tmp / "anomalies"
    folder.mkdir()
    mode = ctx.mode
    results = evaluate(source, folder, mode.anomaly_rounds, mode.anomaly_per_kind)
    parts = [("planted", results["demo"])]
    if mode.anomaly_rounds:
        parts.append(("injected", results["injected"]))
    for part, scores in parts:
        for method, score in scores.items():
            note = f"{score.hits} of {score.truth} found; {score.flagged} rows flagged"
            ctx.figures.record(f"anomaly.{part}.{method}.recall", _number(score.recall), note=note)
            ctx.figures.record(f"anomaly.{part}.{method}.precision", _number(score.precision),
                               note=f"{score.correct} of {score.flagged} flags right")  # fmt: skip
    caught, should = results["gate"]
    ctx.details["anomalies"] = {
        "ingestion_rejected_planted": f"{caught} of {should}",
        "rounds": results["rounds"], "per_kind_injected": mode.anomaly_per_kind,
        "planted": {m: dataclasses.asdict(s) for m, s in results["demo"].items()},
        "baselines_at_z2": {m: dataclasses.asdict(s) for m, s in results["demo_loose"].items()},
        "injected": {m: dataclasses.asdict(s) for m, s in results["injected"].items()},
        "recall_by_kind": {f"{m} {k}": v for (m, k), v in results["per_kind"].items()},
    }  # fmt: skip


def step_dagster(ctx: Context) -> None:
    from benchmarks.inbox_latency import measure_dagster

    if not ctx.mode.dagster_drops:
        return
    source = ensure_demo_home(ctx)
    folder = ctx.tmp / "dagster"
    folder.mkdir()
    measured = measure_dagster(source, folder, ctx.mode.dagster_drops, _free_port())
    rows, totals = measured["rows"], measured["totals"]
    names = list(rows[0])
    ctx.figures.record(
        "sensor.dagster_s", statistics.median(totals),
        note=f"median of {len(totals)} (worst {max(totals):.1f} s): "
        + ", ".join(f"{n} {statistics.median(r[n] for r in rows):.1f} s" for n in names),
    )  # fmt: skip
    ctx.details["dagster"] = measured


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _number(value: float) -> float | None:
    return None if value is None or value != value else value  # value != value: NaN


STEP_FUNCTIONS = {
    "ingest": step_ingest, "national": step_national, "build": step_build,
    "explorer": step_explorer, "sensor": step_sensor, "exports": step_exports,
    "portal": step_portal, "anomalies": step_anomalies, "dagster": step_dagster,
}  # fmt: skip


# ---------------------------------------------------------------------- provenance


MEASURED = ("ingestion", "salnameh", "app", "publishing", "dbt_project", "seeds", "benchmarks")
CODE_GLOBS = ("ingestion/**/*.py", "salnameh/**/*.py", "app/**/*.py", "publishing/**/*.py",
              "benchmarks/*.py", "dbt_project/models/**/*", "dbt_project/tests/**/*",
              "dbt_project/macros/**/*", "dbt_project/*.yml", "seeds/**/*")  # fmt: skip
CODE_LABEL = "ingestion, salnameh, app, publishing, benchmarks, dbt_project, seeds"
PACKAGES = ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "pandas", "numpy", "pandera",
            "python-calamine", "openpyxl", "weasyprint", "streamlit")  # fmt: skip


def machine() -> dict:
    from benchmarks.provenance import machine_facts

    facts = machine_facts(PACKAGES, MEASURED, CODE_GLOBS, CODE_LABEL)
    with open("/proc/meminfo", encoding="utf-8") as handle:
        kib = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal:"))
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(kib / 2**20, 1),
        "cpu": facts["CPU"],
        "os": facts["OS"],
        "python": facts["Python"],
        "packages": facts["packages"],
        "commit": facts["commit"],
        "code_hash": facts["code hash"],
        "python_bytecode": build_bench._bytecode_state(),
    }


# ------------------------------------------------------------------------ reporting


def _plain(value):
    """JSON-safe: dataclasses, paths, tuples and sets as plain values, NaN as null."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "values/s":
        return f"{value:,.0f} values/s"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "x":
        return f"{value:.1f}x"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.2f}"


def results_table(results: dict) -> str:
    """The README's section: where and when it was measured, then one row a figure."""
    m = results["machine"]
    wall = results["wall_seconds"]
    took = f"{wall:.0f} s" if wall < 120 else f"{wall / 60:.0f} min"
    commit, _, changed = m["commit"].partition("; uncommitted changes in ")
    if changed:
        commit += f" with uncommitted changes in {len(changed.split(', '))} files"
    if m.get("changed_during_the_run"):
        commit += " (the tree changed during the run; both states are in the results file)"
    steps = {k: v for k, v in results["details"].get("step_seconds", {}).items() if v >= 0.1}
    load = m["load_average"]
    lines = [
        f"Measured {results['date']} by `{results['command']}` ({results['mode']} run: "
        f"{took}; "
        + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items())
        + f") on {m['cores']} cores ({m['cores_usable']} usable, {m['cpu']}), "
        f"{m['memory_gib']} GiB RAM; commit {commit}. The 1-minute load average during the "
        f"run: mean {load['mean']:.1f}, highest {load['max']:.1f}, {load['samples']} samples "
        "(the run itself keeps about one core busy; more is other work, which makes absolute "
        "times pessimistic, never a ratio: each compares two measurements of this run)."
        + (f" {results['note']}" if results.get("note") else "")
        + f" All figures, with their details: [results/{results['file']}]"
        f"(results/{results['file']}).",
        "",
        "| figure | measured | baseline | ratio | target | met? |",
        "|---|---|---|---|---|---|",
    ]
    for fig in results["figures"].values():
        value = fig["value"]
        measured = (
            format_value(value, fig["unit"]) if value is not None else f"- ({fig['skipped']})"
        )
        if fig["note"] and value is not None:
            measured += f" <br><sub>{fig['note']}</sub>"
        baseline = format_value(fig["baseline"], fig["unit"]) if fig["baseline"] else ""
        ratio = f"{fig['ratio']:.1f}x" if fig["ratio"] else ""
        met = {True: "yes", False: "**no**", None: ""}[fig["met"]]
        if fig["target"] and value is None:
            met = "not measured"
        label = fig["label"].replace("|", "/")
        lines.append(f"| {label} | {measured} | {baseline} | {ratio} | {fig['target']} | {met} |")
    if results["errors"]:
        lines += ["", "Steps that failed: " + "; ".join(
            f"{step}: {text.splitlines()[-1]}" for step, text in results["errors"].items()
        )]  # fmt: skip
    return "\n".join(lines)


def rewrite_readme(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise ValueError(f"{path} has no section between {START_MARK!r} and {END_MARK!r}")
    path.write_text(
        text[: start + len(START_MARK)] + "\n" + table + "\n" + text[end:], encoding="utf-8"
    )


# ---------------------------------------------------------------------------- main


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds while the run lasts."""

    def __init__(self, every: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.every, self.samples, self.done = every, [os.getloadavg()[0]], threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict:
        self.done.set()
        self.samples.append(os.getloadavg()[0])
        return {"mean": statistics.mean(self.samples), "max": max(self.samples),
                "start": self.samples[0], "end": self.samples[-1],
                "samples": len(self.samples), "every_seconds": self.every}  # fmt: skip


def run(mode: Mode, tmp: Path, steps: tuple[str, ...], home_arg: Path | None,
        command: str, note: str = "") -> dict:  # fmt: skip
    started = dt.datetime.now(dt.UTC)
    wall = time.perf_counter()
    load = LoadSampler()
    load.start()
    facts = machine()
    ctx = Context(mode, tmp, Figures(figure_specs(mode)), home_arg=home_arg)
    errors: dict[str, str] = {}
    not_run = {step: "step not run (--steps)" for step in STEPS if step not in steps}
    # dbt reads the project at every invocation and the tree may be edited meanwhile:
    # every build of this run uses this copy (Dagster, a separate server, uses the tree).
    ctx.pinned = build_bench.copy_project(DBT_PROJECT_DIR, tmp / "pinned")
    with build_bench.project_in_use(ctx.pinned):
        for step in steps:
            print(f"== {step}", flush=True)
            start = time.perf_counter()
            try:
                STEP_FUNCTIONS[step](ctx)
            except StepSkipped as skipped:
                not_run[step] = str(skipped)
                print(f"   skipped: {skipped}", flush=True)
            except (Exception, SystemExit):  # some benchmarks stop with SystemExit
                errors[step] = traceback.format_exc()
                not_run[step] = "the step failed; see errors"
                print(errors[step], flush=True)
            ctx.details.setdefault("step_seconds", {})[step] = time.perf_counter() - start
    facts["load_average"] = load.stop()
    end_facts = machine()
    if (end_facts["commit"], end_facts["code_hash"]) != (facts["commit"], facts["code_hash"]):
        facts["changed_during_the_run"] = (
            f"at the end: {end_facts['commit']}, " + end_facts["code_hash"]
        )
    return _plain({
        "schema": 1,
        "date": f"{started:%Y-%m-%d}",
        "started_utc": started.isoformat(timespec="seconds"),
        "mode": mode.name,
        "command": command,
        "note": note,
        "wall_seconds": time.perf_counter() - wall,
        "machine": facts,
        "figures": ctx.figures.finish(ctx.quick, not_run),
        "errors": errors,
        "details": ctx.details,
    })  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the same code on a tiny set, in well under a minute (make test)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for <date>.json (default benchmarks/results for a full "
        "run; a --quick run writes only where told)",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="rewrite the results section of this README (default "
        "benchmarks/README.md for a full run)",
    )
    parser.add_argument("--no-readme", action="store_true", help="leave every README alone")
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="a built demo home to reuse (only read; copies are changed)",
    )
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"comma-separated steps to run (default all: {','.join(STEPS)})",
    )
    parser.add_argument(
        "--note", default="", help="a sentence for the results, e.g. what else ran meanwhile"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    steps = tuple(s for s in args.steps.split(",") if s)
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {sorted(unknown)}; known: {', '.join(STEPS)}")
    mode = QUICK if args.quick else FULL
    out = args.out or (None if args.quick else RESULTS_DIR)
    readme = None if args.no_readme else args.readme or (None if args.quick else README)
    command = "python -m benchmarks.run" + (" --quick" if args.quick else "")
    if args.steps != ",".join(STEPS):
        command += f" --steps {args.steps}"
    tmp = Path(tempfile.mkdtemp(prefix="salnameh-bench-run-"))
    try:
        home_arg = args.home.resolve() if args.home else None
        results = run(mode, tmp, steps, home_arg, command, args.note)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    name = f"{results['date']}{'-quick' if args.quick else ''}.json"
    results["file"] = name
    table = results_table(results)
    print()
    print(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")  # fmt: skip
        print(f"written to {out / name}")
    if readme is not None:
        rewrite_readme(readme, table)
        print(f"results table written to {readme}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
