"""The portal's search on a snapshot: median answer time of `search_index.search` over a
fixed set of what people type, in-process, the index built once (as the search page keeps
it per snapshot), and the time to build that index.

    .venv/bin/python -m benchmarks.search_bench SNAPSHOT.duckdb [--reps 50] [--national]

Each text is answered once untimed (which also asks, once per place typed, which series
hold it), then `reps` times; the figure is the median of all the answers. Run on the demo
(Tehran) it measures the texts of issue 20; on another province's snapshot the place
names simply find fewer series, which still times the same work.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import duckdb

from dashboards.search_index import build_index, search

TEXTS = [
    "جمعیت شمیرانات",
    "شمیرانات",
    "population Shemiranat",
    "دانش اموز",
    "دانشآموز",
    "٣-١٧",
    "۱۷-۳",
    "جمعيت 3-2",
    "رباط کریم",
    "students by school level",
]


def measure(snapshot: str, reps: int, national: bool) -> dict:
    with duckdb.connect(snapshot, read_only=True) as con:

        def query(sql, params=()):
            return con.execute(sql, list(params)).df()

        started = time.perf_counter()
        index = build_index(query, national)
        built = time.perf_counter() - started
        answers = []
        for text in TEXTS:
            search(index, text)  # the first answer also asks which series a place holds
            for _ in range(reps):
                started = time.perf_counter()
                search(index, text)
                answers.append(time.perf_counter() - started)
    return {
        "entries": len(index.entries),
        "index_build_s": round(built, 3),
        "answer_median_ms": round(statistics.median(answers) * 1000, 2),
        "answer_max_ms": round(max(answers) * 1000, 2),
        "answers": len(answers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--national", action="store_true")
    args = parser.parse_args()
    print(json.dumps(measure(args.snapshot, args.reps, args.national), indent=2))


if __name__ == "__main__":
    main()
