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

Run: `.venv/bin/python -m benchmarks.national_real [--provinces 23,01,25] [--out FILE]`
(all 31: about 15 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
PASSWORD = "benchmark passphrase 1390"
TOTAL = "age_group_5y=total;sex=total"


def salnameh(home: Path, *args: str) -> float:
    """One CLI step as a user runs it; its wall time."""
    env = {**os.environ, "SALNAMEH_PASSWORD": PASSWORD, "NEW_PASSWORD": PASSWORD}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "salnameh.cli", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"salnameh {' '.join(args)}: {done.stdout[-800:]}{done.stderr[-800:]}")
    return time.perf_counter() - start


def measured(home: Path, *args: str) -> tuple[float, float]:
    """(wall s, peak MB of the largest process) of one CLI step, by GNU time."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "salnameh.cli", "--home",
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
    queue = subprocess.run([sys.executable, "-m", "salnameh.cli", "--home", str(home), "review",
                            "list", "--year", "1390", "--json"], capture_output=True,
                           text=True, env=env, check=True)  # fmt: skip
    ids = [str(item["submission_id"]) for item in json.loads(queue.stdout)]
    steps["approve"] = salnameh(home, "review", "approve", *ids, "--as", "expert")
    steps["publish"] = salnameh(home, "publish", "--year", "1390", "--as", "coord")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", default="", help="codes, e.g. 23,01,25 (default all)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    codes = args.provinces.split(",") if args.provinces else [f"{n:02d}" for n in range(31)]
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
