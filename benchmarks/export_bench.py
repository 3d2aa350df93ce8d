"""How long one year's yearbook takes to write in each format.

    .venv/bin/python -m benchmarks.export_bench [--home BUILT_DEMO_HOME] [--year 1401]

Times `publishing.export.export_edition` one format at a time (median of 3) for the newest
edition of the year on a built demo home, and writes results/exports.md. Goals (issue 8):
the whole yearbook as xlsx under 20 s, as PDF under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from publishing.export import FORMATS, export_edition
from salnameh.settings import home

RESULTS = Path(__file__).resolve().parent / "results" / "exports.md"
GOALS = {"xlsx": 20.0, "pdf": 60.0}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--year", type=int, default=1401)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="salnameh-exports-") as folder:
        root = args.home
        if root is None:
            root = Path(folder) / "home"
            for step in (("demo", "--ingest"), ("build",)):
                subprocess.run([sys.executable, "-m", "salnameh.cli", "--home", str(root), *step],
                               check=True, capture_output=True)  # fmt: skip
        times, sizes = {}, {}
        for kind in FORMATS:
            runs = []
            for n in range(3):
                start = time.perf_counter()
                written = export_edition(home(root), args.year, (kind,), out=Path(folder) / f"{n}")
                runs.append(time.perf_counter() - start)
            times[kind] = statistics.median(runs)
            sizes[kind] = sum(p.stat().st_size for p in written[kind]) / 1e6
    lines = [
        "# Exports: results",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with"
        " `python -m benchmarks.export_bench`: the newest edition of"
        f" {args.year} of the demo (every table of the year), each format written alone,"
        " median of 3 runs, including reading the edition from the snapshot.",
        "",
        "| format | seconds | MB | goal | met |",
        "|---|---|---|---|---|",
    ]
    for kind in FORMATS:
        goal = GOALS.get(kind)
        met = "" if goal is None else ("yes" if times[kind] < goal else "no")
        lines.append(f"| {kind} | {times[kind]:.2f} | {sizes[kind]:.1f} | "
                     f"{'' if goal is None else f'< {goal:.0f} s'} | {met} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
