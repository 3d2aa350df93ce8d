"""Anomalies planted in the demo data, for the experts (and the tests) to catch.

Each is a mistake agencies really make: a county typed in units instead of thousands
(x1000), a series that collapses, a total that does not add up, a county left out. The
list is written beside the files, so detection can be measured against it.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from salnameh.catalog import TableDecl
from salnameh.demo.figures import REAL_FIGURES, Cube, is_leaf, recompute_totals

KINDS = ("unit_slip_x1000", "collapse", "broken_total", "missing_county")
PER_KIND = 4
FIRST_YEAR_WITH_HISTORY = 1393  # a series needs some years before a break shows


@dataclass(frozen=True)
class Planted:
    kind: str
    table_id: str
    year: int
    geo_code: str
    measure: str
    note_en: str
    note_fa: str

    def row(self) -> dict:
        return asdict(self)


def eligible(table: TableDecl, additive_measures: list[str]) -> bool:
    """Agency-record county tables with something to add up; never the real census."""
    return (
        table.geography == "county"
        and table.source == "records"
        and table.id not in REAL_FIGURES
        and bool(additive_measures)
    )


def choose(
    tables: list[TableDecl], additive: dict[str, list[str]], years: list[int], seed: int
) -> list[tuple[str, TableDecl, int, str]]:
    """(kind, table, year, measure) for each anomaly, deterministic for a seed."""
    rng = random.Random(seed)
    candidates = [t for t in tables if eligible(t, additive[t.id])]
    late_years = [y for y in years if y >= FIRST_YEAR_WITH_HISTORY]
    if not candidates or not late_years:
        return []
    picks, used = [], set()
    for kind in KINDS:
        for _ in range(PER_KIND):
            for _attempt in range(50):
                table = rng.choice(candidates)
                year = rng.choice(late_years)
                if table.published_in(year) and (table.id, year) not in used:
                    used.add((table.id, year))
                    picks.append((kind, table, year, rng.choice(additive[table.id])))
                    break
    return picks


def plant(kind: str, cube: Cube, measure: str, rng: random.Random) -> Planted:
    """Change the cube as the mistake would; return what was done."""
    counties = [g for g in cube.geos if g.level == "county"]
    county = rng.choice(counties[1:] or counties)  # spare Tehran, so the slip is visible
    table, year = cube.table, cube.year
    if kind == "unit_slip_x1000":
        _scale_county(cube, county.code, measure, 1000)
        return Planted(
            kind,
            table.id,
            year,
            county.code,
            measure,
            f"{county.name_en} reported in units instead of thousands (x1000)",
            f"ارقام {county.name_fa} با واحد اشتباه (۱۰۰۰ برابر) گزارش شده است",
        )
    if kind == "collapse":
        _scale_county(cube, county.code, measure, 0.08)
        return Planted(
            kind,
            table.id,
            year,
            county.code,
            measure,
            f"{county.name_en} falls to about 8% of its usual level",
            f"رقم {county.name_fa} ناگهان به حدود ۸ درصد سطح معمول افتاده است",
        )
    if kind == "broken_total":
        for key in [k for k in cube.values if k[0] == cube.province and k[2] == measure]:
            cube.values[key] = round(cube.values[key] * 1.07)
        return Planted(
            kind,
            table.id,
            year,
            cube.province,
            measure,
            "province total is 7% above the sum of the counties",
            "جمع استان ۷ درصد بیشتر از مجموع شهرستان‌هاست",
        )
    if kind == "missing_county":
        cube.geos = [g for g in cube.geos if g.code != county.code]
        return Planted(
            kind,
            table.id,
            year,
            county.code,
            "*",
            f"{county.name_en} is missing from the file; the province total still counts it",
            f"ردیف {county.name_fa} در فایل نیست ولی در جمع استان آمده است",
        )
    raise ValueError(f"unknown anomaly kind {kind!r}")


def _scale_county(cube: Cube, county: str, measure: str, factor: float) -> None:
    decimals = cube.table.measure(measure).decimals
    for key in [k for k in cube.values if k[0] == county and k[2] == measure]:
        if is_leaf(cube, key):
            cube.values[key] = round(cube.values[key] * factor, decimals)
    recompute_totals(cube, measure)
