"""Anomalies planted in the demo data, for the experts (and the tests) to catch.

Each is a mistake agencies really make: a county typed in units instead of thousands
(x1000), a series that collapses, a total that does not add up, a county left out. The
list is written beside the files, so detection can be measured against it.

A plant must show in the figures whatever the province's size: a slip or a collapse goes
to a county with figures (another one if the first drawn has none), a broken total is
raised past the rule's tolerance where 7% of a small total would not be. A province with
one county has no county to leave out (kinds_for).
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

from app.demo.figures import (
    REAL_FIGURES,
    Cube,
    grand_key,
    grand_total,
    is_leaf,
    recompute_totals,
)
from app.demo.population import population_shares
from salnameh.declarations import TableDecl
from salnameh.reference import Reference

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


def kinds_for(reference: Reference, years: list[int]) -> tuple[str, ...]:
    """The kinds a province's files can carry: no county left out where one is all."""
    fewest = min((len(reference.geography_in(y, "county")) for y in years), default=0)
    return KINDS if fewest > 1 else tuple(k for k in KINDS if k != "missing_county")


def choose(
    tables: list[TableDecl],
    additive: dict[str, list[str]],
    years: list[int],
    seed: int,
    kinds: tuple[str, ...] = KINDS,
) -> list[tuple[str, TableDecl, int, str]]:
    """(kind, table, year, measure) for each anomaly, deterministic for a seed."""
    rng = random.Random(seed)
    candidates = [t for t in tables if eligible(t, additive[t.id])]
    late_years = [y for y in years if y >= FIRST_YEAR_WITH_HISTORY]
    if not candidates or not late_years:
        return []
    picks, used = [], set()
    for kind in kinds:
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
    # Spare the most populous county (the capital's figures dwarf the others'), so the
    # slip is visible; its shares follow the province's census.
    shares = population_shares(cube.province, cube.year) if counties else {}
    largest = max(counties, key=lambda g: shares.get(g.code, 0.0), default=None)
    others = [g for g in counties if g is not largest] or counties
    county = rng.choice(others)
    table, year = cube.table, cube.year
    if kind == "unit_slip_x1000":
        county, measure = _scale_visibly(cube, county, others, measure, 1000, rng)
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
        county, measure = _scale_visibly(cube, county, others, measure, 0.08, rng)
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
        _raise_province(cube, measure)
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


def _shows(cube: Cube, county: str, measure: str, factor: float) -> bool:
    """Whether scaling the county's figures shows in the checks: a slip upward must take
    the province total past the measure's maximum (the rule that catches a unit slip; in a
    small province one county's x1000 can stay under it); a fall needs a figure to fall."""
    leaves = sum(v for k, v in cube.values.items()
                 if k[0] == county and k[2] == measure and is_leaf(cube, k))  # fmt: skip
    high = cube.table.measure(measure).max
    if leaves <= 0 or factor <= 1 or high is None:
        return leaves > 0
    return (grand_total(cube, measure) or 0) + leaves * (factor - 1) > high


def _scale_visibly(cube: Cube, county, others: list, measure: str, factor: float, rng):
    """Scale the county drawn; if that would not show, a county where it does, of the
    measure or else of another measure of the same unit. Returns what was scaled."""
    if not _shows(cube, county.code, measure, factor):
        unit = cube.table.measure(measure).unit
        measures = [measure] + [m.id for m in cube.table.measures
                                if m.unit == unit and m.id != measure]  # fmt: skip
        for candidate in measures:
            having = [g for g in others if _shows(cube, g.code, candidate, factor)]
            if having:
                county, measure = rng.choice(having), candidate
                break
    _scale_county(cube, county.code, measure, factor)
    return county, measure


def _raise_province(cube: Cube, measure: str) -> None:
    """The province row 7% above its counties; the grand total at least past the tolerance
    of the table's counties-sum rule, where 7% of a small total rounds away."""
    decimals = cube.table.measure(measure).decimals
    rules = [r for r in cube.table.rules if r.kind == "counties_sum_to_province"]
    grand = grand_key(cube, measure)
    for key in [k for k in cube.values if k[0] == cube.province and k[2] == measure]:
        value = cube.values[key]
        raised = round(value * 1.07)
        if key == grand:
            counties = sum(1 for g in cube.geos if g.level == "county")
            tolerance = max(
                (max(r.tolerance, abs(value) * r.tolerance_pct / 100) for r in rules), default=0
            )
            rounding = counties * 0.5 * 10.0**-decimals if decimals else 0.0
            if raised - value <= tolerance + rounding:
                raised = math.floor(value + tolerance + rounding) + 1
        cube.values[key] = raised


def _scale_county(cube: Cube, county: str, measure: str, factor: float) -> None:
    decimals = cube.table.measure(measure).decimals
    for key in [k for k in cube.values if k[0] == county and k[2] == measure]:
        if is_leaf(cube, key):
            cube.values[key] = round(cube.values[key] * factor, decimals)
    recompute_totals(cube, measure)
