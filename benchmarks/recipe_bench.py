"""A recipe-mapped SCI workbook against the plain read a data engineer would write instead.

The file is SCI's real 1390 census workbook of Tehran (../shared/data/sci-workbooks,
14 county sheets, about 15,800 figures). Two sides, in the same run, alternated:

- Salnameh: `salnameh ingest FILE --table pop_county_sex_age --year 1390` on a fresh home
  (the same bytes again would only be 'unchanged'): read, fingerprint, map through the
  recipe, check every label against the code lists, validate (pandera schema, sum rules),
  archive, ledger, load into the raw layer with each value's sheet and cell.
- Plain: `pandas.read_excel(engine="calamine", sheet_name=None)`, each sheet's body melted
  to long rows, numbers parsed, one DuckDB `CREATE TABLE AS`. It knows no county, age
  group or sex (labels stay the workbook's text), checks nothing, keeps no archive or
  ledger, and would load a drifted layout silently.

Whole process (a new Python each run: what a user waits for) and in process (after
imports: the work itself). Run: `.venv/bin/python -m benchmarks.recipe_bench [--runs 7]`.
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
from pathlib import Path

from salnameh.settings import PROJECT_ROOT

WORKBOOK = PROJECT_ROOT / "data" / "sci-workbooks" / "1390" / "census2011p23.xls"
RESULTS = PROJECT_ROOT / "benchmarks" / "results"

PLAIN = """
import sys
import duckdb
import pandas as pd

sheets = pd.read_excel(sys.argv[1], sheet_name=None, engine="calamine", header=None)
frames = []
for name, frame in sheets.items():
    body = frame.iloc[3:, :].copy()  # below the title and the two header rows
    body.insert(0, "sheet", name)
    frames.append(body.melt(id_vars=["sheet", 0]))
long = pd.concat(frames, ignore_index=True)
long.columns = ["sheet", "label", "col", "value"]
long["value"] = pd.to_numeric(long["value"], errors="coerce")
con = duckdb.connect(sys.argv[2])
con.execute("CREATE OR REPLACE TABLE v AS SELECT * FROM long")
con.close()
"""


def timed(command: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_process(work: Path, runs: int) -> dict:
    template = work / "template-home"
    subprocess.run([sys.executable, "-m", "app.cli", "--home", str(template), "init"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    plain = work / "plain.py"
    plain.write_text(PLAIN, encoding="utf-8")
    sides: dict[str, list[tuple[float, float]]] = {"salnameh": [], "plain": []}
    for i in range(runs + 1):  # the first pair warms the caches and is not counted
        home = work / f"home-{i}"
        shutil.copytree(template, home)
        ingest = ["ingest", str(WORKBOOK), "--table", "pop_county_sex_age", "--year", "1390"]
        ours = timed([sys.executable, "-m", "app.cli", "--home", str(home), *ingest])
        theirs = timed([sys.executable, str(plain), str(WORKBOOK), str(work / f"p{i}.duckdb")])
        if i:
            sides["salnameh"].append(ours)
            sides["plain"].append(theirs)
    return _summary(sides)


def in_process(work: Path, runs: int) -> dict:
    import duckdb
    import pandas as pd

    from ingestion.ingest import Ingestor
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.settings import Home

    catalog, reference = load_catalog(), Reference(province="23")
    sides: dict[str, list[tuple[float, float]]] = {"salnameh": [], "plain": []}
    for i in range(runs + 1):
        ingestor = Ingestor(Home(work / f"in-{i}"), catalog, reference)
        ours = _clocked(lambda ing=ingestor: ing.ingest(WORKBOOK, "pop_county_sex_age", 1390))

        def plain(i=i):
            sheets = pd.read_excel(WORKBOOK, sheet_name=None, engine="calamine", header=None)
            frames = [f.iloc[3:, :].assign(sheet=n).melt(id_vars=["sheet", 0])
                      for n, f in sheets.items()]  # fmt: skip
            long = pd.concat(frames, ignore_index=True)
            long["value"] = pd.to_numeric(long["value"], errors="coerce")
            with duckdb.connect(str(work / f"in-{i}.duckdb")) as con:
                con.execute("CREATE TABLE v AS SELECT * FROM long")

        theirs = _clocked(plain)
        if i:
            sides["salnameh"].append(ours)
            sides["plain"].append(theirs)
    return _summary(sides)


def _clocked(work) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


def _summary(sides: dict[str, list[tuple[float, float]]]) -> dict:
    out = {}
    for name, runs in sides.items():
        out[name] = {"wall_s": statistics.median(w for w, _c in runs),
                     "cpu_s": statistics.median(c for _w, c in runs)}  # fmt: skip
    out["ratio_wall"] = statistics.median(
        a[0] / b[0] for a, b in zip(sides["salnameh"], sides["plain"], strict=True)
    )
    out["ratio_cpu"] = statistics.median(
        a[1] / b[1] for a, b in zip(sides["salnameh"], sides["plain"], strict=True)
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        figures = {
            "file": WORKBOOK.name,
            "runs": args.runs,
            "whole_process": whole_process(work, args.runs),
            "in_process": in_process(work, args.runs),
        }
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
