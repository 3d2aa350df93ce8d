"""Warehouse build benchmark: how long `build_warehouse` takes, and how it grows to a nation.

    .venv/bin/python -m benchmarks.build_bench            # full run, prints the results
    .venv/bin/python -m benchmarks.build_bench --quick    # 1 and 2 provinces, one demo build

Two measurements, both in a temporary folder (never `var/` or `seeds/`):

1. the demo (one province, 13 years, every table), made once with `salnameh demo --ingest`:
   `build_warehouse` timed end to end and split into its steps (catalog and ledger copy,
   the dbt child process, snapshot publication), with dbt's own timings and an invocation
   that selects nothing, for dbt's fixed cost;
2. national scale: the demo's raw layer copied to up to 31 provinces x 20 years, with a
   synthetic ledger (every version approved and released), built as SCI's hub builds with
   anomaly scoring on (NATIONAL_VARS), one `dbt build` per size: wall time, the time of
   dbt's nodes and the peak RSS of the dbt process; then one new file (a table-year sent
   again) and the build that recomputes only the tables it changed.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.national import SOURCE_PROVINCE, YEARS, province_codes, write_national_seeds
from benchmarks.provenance import code_hash, git_commit
from benchmarks.provenance import machine_facts as machine_facts_of
from benchmarks.provenance import mark as _mark
from salnameh.warehouse import PRODUCTION_BUILD

ROOT = Path(__file__).resolve().parent.parent

DEMO_LAST_YEAR = 1402  # 1403-1409 repeat 1402, so 1390-1409 makes 20 years
# Counts Tehran's counties per year: with more provinces it can only fail, so the national
# copy of the project goes without it (the report says so).
COUNTY_COUNT_TEST = "assert_county_count_matches_sci_each_year.sql"
SELECT_NOTHING = ("build", "--select", "nothing_matches")

GOAL_DEMO_SECONDS = 60.0  # the issue: "well under a minute"
DBT_BUDGET_SECONDS = 600.0  # stop growing the national run once a build would pass this
DBT_TIMEOUT_SECONDS = 3 * DBT_BUDGET_SECONDS  # a build still running then is killed

# Fixed ledger facts of the synthetic submissions (ISO text, as salnameh.ledger writes).
BENCH_TIME = "2026-01-01T00:00:00+00:00"
BENCH_REVIEWER = "bench:expert"
BENCH_RELEASER = "bench:coordinator"


@dataclass(frozen=True)
class Plan:
    demo_repeats: int  # timed build_warehouse runs on the demo (median reported); 0: none
    empty_repeats: int  # timed dbt invocations that select nothing
    provinces: tuple[int, ...]  # national sizes, in provinces
    years: tuple[int, ...] = YEARS  # the years of every province (after 1402: 1402's figures)
    warm_up: bool = True  # a `dbt parse` before the first national size (partial parsing)


FULL = Plan(demo_repeats=3, empty_repeats=3, provinces=(1, 2, 4, 8, 16, 31))
QUICK = Plan(demo_repeats=1, empty_repeats=1, provinces=(1, 2))


class BenchError(RuntimeError):
    """The benchmark could not measure what it meant to (e.g. dbt did not run)."""


def now() -> float:
    return time.perf_counter()


# ------------------------------------------------------------------- dbt's own timings


@dataclass(frozen=True)
class Node:
    kind: str  # seed, model, test, unit_test
    name: str
    status: str
    seconds: float  # dbt's execution_time: compile and run of the node
    failures: int | None  # rows a failed test returned


@dataclass(frozen=True)
class DbtRun:
    wall: float  # wall time of the dbt child process, as its parent saw it
    elapsed: float  # dbt's own elapsed_time (run_results.json)
    nodes: tuple[Node, ...]
    returncode: int | None  # None: killed at the timeout
    maxrss_mb: float | None = None  # peak RSS of the dbt process, where measured

    @property
    def node_seconds(self) -> float:
        """The work: the sum of every node's execution time (threads: 1, so no overlap)."""
        return sum(n.seconds for n in self.nodes)

    @property
    def fixed_seconds(self) -> float:
        """Everything dbt spends outside its nodes: start-up, parsing, connecting, writing."""
        return self.wall - self.node_seconds

    @property
    def failed(self) -> list[Node]:
        return [n for n in self.nodes if n.status in ("error", "fail")]

    @property
    def statuses(self) -> Counter:
        return Counter(n.status for n in self.nodes)


def _node(result: dict) -> Node:
    # unique_id is "<kind>.salnameh.<name>[.<hash or unit test name>]".
    kind, _project, *rest = result["unique_id"].split(".")
    name = ".".join(rest) if kind == "unit_test" else rest[0]
    return Node(kind, name, result["status"], result["execution_time"], result.get("failures"))


def read_dbt_run(
    target_dir: Path, wall: float, returncode: int | None, maxrss_mb: float | None = None
) -> DbtRun:
    results_file = target_dir / "run_results.json"
    if not results_file.exists():
        raise BenchError(f"dbt wrote no {results_file} (return code {returncode})")
    results = json.loads(results_file.read_text(encoding="utf-8"))
    nodes = tuple(_node(r) for r in results["results"])
    return DbtRun(wall, results["elapsed_time"], nodes, returncode, maxrss_mb)


def slowest(run: DbtRun, top: int = 5) -> list[Node]:
    return sorted(run.nodes, key=lambda n: -n.seconds)[:top]


# ----------------------------------------------------------- dbt through a launcher


# Runs the command after its two arguments (timeout, log file) and reports its wall time
# and getrusage(RUSAGE_CHILDREN). A fresh, small launcher matters: Linux counts the RSS of
# the process a child was forked (or vforked) from into the child's ru_maxrss up to its
# exec, so dbt started straight from this benchmark process (hundreds of MB once it has
# synthesized a national raw layer) would report at least the benchmark's own size.
LAUNCHER = """
import json, resource, subprocess, sys, time
timeout, log = float(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
with open(log, "wb") as out:
    try:
        code = subprocess.run(
            sys.argv[3:], stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        ).returncode
    except subprocess.TimeoutExpired:
        code = None
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": code, "seconds": seconds, "children_maxrss_kb": usage.ru_maxrss}))
"""


def dbt_command(salnameh_home, *args: str) -> list[str]:
    """The command `salnameh.warehouse.run_dbt` runs, for the same home and project.

    run_dbt starts dbt itself and offers no way to start it through the launcher, so the
    command is rebuilt here; the project is read from the module at call time, as run_dbt
    does, so the national runs' patched DBT_PROJECT_DIR applies.
    """
    from salnameh import warehouse

    project = str(warehouse.DBT_PROJECT_DIR)
    target = warehouse.dbt_target_dir(salnameh_home)
    return [
        str(Path(sys.executable).with_name("dbt")), *args,
        "--project-dir", project, "--profiles-dir", project,
        "--target-path", str(target), "--log-path", str(target.parent / "logs"),
    ]  # fmt: skip


@dataclass(frozen=True)
class Launched:
    seconds: float  # wall time of the dbt process, measured by the launcher
    returncode: int
    maxrss_mb: float


def launch_dbt(salnameh_home, *args: str, env: dict[str, str] | None = None) -> Launched:
    """One dbt command under the writer lock, started through the launcher.

    `env` changes the child's environment (None removes a variable).
    """
    from salnameh.warehouse import dbt_target_dir, writer_lock

    target = dbt_target_dir(salnameh_home)
    target.mkdir(parents=True, exist_ok=True)
    # A run that dies before writing its results must not be read as the previous one.
    (target / "run_results.json").unlink(missing_ok=True)
    log = target.parent / f"dbt-{args[0]}.log"
    # profiles.yml reads the warehouse path from SALNAMEH_HOME, as in run_dbt.
    child_env = {**os.environ, "SALNAMEH_HOME": str(salnameh_home.root), **(env or {})}
    child_env = {k: v for k, v in child_env.items() if v is not None}
    launcher = [sys.executable, "-c", LAUNCHER, str(DBT_TIMEOUT_SECONDS), str(log)]
    with writer_lock(salnameh_home):
        done = subprocess.run(
            [*launcher, *dbt_command(salnameh_home, *args)],
            env=child_env,
            capture_output=True,
            text=True,
            check=False,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise BenchError(f"the dbt launcher failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    report = json.loads(lines[-1])
    if report["returncode"] is None:
        raise BenchError(f"dbt {' '.join(args)} passed {DBT_TIMEOUT_SECONDS:.0f} s; see {log}")
    # Linux reports ru_maxrss in KiB.
    return Launched(report["seconds"], report["returncode"], report["children_maxrss_kb"] / 1024)


def run_dbt_measured(salnameh_home, *args: str, env: dict[str, str] | None = None) -> DbtRun:
    """One dbt command that writes run results, with its wall time and peak RSS."""
    from salnameh.warehouse import dbt_target_dir

    done = launch_dbt(salnameh_home, *args, env=env)
    return read_dbt_run(
        dbt_target_dir(salnameh_home), done.seconds, done.returncode, done.maxrss_mb
    )


# ------------------------------------------------------------------- 1. the demo


def make_demo_home(tmp: Path):
    """A home with the demo ingested, reviewed and released, as `salnameh demo --ingest`."""
    from salnameh.settings import home

    root = tmp / "demo-home"
    command = [sys.executable, "-m", "app.cli", "--home", str(root), "demo", "--ingest"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"salnameh demo --ingest failed:\n{done.stdout[-3000:]}{done.stderr}")
    return home(root)


@contextmanager
def timed_steps(seconds: dict[str, float]) -> Iterator[None]:
    """Time the steps of `build_warehouse` by wrapping the functions it calls.

    build_warehouse looks its steps up at call time (run_dbt as a module global,
    copy_inputs and publish by imports inside the function), so wrapping them times each
    step of the real function without copying its body.
    """
    from salnameh import build_inputs, snapshots, warehouse

    probes = [
        (build_inputs, "copy_inputs", "copy"),
        (warehouse, "run_dbt", "dbt"),
        (snapshots, "publish", "publish"),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _key in probes]

    def timed(function, key):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = now()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[key] = seconds.get(key, 0.0) + now() - start

        return wrapper

    for (module, name, key), (_m, _n, function) in zip(probes, originals, strict=True):
        setattr(module, name, timed(function, key))
    try:
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


@dataclass(frozen=True)
class DemoBuild:
    total: float  # build_warehouse, end to end
    copy: float  # copy_inputs: catalog and ledger into the warehouse
    publish: float  # both snapshots
    dbt: DbtRun  # wall: run_dbt, the dbt child process under the writer lock
    published: dict[str, int]

    @property
    def other(self) -> float:
        """Loading the catalog and reference, opening the ledger and warehouse, locks."""
        return self.total - self.copy - self.dbt.wall - self.publish


def time_demo_build(salnameh_home) -> DemoBuild:
    """A build through dbt (`build --full`), timed step by step."""
    from salnameh.warehouse import build_warehouse, dbt_target_dir

    steps: dict[str, float] = {}
    with timed_steps(steps):
        start = now()
        result = build_warehouse(salnameh_home, full=True)
        total = now() - start
    missing = {"copy", "dbt", "publish"} - steps.keys()
    if missing:
        raise BenchError(f"build_warehouse no longer calls the timed steps {sorted(missing)}")
    dbt = read_dbt_run(dbt_target_dir(salnameh_home), steps["dbt"], 0)
    return DemoBuild(total, steps["copy"], steps["publish"], dbt, dict(result.published))


@dataclass(frozen=True)
class ReplayedBuild:
    total: float  # build_warehouse, end to end
    copy: float  # copy_inputs
    models: float  # replay_models: the models and data tests from dbt's compiled SQL
    publish: float


def time_replayed_build(salnameh_home) -> ReplayedBuild:
    """A build where only data changed since the last full one: what `salnameh build`
    does then (salnameh.model_replay), timed step by step."""
    from salnameh import warehouse
    from salnameh.warehouse import build_warehouse

    steps: dict[str, float] = {}
    originals = warehouse.replay_models
    with timed_steps(steps):

        def replay(home):
            start = now()
            try:
                return originals(home)
            finally:
                steps["models"] = now() - start

        warehouse.replay_models = replay
        try:
            start = now()
            result = build_warehouse(salnameh_home)
            total = now() - start
        finally:
            warehouse.replay_models = originals
    if result.how != "replayed":
        raise BenchError("the build after one new file was not replayed (no full build first?)")
    return ReplayedBuild(total, steps["copy"], steps["models"], steps["publish"])


def time_empty_invocation(salnameh_home) -> DbtRun:
    """dbt's fixed cost on its own: a `dbt build` whose selection matches no node."""
    from salnameh.warehouse import dbt_target_dir, run_dbt

    start = now()
    run_dbt(salnameh_home, *SELECT_NOTHING)
    wall = now() - start
    return read_dbt_run(dbt_target_dir(salnameh_home), wall, 0)


def bytecode_env(cache_dir: Path) -> dict[str, str | None]:
    """An environment in which Python caches compiled modules, outside the venv.

    Where PYTHONDONTWRITEBYTECODE is set and the venv holds no .pyc files, every dbt start
    compiles all of dbt's modules from source. PYTHONPYCACHEPREFIX puts the cache in the
    temporary folder, so the venv is left as it is.
    """
    return {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(cache_dir)}


def time_cached_empty_invocations(salnameh_home, cache_dir: Path, repeats: int) -> list[DbtRun]:
    """The empty invocation again, with Python's bytecode cache (after one to fill it)."""
    env = bytecode_env(cache_dir)
    run_dbt_measured(salnameh_home, *SELECT_NOTHING, env=env)
    return [run_dbt_measured(salnameh_home, *SELECT_NOTHING, env=env) for _ in range(repeats)]


@dataclass(frozen=True)
class DemoResults:
    make_seconds: float  # salnameh demo --ingest
    values: int
    submissions: int
    builds: list[DemoBuild]
    empty: list[DbtRun]
    measured: DbtRun  # one more `dbt build` through the launcher, for the peak RSS
    cached_empty: list[DbtRun]  # the empty invocation with a bytecode cache


def copy_demo_home(source: Path, tmp: Path):
    """A copy of a demo home made before (without its dbt folder: the first build parses)."""
    from salnameh.settings import home

    root = tmp / "demo-home"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("dbt", "dagster", "*.lock"))
    return home(root)


def measure_demo(tmp: Path, plan: Plan, source: Path | None = None) -> DemoResults:
    """The demo's builds; from a new demo home, or from a copy of `source` if given."""
    start = now()
    salnameh_home = make_demo_home(tmp) if source is None else copy_demo_home(source, tmp)
    made = now() - start
    print(f"demo home made in {made:.0f} s", flush=True)
    builds = []
    for i in range(plan.demo_repeats):
        builds.append(time_demo_build(salnameh_home))
        print(f"demo build {i + 1}: {builds[-1].total:.1f} s", flush=True)
    empty = [time_empty_invocation(salnameh_home) for _ in range(plan.empty_repeats)]
    measured = run_dbt_measured(salnameh_home, *PRODUCTION_BUILD)
    if measured.failed:
        raise BenchError(f"the demo build failed: {[n.name for n in measured.failed]}")
    values, submissions = raw_size(salnameh_home.warehouse_path)
    cached = (
        time_cached_empty_invocations(salnameh_home, tmp / "pycache", plan.empty_repeats)
        if plan.empty_repeats
        else []
    )
    return DemoResults(made, values, submissions, builds, empty, measured, cached)


def raw_size(warehouse_path: Path) -> tuple[int, int]:
    """Values and submissions in a warehouse's raw layer."""
    import duckdb

    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        values = con.execute('SELECT count(*) FROM raw."values"').fetchone()[0]
        submissions = con.execute("SELECT count(*) FROM raw.submissions").fetchone()[0]
    return values, submissions


# ------------------------------------------------------------- 2. national scale


def copy_project(project: Path, root: Path) -> Path:
    """A copy of a dbt project and its reference seeds under root; returns its project folder.

    The seeds go beside the project, where `seed-paths` (`../seeds/reference`) finds them.
    """
    copy = root / "dbt_project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(seeds_of(project), seeds_of(copy))
    return copy


def seeds_of(project: Path) -> Path:
    return project.parent / "seeds" / "reference"


@contextmanager
def project_in_use(project: Path) -> Iterator[None]:
    """Build with this project inside the block, as the project's own tests do.

    run_dbt (and dbt_command) read `salnameh.warehouse.DBT_PROJECT_DIR` at call time.
    """
    from salnameh import warehouse

    original = warehouse.DBT_PROJECT_DIR
    warehouse.DBT_PROJECT_DIR = project
    try:
        yield
    finally:
        warehouse.DBT_PROJECT_DIR = original


def national_project(root: Path, project: Path) -> Path:
    """The project copied for the national runs, without the test that counts Tehran's counties."""
    copy = copy_project(project, root)
    (copy / "tests" / COUNTY_COUNT_TEST).unlink()
    return copy


def synthesize_raw(con, source: Path, codes: list[str], years=YEARS) -> tuple[int, int]:
    """raw.submissions and raw."values": the demo's current versions, per province and year.

    Years up to 1402 are the demo's, and later ones repeat 1402. Values are copied
    unchanged (only the geography code and the year change), so every sum rule holds
    exactly as it did in the demo. Each (province, table, year) gets its own submission.
    Leaves the temporary table bench_copies (one row per synthetic submission) for the
    ledger. Returns the values and submissions written.
    """
    con.execute("ATTACH ? AS demo (READ_ONLY)", [str(source)])
    foreign = con.execute(
        'SELECT count(*) FROM demo.raw."values" WHERE left(geo, 2) <> ?', [SOURCE_PROVINCE]
    ).fetchone()[0]
    if foreign:
        raise BenchError(f"{foreign} demo values are outside province {SOURCE_PROVINCE}")
    con.execute("CREATE OR REPLACE TEMP TABLE bench_provinces (k INTEGER, code VARCHAR)")
    con.executemany("INSERT INTO bench_provinces VALUES (?, ?)", list(enumerate(codes)))
    con.execute("CREATE OR REPLACE TEMP TABLE bench_years (source_year INTEGER, year INTEGER)")
    con.executemany(
        "INSERT INTO bench_years VALUES (?, ?)", [(min(y, DEMO_LAST_YEAR), y) for y in years]
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE bench_copies AS
        SELECT
            row_number() OVER (ORDER BY p.k, s.table_id, y.year) AS submission_id,
            s.submission_id AS source_id, p.code AS province, y.year, s.table_id,
            s.sha256, p.code || '_' || s.filename AS filename, s.sheet, s.agency, s.uploader,
            s.catalog_version, s.received_at, s.n_values, l.size_bytes, l.identified_by
        FROM demo.raw.submissions AS s
        INNER JOIN demo.ledger.submissions AS l ON l.submission_id = s.submission_id
        INNER JOIN bench_years AS y ON y.source_year = s.period
        CROSS JOIN bench_provinces AS p
        WHERE l.state = 'loaded'
        """
    )
    con.execute(
        """
        INSERT INTO raw.submissions (submission_id, sha256, filename, table_id, period, sheet,
            agency, uploader, catalog_version, received_at, n_values, province)
        SELECT submission_id, sha256, filename, table_id, year, sheet, agency, uploader,
            catalog_version, received_at, n_values, province
        FROM bench_copies
        """
    )
    con.execute(
        """
        INSERT INTO raw.submission_values (submission_id, geo, dim_key, measure, value, flag,
            source_row, source_column, source_sheet)
        SELECT c.submission_id, c.province || substr(v.geo, 3), v.dim_key, v.measure, v.value,
            v.flag, v.source_row, v.source_column, v.source_sheet
        FROM demo.raw.submission_values AS v
        INNER JOIN bench_copies AS c ON c.source_id = v.submission_id
        """
    )
    con.execute("DETACH demo")
    return raw_counts(con)


def raw_counts(con) -> tuple[int, int]:
    values = con.execute('SELECT count(*) FROM raw."values"').fetchone()[0]
    submissions = con.execute("SELECT count(*) FROM raw.submissions").fetchone()[0]
    return values, submissions


def write_synthetic_ledger(con) -> None:
    """The ledger's copy as if every synthetic submission was loaded, approved and released.

    Replaces what copy_inputs wrote from the (empty) SQLite ledger: one edition per province
    and year holds every submission of that year, as each province's `Ledger.release` would
    make it and the hub receives it.
    """
    con.execute("BEGIN TRANSACTION")
    con.execute(
        """
        INSERT INTO ledger.submissions (submission_id, sha256, filename, size_bytes, table_id,
            year, agency, identified_by, uploader, catalog_version, received_at, verdict,
            n_values, n_errors, n_warnings, state, state_at, province)
        SELECT submission_id, sha256, filename, size_bytes, table_id, year, agency,
            identified_by, uploader, catalog_version, received_at, ?, n_values, 0, 0, ?,
            received_at, province
        FROM bench_copies
        """,
        ["accepted", "loaded"],
    )
    con.execute(
        """
        INSERT INTO ledger.reviews (review_id, submission_id, decision, reviewer, "at", comment)
        SELECT submission_id, submission_id, ?, ?, ?, '' FROM bench_copies
        """,
        ["approved", BENCH_REVIEWER, BENCH_TIME],
    )
    con.execute(
        """
        INSERT INTO ledger.editions (edition_id, year, number, released_at, released_by, note,
            province)
        SELECT row_number() OVER (ORDER BY province, year), year, 1, ?, ?,
            'Benchmark edition ' || year, province
        FROM (SELECT DISTINCT province, year FROM bench_copies)
        """,
        [BENCH_TIME, BENCH_RELEASER],
    )
    con.execute(
        """
        INSERT INTO ledger.edition_submissions (edition_id, submission_id)
        SELECT e.edition_id, c.submission_id
        FROM bench_copies AS c
        INNER JOIN ledger.editions AS e ON e.year = c.year AND e.province = c.province
        """
    )
    con.execute("COMMIT")


# The national sizes are built as SCI's hub builds (every province's geography, national
# totals, shares and ranks), with the anomaly scoring a province runs on its own figures
# turned on, so the scoring's growth with provinces is measured too.
NATIONAL_VARS = ("--vars", json.dumps({"national": True, "province": "", "score_anomalies": True}))

# The table-year whose new version the national sizes time: a county table of the demo's
# first province, as a liaison's corrected file would be.
NEW_FILE_TABLE, NEW_FILE_YEAR = "post_units_county", 1402


@dataclass(frozen=True)
class NewFile:
    """One new file at a national size: what `salnameh build` does after it, in process."""

    replay_seconds: float  # the models and data tests replayed for the tables it changed
    publish_seconds: float  # both snapshots
    tables_recomputed: int | None  # None: the replay recomputed every table
    values: int  # the new version's values, found current in the internal snapshot

    @property
    def seconds(self) -> float:
        return self.replay_seconds + self.publish_seconds


def supersede_one(con) -> tuple[int, int]:
    """A new version of NEW_FILE_TABLE's NEW_FILE_YEAR, as ingestion and staging leave it:
    its values in raw (the same figures, a corrected file's bytes), loaded in the ledger's
    copy, the version it replaces superseded. Returns (submission id, values)."""
    old = con.execute(
        "SELECT min(submission_id) FROM ledger.submissions"
        " WHERE table_id = ? AND year = ? AND state = 'loaded'",
        [NEW_FILE_TABLE, NEW_FILE_YEAR],
    ).fetchone()[0]
    if old is None:
        raise BenchError(f"no {NEW_FILE_TABLE} {NEW_FILE_YEAR} to send again")
    new = con.execute("SELECT max(submission_id) + 1 FROM raw.submissions").fetchone()[0]
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO raw.submissions SELECT * REPLACE (? AS submission_id)"
        " FROM raw.submissions WHERE submission_id = ?", [new, old],
    )  # fmt: skip
    con.execute(
        "INSERT INTO raw.submission_values SELECT * REPLACE (? AS submission_id)"
        " FROM raw.submission_values WHERE submission_id = ?", [new, old],
    )  # fmt: skip
    con.execute(
        "INSERT INTO ledger.submissions SELECT * REPLACE (? AS submission_id, 'loaded' AS state)"
        " FROM ledger.submissions WHERE submission_id = ?", [new, old],
    )  # fmt: skip
    con.execute("UPDATE ledger.submissions SET state = 'superseded' WHERE submission_id = ?", [old])
    con.execute("COMMIT")
    values = con.execute(
        "SELECT count(*) FROM raw.submission_values WHERE submission_id = ?", [new]
    ).fetchone()[0]
    return new, values


def remember_states(salnameh_home) -> None:
    """Keep the table states the full build stood on, for the next build's scope."""
    from salnameh import build_scope
    from salnameh.warehouse import connect_warehouse, writer_lock

    with writer_lock(salnameh_home):
        con = connect_warehouse(salnameh_home)
        try:
            build_scope.remember(con, build_scope.states(con))
        finally:
            con.close()


def time_new_file(salnameh_home) -> NewFile:
    """After a full build at this size: one new file, then the replayed build that
    recomputes only the tables it changed (salnameh.build_scope), and publication.
    Ingestion and staging are not timed here (the demo's figure times them): the ledger
    copy of these sizes is synthetic, and staging would replace it with the empty ledger."""
    from salnameh import model_replay
    from salnameh.snapshots import open_snapshot
    from salnameh.warehouse import connect_warehouse, dbt_target_dir, dbt_vars, writer_lock

    key = model_replay.replay_key(salnameh_home, dbt_vars(salnameh_home))
    with writer_lock(salnameh_home):
        con = connect_warehouse(salnameh_home)
        try:
            submission, values = supersede_one(con)
        finally:
            con.close()
    model_replay.remember_full_build(salnameh_home, key)
    replay = model_replay.plan(salnameh_home, dbt_target_dir(salnameh_home) / "manifest.json", key)
    if replay is None:
        raise BenchError("the full build's manifest cannot be replayed")
    start = now()
    with writer_lock(salnameh_home):
        con = connect_warehouse(salnameh_home)
        try:
            done = model_replay.run(con, replay)
        finally:
            con.close()
    replayed = now() - start
    recomputed = None if done.scope is None else len(done.scope)
    published, _counts = publish_national(salnameh_home, done)
    with open_snapshot(salnameh_home, "internal") as con:
        found = con.execute(
            "SELECT count(*) FROM marts.fct_observations WHERE submission_id = ? AND is_current",
            [submission],
        ).fetchone()[0]  # fmt: skip
    if found != values:
        raise BenchError(f"new file: {values} values loaded, {found} current in the snapshot")
    return NewFile(replayed, published, recomputed, values)


@dataclass(frozen=True)
class NationalRun:
    provinces: int
    values: int
    submissions: int
    raw_seconds: float  # synthesizing the raw layer (benchmark set-up, not a build step)
    copy_seconds: float  # copy_inputs: the catalog (and the empty SQLite ledger)
    ledger_seconds: float  # writing the synthetic ledger copy (stands in for the ledger copy)
    dbt: DbtRun
    publish_seconds: float | None  # None: not published (a model did not build)
    published: dict[str, int] = field(default_factory=dict)
    disk_mb: dict[str, float] = field(default_factory=dict)  # warehouse and snapshots
    new_file: NewFile | None = None  # one new file after the full build (None: tests failed)

    @property
    def build_seconds(self) -> float:
        """What build_warehouse would take: inputs, dbt, publication."""
        return self.copy_seconds + self.ledger_seconds + self.dbt.wall + (self.publish_seconds or 0)


def fresh_warehouse(salnameh_home) -> None:
    """Drop the last size's warehouse and snapshots; keep dbt's target for partial parsing."""
    for path in (salnameh_home.warehouse_path, salnameh_home.root / "warehouse.duckdb.wal"):
        path.unlink(missing_ok=True)
    for path in salnameh_home.snapshots_dir.glob("*"):
        path.unlink()


def prepare_national(salnameh_home, source: Path, codes: list[str], catalog, reference,
                     years=YEARS):  # fmt: skip
    """The warehouse's inputs for one national size; the seconds of each step."""
    import duckdb

    from salnameh.build_inputs import copy_inputs
    from salnameh.ledger import Ledger
    from salnameh.warehouse import ensure_raw_layer, writer_lock

    ledger = Ledger(salnameh_home.ledger_url)  # empty: its copy is replaced below
    with writer_lock(salnameh_home):
        con = duckdb.connect(str(salnameh_home.warehouse_path))
        try:
            start = now()
            ensure_raw_layer(con)
            values, submissions = synthesize_raw(con, source, codes, years)
            synthesized = now()
            copy_inputs(con, catalog, reference, ledger)
            copied = now()
            write_synthetic_ledger(con)
            written = now()
        finally:
            con.close()
    return values, submissions, synthesized - start, copied - synthesized, written - copied


def publish_national(salnameh_home, replayed=None) -> tuple[float, dict[str, int]]:
    from salnameh.snapshots import publish
    from salnameh.warehouse import dbt_target_dir, writer_lock

    start = now()
    with writer_lock(salnameh_home):
        counts = publish(salnameh_home, dbt_target_dir(salnameh_home) / "manifest.json", replayed)
    return now() - start, counts


def measure_national_size(
    salnameh_home, seeds_dir: Path, pristine_seeds: Path, source: Path, n: int, inputs,
    years=YEARS,
) -> NationalRun:  # fmt: skip
    catalog, reference = inputs
    codes = province_codes(n)
    write_national_seeds(seeds_dir, pristine_seeds, codes)
    fresh_warehouse(salnameh_home)
    values, submissions, raw_s, copy_s, ledger_s = prepare_national(
        salnameh_home, source, codes, catalog, reference, years
    )
    dbt = run_dbt_measured(salnameh_home, *PRODUCTION_BUILD, *NATIONAL_VARS)
    remember_states(salnameh_home)  # as salnameh's full build does, before it publishes
    # Publication is timed even when tests failed (build_warehouse would not publish
    # then), as long as every model was built: its cost does not depend on the tests.
    models_built = all(
        node.status == "success" for node in dbt.nodes if node.kind in ("model", "seed")
    )
    publish_s, counts = publish_national(salnameh_home) if models_built else (None, {})
    disk = disk_sizes(salnameh_home)
    new_file = time_new_file(salnameh_home) if dbt.returncode == 0 else None
    return NationalRun(
        n, values, submissions, raw_s, copy_s, ledger_s, dbt, publish_s, counts, disk, new_file
    )  # fmt: skip


def disk_sizes(salnameh_home) -> dict[str, float]:
    """MB on disk of the warehouse and of each snapshot."""
    from salnameh.snapshots import INTERNAL, PUBLIC, snapshot_path

    paths = {
        "warehouse": salnameh_home.warehouse_path,
        "internal": snapshot_path(salnameh_home, INTERNAL),
        "public": snapshot_path(salnameh_home, PUBLIC),
    }
    return {k: p.stat().st_size / 2**20 for k, p in paths.items() if p.exists()}


def predicted_wall(runs: list[NationalRun], n: int) -> float:
    """dbt wall time at n provinces, extrapolated linearly from the last two sizes."""
    if len(runs) < 2:
        return runs[-1].dbt.wall * n / runs[-1].provinces
    a, b = runs[-2], runs[-1]
    slope = (b.dbt.wall - a.dbt.wall) / (b.provinces - a.provinces)
    return b.dbt.wall + slope * (n - b.provinces)


@dataclass(frozen=True)
class NationalResults:
    runs: list[NationalRun]
    skipped: list[tuple[int, float]]  # sizes not run, with their predicted dbt wall time
    warm_up: Launched | None  # the `dbt parse` that readied partial parsing, if one ran
    home: Path  # the national home: the last size's warehouse and snapshots are left there


def measure_national(tmp: Path, source: Path, project: Path, plan: Plan) -> NationalResults:
    """The national sizes, built with a copy of `project` whose seeds know every province."""
    from salnameh.settings import home

    base = tmp / "national"
    base.mkdir()
    copy = national_project(base, project)
    with project_in_use(copy):
        return _measure_sizes(home(base / "home").create(), seeds_of(project), copy, source, plan)


def _measure_sizes(
    salnameh_home, pristine_seeds: Path, project: Path, source: Path, plan: Plan
) -> NationalResults:
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference

    seeds_dir = seeds_of(project)
    inputs = (load_catalog(), Reference())
    write_national_seeds(seeds_dir, pristine_seeds, province_codes(1))
    # Every size then starts from a parsed project, like a home that has built before
    # (dbt's partial parsing re-reads only the geography seeds, which change per size).
    warm_up = launch_dbt(salnameh_home, "parse", *NATIONAL_VARS) if plan.warm_up else None
    if warm_up is not None and warm_up.returncode != 0:
        raise BenchError("dbt parse failed on the national project copy")
    runs: list[NationalRun] = []
    skipped: list[tuple[int, float]] = []
    for n in plan.provinces:
        if runs and (expected := predicted_wall(runs, n)) > DBT_BUDGET_SECONDS:
            skipped.append((n, expected))
            continue
        runs.append(
            measure_national_size(
                salnameh_home, seeds_dir, pristine_seeds, source, n, inputs, plan.years
            )
        )
        run = runs[-1]
        new_file = f"{run.new_file.seconds:.1f} s" if run.new_file else "not timed"
        print(
            f"{n} provinces: {run.values:,} values, dbt {run.dbt.wall:.1f} s, "
            f"peak RSS {run.dbt.maxrss_mb:,.0f} MB, failed {[f.name for f in run.dbt.failed]}, "
            f"one new file {new_file}",
            flush=True,
        )
    return NationalResults(runs, skipped, warm_up, salnameh_home.root)


# ------------------------------------------------------------------------- report


def machine_facts() -> dict[str, str]:
    return machine_facts_of(
        ("dbt-core", "dbt-duckdb", "duckdb", "pandas"),
        MEASURED_PATHS,
        CODE_GLOBS,
        "salnameh/ and app/ *.py, dbt_project models/tests/macros, seeds/",
    ) | {"Python bytecode": _bytecode_state()}


def _bytecode_state() -> str:
    """Whether the venv's modules start from compiled bytecode (it changes dbt's start-up)."""
    from importlib.util import find_spec

    # dbt is a namespace package (dbt-core and the adapters): look, without importing it.
    folders = [Path(p) for p in find_spec("dbt").submodule_search_locations]
    compiled = sum(1 for folder in folders for _ in folder.rglob("*.pyc"))
    sources = sum(1 for folder in folders for _ in folder.rglob("*.py"))
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return (
        f"PYTHONDONTWRITEBYTECODE={flag or '(unset)'}; the dbt package has {compiled} .pyc "
        f"files for {sources} .py files"
    )


MEASURED_PATHS = ("dbt_project", "salnameh", "app", "seeds")
# The code and seeds a build runs, hashed as they were run.
CODE_GLOBS = ("salnameh/**/*.py", "app/**/*.py", "dbt_project/models/**/*",
              "dbt_project/tests/**/*", "dbt_project/macros/**/*", "dbt_project/*.yml",
              "seeds/**/*")  # fmt: skip


def _code_hash() -> str:
    return code_hash(CODE_GLOBS, "salnameh/ and app/ *.py, dbt_project models/tests/macros, seeds/")


def _git_commit() -> str:
    return git_commit(MEASURED_PATHS)


@dataclass
class Results:
    quick: bool
    started: dt.datetime
    facts: dict[str, str]
    load_start: float
    load_end: float = 0.0
    wall: float = 0.0
    demo: DemoResults | None = None
    national: NationalResults | None = None


def _med(values) -> float:
    return statistics.median(list(values))


def _nodes_table(nodes: list[Node], total: float) -> list[str]:
    lines = ["| node | kind | seconds | share of node time |", "|---|---|---|---|"]
    for node in nodes:
        lines.append(
            f"| `{node.name}` | {node.kind} | {node.seconds:.2f} | "
            f"{100 * node.seconds / total:.0f}% |"
        )
    return lines


def headline(results: Results) -> list[str]:
    demo, national = results.demo, results.national
    builds = demo.builds
    total = _med(b.total for b in builds)
    lines = [
        "| figure | value | goal | met |",
        "|---|---|---|---|",
        f"| demo build (`build_warehouse`, {demo.values:,} values, 13 years), wall time, "
        f"median of {len(builds)} | {total:.1f} s | < {GOAL_DEMO_SECONDS:.0f} s | "
        f"{_mark(total < GOAL_DEMO_SECONDS)} |",
        f"| of which the dbt child process | {_med(b.dbt.wall for b in builds):.1f} s | | |",
        f"| of which dbt's nodes (the work) | {_med(b.dbt.node_seconds for b in builds):.1f} s "
        "| | |",
        f"| dbt fixed cost (dbt wall - node time) | "
        f"{_med(b.dbt.fixed_seconds for b in builds):.1f} s | | |",
        f"| dbt invocation selecting nothing, wall time | "
        f"{_med(e.wall for e in demo.empty):.1f} s | | |",
        f"| the same with Python's bytecode cache | "
        f"{_med(e.wall for e in demo.cached_empty):.1f} s | | |",
        f"| peak RSS of dbt, demo build | {demo.measured.maxrss_mb:,.0f} MB | | |",
    ]
    if national and national.runs:
        top = national.runs[-1]
        lines += [
            f"| national, {top.provinces} provinces x 20 years ({top.values:,} values): "
            f"dbt wall time | {top.dbt.wall:.1f} s | | |",
            f"| the same: build with copy and publication | {top.build_seconds:.1f} s | | |",
            f"| the same: peak RSS of dbt | {top.dbt.maxrss_mb:,.0f} MB | | |",
        ]
    return lines


def demo_section(demo: DemoResults) -> list[str]:
    builds = demo.builds
    lines = [
        "## 1. Demo build",
        "",
        f"`salnameh demo --ingest` made the home in {demo.make_seconds:.0f} s: one province "
        f"(Tehran, 23), 1390-1402, every table; {demo.values:,} values in "
        f"{demo.submissions:,} submissions. Then `build_warehouse(home)` (copy catalog and "
        "ledger in, `dbt build`, publish both snapshots) was timed, with the dbt project and "
        "its reference seeds as copied at the start of the run (so an edit of the tree "
        "meanwhile does not change what is built), "
        f"{len(builds)} time(s). The step times come from wrapping `copy_inputs`, `run_dbt` "
        "and `snapshots.publish` while the real `build_warehouse` runs; 'other' is the rest "
        "(loading the catalog and reference, opening the ledger, the warehouse and locks).",
        "",
        "| run | total | copy_inputs | dbt child (run_dbt) | dbt elapsed_time | node time | "
        "dbt fixed (wall - nodes) | publish | other |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def row(label, b_total, copy, wall, elapsed, nodes, publish, other):
        return (
            f"| {label} | {b_total:.2f} | {copy:.2f} | {wall:.2f} | {elapsed:.2f} | "
            f"{nodes:.2f} | {wall - nodes:.2f} | {publish:.2f} | {other:.2f} |"
        )

    for i, b in enumerate(builds, start=1):
        lines.append(
            row(i, b.total, b.copy, b.dbt.wall, b.dbt.elapsed, b.dbt.node_seconds, b.publish,
                b.other)
        )  # fmt: skip
    lines.append(
        row(
            "**median**",
            _med(b.total for b in builds),
            _med(b.copy for b in builds),
            _med(b.dbt.wall for b in builds),
            _med(b.dbt.elapsed for b in builds),
            _med(b.dbt.node_seconds for b in builds),
            _med(b.publish for b in builds),
            _med(b.other for b in builds),
        )
    )
    last = builds[-1]
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(last.dbt.statuses.items()))
    public = last.published.get("marts.fct_observations", 0)
    empty_walls = ", ".join(f"{e.wall:.2f}" for e in demo.empty)
    lines += [
        "",
        "Run 1 is the first dbt run in this home (`salnameh demo` does not run dbt), so its "
        "fixed cost includes dbt's full parse of the project; later runs parse partially "
        f"(nothing changed). Nodes of the last run: {len(last.dbt.nodes)} ({statuses}). The "
        f"public snapshot holds {public:,} released values (`marts.fct_observations`).",
        "",
        "**dbt's fixed cost, second view**: "
        f"`run_dbt(home, {', '.join(map(repr, SELECT_NOTHING))})` (a `dbt build` whose "
        "selection matches no node: start-up, project load with "
        f"partial parsing, no connection work) took {empty_walls} s "
        f"(median {_med(e.wall for e in demo.empty):.2f} s); dbt's own elapsed_time for it: "
        f"{_med(e.elapsed for e in demo.empty):.2f} s (dbt times its run phase only).",
        "",
        "**The same with a bytecode cache**: this environment sets PYTHONDONTWRITEBYTECODE "
        "and the venv holds no compiled modules (see the machine table), so every dbt start "
        "compiles dbt's modules from source. Run with that variable removed and "
        "PYTHONPYCACHEPREFIX in the temporary folder (one run first to fill the cache), the "
        "empty invocation took "
        + ", ".join(f"{e.wall:.2f}" for e in demo.cached_empty)
        + f" s (median {_med(e.wall for e in demo.cached_empty):.2f} s): the difference is "
        "paid by every dbt invocation here, the builds above included.",
        "",
        f"**Peak RSS**: one more `dbt build` of the same home through the launcher (see "
        f"README): {demo.measured.maxrss_mb:,.0f} MB, wall {demo.measured.wall:.1f} s, "
        f"node time {demo.measured.node_seconds:.1f} s.",
        "",
        "Slowest nodes of the last timed run:",
        "",
        *_nodes_table(slowest(last.dbt), last.dbt.node_seconds),
    ]
    return lines


def national_section(national: NationalResults) -> list[str]:
    runs = national.runs
    lines = [
        "## 2. National scale",
        "",
        "Synthesized, not ingested: the demo's current version of every table-year "
        "(`ledger.submissions.state = 'loaded'`) is copied once per province and year. "
        f"Province k uses code {', '.join(province_codes(4))}, ... (k = 0 is Tehran itself; "
        "geography '23' becomes the code, '23xx' the code followed by xx); 1390-1402 are "
        "the demo's years and 1403-1409 repeat 1402, 20 years in all; values are copied "
        "unchanged, so every sum rule holds as in the demo. Each (province, table, year) is "
        "its own submission, in `raw.submissions` and in the ledger's copy (`ledger.submissions` "
        "state 'loaded', verdict 'accepted'; `ledger.reviews` 'approved'; one "
        "`ledger.editions` row per year holding all of the year's submissions).",
        "",
        "The run uses a copy of the dbt project (`DBT_PROJECT_DIR` patched in "
        "`salnameh.warehouse`) with its seeds beside it: `geography.csv` and "
        "`geography_lineage.csv` get one copy of Tehran's rows per added province (code "
        "prefix and parent replaced, names suffixed with the province's number). The "
        f"singular test `{COUNTY_COUNT_TEST}` is **deleted from the copy**: it checks "
        "Tehran's county count per year and cannot hold with other provinces.",
        "",
        "Per size: the raw layer is synthesized into a fresh warehouse; `copy_inputs` writes "
        "the catalog (and the empty SQLite ledger), then the synthetic ledger replaces the "
        "ledger copy; one `dbt build` runs through the launcher (peak RSS = its "
        "`ru_maxrss`); then both snapshots are published under the writer lock (timed even "
        "where a test failed, which `build_warehouse` would not publish). dbt's target "
        "folder is kept between sizes, as in a home that has built before; a `dbt parse` "
        + (
            f"before the first size ({national.warm_up.seconds:.1f} s) readied partial parsing."
            if national.warm_up
            else "was not run first (the first size parsed the project)."
        ),
        "",
        "| provinces | values | submissions | dbt wall s | dbt elapsed s | node time s | "
        "dbt fixed s | peak RSS MB | copy_inputs s | ledger s | publish s | build total s | "
        "failed nodes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        failed = ", ".join(f"`{f.name}` ({f.failures} rows)" for f in r.dbt.failed) or "none"
        publish = f"{r.publish_seconds:.1f}" if r.publish_seconds is not None else "not run"
        lines.append(
            f"| {r.provinces} | {r.values:,} | {r.submissions:,} | {r.dbt.wall:.1f} | "
            f"{r.dbt.elapsed:.1f} | {r.dbt.node_seconds:.1f} | {r.dbt.fixed_seconds:.1f} | "
            f"{r.dbt.maxrss_mb:,.0f} | {r.copy_seconds:.2f} | {r.ledger_seconds:.2f} | "
            f"{publish} | {r.build_seconds:.1f} | {failed} |"
        )
    for n, expected in national.skipped:
        lines.append(
            f"| {n} | not run: predicted dbt wall {expected:.0f} s > "
            f"{DBT_BUDGET_SECONDS:.0f} s budget | | | | | | | | | | | |"
        )
    lines += ["", *per_size_section(runs), "", *growth_section(runs)]
    lines += ["", *public_section(runs), *scale_notes(runs)]
    if runs:
        top = runs[-1]
        lines += [
            "",
            f"### Slowest nodes at {top.provinces} provinces",
            "",
            *_nodes_table(slowest(top.dbt), top.dbt.node_seconds),
            "",
            "Raw-layer synthesis (benchmark set-up, not part of a build) took "
            + ", ".join(f"{r.raw_seconds:.1f} s" for r in runs)
            + " for the sizes above.",
        ]
    return lines


def per_size_section(runs: list[NationalRun]) -> list[str]:
    """The slowest node of each size against all the others, and the files written."""
    lines = [
        "### Slowest node and disk, per size",
        "",
        "| provinces | slowest node | its seconds | share of node time | all other nodes s | "
        "warehouse MB | internal snapshot MB | public snapshot MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        top = slowest(r.dbt, 1)[0]
        disk = [f"{r.disk_mb[k]:,.0f}" if k in r.disk_mb else "-"
                for k in ("warehouse", "internal", "public")]  # fmt: skip
        lines.append(
            f"| {r.provinces} | `{top.name}` | {top.seconds:.1f} | "
            f"{100 * top.seconds / r.dbt.node_seconds:.0f}% | "
            f"{r.dbt.node_seconds - top.seconds:.1f} | {' | '.join(disk)} |"
        )
    return lines


def growth_section(runs: list[NationalRun]) -> list[str]:
    """How time and memory grow with provinces: per province, marginal, and a linear fit."""
    if not runs:
        return []
    first = runs[0]
    lines = [
        "### Growth",
        "",
        f"Ratios against the first size ({first.provinces} province(s)). 'Marginal' is the "
        "change from the previous size per added province.",
        "",
        "| provinces | values / first | node time / first | node s per province | "
        "marginal node s per province | dbt wall / first | peak RSS / first | "
        "marginal RSS MB per province |",
        "|---|---|---|---|---|---|---|---|",
    ]
    previous = None
    for r in runs:
        if previous is None:
            marginal_s = marginal_mb = "-"
        else:
            added = r.provinces - previous.provinces
            marginal_s = f"{(r.dbt.node_seconds - previous.dbt.node_seconds) / added:.2f}"
            marginal_mb = f"{(r.dbt.maxrss_mb - previous.dbt.maxrss_mb) / added:,.0f}"
        lines.append(
            f"| {r.provinces} | {r.values / first.values:.2f} | "
            f"{r.dbt.node_seconds / first.dbt.node_seconds:.2f} | "
            f"{r.dbt.node_seconds / r.provinces:.2f} | {marginal_s} | "
            f"{r.dbt.wall / first.dbt.wall:.2f} | {r.dbt.maxrss_mb / first.dbt.maxrss_mb:.2f} | "
            f"{marginal_mb} |"
        )
        previous = r
    if len(runs) >= 3:
        x = [r.provinces for r in runs]
        wall = statistics.linear_regression(x, [r.dbt.wall for r in runs])
        nodes = statistics.linear_regression(x, [r.dbt.node_seconds for r in runs])
        rss = statistics.linear_regression(x, [r.dbt.maxrss_mb for r in runs])
        lines += [
            "",
            "Least-squares lines over all sizes (n = provinces): dbt wall "
            f"{wall.intercept:.1f} + {wall.slope:.2f} n s; node time "
            f"{nodes.intercept:.1f} + {nodes.slope:.2f} n s; peak RSS "
            f"{rss.intercept:,.0f} + {rss.slope:,.1f} n MB.",
        ]
    return lines


def public_section(runs: list[NationalRun]) -> list[str]:
    lines = [
        "### What the public snapshot held",
        "",
        "Every synthetic submission is approved and released, so every value is expected "
        "in the public `marts.fct_observations`.",
        "",
        "| provinces | values | public fct_observations rows | share |",
        "|---|---|---|---|",
    ]
    for r in runs:
        if r.publish_seconds is None:
            lines.append(f"| {r.provinces} | {r.values:,} | not published | |")
            continue
        public = r.published.get("marts.fct_observations", 0)
        lines.append(f"| {r.provinces} | {r.values:,} | {public:,} | {public / r.values:.3f} |")
    return lines


def scale_notes(runs: list[NationalRun]) -> list[str]:
    """Why the national runs fail a test or publish less, where they do (read off the models)."""
    failing = sorted({f.name for r in runs for f in r.dbt.failed})
    short = [r for r in runs if r.published and r.published.get("marts.fct_observations", 0)
             < r.values]  # fmt: skip
    if not failing and not short:
        return []
    lines = ["", "### Single-province assumptions met at scale", ""]
    if "assert_counties_sum_to_province_holds" in failing:
        lines.append(
            "- `assert_counties_sum_to_province_holds` fails from 2 provinces on: in "
            "`int_rules__checks`, `county_cells` gives every county cell the geo_code "
            "`(select any_value(code) from geography where level = 'province')`, one code for "
            "all provinces, so the counties of every province are added up against a single "
            "total (the largest of the provinces' totals)."
        )
    if short:
        lines.append(
            "- The public snapshot holds one province's values per table-year: "
            "`int_submissions__versions.is_released` keeps `row_number() over (partition by "
            "table_id, year, ...) = 1`, so of all provinces' released submissions of a "
            "table-year only the one with the highest submission_id is released."
        )
    others = [name for name in failing if name != "assert_counties_sum_to_province_holds"]
    if others:
        lines.append(f"- Other failed nodes: {', '.join(f'`{n}`' for n in others)}.")
    return lines


def report(results: Results, command: str) -> str:
    lines = [
        "# Warehouse build benchmark" + (" (quick, reduced sizes)" if results.quick else ""),
        "",
        f"`{command}`, started {results.started:%Y-%m-%d %H:%M} UTC; the whole run took "
        f"{results.wall:.0f} s. See `benchmarks/README.md` (section 'Warehouse build') for "
        "what each figure means. Times are wall-clock seconds.",
        "",
        "## Machine",
        "",
        "| fact | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in results.facts.items()],
        f"| load average (1 min) | {results.load_start:.2f} at start, {results.load_end:.2f} at "
        "the end |",
        f"| date | {results.started:%Y-%m-%d} |",
        "",
        "## Figures",
        "",
        *headline(results),
        "",
        *demo_section(results.demo),
    ]
    if results.national is not None:
        lines += ["", *national_section(results.national)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def run(plan: Plan, quick: bool, tmp: Path) -> Results:
    from salnameh.settings import DBT_PROJECT_DIR

    results = Results(
        quick=quick,
        started=dt.datetime.now(dt.UTC),
        facts=machine_facts(),
        load_start=os.getloadavg()[0],
    )
    start = now()
    # dbt reads the project at every invocation, and the tree may be edited while this
    # runs: both parts build a copy taken now, the version the facts above describe.
    pinned = copy_project(DBT_PROJECT_DIR, tmp / "pinned")
    with project_in_use(pinned):
        results.demo = measure_demo(tmp, plan)
        source = tmp / "demo-home" / "warehouse.duckdb"
        results.national = measure_national(tmp, source, pinned, plan)
    results.wall = now() - start
    results.load_end = os.getloadavg()[0]
    # The catalog, the seeds Reference reads and the Python code are not pinned: say so
    # when the tree at the end is not the tree at the start.
    commit, code_hash = _git_commit(), _code_hash()
    if (commit, code_hash) != (results.facts["commit"], results.facts["code hash"]):
        results.facts["changed during the run"] = f"at the end: {commit}, {code_hash}"
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.build_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one timed demo build and 1 and 2 provinces only: a smoke check",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write the Markdown results here (they are always printed)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    plan = QUICK if args.quick else FULL
    command = "python -m benchmarks.build_bench" + (" --quick" if args.quick else "")
    tmp = Path(tempfile.mkdtemp(prefix="salnameh-build-bench-"))
    try:
        results = run(plan, args.quick, tmp)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(results, command)
    print()
    print(text)
    out = args.out
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")


if __name__ == "__main__":
    main()
