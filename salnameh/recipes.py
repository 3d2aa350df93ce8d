"""Recipes: how a workbook in someone else's layout maps onto a catalog table.

Agencies and SCI send workbooks in layouts nobody here chose (SCI's census workbooks: a
sheet per county, a title row, two header rows, five-year age groups each followed by its
single years). A recipe, one YAML file per source layout in `seeds/recipes/`, declares that
mapping for the meaning of the layout, not one file's coordinates: which sheets, where the
place is, which row labels are which code-list members (and which rows to skip), which
header texts are which column members, what an empty cell means. The ingestion step
(`ingestion.recipe_mapping`) applies it; after the mapping a file goes through the same
validation, archive, ledger and load as one of our forms.

This module only reads recipes into plain objects and checks them against the catalog and
the reference seeds, naming file and field, as the catalog check does for declarations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The catalog's reader of typed YAML fields: one statement of how a field is read and how
# a bad one is reported.
from salnameh.catalog import Catalog
from salnameh.declarations import Problem, Text, read_yaml
from salnameh.declarations import _Reader as FieldReader
from salnameh.reference import Reference
from salnameh.settings import SEEDS_DIR

RECIPES_DIR = SEEDS_DIR / "recipes"
PLACE_SOURCES = ("sheet_name", "title", "column")
EMPTY_MEANINGS = ("missing", "zero")
PLACE_AGGREGATIONS = ("as_is", "sum_to_province")


@dataclass(frozen=True)
class Fingerprint:
    """Texts that identify the layout: all must be in the first rows of its first sheet."""

    texts: tuple[str, ...]
    sheet_names: str | None  # a pattern every sheet name matches, if the layout has one


@dataclass(frozen=True)
class Labels:
    """A dimension read from labels: code -> the spellings this source uses for it, beyond
    the code list's own labels (which always match)."""

    dimension: str  # code list id
    spellings: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class RowSpec:
    labels: Labels
    strip: tuple[str, ...]  # words dropped from a label before matching ("ساله")
    skip: tuple[str, ...]  # patterns of labels that are not rows of the table
    last: str | None  # the table ends with the row of this member


@dataclass(frozen=True)
class PlaceSpec:
    source: str  # sheet_name, title or column
    pattern: str | None  # a regex whose group `place` holds the name or code
    column: int | None  # for source=column: 0-based column of the place names


@dataclass(frozen=True)
class YearSpec:
    pattern: str  # on the file name; group 1 is the year as the file writes it
    values: dict[str, int]  # that text -> the Jalali reference year (empty: it is one)


@dataclass(frozen=True)
class Target:
    """How the mapped cube becomes one catalog table."""

    table_id: str
    keep: dict[str, str]  # a dimension the table does not have -> the member kept
    places: str  # as_is, or sum_to_province for a province table from county sheets
    province_total: bool  # add the province row as the sum of the places' figures
    measure: str | None  # None: the table's only measure


@dataclass(frozen=True)
class Recipe:
    id: str
    title: Text
    source: str
    fingerprint: Fingerprint
    sheets: str | None  # pattern of the sheets to read; None: every visible sheet
    place: PlaceSpec
    header_first: str  # the label that opens the header (its column is the label column)
    levels: tuple[Labels, ...]  # header rows, top to bottom
    rows: RowSpec
    empty: str  # missing or zero
    scale: float
    year: YearSpec | None
    targets: dict[str, Target]
    path: Path

    @property
    def dimensions(self) -> list[str]:
        return [self.rows.labels.dimension, *(level.dimension for level in self.levels)]

    def year_of(self, filename: str) -> int | None:
        """The reference year the file's name gives, if the recipe reads one."""
        if self.year is None:
            return None
        found = re.search(self.year.pattern, filename)
        if found is None:
            return None
        text = found.group(1)
        if self.year.values:
            return self.year.values.get(text)
        return int(text) if text.isdigit() else None


class RecipeError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_recipe(path: Path) -> tuple[Recipe | None, list[Problem]]:
    """One recipe file read into a Recipe, with every problem met on the way."""
    problems: list[Problem] = []
    r = FieldReader(path.name, problems)
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        return None, [Problem(path.name, "yaml", f"is not valid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(path.name, "yaml", "should be a mapping")]
    recipe_id = r.get(data, "id", "", str)
    title = r.text(data, "title", "")
    source = r.get(data, "source", "", str)
    fingerprint = _fingerprint(r, r.get(data, "fingerprint", "", dict) or {})
    sheets = r.get(data, "sheets", "", str, required=False)
    if sheets == "all":
        sheets = None
    place = _place(r, r.get(data, "place", "", dict) or {})
    header = r.get(data, "header", "", dict) or {}
    header_first = r.get(header, "first", "header.", str)
    levels = tuple(
        found
        for i, level in enumerate(r.get(header, "levels", "header.", list) or [])
        if (found := _labels(r, level, f"header.levels[{i}]")) is not None
    )
    rows = _rows(r, r.get(data, "rows", "", dict) or {})
    cells = r.get(data, "cells", "", dict, required=False) or {}
    empty = r.choice(cells, "empty", "cells.", EMPTY_MEANINGS, default="missing")
    scale = r.get(cells, "scale", "cells.", float, required=False) or 1.0
    year = _year(r, r.get(data, "year", "", dict, required=False))
    targets = {
        table_id: target
        for table_id, spec in (r.get(data, "targets", "", dict) or {}).items()
        if (target := _target(r, str(table_id), spec)) is not None
    }
    for pattern, where in _patterns(fingerprint, sheets, place, rows, year):
        try:
            re.compile(pattern)
        except re.error as exc:
            r.fail(where, f"{pattern!r} is not a valid pattern: {exc}")
    if problems or None in (recipe_id, title, source, header_first, rows, place, fingerprint):
        return None, problems or [Problem(path.name, "", "is incomplete")]
    recipe = Recipe(recipe_id, title, source, fingerprint, sheets, place, header_first,
                    levels, rows, empty, scale, year, targets, path)  # fmt: skip
    return recipe, problems


def _fingerprint(r: FieldReader, data: dict) -> Fingerprint | None:
    texts = r.get(data, "texts", "fingerprint.", list)
    if not texts:
        if texts is not None:
            r.fail("fingerprint.texts", "needs at least one text the layout always holds")
        return None
    names = r.get(data, "sheet_names", "fingerprint.", str, required=False)
    return Fingerprint(tuple(str(t) for t in texts), names)


def _place(r: FieldReader, data: dict) -> PlaceSpec | None:
    source = r.choice(data, "from", "place.", PLACE_SOURCES)
    pattern = r.get(data, "pattern", "place.", str, required=False)
    column = r.get(data, "column", "place.", int, required=source == "column")
    if pattern is not None and "(?P<place>" not in pattern:
        r.fail("place.pattern", "needs a group named place: (?P<place>...)")
    return None if source is None else PlaceSpec(source, pattern, column)


def _labels(r: FieldReader, data: Any, where: str) -> Labels | None:
    if not isinstance(data, dict):
        r.fail(where, "should be a mapping with dimension and labels")
        return None
    dimension = r.get(data, "dimension", f"{where}.", str)
    spellings = r.get(data, "labels", f"{where}.", dict, required=False) or {}
    cleaned: dict[str, tuple[str, ...]] = {}
    for code, texts in spellings.items():
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            r.fail(f"{where}.labels.{code}", "should be a text or a list of texts")
            continue
        cleaned[str(code)] = tuple(texts)
    return None if dimension is None else Labels(dimension, cleaned)


def _rows(r: FieldReader, data: dict) -> RowSpec | None:
    labels = _labels(r, data, "rows")
    strip = tuple(r.get(data, "strip", "rows.", list, required=False) or ())
    skip = tuple(r.get(data, "skip", "rows.", list, required=False) or ())
    last = r.get(data, "last", "rows.", str, required=False)
    return None if labels is None else RowSpec(labels, strip, skip, last)


def _year(r: FieldReader, data: dict | None) -> YearSpec | None:
    if data is None:
        return None
    if r.choice(data, "from", "year.", ("filename",)) is None:
        return None
    pattern = r.get(data, "pattern", "year.", str)
    values = r.get(data, "values", "year.", dict, required=False) or {}
    return None if pattern is None else YearSpec(pattern, {str(k): v for k, v in values.items()})


def _target(r: FieldReader, table_id: str, spec: Any) -> Target | None:
    where = f"targets.{table_id}."
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        r.fail(where.rstrip("."), "should be a mapping (keep, places, province_total)")
        return None
    keep = r.get(spec, "keep", where, dict, required=False) or {}
    places = r.choice(spec, "places", where, PLACE_AGGREGATIONS, default="as_is")
    total = r.choice(spec, "province_total", where, ("none", "sum"), default="none")
    measure = r.get(spec, "measure", where, str, required=False)
    keep = {str(k): str(v) for k, v in keep.items()}
    return Target(table_id, keep, places, total == "sum", measure)


def _patterns(fingerprint, sheets, place, rows, year):
    if fingerprint and fingerprint.sheet_names:
        yield fingerprint.sheet_names, "fingerprint.sheet_names"
    if sheets:
        yield sheets, "sheets"
    if place and place.pattern:
        yield place.pattern, "place.pattern"
    for i, pattern in enumerate(rows.skip if rows else ()):
        yield pattern, f"rows.skip[{i}]"
    if year:
        yield year.pattern, "year.pattern"


def read_recipes(recipes_dir: Path = RECIPES_DIR) -> tuple[list[Recipe], list[Problem]]:
    recipes, problems = [], []
    for path in sorted(recipes_dir.glob("*.yaml")) if recipes_dir.is_dir() else []:
        recipe, found = read_recipe(path)
        problems += found
        if recipe is not None:
            recipes.append(recipe)
    return recipes, problems


def check_recipe(recipe: Recipe, catalog: Catalog, reference: Reference) -> list[Problem]:
    """What in a recipe does not fit the catalog or the code lists."""
    file, problems = recipe.path.name, []
    fail = lambda where, message: problems.append(Problem(file, where, message))  # noqa: E731
    specs = [("rows", recipe.rows.labels)]
    specs += [(f"header.levels[{i}]", level) for i, level in enumerate(recipe.levels)]
    for where, labels in specs:
        codes = reference.code_lists.get(labels.dimension)
        if codes is None:
            fail(f"{where}.dimension", f"no code list {labels.dimension!r} in codes.csv")
            continue
        known = {c.code for c in codes}
        for code in labels.spellings:
            if code not in known:
                fail(f"{where}.labels.{code}", f"{code!r} is not a code of {labels.dimension}")
    if recipe.rows.last is not None:
        codes = reference.code_lists.get(recipe.rows.labels.dimension, [])
        if recipe.rows.last not in {c.code for c in codes}:
            fail("rows.last", f"{recipe.rows.last!r} is not a code of the rows' code list")
    if not recipe.targets:
        fail("targets", "names no catalog table to map onto")
    for target in recipe.targets.values():
        problems += _check_target(recipe, target, catalog, reference)
    return problems


def _check_target(recipe: Recipe, target: Target, catalog: Catalog, reference: Reference):
    file, where = recipe.path.name, f"targets.{target.table_id}"
    table = catalog.tables.get(target.table_id)
    if table is None:
        return [Problem(file, where, f"no table {target.table_id!r} in the catalog")]
    problems = []
    wanted = {d.code_list for d in table.dimensions}
    mapped = set(recipe.dimensions)
    for code_list in sorted(wanted - mapped):
        problems.append(Problem(file, where, f"the table's dimension {code_list!r} is not "
                                "mapped by the recipe's rows or header"))  # fmt: skip
    for code_list in sorted(mapped - wanted):
        if code_list not in target.keep:
            problems.append(Problem(file, f"{where}.keep", f"the recipe's dimension "
                                    f"{code_list!r} is not in the table: say which member "
                                    "to keep"))  # fmt: skip
    for code_list, member in target.keep.items():
        codes = {c.code for c in reference.code_lists.get(code_list, [])}
        if member not in codes:
            problems.append(Problem(file, f"{where}.keep.{code_list}",
                                    f"{member!r} is not a code of {code_list}"))  # fmt: skip
    if target.measure is None and len(table.measures) != 1:
        problems.append(Problem(file, f"{where}.measure", "the table has several measures: "
                                "name the one the cells hold"))  # fmt: skip
    if target.measure is not None and target.measure not in {m.id for m in table.measures}:
        problems.append(Problem(file, f"{where}.measure", f"no measure {target.measure!r}"))
    if target.places == "sum_to_province" and table.geography != "province":
        problems.append(Problem(file, f"{where}.places", "sums to the province, but the "
                                "table is by county"))  # fmt: skip
    if target.province_total and table.geography != "county":
        problems.append(Problem(file, f"{where}.province_total", "a province total is added "
                                "to county tables only"))  # fmt: skip
    return problems


def check_recipes(tables, reference: Reference, recipes_dir: Path = RECIPES_DIR
                  ) -> tuple[list[Recipe], list[Problem]]:  # fmt: skip
    """Every recipe read and checked against the declared tables (a list or a Catalog)."""
    catalog = tables if isinstance(tables, Catalog) else Catalog({t.id: t for t in tables}, "")
    recipes, problems = read_recipes(recipes_dir)
    for recipe in recipes:
        problems += check_recipe(recipe, catalog, reference)
    ids = [recipe.id for recipe in recipes]
    for recipe in recipes:
        if ids.count(recipe.id) > 1:
            problems.append(Problem(recipe.path.name, "id", f"duplicate id {recipe.id!r}"))
    return recipes, problems


def usable_recipes(catalog: Catalog, reference: Reference, recipes_dir: Path = RECIPES_DIR
                   ) -> list[Recipe]:  # fmt: skip
    """The recipes that check cleanly against this catalog. Ingestion uses these: a recipe
    whose tables a catalog lacks (a test's or a benchmark's own catalog) must not stop
    every file; `catalog check` is where a broken recipe is reported."""
    recipes, _problems = read_recipes(recipes_dir)
    return [r for r in recipes if not check_recipe(r, catalog, reference)]


def recipe_from(name_or_path: str, recipes: list[Recipe], catalog: Catalog,
                reference: Reference) -> Recipe:  # fmt: skip
    """The recipe a user forces with --recipe: a shipped recipe's id, or a YAML file."""
    by_id = {recipe.id: recipe for recipe in recipes}
    if name_or_path in by_id:
        return by_id[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(by_id)) or "none"
        raise RecipeError([Problem(name_or_path, "recipe", f"is neither a recipe id ({known}) "
                                   "nor a recipe file")])  # fmt: skip
    recipe, problems = read_recipe(path)
    if recipe is not None:
        problems += check_recipe(recipe, catalog, reference)
    if problems:
        raise RecipeError(problems)
    return recipe
