"""How long one year's yearbook takes to write in each format.

    .venv/bin/python -m benchmarks.export_bench [--home BUILT_DEMO_HOME] [--year 1401]

Times `publishing.export.export_edition` one format at a time (median of 3) for the newest
edition of the year on a built demo home, reading the edition from the snapshot included,
and prints a Markdown table. Goals (issue 8): the whole yearbook as xlsx under 20 s, as PDF
under 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from publishing.export import FORMATS, export_edition
from salnameh.settings import home

GOALS = {"xlsx": 20.0, "pdf": 60.0}
YEAR = 1401


def time_exports(root: Path, year: int, formats, runs: int, folder: Path) -> dict[str, dict]:
    """Each format written alone `runs` times into folder: median seconds, runs, MB."""
    results = {}
    for kind in formats:
        times = []
        for n in range(runs):
            start = time.perf_counter()
            written = export_edition(home(root), year, (kind,), out=folder / f"{kind}-{n}")
            times.append(time.perf_counter() - start)
        results[kind] = {
            "seconds": statistics.median(times),
            "runs": times,
            "mb": sum(p.stat().st_size for p in written[kind]) / 1e6,
            "files": len(written[kind]),
        }
    return results


def report(results: dict[str, dict], year: int) -> str:
    lines = [
        f"Exports of the newest edition of {year} of the demo (every table of the year), each "
        "format written alone, median of the runs, reading the edition included.",
        "",
        "| format | seconds | MB | goal | met |",
        "|---|---|---|---|---|",
    ]
    for kind, result in results.items():
        goal = GOALS.get(kind)
        met = "" if goal is None else ("yes" if result["seconds"] < goal else "no")
        lines.append(f"| {kind} | {result['seconds']:.2f} | {result['mb']:.1f} | "
                     f"{'' if goal is None else f'< {goal:.0f} s'} | {met} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="salnameh-exports-") as folder:
        root = args.home
        if root is None:
            root = Path(folder) / "home"
            for step in (("demo", "--ingest"), ("build",)):
                subprocess.run([sys.executable, "-m", "app.cli", "--home", str(root), *step],
                               check=True, capture_output=True)  # fmt: skip
        results = time_exports(root, args.year, FORMATS, args.runs, Path(folder) / "out")
    print(report(results, args.year))


if __name__ == "__main__":
    main()
