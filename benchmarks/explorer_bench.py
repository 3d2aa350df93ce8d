"""Indicator-explorer queries on a snapshot: p50 and p95 over a fixed query set.

    .venv/bin/python -m benchmarks.explorer_bench SNAPSHOT.duckdb [--version released] [--reps 30]

The query set is fixed by rule, not by hand: it is drawn from the snapshot in a fixed order
(headline indicators with the most rows first, the counties of the first province, the
last years), so the same snapshot always gives the same 20 queries. Each query is what the
portal's indicator explorer asks: indicators x places x years on one basis, one version,
answered as a DataFrame. It goes through `salnameh.series.series_frame`, the function the
explorer page calls. One connection serves every query, as a
Streamlit app's cached connection would; each query runs once untimed, then `reps` times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Query:
    name: str
    indicators: list[str]
    geographies: list[str] | None  # None: every place
    years: tuple[int, int] | None  # (first, last), inclusive; None: every year
    basis: str = "as_published"


def query_set(con, version: str) -> list[Query]:
    """The 20 queries, drawn from what the snapshot holds for this version."""
    headline = [r[0] for r in con.execute(
        "SELECT s.indicator_id FROM marts.fct_indicator_series AS s"
        " JOIN marts.dim_indicator AS i USING (indicator_id)"
        " WHERE s.version = ? AND s.basis = 'as_published' AND i.is_headline"
        " GROUP BY s.indicator_id HAVING count(DISTINCT s.geo_code) > 1"
        " ORDER BY count(*) DESC, s.indicator_id", [version]
    ).fetchall()]  # fmt: skip
    tables = [r[0] for r in con.execute(
        "SELECT table_id FROM marts.dim_indicator WHERE indicator_id IN (SELECT unnest(?))"
        " GROUP BY table_id ORDER BY min(list_position(?, indicator_id))", [headline, headline]
    ).fetchall()]  # fmt: skip
    places = [r[0] for r in con.execute(
        "SELECT DISTINCT geo_code FROM marts.fct_indicator_series"
        " WHERE version = ? AND geo_level = 'county' AND NOT contains(geo_code, '+')"
        " ORDER BY geo_code", [version]
    ).fetchall()]  # fmt: skip
    provinces = sorted({code[:2] for code in places})
    first, last = provinces[0], provinces[-1]
    counties = [c for c in places if c.startswith(first)]
    years = [r[0] for r in con.execute(
        "SELECT DISTINCT year FROM marts.fct_indicator_series WHERE version = ? ORDER BY year",
        [version],
    ).fetchall()]  # fmt: skip
    if len(headline) < 50 or len(counties) < 3 or len(tables) < 2:
        raise ValueError(f"the snapshot holds too little to query ({len(headline)} indicators)")
    last10, newest = (years[-min(10, len(years))], years[-1]), (years[-1], years[-1])

    def of_table(table: str) -> list[str]:
        return [r[0] for r in con.execute(
            "SELECT indicator_id FROM marts.dim_indicator WHERE table_id = ? ORDER BY indicator_id",
            [table],
        ).fetchall()]  # fmt: skip

    h = headline
    return [
        Query("1 indicator, every place, every year", h[:1], None, None),
        Query("1 indicator, every place, every year (2nd)", h[1:2], None, None),
        Query("1 indicator, every place, every year (3rd)", h[2:3], None, None),
        Query("1 indicator, every place, every year (4th)", h[3:4], None, None),
        Query("1 indicator, every place, comparable", h[:1], None, None, "comparable"),
        Query("1 indicator, every place, comparable (2nd)", h[4:5], None, None, "comparable"),
        Query("5 indicators x 3 counties x 10 years", h[:5], counties[:3], last10),
        Query("5 indicators x 3 counties x 10 years (2nd)", h[5:10], counties[3:6], last10),
        Query("5 indicators x 3 counties x 10 years (3rd)", h[10:15], counties[-3:], last10),
        Query(
            "5 indicators x 3 counties x 10 years, comparable",
            h[:5], counties[:3], last10, "comparable",
        ),
        Query("1 indicator x 1 county x every year", h[:1], counties[:1], None),
        Query("1 indicator x 1 county x every year (2nd)", h[7:8], counties[1:2], None),
        Query("10 indicators x the province x every year", h[:10], [first], None),
        Query("10 indicators x the province x every year (2nd)", h[10:20], [first], None),
        Query("a table's indicators x every place x the newest year",
              of_table(tables[0]), None, newest),
        Query("a table's indicators x every place x the newest year (2nd)",
              of_table(tables[1]), None, newest),
        Query("20 indicators x every place x 1 year", h[:20], None, newest),
        Query("1 indicator x every place x 1 year (a map)", h[:1], None, newest),
        Query("50 indicators x 1 county x 10 years (a county profile)",
              h[:50], counties[:1], last10),
        Query("1 indicator x another province's counties x every year",
              h[:1], [c for c in places if c.startswith(last)], None),
    ]  # fmt: skip


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `share` at or below."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def time_queries(snapshot: Path, version: str, reps: int) -> dict:
    """Every query of the set, once untimed then `reps` times: p50, p95 and each query's."""
    import duckdb

    from salnameh.series import series_frame

    label, run = "salnameh.series.series_frame", series_frame
    with duckdb.connect(str(snapshot), read_only=True) as con:
        rows_in_mart = con.execute(
            "SELECT count(*) FROM marts.fct_indicator_series WHERE version = ?", [version]
        ).fetchone()[0]
        provinces = con.execute(
            "SELECT count(DISTINCT left(geo_code, 2)) FROM marts.fct_indicator_series"
            " WHERE version = ?",
            [version],
        ).fetchone()[0]
        queries = query_set(con, version)
        samples, per_query = [], []
        for query in queries:
            args = (query.indicators, query.geographies, query.years, query.basis)
            rows = len(run(con, *args, version=version))
            times = []
            for _ in range(reps):
                start = time.perf_counter()
                run(con, *args, version=version)
                times.append(1000 * (time.perf_counter() - start))
            samples += times
            per_query.append({
                "query": query.name, "rows": rows,
                "median_ms": statistics.median(times), "max_ms": max(times),
            })  # fmt: skip
    return {
        "function": label,
        "snapshot": snapshot.name,
        "version": version,
        "series_rows": rows_in_mart,
        "provinces": provinces,
        "queries": len(queries),
        "reps": reps,
        "samples": len(samples),
        "p50_ms": percentile(samples, 0.50),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples),
        "per_query": per_query,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.explorer_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--version", default="released", choices=("released", "latest"))
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args(argv)
    print(json.dumps(time_queries(args.snapshot, args.version, args.reps), indent=1))


if __name__ == "__main__":
    main()
