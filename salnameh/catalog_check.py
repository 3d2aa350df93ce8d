"""Cross-checks of the catalog against the reference seeds, and of the seeds themselves.

Each problem names the file and the field, so whoever edits a declaration or a seed can
go straight to the line. `salnameh catalog check` prints these; `load_catalog` refuses to
run the product on a catalog that has any.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

from salnameh.declarations import Problem, TableDecl, read_declarations
from salnameh.reference import PLACEHOLDERS, Reference, read_csv
from salnameh.settings import CATALOG_DIR, REFERENCE_DIR

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER_PATTERN = re.compile(r"^\d{1,2}-\d{1,3}$")
EARLIEST_YEAR, LATEST_YEAR = 1300, 1500
# The key of every reference seed: what must be unique in it.
SEED_KEYS = {
    "chapters.csv": ("chapter_no",),
    "agencies.csv": ("agency_id",),
    "units.csv": ("unit",),
    "code_lists.csv": ("list_id",),
    "codes.csv": ("list_id", "code"),
    "geography.csv": ("code", "valid_from"),
    "geography_aliases.csv": ("alias",),
    "collection_calendar.csv": ("source",),
    "sci_timetable.csv": ("year", "milestone"),
    "agreement_targets.csv": ("measure",),
    "province_centres.csv": ("province_code",),
}
PLACEHOLDER_PATTERN = re.compile(r"\{[^{}]*\}")


def check_catalog(
    catalog_dir: Path = CATALOG_DIR, seeds_dir: Path = REFERENCE_DIR
) -> tuple[list[TableDecl], list[Problem]]:
    """Declarations that read cleanly, and every problem in them and in the seeds."""
    reference = Reference(seeds_dir)
    problems = check_seeds(reference)
    tables, read_problems = read_declarations(catalog_dir)
    problems += read_problems
    problems += _check_unique(tables)
    by_id = {t.id: t for t in tables}
    for table in tables:
        problems += check_table(table, reference, by_id)
        problems += _check_placeholders(table)
    problems += _check_province_texts(reference)
    return tables, problems


def _check_placeholders(table: TableDecl) -> list[Problem]:
    """A title or footnote may leave {province} and {centre} to the home; nothing else in
    braces, and no placeholder in a measure title (forms' headers are matched to it)."""
    problems = []
    footnotes = [(f"footnotes[{i}]", f) for i, f in enumerate(table.footnotes)]
    texts = [("title", table.title), *footnotes]
    for where, text in texts:
        for word in PLACEHOLDER_PATTERN.findall(f"{text.fa} {text.en}"):
            if word not in PLACEHOLDERS:
                problems.append(Problem(table.path.name, where, f"{word} is not one of "
                                        f"{', '.join(PLACEHOLDERS)}"))  # fmt: skip
    for measure in table.measures:
        if PLACEHOLDER_PATTERN.search(f"{measure.title.fa} {measure.title.en}"):
            problems.append(Problem(table.path.name, f"measures.{measure.id}.title",
                                    "names no place: forms' headers are read by it"))  # fmt: skip
    return problems


def _check_province_texts(reference: Reference) -> list[Problem]:
    """Every province has a centre for {centre}; a province's own footnote names a known
    province (its table is checked by the warehouse build, against the whole catalog)."""
    problems = []
    centres = {r["province_code"] for r in read_csv(reference.seeds_dir / "province_centres.csv")}
    for code in sorted(set(reference.provinces) - centres):
        problems.append(Problem("province_centres.csv", "province_code", f"{code} has no centre"))
    for r in read_csv(reference.seeds_dir / "province_footnotes.csv"):
        if r["province_code"] not in reference.provinces:
            problems.append(Problem("province_footnotes.csv", "province_code",
                                    f"unknown province {r['province_code']!r}"))  # fmt: skip
    return problems


def _check_unique(tables: list[TableDecl]) -> list[Problem]:
    problems = []
    ids = Counter(t.id for t in tables)
    numbers = Counter(t.number for t in tables)
    for table in tables:
        if ids[table.id] > 1:
            others = [t.path.name for t in tables if t.id == table.id and t is not table]
            problems.append(
                Problem(table.path.name, "id", f"duplicate id {table.id!r}, also in {others}")
            )
        if numbers[table.number] > 1:
            others = [t.path.name for t in tables if t.number == table.number and t is not table]
            problems.append(
                Problem(
                    table.path.name, "number", f"printed number {table.number} also in {others}"
                )
            )
    return problems


def check_table(
    table: TableDecl, reference: Reference, by_id: dict[str, TableDecl]
) -> list[Problem]:
    """Problems of one declaration against the seeds and the other declarations."""
    problems: list[Problem] = []

    def fail(where: str, message: str) -> None:
        problems.append(Problem(table.path.name, where, message))

    if not ID_PATTERN.match(table.id):
        fail("id", f"{table.id!r} should be lower-case letters, digits and _ only")
    if table.path.stem != table.id:
        fail("id", f"the file should be named {table.id}.yaml so the id can be found by name")
    if table.chapter not in reference.chapters:
        fail("chapter", f"no chapter {table.chapter} in chapters.csv (1-24)")
    if not NUMBER_PATTERN.match(table.number):
        fail("number", f"{table.number!r} should look like 3-2 (chapter-number)")
    elif int(table.number.split("-")[0]) != table.chapter:
        fail("number", f"{table.number} does not start with its chapter {table.chapter}")
    if not table.follows.proposed:
        if not NUMBER_PATTERN.match(table.follows.number):
            fail("follows.number", f"{table.follows.number!r} should be SCI's number, e.g. 12-5")
        if not EARLIEST_YEAR <= table.follows.edition <= LATEST_YEAR:
            fail("follows.edition", f"{table.follows.edition} is not a Jalali year (edition)")
    if table.agency not in reference.agencies:
        fail("agency", f"unknown agency {table.agency!r}; add it to agencies.csv or fix the id")
    if table.years is not None:
        bad = [y for y in table.years if not EARLIEST_YEAR <= y <= LATEST_YEAR]
        if bad:
            fail("years", f"{bad} are not Jalali years")
    if table.period == "census_year" and table.years is None:
        fail("years", "a census table must list its census years")

    dims = Counter(d.code_list for d in table.dimensions)
    for i, dim in enumerate(table.dimensions):
        where = f"dimensions[{i}]"
        if dims[dim.code_list] > 1:
            fail(f"{where}.code_list", f"{dim.code_list!r} is used twice")
        codes = reference.code_lists.get(dim.code_list)
        if codes is None:
            fail(f"{where}.code_list", f"unknown code list {dim.code_list!r}; see codes.csv")
            continue
        known = {c.code for c in codes}
        for member in dim.members or ():
            if member not in known:
                fail(f"{where}.members", f"{member!r} is not a code of {dim.code_list}")

    measure_ids = Counter(m.id for m in table.measures)
    for i, measure in enumerate(table.measures):
        where = f"measures[{i}]"
        if measure_ids[measure.id] > 1:
            fail(f"{where}.id", f"duplicate measure id {measure.id!r}")
        if not ID_PATTERN.match(measure.id):
            fail(f"{where}.id", f"{measure.id!r} should be lower-case letters, digits and _")
        if measure.unit not in reference.units:
            fail(f"{where}.unit", f"unknown unit {measure.unit!r}; see units.csv")
        if measure.decimals < 0 or (measure.type == "integer" and measure.decimals != 0):
            fail(f"{where}.decimals", "integers have 0 decimals; decimals cannot be negative")

    for i, rule in enumerate(table.rules):
        problems += _check_rule(table, rule, f"rules[{i}]", reference, by_id)
    if table.per_capita is not None:
        other_id, measure_id = table.per_capita
        other = by_id.get(other_id)
        if other is None:
            fail("per_capita.table", f"no table {other_id!r} in the catalog")
        elif measure_id not in {m.id for m in other.measures}:
            fail("per_capita.measure", f"{other_id} has no measure {measure_id!r}")
        elif other.geography != "county" and table.geography == "county":
            fail("per_capita.table", f"{other_id} has no county figures to divide by")
    return problems


def _check_rule(table, rule, where, reference, by_id) -> list[Problem]:
    problems: list[Problem] = []

    def fail(field: str, message: str) -> None:
        problems.append(Problem(table.path.name, f"{where}.{field}", message))

    measure_ids = {m.id for m in table.measures}
    for measure in rule.measures or ():
        if measure not in measure_ids:
            fail("measures", f"{measure!r} is not a measure of this table")
    if rule.kind == "parts_sum_to_total":
        dims = {d.code_list: d for d in table.dimensions}
        if rule.dimension not in dims:
            fail("dimension", f"{rule.dimension!r} is not a dimension of this table")
        elif rule.dimension in reference.code_lists:
            dim = dims[rule.dimension]
            total = reference.total_code(rule.dimension)
            members = dim.members or tuple(c.code for c in reference.code_lists[rule.dimension])
            if total is None or total not in members:
                fail("dimension", f"{rule.dimension} has no total member in this table to sum to")
            elif len(members) < 3:
                fail("dimension", "a total needs at least two parts")
    elif rule.kind == "counties_sum_to_province":
        if table.geography != "county":
            fail("rule", "counties_sum_to_province needs a county table (geography: county)")
    elif rule.kind == "measures_sum":
        for name in (rule.total, *rule.parts):
            if name not in measure_ids:
                fail("total" if name == rule.total else "parts", f"{name!r} is not a measure")
        if rule.total in rule.parts:
            fail("parts", "the total cannot be one of its own parts")
    elif rule.kind == "equals_table":
        other = by_id.get(rule.other_table)
        if other is None:
            fail("other_table", f"no table {rule.other_table!r} in the catalog")
        elif rule.other_measure not in {m.id for m in other.measures}:
            fail("other_measure", f"{rule.other_measure!r} is not a measure of {other.id}")
        elif other.id == table.id:
            fail("other_table", "a table cannot be compared with itself")
    # Sums only make sense for additive units: a rule may not name a percent or an index.
    named = (rule.total, *rule.parts) if rule.kind == "measures_sum" else rule.measures or ()
    units = {m.id: reference.units.get(m.unit) for m in table.measures}
    for name in named:
        unit = units.get(name)
        if unit is not None and not unit.additive and rule.kind != "equals_table":
            fail("measures", f"{name} is in {unit.unit}, which does not add up")
    return problems


def check_seeds(reference: Reference) -> list[Problem]:
    """Problems in the reference CSVs: duplicate keys, dangling codes, overlapping validity."""
    problems: list[Problem] = []

    # Keys are checked on the raw rows: the indexed Reference keeps only the last of
    # duplicate ids, so a duplicate would otherwise vanish silently.
    for file, columns in SEED_KEYS.items():
        keys = [tuple(r[c] for c in columns) for r in read_csv(reference.seeds_dir / file)]
        for key, count in Counter(keys).items():
            if count > 1:
                field = "+".join(columns)
                problems.append(Problem(file, field, f"{'/'.join(key)} appears {count} times"))
    rows = reference.code_lists
    for list_id, codes in rows.items():
        totals = [c.code for c in codes if c.is_total]
        if len(totals) > 1:
            problems.append(Problem("codes.csv", "is_total", f"{list_id} has totals {totals}"))
    for list_id in sorted(set(rows) - set(reference.code_list_titles)):
        problems.append(Problem("code_lists.csv", "list_id", f"{list_id!r} has codes but no title"))
    if sorted(reference.chapters) != list(range(1, 25)):
        problems.append(Problem("chapters.csv", "chapter_no", "should hold chapters 1 to 24"))

    # Every province's geography, not only the installation's.
    versions: dict[str, list] = {}
    for geo in reference.all_geography:
        versions.setdefault(geo.code, []).append(geo)
        if geo.level not in ("province", "county"):
            problems.append(Problem("geography.csv", "level", f"{geo.code}: {geo.level!r}"))
        if geo.level == "county" and geo.parent_code not in reference.provinces:
            problems.append(Problem("geography.csv", "parent_code", f"{geo.code}: unknown parent"))
        if geo.valid_from and geo.valid_to and geo.valid_from > geo.valid_to:
            problems.append(
                Problem("geography.csv", "valid_to", f"{geo.code} ends before it starts")
            )
    for code, spans in versions.items():
        spans.sort(key=lambda g: g.valid_from or 0)
        for before, after in itertools.pairwise(spans):
            if before.valid_to is None or after.valid_from is None:
                problems.append(
                    Problem("geography.csv", "valid_from", f"{code}: open-ended versions overlap")
                )
            elif before.valid_to + 1 != after.valid_from:
                problems.append(
                    Problem(
                        "geography.csv",
                        "valid_from",
                        f"{code}: versions should meet: {before.valid_to} then {after.valid_from}",
                    )
                )
    for event in reference.all_lineage:
        for code in (event.from_code, event.to_code):
            if code and code not in versions:
                problems.append(
                    Problem("geography_lineage.csv", "from_code/to_code", f"unknown code {code}")
                )
        if event.event == "split":
            child = [g for g in versions.get(event.to_code, []) if g.valid_from == event.year]
            if not child:
                problems.append(
                    Problem(
                        "geography_lineage.csv",
                        "year",
                        f"{event.to_code} has no version starting in {event.year}",
                    )
                )
    return problems
