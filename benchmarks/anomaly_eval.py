"""How well `fct_anomalies` finds planted anomalies, beside two plain baselines.

    .venv/bin/python -m benchmarks.anomaly_eval            # 3 rounds of 10 per kind
    .venv/bin/python -m benchmarks.anomaly_eval --quick    # one small round

Two evaluations, each scoring three methods on the same latest figures:

- salnameh: `marts.fct_anomalies`, flags of severity 'warning';
- zscore: each value against its own series' mean and standard deviation, |z| > 3 (the
  outlier rule DHIS2 applies to routine data);
- yoy: each year-over-year change against the series' changes, |z| > 3.

A flag counts at the level an expert checks: a table, a year and a place (any measure or
dimension member of that row). Series with fewer than 5 figures are not judged by any.

A. The demo as generated: the planted anomalies (`demo/anomalies.csv`). Ingestion rejects
   the unit slips, broken totals and missing counties (their files never reach the
   warehouse), so the warehouse is scored on the collapses, which pass.
B. Injected: more anomalies of five kinds (x1000 unit slip, collapse to 10-30%, spike to
   x3-x6, sudden zero, a county counted twice) written into a copy of the demo warehouse's
   raw values, with the province total moved by the same amount so the file would still
   add up (and, for a unit slip, only where the slipped figure stays under the declared
   maximum, as a slip that passes ingestion must). dbt then rebuilds the models (`dbt run`;
   the integrity tests are not the subject here) and the three methods are scored against
   injected + planted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salnameh.build_scope import scope_everything
from salnameh.settings import home
from salnameh.warehouse import run_dbt

KINDS = ("unit_slip_x1000", "collapse", "spike", "sudden_zero", "doubled")
# How each injected kind changes a county's figures.
FACTORS = {
    "unit_slip_x1000": lambda rng: 1000.0,
    "collapse": lambda rng: rng.uniform(0.1, 0.3),
    "spike": lambda rng: rng.uniform(3.0, 6.0),
    "sudden_zero": lambda rng: 0.0,
    "doubled": lambda rng: 2.0,
}
MIN_POINTS = 5
THRESHOLD = 3.0
Unit = tuple[str, int, str]  # table, year, place: what an expert opens

# The current figures of every series that has at least MIN_POINTS of them.
SERIES_VALUES = f"""
WITH current AS (
    SELECT table_id, measure_id, dim_key, geo_code, year, value
    FROM marts.fct_observations
    WHERE is_current AND value IS NOT NULL
)
SELECT * FROM current
QUALIFY count(*) OVER (PARTITION BY table_id, measure_id, dim_key, geo_code) >= {MIN_POINTS}
"""

BASELINES = {
    "zscore": f"""
        WITH v AS ({SERIES_VALUES}),
        scored AS (
            SELECT *, (value - avg(value) OVER s) / nullif(stddev_samp(value) OVER s, 0) AS z
            FROM v
            WINDOW s AS (PARTITION BY table_id, measure_id, dim_key, geo_code)
        )
        SELECT DISTINCT table_id, year, geo_code FROM scored WHERE abs(z) > ?
    """,
    "yoy": f"""
        WITH v AS ({SERIES_VALUES}),
        changes AS (
            SELECT *, value / nullif(lag(value) OVER s, 0) - 1 AS change
            FROM v
            WINDOW s AS (PARTITION BY table_id, measure_id, dim_key, geo_code ORDER BY year)
        ),
        scored AS (
            SELECT *, (change - avg(change) OVER s) / nullif(stddev_samp(change) OVER s, 0) AS z
            FROM changes
            WINDOW s AS (PARTITION BY table_id, measure_id, dim_key, geo_code)
        )
        SELECT DISTINCT table_id, year, geo_code FROM scored WHERE abs(z) > ?
    """,
}


def flagged(con: duckdb.DuckDBPyConnection, threshold: float = THRESHOLD) -> dict[str, set[Unit]]:
    """What each method flags, as (table, year, place)."""
    found = {
        "salnameh": set(con.execute(
            "SELECT DISTINCT table_id, year, geo_code FROM marts.fct_anomalies"
            " WHERE severity = 'warning'"
        ).fetchall()),
    }  # fmt: skip
    for name, sql in BASELINES.items():
        found[name] = set(con.execute(sql, [threshold]).fetchall())
    return found


@dataclass(frozen=True)
class Score:
    flagged: int
    hits: int  # true anomalies found
    correct: int  # flags that point at a changed figure (hits, and their province rows)
    truth: int

    @property
    def recall(self) -> float:
        return self.hits / self.truth if self.truth else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.flagged if self.flagged else float("nan")


def score(found: set[Unit], truth: set[Unit]) -> Score:
    """A county's anomaly moves its province total too (the file still adds up), so a
    flag on that province row is right, though not required for recall."""
    provinces = {(table, year, geo[:2]) for table, year, geo in truth}
    return Score(len(found), len(found & truth), len(found & (truth | provinces)), len(truth))


# ------------------------------------------------------------------------- the demo home


def make_demo_home(root: Path) -> Path:
    for args in (("demo", "--ingest"), ("build",)):
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "--home", str(root), *args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"salnameh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return root


def planted(root: Path) -> dict[Unit, str]:
    with (root / "demo" / "anomalies.csv").open(encoding="utf-8") as handle:
        return {(r["table_id"], int(r["year"]), r["geo_code"]): r["kind"]
                for r in csv.DictReader(handle)}  # fmt: skip


def ingestion_gate(root: Path, plants: dict[Unit, str]) -> tuple[int, int]:
    """Planted anomalies whose files ingestion rejected, of those it should reject."""
    import sqlite3

    con = sqlite3.connect(root / "ledger.sqlite")
    rejected = {(t, y) for t, y in con.execute(
        "SELECT table_id, year FROM submissions WHERE verdict = 'rejected'"
    )}  # fmt: skip
    con.close()
    should = [(t, y) for (t, y, _g), kind in plants.items() if kind != "collapse"]
    return sum(key in rejected for key in should), len(should)


# ------------------------------------------------------------------------------ injection


@dataclass(frozen=True)
class Injected:
    kind: str
    submission_id: int
    table_id: str
    year: int
    geo_code: str
    measure_id: str
    factor: float  # 0 for a sudden zero


def candidates(con) -> list[tuple]:
    """Where an anomaly can be injected: a county's cells of one additive measure in one
    file, all with figures of at least 20, in series long enough to judge. One row per
    (submission, county, measure) with its largest cell and the measure's maximum."""
    return con.execute(f"""
        WITH judged AS (
            SELECT DISTINCT table_id, measure_id, dim_key, geo_code FROM ({SERIES_VALUES})
        )
        SELECT o.submission_id, o.table_id, o.year, o.geo_code, o.measure_id,
               max(o.value) AS largest, any_value(m.max_value) AS maximum
        FROM marts.fct_observations AS o
        JOIN judged USING (table_id, measure_id, dim_key, geo_code)
        JOIN marts.dim_indicator AS i USING (indicator_id)
        JOIN catalog.measures AS m ON m.table_id = o.table_id AND m.measure_id = o.measure_id
        WHERE o.is_current AND i.additive AND length(o.geo_code) = 4  -- counties only
        GROUP BY ALL
        HAVING count(o.flag) = 0 AND min(o.value) >= 20
        ORDER BY ALL
    """).fetchall()


def choose_injections(rows: list[tuple], per_kind: int, seed: int,
                      avoid: set[tuple[str, int]]) -> list[Injected]:  # fmt: skip
    rng = random.Random(seed)
    rng.shuffle(rows)
    picks, used = [], set(avoid)
    for kind in KINDS:
        n = 0
        for sid, table, year, geo, measure, largest, maximum in rows:
            if n == per_kind:
                break
            if (table, year) in used:
                continue  # one anomaly per file, as in the demo
            if kind == "unit_slip_x1000" and (maximum is None or largest * 1000 > maximum / 4):
                continue  # ingestion's bounds would stop it (province total included)
            factor = FACTORS[kind](rng)
            picks.append(Injected(kind, sid, table, year, geo, measure, factor))
            used.add((table, year))
            n += 1
    return picks


def inject(warehouse: Path, picks: list[Injected]) -> None:
    """Change the raw values as the mistake would, province total moved with the county."""
    with duckdb.connect(str(warehouse)) as con:
        for p in picks:
            decimals = con.execute(
                "SELECT decimals FROM catalog.measures WHERE table_id = ? AND measure_id = ?",
                [p.table_id, p.measure_id],
            ).fetchone()[0]
            con.execute(
                "CREATE OR REPLACE TEMP TABLE delta AS SELECT dim_key,"
                ' round(value * ?, ?) - value AS change FROM raw."values"'
                " WHERE submission_id = ? AND geo = ? AND measure = ? AND value IS NOT NULL",
                [p.factor, decimals, p.submission_id, p.geo_code, p.measure_id],
            )
            for geo in (p.geo_code, p.geo_code[:2]):  # the county, then its province
                con.execute(
                    "UPDATE raw.submission_values v SET value = v.value + d.change FROM delta d"
                    " WHERE v.submission_id = ? AND v.geo = ? AND v.measure = ?"
                    " AND v.dim_key = d.dim_key",
                    [p.submission_id, geo, p.measure_id],
                )
        # dbt then recomputes every table (a home built before build.scope existed lacks it).
        scope_everything(con)


# ------------------------------------------------------------------------------- report


def pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.0f}%"  # x != x: NaN


def evaluate(root: Path, tmp: Path, rounds: int, per_kind: int, debug: bool = False) -> dict:
    plants = planted(root)
    gate = ingestion_gate(root, plants)
    snap = root / "snapshots" / "internal.duckdb"
    with duckdb.connect(str(snap), read_only=True) as con:
        found = flagged(con)
        found_loose = flagged(con, 2.0)
        rows = candidates(con)
    collapses = {u for u, k in plants.items() if k == "collapse"}
    demo = {m: score(f, collapses) for m, f in found.items()}
    demo_loose = {m: score(f, collapses) for m, f in found_loose.items()}

    injected_scores: dict[str, list[Score]] = {m: [] for m in found}
    by_kind: dict[tuple[str, str], list[int]] = {}
    avoid = {(t, y) for t, y, _g in plants}
    for r in range(rounds):
        copy = tmp / f"round{r}"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("dbt", "*.lock", "demo",
                                                                  "archive"))  # fmt: skip
        picks = choose_injections(list(rows), per_kind, seed=1000 + r, avoid=avoid)
        if len(picks) < per_kind * len(KINDS):
            raise SystemExit("not enough places to inject anomalies into")
        inject(copy / "warehouse.duckdb", picks)
        run_dbt(home(copy), "run")
        truth_by_kind = {k: {(p.table_id, p.year, p.geo_code) for p in picks if p.kind == k}
                         for k in KINDS}  # fmt: skip
        truth = set().union(*truth_by_kind.values()) | collapses
        with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as con:
            got = flagged(con)
        if debug:
            wrong = got["salnameh"] - truth - {(t, y, g[:2]) for t, y, g in truth}
            print("salnameh false alarms:", sorted(wrong))
        for method, units in got.items():
            injected_scores[method].append(score(units, truth))
            for kind, units_of_kind in truth_by_kind.items():
                hits, total = by_kind.get((method, kind), (0, 0))
                by_kind[(method, kind)] = [hits + len(units & units_of_kind),
                                           total + len(units_of_kind)]  # fmt: skip
    pooled = {m: Score(*(sum(getattr(s, f) for s in ss)
                         for f in ("flagged", "hits", "correct", "truth")))
              for m, ss in injected_scores.items()}  # fmt: skip
    return {"gate": gate, "demo": demo, "demo_loose": demo_loose, "injected": pooled,
            "per_kind": by_kind, "rounds": rounds}  # fmt: skip


def report(results: dict) -> str:
    methods = ("salnameh", "zscore", "yoy")
    caught, should = results["gate"]
    lines = [
        "# Anomaly detection: results",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with "
        "`python -m benchmarks.anomaly_eval`. Scored per (table, year, place); a method's",
        "flags on any measure or member of that row count once. Recall: true anomalies",
        "found. Precision: flags that point at a changed figure (the anomalous county, or the",
        "province total of the same file, which moved with it). Baselines at |z| > 3.",
        "",
        "## A. The demo's planted anomalies",
        "",
        f"Ingestion rejected {caught} of the {should} planted unit slips, broken totals and",
        "missing counties (their files never reach the warehouse). The warehouse is scored on",
        "the planted collapses, which pass ingestion as plausible figures:",
        "",
        "| method | flagged rows | collapses found | recall | precision |",
        "|---|---|---|---|---|",
    ]
    for m in methods:
        s = results["demo"][m]
        lines.append(f"| {m} | {s.flagged} | {s.hits} of {s.truth} | {pct(s.recall)} | "
                     f"{pct(s.precision)} |")  # fmt: skip
    lines += ["", "With the baselines at |z| > 2 (more recall, less precision):", "",
              "| method | flagged rows | recall | precision |", "|---|---|---|---|"]  # fmt: skip
    for m in methods[1:]:
        s = results["demo_loose"][m]
        lines.append(f"| {m} | {s.flagged} | {pct(s.recall)} | {pct(s.precision)} |")
    inj = results["injected"]
    n = results["rounds"]
    lines += [
        "",
        "## B. Injected anomalies",
        "",
        f"{n} round(s), each injecting anomalies of five kinds into a copy of the demo",
        "warehouse (one per file, never into a file with a planted anomaly); truth = injected",
        "plus the demo's planted collapses. Pooled over the rounds:",
        "",
        "| method | flagged rows | true found | recall | precision |",
        "|---|---|---|---|---|",
    ]
    for m in methods:
        s = inj[m]
        lines.append(f"| {m} | {s.flagged} | {s.hits} of {s.truth} | {pct(s.recall)} | "
                     f"{pct(s.precision)} |")  # fmt: skip
    lines += ["", "Recall by injected kind:", "", "| kind | " + " | ".join(methods) + " |",
              "|---|" + "---|" * len(methods)]  # fmt: skip
    for kind in KINDS:
        cells = []
        for m in methods:
            hits, total = results["per_kind"][(m, kind)]
            cells.append(f"{hits}/{total}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="a built demo home to reuse")
    parser.add_argument("--quick", action="store_true", help="one round of 3 per kind")
    parser.add_argument("--debug", action="store_true", help="list salnameh's false alarms")
    parser.add_argument("--out", type=Path, help="also write the Markdown results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="salnameh-anomalies-") as folder:
        tmp = Path(folder)
        root = args.home.resolve() if args.home else make_demo_home(tmp / "demo-home")
        rounds, per_kind = (1, 3) if args.quick else (3, 10)
        text = report(evaluate(root, tmp, rounds, per_kind, args.debug))
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
