"""Real-size ingestion beside the plain alternative, whole process and in process.

Real files are small (the demo's median submission has 68 values, the largest 1,173): what
a user waits for is start-up and the fixed cost of a file and of a command. So each case
is timed as a user meets it, a new Python process a run (start-up, imports, catalog,
stores), beside `benchmarks/plain_ingest.py`, the script a data engineer would write
instead (pandas' calamine reader, melt, one DuckDB `CREATE TABLE AS`), on the same files:

- `salnameh --help` (beside a bare `python -c pass`: the interpreter's own start-up);
- one real form, `salnameh ingest FORM` on a home that has ingested before;
- a demo year, `salnameh ingest FOLDER` (every agency file of the year);
- the million-value sheet (throughput: the benchmark's own catalog, so through
  `python -m benchmarks.ingest_bench --child ingest`, the CLI's steps without click);
- and, in process, the portal's upload verdict for a real form (`receive_upload`, as the
  liaison's upload page calls it), the first in a fresh process and again.

The two sides run in turn (ours, plain, ours, plain ...) after one warm-up pair, and each
ratio is taken pair by pair (Salnameh / plain: below 1, Salnameh is faster), so a drift
in the machine's speed moves both sides of a pair alike. Each run's CPU time (user + sys
of the child, from getrusage) is reported beside its wall time: on a shared machine CPU
is the figure that holds, wall the one a user feels on a quiet one.

Run alone: `.venv/bin/python -m benchmarks.startup_bench [--runs 5]` (after `make setup`).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN = ROOT / "benchmarks" / "plain_ingest.py"
SALNAMEH = [sys.executable, "-m", "app.cli"]
FORM_TABLE, FORM_YEAR = "pop_county_sex_age", 1390  # the census population form: 1,035 values
WARM_UP_YEAR = 1395  # the same form of the next census, ingested into the template home


class BenchError(RuntimeError):
    """A case could not be measured (a command failed, a file was not accepted)."""


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float


def run_process(command: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """One run of a command in a new process: its wall time and its CPU (user + sys)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise BenchError(f"{' '.join(command)} exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")  # fmt: skip
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu)


def paired(ours, plain, runs: int) -> dict:
    """`ours()` and `plain()` (each runs one process and returns its Run) in turn, after
    one uncounted pair; medians of each side and of the pair-by-pair ratios."""
    sides: dict[str, list[Run]] = {"salnameh": [], "plain": []}
    for i in range(runs + 1):
        a, b = ours(i), plain(i)
        if i:
            sides["salnameh"].append(a)
            sides["plain"].append(b)
    return summary(sides)


def summary(sides: dict[str, list[Run]]) -> dict:
    out: dict = {"runs": len(sides["salnameh"])}
    for name, runs in sides.items():
        out[name] = {
            "cpu_s": statistics.median(r.cpu for r in runs),
            "wall_s": statistics.median(r.wall for r in runs),
            "cpu_runs": [r.cpu for r in runs],
            "wall_runs": [r.wall for r in runs],
        }
    pairs = list(zip(sides["salnameh"], sides["plain"], strict=True))
    # A bare interpreter's CPU can read 0 at the clock's grain: such a pair has no ratio.
    cpu = [a.cpu / b.cpu for a, b in pairs if b.cpu > 0]
    out["ratio_cpu"] = statistics.median(cpu) if cpu else float("nan")
    out["ratio_wall"] = statistics.median(a.wall / b.wall for a, b in pairs)
    return out


# --------------------------------------------------------------------------- inputs


def salnameh(home: Path, *args: str, ok: tuple[int, ...] = (0,)) -> Run:
    return run_process([*SALNAMEH, "--home", str(home), *args], ok)


def make_inputs(work: Path) -> dict[str, Path]:
    """The demo's real form and a template home that has ingested one other file."""
    source = work / "demo-source"
    salnameh(source, "init")
    found = {}
    for year in (FORM_YEAR, WARM_UP_YEAR):
        salnameh(source, "demo", "--years", f"{year}-{year}", "--table", FORM_TABLE)
        made = sorted((source / "demo" / "files" / str(year)).rglob(f"{FORM_TABLE}.*"))
        if not made:
            raise BenchError(f"the demo wrote no file for {FORM_TABLE} {year}")
        found[year] = work / f"{year}-{made[0].name}"
        shutil.copy(made[0], found[year])
    form = found[FORM_YEAR]
    template = work / "template-home"
    salnameh(template, "init")
    # A home that has ingested before: its ledger and warehouse exist, as in use.
    salnameh(template, "ingest", str(found[WARM_UP_YEAR]))
    return {"form": form, "template": template}


def fresh_home(template: Path, home: Path) -> Path:
    """A copy of the template (the same bytes sent twice would only be 'unchanged')."""
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home)
    return home


# ---------------------------------------------------------------------------- cases


def measure_help(runs: int) -> dict:
    return paired(lambda _i: run_process([*SALNAMEH, "--help"]),
                  lambda _i: run_process([sys.executable, "-c", "pass"]), runs)  # fmt: skip


def measure_files(work: Path, template: Path, files: list[Path], runs: int, name: str) -> dict:
    """`salnameh ingest FILES` against the plain script on the same files."""
    folder = work / f"{name}-files"
    if len(files) > 1:  # as an inbox: one folder the command is given
        shutil.rmtree(folder, ignore_errors=True)
        for path in files:
            target = folder / path.parent.parent.name / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        given = [str(folder)]
    else:
        given = [str(files[0])]

    def ours(i: int) -> Run:
        home = fresh_home(template, work / f"{name}-home")
        return salnameh(home, "ingest", *given, ok=(0, 1))  # 1: some file rejected

    def plain(i: int) -> Run:
        warehouse = work / f"{name}-plain.duckdb"
        warehouse.unlink(missing_ok=True)
        return run_process([sys.executable, str(PLAIN), str(warehouse), *given])

    return paired(ours, plain, runs) | {"files": len(files),
                                        "bytes": sum(p.stat().st_size for p in files)}  # fmt: skip


def measure_big(work: Path, big: Path, catalog: Path, seeds: Path, table: str,
                runs: int) -> dict:  # fmt: skip
    """The million-value sheet, whole process: catalog, reference and one ingest."""

    def ours(i: int) -> Run:
        home = work / "big-home"
        shutil.rmtree(home, ignore_errors=True)
        return run_process([sys.executable, "-m", "benchmarks.ingest_bench", "--child", "ingest",
                            "--file", str(big), "--catalog", str(catalog), "--seeds",
                            str(seeds), "--table", table, "--work", str(home)])  # fmt: skip

    def plain(i: int) -> Run:
        warehouse = work / "big-plain.duckdb"
        warehouse.unlink(missing_ok=True)
        return run_process([sys.executable, str(PLAIN), str(warehouse), str(big)])

    return paired(ours, plain, runs)


def in_process(work: Path, template: Path, files: list[Path], runs: int, name: str) -> dict:
    """The work alone, after the imports and the catalog: `Ingestor.ingest` of every file
    in one batch against `plain_ingest.load`, in turn, medians."""
    from benchmarks import plain_ingest
    from ingestion.ingest import Ingestor
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.settings import home

    catalog, reference = load_catalog(), Reference()
    sides: dict[str, list[Run]] = {"salnameh": [], "plain": []}
    verdicts: dict[str, int] = {}
    for i in range(runs + 1):
        ingestor = Ingestor(home(fresh_home(template, work / f"{name}-in-{i}")), catalog,
                            reference)  # fmt: skip
        start, cpu = time.perf_counter(), time.process_time()
        with ingestor.batch():
            outcomes = [ingestor.ingest(p) for p in files]
        ours = Run(time.perf_counter() - start, time.process_time() - cpu)
        warehouse = work / f"{name}-in-{i}.duckdb"
        start, cpu = time.perf_counter(), time.process_time()
        plain_ingest.load(warehouse, files)
        theirs = Run(time.perf_counter() - start, time.process_time() - cpu)
        if i:
            sides["salnameh"].append(ours)
            sides["plain"].append(theirs)
        verdicts = {}
        for outcome in outcomes:
            verdicts[outcome.verdict] = verdicts.get(outcome.verdict, 0) + 1
    return summary(sides) | {"verdicts": verdicts,
                             "values": sum(o.n_values for o in outcomes)}  # fmt: skip


UPLOAD = """
import json, shutil, sys, time
from pathlib import Path

start = time.perf_counter()
from dashboards.liaison_view import receive_upload
from salnameh.access import Actor
from salnameh.catalog import load_catalog
from salnameh.reference import Reference
from salnameh.settings import home

imported = time.perf_counter() - start
catalog, reference = load_catalog(), Reference()  # the portal holds these (cache_resource)
template, work = Path(sys.argv[1]), Path(sys.argv[2])
times = []
for i, given in enumerate(sys.argv[3:]):  # FILE=AGENCY: the liaison of that agency sends it
    name, _, agency = given.rpartition("=")
    liaison = Actor(f"liaison_{agency}", "liaison", agency)
    where = home(shutil.copytree(template, work / f"upload-{i}"))
    path = Path(name)
    start, cpu = time.perf_counter(), time.process_time()
    outcome = receive_upload(where, catalog, reference, path.read_bytes(), path.name, liaison)
    times.append([time.perf_counter() - start, time.process_time() - cpu, outcome.verdict])
print(json.dumps({"imports_s": imported, "uploads": times}))
"""


def measure_upload(work: Path, template: Path, form: Path, rejected: Path | None) -> dict:
    """The portal's verdict on an upload, in a fresh process as a new portal session meets
    it: the form (first, then again), then a file that is rejected (its first rejection
    names each failing cell, the one path that still imports pandera)."""
    from salnameh.catalog import load_catalog

    catalog = load_catalog()
    agency = catalog.table(FORM_TABLE).agency
    names = [f"{form}={agency}"] * 2
    if rejected:
        names.append(f"{rejected}={catalog.table(rejected.stem).agency}")
    folder = work / "uploads"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    command = [sys.executable, "-c", UPLOAD, str(template), str(folder), *names]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"the upload verdict failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.splitlines()[-1])
    uploads = result["uploads"]
    if uploads[0][2] != "accepted":
        raise BenchError(f"the real form was {uploads[0][2]} through the portal")
    return {"imports_s": result["imports_s"], "first_s": uploads[0][0],
            "first_cpu_s": uploads[0][1], "again_s": uploads[1][0],
            "again_cpu_s": uploads[1][1], "rejected_s": uploads[2][0] if rejected else None,
            "rejected_cpu_s": uploads[2][1] if rejected else None,
            "rejected_verdict": uploads[2][2] if rejected else None,
            "rejected_file": rejected.name if rejected else None}  # fmt: skip


def rejected_file(demo_dir: Path) -> Path | None:
    """A demo file whose planted unit slip ingestion rejects (a bound, cell by cell)."""
    import csv

    with (demo_dir / "anomalies.csv").open(encoding="utf-8") as handle:
        slips = [r for r in csv.DictReader(handle) if r["kind"].startswith("unit_slip")]
    for row in slips:
        found = sorted((demo_dir / "files" / row["year"]).rglob(f"{row['table_id']}.*"))
        if found:
            return found[0]
    return None


def run(work: Path, runs: int, year_files: list[Path], demo_dir: Path | None,
        big: dict | None = None) -> dict:  # fmt: skip
    """Every case; `year_files` are a demo year's files, `big` the million-value sheet
    (path, catalog, seeds, table) when there is one."""
    inputs = make_inputs(work)
    form, template = inputs["form"], inputs["template"]
    out = {"form_file": form.name, "runs": runs}
    say = lambda text: print(f"   {text}", flush=True)  # noqa: E731
    out["help"] = measure_help(runs)
    say(f"salnameh --help: {out['help']['salnameh']['cpu_s']:.2f} s CPU")
    out["form"] = measure_files(work, template, [form], runs, "form")
    say(f"one form, whole process: ratio {out['form']['ratio_cpu']:.2f} (CPU)")
    out["form_in_process"] = in_process(work, template, [form], runs, "form")
    out["year"] = measure_files(work, template, year_files, max(1, runs // 2), "year")
    say(f"a demo year ({len(year_files)} files): ratio {out['year']['ratio_cpu']:.2f} (CPU)")
    out["year_in_process"] = in_process(work, template, year_files, max(1, runs // 2),
                                        "year")  # fmt: skip
    rejected = rejected_file(demo_dir) if demo_dir else None
    out["upload"] = measure_upload(work, template, form, rejected)
    say(f"portal upload verdict: {out['upload']['first_s']:.2f} s")
    if big is not None:
        out["big"] = measure_big(work, big["path"], big["catalog"], big["seeds"], big["table"],
                                 max(1, runs // 2))  # fmt: skip
        say(f"the large sheet, whole process: ratio {out['big']['ratio_cpu']:.2f} (CPU)")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup_bench",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="salnameh-startup-") as folder:
        work = Path(folder)
        demo = work / "year-source"
        salnameh(demo, "init")
        salnameh(demo, "demo", "--years", "1396-1396")
        files = sorted((demo / "demo" / "files").rglob("*.*"))
        figures = run(work, args.runs, files, demo / "demo")
    print(json.dumps(figures, indent=1))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
