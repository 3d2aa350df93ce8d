"""Declarations: one YAML mapping per yearbook table, read into plain objects.

A declaration says what a table is (chapter, number, titles, agency, period, geography),
its shape (dimensions on rows or columns, measures with units and bounds) and what must
hold in it (rules with tolerances). This module only reads declarations and reports the
problems it meets on the way; `salnameh.catalog_check` cross-checks them against the
reference seeds, and `salnameh.catalog` loads the checked whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from salnameh.settings import CATALOG_DIR

SOURCES = ("records", "census", "survey")
PERIODS = ("year", "academic_year", "crop_year", "census_year")
GEOGRAPHY_LEVELS = ("province", "county")
AXES = ("row", "column")
MEASURE_TYPES = ("integer", "decimal")
RULE_KINDS = ("parts_sum_to_total", "counties_sum_to_province", "measures_sum", "equals_table")
PROPOSED = "proposed"  # `follows:` of a table no SCI yearbook table corresponds to


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a declaration or seed: where it is and what to do about it."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Text:
    fa: str
    en: str


@dataclass(frozen=True)
class Follows:
    """The SCI yearbook table a declaration follows: its printed number in an edition.

    Both None for a proposed table (no SCI table corresponds, or its number is not known
    for certain); `number` is SCI's, which may differ from the declaration's own `number`.
    """

    number: str | None
    edition: int | None

    @property
    def proposed(self) -> bool:
        return self.number is None


@dataclass(frozen=True)
class Dimension:
    code_list: str
    axis: str
    members: tuple[str, ...] | None  # None: every code of the list, in its order


@dataclass(frozen=True)
class Measure:
    id: str
    title: Text
    unit: str
    type: str
    decimals: int
    min: float | None
    max: float | None
    demo: dict[str, Any]  # hints for the demo-data generator only


@dataclass(frozen=True)
class Rule:
    kind: str
    tolerance: float  # absolute
    tolerance_pct: float  # relative, in percent of the total
    dimension: str | None = None
    measures: tuple[str, ...] | None = None  # None: every additive measure
    total: str | None = None
    parts: tuple[str, ...] = ()
    other_table: str | None = None
    other_measure: str | None = None


@dataclass(frozen=True)
class TableDecl:
    id: str
    chapter: int
    number: str
    title: Text
    agency: str
    source: str
    period: str
    geography: str
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    rules: tuple[Rule, ...]
    footnotes: tuple[Text, ...]
    years: tuple[int, ...] | None  # None: published every reference year
    geography_definition: str | None
    follows: Follows
    path: Path = field(compare=False)
    # The population its additive figures are divided by for per-capita figures: (table,
    # measure) of a population table, whose headline (every dimension's total) is used.
    per_capita: tuple[str, str] | None = None

    def dimension(self, code_list: str) -> Dimension:
        return next(d for d in self.dimensions if d.code_list == code_list)

    def measure(self, measure_id: str) -> Measure:
        return next(m for m in self.measures if m.id == measure_id)

    def published_in(self, year: int) -> bool:
        return self.years is None or year in self.years

    @property
    def row_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.dimensions if d.axis == "row")

    @property
    def column_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.dimensions if d.axis == "column")


class _Reader:
    """Reads typed fields from one YAML mapping, recording a Problem for each bad one."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))

    def get(self, data: dict, key: str, where: str, kind: type | tuple, required: bool = True):
        if key not in data or data[key] is None:
            if required:
                self.fail(f"{where}{key}", "is missing")
            return None
        value = data[key]
        # YAML reads 1390 as int and 12.5 as float; accept ints where floats are asked.
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(f"{where}{key}", f"should be {names}, found {value!r}")
            return None
        return value

    def choice(self, data: dict, key: str, where: str, allowed: tuple[str, ...], default=None):
        value = self.get(data, key, where, str, required=default is None)
        if value is None:
            return default
        if value not in allowed:
            self.fail(f"{where}{key}", f"{value!r} is not one of {', '.join(allowed)}")
            return default
        return value

    def text(self, data: dict, key: str, where: str) -> Text | None:
        value = self.get(data, key, where, dict)
        if value is None:
            return None
        fa = self.get(value, "fa", f"{where}{key}.", str)
        en = self.get(value, "en", f"{where}{key}.", str)
        return Text(fa, en) if fa and en else None


def _follows(r: _Reader, data: dict) -> Follows | None:
    """`follows: proposed` or `follows: {number: "12-5", edition: 1401}`."""
    value = data.get("follows")
    if value == PROPOSED:
        return Follows(None, None)
    if isinstance(value, dict):
        number = r.get(value, "number", "follows.", str)
        edition = r.get(value, "edition", "follows.", int)
        for key in sorted(set(value) - {"number", "edition"}):
            r.fail(f"follows.{key}", "unknown field; follows has number and edition")
        return Follows(number, edition) if number and edition else None
    hint = 'the SCI yearbook table this follows, {number: "12-5", edition: 1401}, or proposed'
    if value is None:
        r.fail("follows", f"is missing; write {hint}")
    else:
        r.fail("follows", f"should be {hint}, found {value!r}")
    return None


def _dimension(r: _Reader, data: Any, where: str) -> Dimension | None:
    if not isinstance(data, dict):
        r.fail(where.rstrip("."), "should be a mapping with code_list and axis")
        return None
    code_list = r.get(data, "code_list", where, str)
    axis = r.choice(data, "axis", where, AXES)
    members = r.get(data, "members", where, list, required=False)
    if members is not None:
        members = tuple(str(m) for m in members)
    if code_list is None or axis is None:
        return None
    return Dimension(code_list, axis, members)


def _measure(r: _Reader, data: Any, where: str, default_unit: str | None) -> Measure | None:
    if not isinstance(data, dict):
        r.fail(where.rstrip("."), "should be a mapping with id, title, type")
        return None
    measure_id = r.get(data, "id", where, str)
    title = r.text(data, "title", where)
    unit = r.get(data, "unit", where, str, required=default_unit is None) or default_unit
    kind = r.choice(data, "type", where, MEASURE_TYPES)
    decimals = r.get(data, "decimals", where, int, required=False)
    low = r.get(data, "min", where, float, required=False)
    high = r.get(data, "max", where, float, required=False)
    demo = r.get(data, "demo", where, dict, required=False) or {}
    if low is not None and high is not None and low > high:
        r.fail(f"{where}min", f"min {low} is above max {high}")
    if None in (measure_id, title, unit, kind):
        return None
    if decimals is None:
        decimals = 0 if kind == "integer" else 1
    return Measure(measure_id, title, unit, kind, decimals, low, high, demo)


def _rule(r: _Reader, data: Any, where: str) -> Rule | None:
    if not isinstance(data, dict):
        r.fail(where.rstrip("."), "should be a mapping with a 'rule' key")
        return None
    kind = r.choice(data, "rule", where, RULE_KINDS)
    tolerance = r.get(data, "tolerance", where, float, required=False) or 0.0
    tolerance_pct = r.get(data, "tolerance_pct", where, float, required=False) or 0.0
    if tolerance < 0 or tolerance_pct < 0:
        r.fail(f"{where}tolerance", "a tolerance cannot be negative")
    measures = r.get(data, "measures", where, list, required=False)
    rule = Rule(
        kind=kind or "",
        tolerance=tolerance,
        tolerance_pct=tolerance_pct,
        measures=tuple(measures) if measures is not None else None,
    )
    if kind == "parts_sum_to_total":
        dimension = r.get(data, "dimension", where, str)
        return Rule(**{**rule.__dict__, "dimension": dimension}) if dimension else None
    if kind == "measures_sum":
        total = r.get(data, "total", where, str)
        parts = r.get(data, "parts", where, list)
        if not total or not parts:
            return None
        return Rule(**{**rule.__dict__, "total": total, "parts": tuple(parts)})
    if kind == "equals_table":
        measure = r.get(data, "measure", where, str)
        other = r.get(data, "other_table", where, str)
        other_measure = r.get(data, "other_measure", where, str, required=False) or measure
        if not measure or not other:
            return None
        return Rule(
            **{
                **rule.__dict__,
                "measures": (measure,),
                "other_table": other,
                "other_measure": other_measure,
            }
        )
    return rule if kind else None


def parse_table(data: Any, path: Path, problems: list[Problem]) -> TableDecl | None:
    """One declaration from its YAML mapping; None (with problems recorded) if unusable."""
    r = _Reader(path.name, problems)
    if not isinstance(data, dict):
        r.fail("(file)", "should hold one mapping (id, chapter, title, ...)")
        return None
    start = len(problems)
    table_id = r.get(data, "id", "", str)
    chapter = r.get(data, "chapter", "", int)
    number = r.get(data, "number", "", str)
    title = r.text(data, "title", "")
    agency = r.get(data, "agency", "", str)
    source = r.choice(data, "source", "", SOURCES)
    period = r.choice(data, "period", "", PERIODS)
    geography = r.choice(data, "geography", "", GEOGRAPHY_LEVELS)
    definition = r.get(data, "geography_definition", "", str, required=False)
    default_unit = r.get(data, "unit", "", str, required=False)
    follows = _follows(r, data)
    per_capita = r.get(data, "per_capita", "", dict, required=False)
    if per_capita is not None:
        per_capita = (
            r.get(per_capita, "table", "per_capita.", str),
            r.get(per_capita, "measure", "per_capita.", str),
        )
    years = r.get(data, "years", "", list, required=False)
    if years is not None and not all(isinstance(y, int) for y in years):
        r.fail("years", "should be a list of Jalali years such as [1390, 1395]")
        years = None

    dims_data = r.get(data, "dimensions", "", list, required=False) or []
    dimensions = [_dimension(r, d, f"dimensions[{i}].") for i, d in enumerate(dims_data)]
    measures_data = r.get(data, "measures", "", list) or []
    if "measures" in data and not measures_data:
        r.fail("measures", "a table needs at least one measure")
    measures = [
        _measure(r, m, f"measures[{i}].", default_unit) for i, m in enumerate(measures_data)
    ]
    rules = [
        _rule(r, x, f"rules[{i}].")
        for i, x in enumerate(r.get(data, "rules", "", list, required=False) or [])
    ]
    footnotes = [
        r.text({"footnote": f}, "footnote", f"footnotes[{i}].")
        for i, f in enumerate(r.get(data, "footnotes", "", list, required=False) or [])
    ]
    known = {
        "id", "chapter", "number", "title", "agency", "source", "period", "geography",
        "geography_definition", "unit", "years", "dimensions", "measures", "rules",
        "footnotes", "follows", "per_capita",
    }  # fmt: skip
    for key in sorted(set(data) - known):
        r.fail(str(key), f"unknown field; known fields are {', '.join(sorted(known))}")
    if len(problems) > start:
        return None
    return TableDecl(
        id=table_id,
        chapter=chapter,
        number=number,
        title=title,
        agency=agency,
        source=source,
        period=period,
        geography=geography,
        dimensions=tuple(dimensions),
        measures=tuple(measures),
        rules=tuple(rules),
        footnotes=tuple(footnotes),
        years=tuple(years) if years is not None else None,
        geography_definition=definition,
        follows=follows,
        path=path,
        per_capita=per_capita,
    )


# libyaml's parser when PyYAML was built with it (its wheels are): the catalog is read at
# the start of nearly every command, and the pure-Python parser took 0.3 s of a 64-table
# catalog's start-up; both load the same safe subset of YAML into the same objects.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A declaration (or recipe) file's YAML, safely loaded."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


def read_declarations(catalog_dir: Path = CATALOG_DIR) -> tuple[list[TableDecl], list[Problem]]:
    """Every declaration in the folder, and the problems met while reading them."""
    problems: list[Problem] = []
    tables: list[TableDecl] = []
    for path in sorted(catalog_dir.glob("*.yaml")):
        try:
            data = read_yaml(path)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "(file)"
            problems.append(Problem(path.name, where, f"is not valid YAML: {error}"))
            continue
        table = parse_table(data, path, problems)
        if table is not None:
            tables.append(table)
    return tables, problems
