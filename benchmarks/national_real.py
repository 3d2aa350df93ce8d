"""The nation from real ingestion: every province's own installation to SCI's hub.

Each province's real SCI 1390 census workbook (`data/sci-workbooks/1390/`) goes through
the product as an office runs it, every step a CLI process: `init --province`, `ingest`
(through the shipped recipe, both census tables), an expert approves, the coordinator
publishes edition 1, `build`, `export --format package`. SCI's hub (`init --national`)
receives the packages and builds the national marts, for the first 1, 8 and all provinces,
so the figures give the hub build's growth with the number of provinces. Nothing is
synthesized: the warehouse the hub builds holds what the provinces ingested.

Measured: each step's wall time (whole process), the hub build's wall time and peak
memory (`/usr/bin/time -v`, the largest process: dbt), and whether the hub's national
total equals the census (Iran 1390 = 75,149,669, 397 counties).

With `--demo` the provinces run the whole demo instead, the issue's scale: each province's
demo agency files for 1390-1402 (its real census for 1390 and 1395, everything else
generated) go through `ingest` as `salnameh demo --province NN --ingest` runs them; its
expert approves what the demo left in review for 1402, its coordinator publishes 1402,
the province builds and exports every released year as a package. The hub receives all of
them but one (the last province's 1402), builds, and then that package arrives: the time
from `national receive` to the public snapshot holding it is the national latency, and
that build (31 provinces x 13 years) is the hub's build at scale. `--keep DIR` keeps the
provinces' homes and packages there and reuses the ones already made (about 3 minutes a
province on 2 cores); a second run with `--keep` on the same folder and `--no-hub` makes
provinces alongside (each province is claimed by one run).

Run: `.venv/bin/python -m benchmarks.national_real [--provinces 23,01,25] [--out FILE]`
(all 31: about 15 minutes on 2 cores), or with `--demo [--keep DIR]` (about 100 minutes).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from salnameh.settings import PROJECT_ROOT

WORKBOOKS = PROJECT_ROOT / "data" / "sci-workbooks" / "1390"
IRAN_1390 = 75_149_669
COUNTIES_1390 = 397
# The census totals the demo's population tables carry (data/census/national/SOURCES.md).
CENSUS = {1390: (75_149_669, 397), 1395: (79_926_270, 429)}
DEMO_YEARS = range(1390, 1403)
KNOWN_CATALOGS: list[Path] = []  # --know-catalog
PASSWORD = "benchmark passphrase 1390"
TOTAL = "age_group_5y=total;sex=total"


def salnameh(home: Path, *args: str, password: str = PASSWORD, allowed=(0,)) -> float:
    """One CLI step as a user runs it; its wall time."""
    env = {**os.environ, "SALNAMEH_PASSWORD": password, "NEW_PASSWORD": password}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, check=False)  # fmt: skip
    if done.returncode not in allowed:
        raise RuntimeError(f"salnameh {' '.join(args)}: {done.stdout[-800:]}{done.stderr[-800:]}")
    return time.perf_counter() - start


def measured(home: Path, *args: str) -> tuple[float, float]:
    """(wall s, peak MB of the largest process) of one CLI step, by GNU time."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "app.cli", "--home",
               str(home), *args]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"salnameh {' '.join(args)}: {done.stderr[-800:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
    return wall, peak_kb / 1024


def province_cycle(root: Path, province: str) -> tuple[Path, dict[str, float]]:
    home = root / f"province-{province}"
    workbook = str(WORKBOOKS / f"census2011p{province}.xls")
    steps = {"init": salnameh(home, "init", "--province", province)}
    steps["ingest"] = sum(
        salnameh(home, "ingest", workbook, "--table", table, "--year", "1390")
        for table in ("pop_county_sex_age", "pop_sex_residence")
    )
    salnameh(home, "users", "add", "coord", "--role", "coordinator", "--name", "Coordinator")
    salnameh(home, "users", "add", "expert", "--role", "expert", "--name", "Expert", "--as",
             "coord")  # fmt: skip
    env = {**os.environ, "SALNAMEH_PASSWORD": PASSWORD}
    queue = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), "review",
                            "list", "--year", "1390", "--json"], capture_output=True,
                           text=True, env=env, check=True)  # fmt: skip
    ids = [str(item["submission_id"]) for item in json.loads(queue.stdout)]
    steps["approve"] = salnameh(home, "review", "approve", *ids, "--as", "expert")
    steps["publish"] = salnameh(home, "publish", "--year", "1390", "--allow-incomplete", "--as",
                                "coord")  # fmt: skip
    steps["build"] = salnameh(home, "build")
    out = root / f"packages-{province}"
    steps["export_package"] = salnameh(home, "export", "--year", "1390", "--format", "package",
                                       "--out", str(out))  # fmt: skip
    (package,) = sorted(out.rglob("salnameh-package-*"))
    return package, steps


def hub_run(root: Path, packages: list[Path]) -> dict:
    hub = root / f"hub-{len(packages)}"
    salnameh(hub, "init", "--national")
    receive = salnameh(hub, "national", "receive", *map(str, packages))
    wall, peak = measured(hub, "build")
    with duckdb.connect(str(hub / "warehouse.duckdb"), read_only=True) as con:
        total = con.execute(
            "SELECT value FROM marts.fct_indicator_series WHERE indicator_id = ?"
            " AND year = 1390 AND version = 'released' AND basis = 'as_published'"
            " AND geo_code = 'IR'",
            [f"pop_county_sex_age.population[{TOTAL}]"],
        ).fetchone()[0]
        counties = con.execute(
            "SELECT count(*) FROM marts.fct_observations AS o JOIN marts.dim_geography AS g"
            " ON g.geo_code = o.geo_code AND g.level = 'county'"
            " AND o.year BETWEEN coalesce(g.valid_from, 0) AND coalesce(g.valid_to, 9999)"
            " WHERE o.table_id = 'pop_county_sex_age' AND o.dim_key = ? AND o.is_released",
            [TOTAL],
        ).fetchone()[0]
    return {"provinces": len(packages), "receive_s": receive, "build_s": wall,
            "build_peak_mb": peak, "national_total": total, "counties": counties}  # fmt: skip


def staff_password(home: Path, user_id: str) -> str:
    """The demo's password of one of its staff (`demo-staff.csv`, written by the demo)."""
    with open(home / "demo-staff.csv", encoding="utf-8") as rows:
        return next(r["password"] for r in csv.DictReader(rows) if r["user_id"] == user_id)


def demo_province(root: Path, province: str) -> tuple[list[Path], dict[str, float]]:
    """One province's demo, 1390-1402, from its agency files to its packages (reused when
    `root` already holds them: a province's packages are written last, with `steps.json`)."""
    home, out = root / f"province-{province}", root / f"packages-{province}"
    record, claim = out / "steps.json", root / f"claim-{province}"
    try:  # another run of this benchmark (--keep, the same folder) may be making it
        claim.mkdir()
        claimed = True
    except FileExistsError:
        claimed = False
        while not record.exists():
            time.sleep(5)
    if record.exists():
        if claimed:
            claim.rmdir()
        return sorted(out.rglob("salnameh-package-*")), json.loads(record.read_text())
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    steps = {"demo_ingest": salnameh(home, "demo", "--province", province, "--ingest")}
    expert = staff_password(home, "demo-expert")
    queue = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), "review",
                            "list", "--year", "1402", "--json"], capture_output=True, text=True,
                           env={**os.environ, "SALNAMEH_PASSWORD": expert}, check=True)  # fmt: skip
    ids = [str(item["submission_id"]) for item in json.loads(queue.stdout)]
    steps["approve_1402"] = salnameh(home, "review", "approve", *ids, "--as", "demo-expert",
                                     password=expert) if ids else 0.0  # fmt: skip
    steps["publish_1402"] = salnameh(home, "publish", "--year", "1402", "--allow-incomplete",
                                     "--as", "demo-coordinator",
                                     password=staff_password(home, "demo-coordinator"))  # fmt: skip
    steps["build"] = salnameh(home, "build")
    export = ("export", "--format", "package", "--out", str(out))
    # Exit 2: that year has no released edition (the demo releases what it approved).
    steps["export_packages"] = sum(
        salnameh(home, *export, "--year", str(year), allowed=(0, 2)) for year in DEMO_YEARS
    )
    record.write_text(json.dumps(steps) + "\n", encoding="utf-8")
    claim.rmdir()
    return sorted(out.rglob("salnameh-package-*")), steps


def snapshot_editions(hub: Path, province: str, year: int) -> int:
    """Released observations of a province's year in the hub's public snapshot."""
    with duckdb.connect(str(hub / "snapshots" / "public.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM marts.fct_observations WHERE province = ? AND year = ?",
            [province, year],
        ).fetchone()[0]


def census_checks(hub: Path) -> dict[int, dict]:
    """The hub's national total and county count of each census year, against the census."""
    checks = {}
    with duckdb.connect(str(hub / "warehouse.duckdb"), read_only=True) as con:
        for year, (total, counties) in CENSUS.items():
            got = con.execute(
                "SELECT value FROM marts.fct_indicator_series WHERE indicator_id = ?"
                " AND year = ? AND version = 'released' AND basis = 'as_published'"
                " AND geo_code = 'IR'", [f"pop_county_sex_age.population[{TOTAL}]", year],
            ).fetchone()  # fmt: skip
            n = con.execute(
                "SELECT count(*) FROM marts.fct_observations AS o JOIN marts.dim_geography AS g"
                " ON g.geo_code = o.geo_code AND g.level = 'county'"
                " AND o.year BETWEEN coalesce(g.valid_from, 0) AND coalesce(g.valid_to, 9999)"
                " WHERE o.table_id = 'pop_county_sex_age' AND o.dim_key = ? AND o.year = ?"
                " AND o.is_released", [TOTAL, year],
            ).fetchone()[0]  # fmt: skip
            value = got[0] if got else None
            checks[year] = {"national_total": value, "counties": n,
                            "exact": value == total and n == counties}  # fmt: skip
    return checks


def demo_hub(root: Path, packages: list[Path], late: Path | None = None) -> dict:
    """A hub of these packages, built; with `late`, that package then arrives and the time
    until the public snapshot holds it is measured, with that build's wall time and memory."""
    hub = root / f"hub-demo-{len({p.name.split('-')[2] for p in packages})}"
    shutil.rmtree(hub, ignore_errors=True)
    salnameh(hub, "init", "--national")
    for folder in KNOWN_CATALOGS:  # packages kept (--keep) from an earlier catalog
        salnameh(hub, "national", "know-catalog", str(folder))
    receive = salnameh(hub, "national", "receive", *map(str, packages))
    wall, peak = measured(hub, "build")
    figures = {"packages": len(packages), "receive_s": receive, "build_s": wall,
               "build_peak_mb": peak}  # fmt: skip
    if late is not None:
        province, year = late.name.split("-")[2], int(late.name.split("-")[3])
        before = snapshot_editions(hub, province, year)
        start = time.perf_counter()
        salnameh(hub, "national", "receive", str(late))
        late_wall, late_peak = measured(hub, "build")
        figures.update({
            "late_package": late.name, "late_visible_s": time.perf_counter() - start,
            "late_build_s": late_wall, "late_build_peak_mb": late_peak,
            "late_rows_before": before, "late_rows_after": snapshot_editions(hub, province, year),
            "packages": len(packages) + 1,
        })  # fmt: skip
    figures["census"] = census_checks(hub)
    size = sum(f.stat().st_size for f in hub.rglob("*.duckdb"))
    figures["duckdb_files_mb"] = size / 2**20
    return figures


def demo_run(root: Path, codes: list[str]) -> dict:
    packages, steps = {}, {}
    for code in codes:
        packages[code], steps[code] = demo_province(root, code)
        took = ", ".join(f"{k} {v:.1f} s" for k, v in steps[code].items())
        print(f"province {code}: {len(packages[code])} packages; {took}", flush=True)
    hubs = []
    for n in sorted({n for n in (1, 8) if n < len(codes)}):
        hubs.append(demo_hub(root, [p for c in codes[:n] for p in packages[c]]))
        print(json.dumps(hubs[-1]), flush=True)
    everything = [p for c in codes for p in packages[c]]
    late = packages[codes[-1]][-1]
    hubs.append(demo_hub(root, [p for p in everything if p != late], late))
    print(json.dumps(hubs[-1]), flush=True)
    return {
        "mode": "demo", "provinces": codes, "years": [DEMO_YEARS[0], DEMO_YEARS[-1]],
        "province_steps_median_s": {
            step: statistics.median(s[step] for s in steps.values()) for step in steps[codes[0]]
        },
        "province_steps": steps, "hubs": hubs,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", default="", help="codes, e.g. 23,01,25 (default all)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--demo", action="store_true", help="every province's demo, 1390-1402")
    parser.add_argument("--keep", type=Path, help="with --demo: keep and reuse homes here")
    parser.add_argument("--know-catalog", type=Path, action="append", default=[],
                        help="with --demo: the hub takes packages of this catalog")  # fmt: skip
    parser.add_argument("--no-hub", action="store_true",
                        help="with --demo --keep: only make provinces (a second run)")  # fmt: skip
    args = parser.parse_args()
    codes = args.provinces.split(",") if args.provinces else [f"{n:02d}" for n in range(31)]
    KNOWN_CATALOGS.extend(args.know_catalog)
    if args.demo:
        if args.keep and args.no_hub:
            args.keep.mkdir(parents=True, exist_ok=True)
            for code in codes:
                print(code, demo_province(args.keep, code)[1], flush=True)
            return
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            figures = demo_run(args.keep, codes)
        else:
            with tempfile.TemporaryDirectory() as folder:
                figures = demo_run(Path(folder), codes)
        print(json.dumps({k: v for k, v in figures.items() if k != "province_steps"}, indent=2))
        if args.out:
            args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        packages, steps = [], {}
        for code in codes:
            package, steps[code] = province_cycle(root, code)
            packages.append(package)
            took = ", ".join(f"{k} {v:.1f} s" for k, v in steps[code].items())
            print(f"province {code}: {took}", flush=True)
        sizes = sorted({n for n in (1, 8, len(packages)) if n <= len(packages)})
        hubs = [hub_run(root, packages[:n]) for n in sizes]
    for hub in hubs:
        print(json.dumps(hub), flush=True)
    figures = {
        "provinces": codes,
        "province_steps_median_s": {
            step: statistics.median(s[step] for s in steps.values()) for step in steps[codes[0]]
        },
        "province_steps": steps,
        "hubs": hubs,
    }
    if len(codes) == 31:
        figures["census_exact"] = (hubs[-1]["national_total"] == IRAN_1390
                                   and hubs[-1]["counties"] == COUNTIES_1390)  # fmt: skip
    print(json.dumps({k: v for k, v in figures.items() if k != "province_steps"}, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
