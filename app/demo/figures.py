"""The figures of one table for one year: a small cube, consistent with its declaration.

Leaf cells (each county crossed with the non-total members of every dimension) are drawn
from the measure's demo hints; totals are then summed from the leaves, so every declared
identity holds exactly until an anomaly is planted on purpose. Randomness is keyed by
(seed, table, year, cell), so one cell's value does not depend on generation order.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from dataclasses import dataclass, field
from functools import cache

from app.demo import census
from app.demo.population import county_population, population_shares
from salnameh.declarations import Measure, TableDecl
from salnameh.reference import Code, GeoVersion, Reference
from salnameh.settings import DEFAULT_PROVINCE

BASE_YEAR = 1395

# The catalog's demo hints give province totals for the default installation's province
# (the demo was first Tehran's); other provinces' totals are scaled by their population.
HINTS_PROVINCE = DEFAULT_PROVINCE
# How far a county's farming, mining and water follow its people: below 1, the outer
# counties weigh more than the capital (for a province without weights of its own).
RURAL_EXPONENT = 0.5
OTHER_RURAL_WEIGHT = 3  # a county missing from a province's own weights

Key = tuple[str, tuple[str, ...], str]  # (geography code, member codes, measure id)


def rng_for(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass
class Cube:
    """Values and flags of one table-year, keyed by geography, members and measure."""

    table: TableDecl
    year: int
    geos: list[GeoVersion]
    members: list[list[Code]]  # per dimension, declared order, total member included
    values: dict[Key, float] = field(default_factory=dict)
    flags: dict[Key, str] = field(default_factory=dict)

    @property
    def province(self) -> str:
        """The code of the province row (every table has one, county tables first)."""
        return next(g.code for g in self.geos if g.level == "province")

    def cells(self):
        for geo in self.geos:
            for combo in itertools.product(*self.members):
                for measure in self.table.measures:
                    yield (geo.code, tuple(c.code for c in combo), measure.id)


def table_geos(table: TableDecl, year: int, reference: Reference) -> list[GeoVersion]:
    return reference.table_geos(table.geography, year)


def table_members(table: TableDecl, reference: Reference) -> list[list[Code]]:
    return [reference.members(d.code_list, d.members) for d in table.dimensions]


def county_weights(spread: str, year: int, counties: list[GeoVersion], reference) -> dict:
    if all(g.level == "province" for g in counties):
        return {g.code: 1.0 for g in counties}  # a province-only table: nothing to share
    if spread == "population":
        shares = population_shares(reference.province, year)
        return {g.code: shares[g.code] for g in counties}
    if spread == "even":
        return {g.code: 1.0 for g in counties}
    return rural_weights(year, counties, reference)


def rural_weights(year: int, counties: list[GeoVersion], reference: Reference) -> dict:
    """Farming, mining and water by county: the province's own weights (provinces.yaml),
    else flattened census population shares. A county that had not split off yet keeps
    its children's weight, so splits move the figures the way they move real ones."""
    own = census.province_extras(reference.province).get("rural_weights")
    if own is None:
        shares = population_shares(reference.province, year)
        return {g.code: shares[g.code] ** RURAL_EXPONENT for g in counties}
    weights = {g.code: float(own.get(g.code, OTHER_RURAL_WEIGHT)) for g in counties}
    for event in reference.lineage:
        if event.event == "split" and event.year > year and event.from_code in weights:
            weights[event.from_code] += own.get(event.to_code, OTHER_RURAL_WEIGHT)
    return weights


@cache
def hints_scale(province: str) -> float:
    """The province's population against the hints' province, both at the 1395 census."""
    own = census.province_population(province, BASE_YEAR)
    return own / census.province_population(HINTS_PROVINCE, BASE_YEAR)


def member_shares(table_id: str, codes: list[Code], year: int, seed: int) -> dict[str, float]:
    """Stable shares of a dimension's parts, drifting a little from year to year."""
    shares = {}
    for code in codes:
        if code.list_id == "sex":
            base = 0.505 if code.code == "male" else 0.495
        else:
            base = rng_for(seed, table_id, code.list_id, code.code).uniform(0.3, 1.7)
        drift = rng_for(seed, table_id, code.list_id, code.code, year).uniform(0.97, 1.03)
        shares[code.code] = base * drift
    return shares


def province_value(
    table: TableDecl, measure: Measure, year: int, seed: int, scale: float = 1.0
) -> float:
    """The measure's province figure for the year; `scale` sizes the hinted total of an
    additive measure to the province (hints_scale) unless the hint says `scale: false`."""
    hints = measure.demo
    base = float(hints.get("province", _middle(measure)))
    if "province" in hints and hints.get("scale", True):
        base *= scale
    growth = float(hints.get("growth", 0.02))
    base_year = int(hints.get("base_year", BASE_YEAR))
    width = float(hints.get("noise", 0.02))  # 0 for fixed totals such as days in a year
    noise = rng_for(seed, table.id, measure.id, year).uniform(-width, width)
    return _clamp(base * (1 + growth) ** (year - base_year) * (1 + noise), measure)


def _middle(measure: Measure) -> float:
    low = measure.min if measure.min is not None else 0.0
    high = measure.max if measure.max is not None else low + 1000.0
    return low + (high - low) / 10


def _apportion(floats: dict, grand_total: float, decimals: int) -> dict:
    """Round leaves so they sum exactly to the rounded grand total (largest remainder)."""
    scale = 10**decimals
    target = round(grand_total * scale)
    current = sum(floats.values()) or 1.0
    scaled = {k: v * target / current for k, v in floats.items()}
    floors = {k: math.floor(v) for k, v in scaled.items()}
    short = target - sum(floors.values())
    by_remainder = sorted(scaled, key=lambda k: scaled[k] - floors[k], reverse=True)
    for k in by_remainder[:short]:
        floors[k] += 1
    return {k: v / scale for k, v in floors.items()}


def _clamp(value: float, measure: Measure) -> float:
    if measure.min is not None:
        value = max(value, measure.min)
    if measure.max is not None:
        value = min(value, measure.max)
    return value


class CubeBuilder:
    """Builds the cube of any declared table for any year."""

    def __init__(self, reference: Reference, seed: int, tables=()) -> None:
        self.reference = reference
        self.seed = seed
        self.scale = hints_scale(reference.province)
        self.catalog_tables = {t.id: t for t in tables}  # for cross-table identities
        self._matching: set[str] = set()

    def build(self, table: TableDecl, year: int) -> Cube:
        cube = Cube(table, year, table_geos(table, year, self.reference),
                    table_members(table, self.reference))  # fmt: skip
        real = REAL_FIGURES.get(table.id)
        for measure in table.measures:
            if real is not None:
                leaves = real(cube, measure, year)
            elif self.reference.units[measure.unit].additive:
                leaves = self._additive_leaves(cube, measure)
            else:
                cube.values.update(self._ratio_cells(cube, measure))
                continue
            cube.values.update(leaves)
            cube.values.update(sum_totals(cube, measure, leaves))
        apply_measure_sums(cube)
        for rule in table.rules:
            if rule.kind == "equals_table" and rule.other_table != table.id:
                self._match_other_table(cube, rule)
        return cube

    def _match_other_table(self, cube: Cube, rule) -> None:
        """Make a cross-table identity hold: scale to the other table's province total."""
        other = self.catalog_tables.get(rule.other_table)
        if other is None or not other.published_in(cube.year) or other.id in self._matching:
            return  # the other side of a mutual identity already follows this table
        self._matching.add(cube.table.id)
        try:
            target = grand_total(self.build(other, cube.year), rule.other_measure)
        finally:
            self._matching.discard(cube.table.id)
        measure_id = rule.measures[0]
        current = grand_total(cube, measure_id)
        if target is None or current is None:
            return
        measure = cube.table.measure(measure_id)
        if not self.reference.units[measure.unit].additive:
            cube.values[grand_key(cube, measure_id)] = target
            return
        leaves = {k: v for k, v in cube.values.items()
                  if k[2] == measure_id and is_leaf(cube, k) and k not in cube.flags}  # fmt: skip
        cube.values.update(_apportion(leaves, target, measure.decimals))
        recompute_totals(cube, measure_id)

    def _leaf_members(self, cube: Cube) -> list[list[Code]]:
        return [[c for c in codes if not c.is_total] or codes for codes in cube.members]

    def _counties(self, cube: Cube) -> list[GeoVersion]:
        counties = [g for g in cube.geos if g.level == "county"]
        return counties or cube.geos

    def _additive_leaves(self, cube: Cube, measure: Measure) -> dict[Key, float]:
        table, year = cube.table, cube.year
        counties = self._counties(cube)
        weights = county_weights(measure.demo.get("spread", "population"), year, counties,
                                 self.reference)  # fmt: skip
        leaf_members = self._leaf_members(cube)
        shares = [member_shares(table.id, codes, year, self.seed) for codes in leaf_members]
        floats = {}
        for geo in counties:
            county_noise = rng_for(self.seed, table.id, measure.id, geo.code).uniform(0.8, 1.2)
            for combo in itertools.product(*leaf_members):
                weight = weights[geo.code] * county_noise
                for share, code in zip(shares, combo, strict=True):
                    weight *= share[code.code] / sum(share.values())
                floats[(geo.code, tuple(c.code for c in combo), measure.id)] = weight
        grand = province_value(table, measure, year, self.seed, self.scale)
        return _apportion(floats, grand, measure.decimals)

    def _ratio_cells(self, cube: Cube, measure: Measure) -> dict[Key, float]:
        """Rates, indices and averages: near the province value, never summed."""
        table, year = cube.table, cube.year
        level = province_value(table, measure, year, self.seed)
        cells = {}
        for key in cube.cells():
            geo, combo, measure_id = key
            if measure_id != measure.id:
                continue
            factor = 1.0
            if geo != cube.province:
                factor *= rng_for(self.seed, table.id, measure.id, geo).uniform(0.85, 1.15)
            for code in combo:
                if code != "total":
                    factor *= rng_for(self.seed, table.id, measure.id, code).uniform(0.9, 1.1)
            value = _clamp(level * factor, measure)
            cells[key] = round(value, measure.decimals)
        return cells


def sum_totals(cube: Cube, measure: Measure, leaves: dict[Key, float]) -> dict:
    """Every total cell (province row, total members) as the sum of its leaves."""
    totals: dict[Key, float] = {}
    province = [g.code for g in cube.geos if g.level == "province"]
    has_counties = any(g.level == "county" for g in cube.geos)
    for (geo, combo, _m), value in leaves.items():
        if (geo, combo, measure.id) in cube.flags:
            continue
        geos = [geo] + (province if has_counties else [])
        choices = []
        for codes, code in zip(cube.members, combo, strict=True):
            total = next((c.code for c in codes if c.is_total), None)
            choices.append([code] + ([total] if total and total != code else []))
        for g in geos:
            for target in itertools.product(*choices):
                key = (g, tuple(target), measure.id)
                if key != (geo, combo, measure.id):
                    totals[key] = totals.get(key, 0.0) + value
    return {k: round(v, measure.decimals) for k, v in totals.items()}


def apply_measure_sums(cube: Cube) -> None:
    for rule in cube.table.rules:
        if rule.kind != "measures_sum":
            continue
        for geo, combo, measure_id in list(cube.values):
            if measure_id != rule.total:
                continue
            parts = [cube.values.get((geo, combo, p)) for p in rule.parts]
            total = cube.table.measure(rule.total)
            cube.values[(geo, combo, measure_id)] = round(
                sum(p for p in parts if p is not None), total.decimals
            )


def grand_key(cube: Cube, measure_id: str) -> Key:
    """The cell of the province total over every dimension (or the first member if none)."""
    combo = tuple(
        next((c.code for c in codes if c.is_total), codes[0].code) for codes in cube.members
    )
    return (cube.province, combo, measure_id)


def grand_total(cube: Cube, measure_id: str) -> float | None:
    return cube.values.get(grand_key(cube, measure_id))


def is_leaf(cube: Cube, key: Key) -> bool:
    """A cell that is typed, not summed: a county (or the lone province) and no total member."""
    geo, combo, _measure = key
    counties = any(g.level == "county" for g in cube.geos)
    if counties and geo == cube.province:
        return False
    return not any(
        code.is_total and code.code == member
        for codes, member in zip(cube.members, combo, strict=True)
        for code in codes
    ) or all(len(codes) == 1 for codes in cube.members)


def recompute_totals(cube: Cube, measure_id: str) -> None:
    """Totals again from the leaves, after a leaf was changed or flagged."""
    measure = cube.table.measure(measure_id)
    leaves = {
        k: v for k, v in cube.values.items()
        if k[2] == measure_id and is_leaf(cube, k) and k not in cube.flags
    }  # fmt: skip
    for key in [k for k in cube.values if k[2] == measure_id and not is_leaf(cube, k)]:
        del cube.values[key]
    cube.values.update(sum_totals(cube, measure, leaves))
    apply_measure_sums(cube)


# Tables whose leaves are real census figures, keyed by table id.
def _census_population(cube: Cube, measure: Measure, year: int) -> dict[Key, float]:
    figures = census.population_by_county_age_sex(cube.province, year)
    dims = [d.code_list for d in cube.table.dimensions]
    leaves = {}
    for (county, age, sex), persons in figures.items():
        members = {"age_group_5y": age, "sex": sex}
        leaves[(county, tuple(members[d] for d in dims), measure.id)] = float(persons)
    return leaves


def _estimated_population(cube: Cube, measure: Measure, year: int) -> dict[Key, float]:
    return {
        (county, (sex,), measure.id): float(persons)
        for (county, sex), persons in county_population(cube.province, year).items()
    }


def _census_residence(cube: Cube, measure: Measure, year: int) -> dict[Key, float]:
    figures = census.population_by_sex_residence_1390(cube.province)
    if year != 1390:
        # Only 1390 is in the shipped files: later years keep 1390's shares, scaled to
        # the real province totals by sex of that year's population.
        sexes = county_population(cube.province, year)
        for sex in ("male", "female"):
            total = sum(v for (s, _r), v in figures.items() if s == sex)
            target = sum(v for (_c, s), v in sexes.items() if s == sex)
            figures = {k: (v * target / total if k[0] == sex else v) for k, v in figures.items()}
        figures = {k: float(round(v)) for k, v in figures.items()}
    dims = [d.code_list for d in cube.table.dimensions]
    leaves = {}
    for (sex, residence), persons in figures.items():
        members = {"sex": sex, "residence": residence}
        leaves[(cube.province, tuple(members[d] for d in dims), measure.id)] = float(persons)
    return leaves


def _census_labour(cube: Cube, measure: Measure, year: int) -> dict[Key, float]:
    dims = [d.code_list for d in cube.table.dimensions]
    leaves = {}
    for (
        county,
        education,
        sex,
        status,
    ), persons in census.labour_by_county_education_sex_1395(cube.province).items():
        if status != measure.id:
            continue
        members = {"education_level": education, "sex": sex}
        leaves[(county, tuple(members[d] for d in dims), measure.id)] = float(persons)
    return leaves


REAL_FIGURES = {
    "pop_county_sex_age": _census_population,
    "pop_county_sex_estimate": _estimated_population,
    "pop_sex_residence": _census_residence,
    "labour_active_unemployed_county_sex_education": _census_labour,
}
