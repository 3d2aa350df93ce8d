"""How anomaly scoring grows with the data, beside the self-join it replaced.

    .venv/bin/python -m benchmarks.anomaly_scale HOME [--provinces 1,8,31]

HOME is a national build left by the build benchmark (`python -m benchmarks.run --steps
build --keep`: <tmp>/build-national/national/home, 31 provinces x 20 years built with
anomaly scoring on). For each size, a copy of its warehouse keeps the first n provinces'
values, and `fct_anomalies` (as dbt compiled it) is computed twice on one thread:

- Salnameh: `int_anomaly__features` as the project has it, each series' Theil-Sen trend
  taken inside the series' own list of points;
- the plain alternative: the same view with the trend from a self-join of every point with
  every later point of its series (what the project had until 2026-12-07, and what one
  writes first).

Reported: CPU seconds of each, the flags, whether every flag is identical (a digest of all
rows and columns), and the growth exponent b in CPU ~ values^b between sizes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.national import province_codes

# The trend as a self-join (the plain alternative): every pair of years of a series.
SELF_JOIN_SLOPES = """
pairs as (
    select
        a.table_id, a.measure_id, a.dim_key, a.geo_code, a.geo_valid_from,
        (b.y - a.y) / (b.year - a.year) as slope
    from points as a
    inner join points as b
        on b.table_id = a.table_id
        and b.measure_id = a.measure_id
        and b.dim_key = a.dim_key
        and b.geo_code = a.geo_code
        and b.geo_valid_from = a.geo_valid_from
        and b.year > a.year
    where a.y is not null and b.y is not null
),

slopes as (
    select table_id, measure_id, dim_key, geo_code, geo_valid_from, median(slope) as slope
    from pairs
    group by all
),

"""


def compiled(home: Path) -> tuple[str, str]:
    """fct_anomalies and int_anomaly__features as dbt compiled them for HOME."""
    nodes = json.loads((home / "dbt" / "target" / "manifest.json").read_text())["nodes"]
    by_name = {n["name"]: n for n in nodes.values() if n["resource_type"] == "model"}
    return by_name["fct_anomalies"]["compiled_code"], by_name["int_anomaly__features"][
        "compiled_code"
    ]


def with_self_join(view: str) -> str:
    start, end = view.index("slopes as ("), view.index("fits as (")
    return view[:start] + SELF_JOIN_SLOPES + view[end:]


def score(con, mart: str) -> tuple[float, str, int]:
    """CPU seconds, a digest of every flag, and the number of flags."""
    start = time.process_time()
    digest, flags = con.execute(
        "SELECT md5(string_agg(CAST(a AS VARCHAR), '|' ORDER BY anomaly_id)), count(*)"
        f" FROM ({mart}) AS a"
    ).fetchone()
    return time.process_time() - start, digest, flags


def measure(home: Path, sizes: list[int], tmp: Path) -> list[dict]:
    mart, view = compiled(home)
    rows = []
    for n in sizes:
        folder = tmp / f"p{n}"
        folder.mkdir()
        warehouse = folder / "warehouse.duckdb"  # dbt's SQL names the database 'warehouse'
        shutil.copyfile(home / "warehouse.duckdb", warehouse)
        con = duckdb.connect(str(warehouse))
        try:
            con.execute(
                "DELETE FROM raw.submission_values WHERE left(geo, 2) NOT IN (SELECT unnest(?))",
                [province_codes(n)],
            )
            con.execute("CHECKPOINT")
            values = con.execute("SELECT count(*) FROM raw.submission_values").fetchone()[0]
            con.execute("SET threads = 1")  # CPU time of one core: the machine is shared
            ours = score(con, mart)
            con.execute(
                'CREATE OR REPLACE VIEW "warehouse"."intermediate"."int_anomaly__features"'
                f" AS {with_self_join(view)}"
            )
            plain = score(con, mart)
        finally:
            con.close()
        os.unlink(warehouse)
        rows.append({"provinces": n, "values": values, "cpu_s": ours[0], "plain_cpu_s": plain[0],
                     "flags": ours[2], "identical": ours[1:] == plain[1:]})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    return rows


def exponents(rows: list[dict], key: str) -> list[float]:
    return [
        math.log(b[key] / a[key]) / math.log(b["values"] / a["values"])
        for a, b in itertools.pairwise(rows)
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path, help="a national home left by the build benchmark")
    parser.add_argument("--provinces", default="1,8,31")
    args = parser.parse_args(argv)
    sizes = sorted(int(n) for n in args.provinces.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(args.home, sizes, Path(tmp))
    print("| provinces | values | Salnameh CPU s | self-join CPU s | flags | identical |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['provinces']} | {r['values']:,} | {r['cpu_s']:.2f} | {r['plain_cpu_s']:.2f}"
              f" | {r['flags']:,} | {'yes' if r['identical'] else 'NO'} |")  # fmt: skip
    print("growth exponents (CPU ~ values^b), size to size: Salnameh",
          [round(b, 2) for b in exponents(rows, "cpu_s")], "self-join",
          [round(b, 2) for b in exponents(rows, "plain_cpu_s")])  # fmt: skip


if __name__ == "__main__":
    main()
