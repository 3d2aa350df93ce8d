"""Foreign workbooks through recipes: SCI's real 1390 census workbooks, as SCI publishes
them, mapped onto the catalog's census tables and checked cell by cell against the census.

The files are SCI's own (../shared/data/sci-workbooks/1390, legacy .xls, one sheet per
county); the figures they are compared with come from another extraction of the same
census (../shared/data/census/national), so a mapping that shifts a row, a column or a
sheet cannot pass.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml
from python_calamine import CalamineWorkbook

from ingestion.ingest import Ingestor
from ingestion.places import Places
from ingestion.readers import read_book
from ingestion.recipe_mapping import choose_recipe
from salnameh.catalog import Catalog
from salnameh.recipes import RECIPES_DIR, check_recipes, read_recipes
from salnameh.reference import Reference
from salnameh.settings import PROJECT_ROOT, Home
from tests.conftest import run_salnameh

# Shipped copies of ../shared/data (their SOURCES.md say where they come from).
SHARED = PROJECT_ROOT / "data"
WORKBOOKS = SHARED / "sci-workbooks" / "1390"
CENSUS_1390 = (
    SHARED / "census" / "national" / "iran_census1390_pop_by_province_county_sex_agegroup.csv"
)
RESIDENCE_1390 = (
    PROJECT_ROOT / "app" / "demo" / "census" / "tehran_prov_pop_by_sex_residence_1390.csv"
)
TEHRAN = WORKBOOKS / "census2011p23.xls"


def census_cells(province: str) -> dict[tuple[str, str, str], int]:
    """(county name key, age group, sex) -> persons, totals included, from the census CSV."""
    from salnameh.persian import name_key

    cells: dict[tuple[str, str, str], int] = defaultdict(int)
    with CENSUS_1390.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["province_code"] != province:
                continue
            age = {">100": "100+"}.get(row["age_group"], row["age_group"])
            county = name_key(row["county_name"])
            for sex in ("male", "female"):
                n = int(row[sex])
                for a in (age, "total"):
                    for s in (sex, "total"):
                        cells[(county, a, s)] += n
    return dict(cells)


def raw_values(home: Path, table_id: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            'SELECT geo, dim_key, value, flag, sheet, source_row, source_column FROM raw."values"'
            " WHERE table_id = ?",
            [table_id],
        ).fetchall()


def members(dim_key: str) -> dict[str, str]:
    return dict(part.split("=") for part in dim_key.split(";"))


def province_home(root: Path, province: str) -> tuple[Home, Reference]:
    from salnameh.installation import initialise

    home = Home(root)
    reference = Reference(province=province)
    initialise(home, province, reference)
    return home, reference


def check_equals_census(values: list[tuple], reference: Reference, province: str) -> int:
    """Every value of pop_county_sex_age equal to the census; returns how many were compared."""
    from salnameh.persian import name_key

    expected = census_cells(province)
    places = Places(reference, "county", 1390)
    names = {g.code: name_key(g.name_fa) for g in places.expected if g.level == "county"}
    # The census CSV writes names as SCI does: match them to codes through the reference.
    by_key = {}
    for county, _a, _s in expected:
        found = places.match(county)
        assert found.code is not None, f"census county {county!r} not in the reference"
        by_key[county] = found.code
    wanted = {(by_key[c], a, s): n for (c, a, s), n in expected.items()}
    province_total = defaultdict(int)
    for (_code, a, s), n in wanted.items():
        province_total[(a, s)] += n
    for (a, s), n in province_total.items():
        wanted[(province, a, s)] = n
    got = {}
    for geo, key, value, flag, _sheet, _row, _col in values:
        m = members(key)
        got[(geo, m["age_group_5y"], m["sex"])] = value
        assert flag is None
    assert set(got) == set(wanted), (set(got) ^ set(wanted)) and sorted(set(got) ^ set(wanted))[:5]
    assert got == wanted
    assert set(names) == {code for code in by_key.values()}
    return len(got)


# ----------------------------------------------------------------------- Tehran, as a user
@pytest.mark.integration
def test_sci_workbook_is_accepted_in_a_tehran_home_with_no_other_option(tmp_path):
    home = tmp_path / "home"
    assert run_salnameh("init", home=home).returncode == 0
    result = run_salnameh("ingest", str(TEHRAN), "--table", "pop_county_sex_age", "--year",
                          "1390", "--json", home=home)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"verdict": "accepted"' in result.stdout
    values = raw_values(home, "pop_county_sex_age")
    n = check_equals_census(values, Reference(province="23"), "23")
    assert n == 15 * 23 * 3  # the province and 14 counties x age groups x sexes
    totals = {v[0]: v[2] for v in values if v[1] == "age_group_5y=total;sex=total"}
    assert totals["23"] == 12_183_391
    # Provenance: Rey's figures come from the sheet SCI named «رئ», cell by cell.
    rey = next(v for v in values if v[0] == "2303" and v[1] == "age_group_5y=0-4;sex=female")
    assert rey[4:] == ("رئ", 5, "D")
    assert rey[2] == read_cell(TEHRAN, "رئ", 5, "D")


def read_cell(path: Path, sheet: str, row: int, column: str) -> float:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return rows[row - 1][openpyxl.utils.column_index_from_string(column) - 1]


@pytest.mark.integration
def test_urban_rural_columns_map_onto_pop_sex_residence(tmp_path, catalog: Catalog):
    home, reference = province_home(tmp_path / "home", "23")
    outcome = Ingestor(home, catalog, reference).ingest(
        TEHRAN, table_id="pop_sex_residence", year=1390
    )
    assert outcome.verdict == "accepted", [p.en for p in outcome.errors]
    got = {tuple(members(v[1]).values()): v[2] for v in raw_values(home.root, "pop_sex_residence")}
    with RESIDENCE_1390.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sex = row["sex_en"]
            assert got[(sex, "total")] == int(row["total"])
            assert got[(sex, "urban")] == int(row["settled_urban"])
            assert got[(sex, "rural")] == int(row["settled_rural"])
            assert got[(sex, "nonsettled")] == int(row["non_settled"])


@pytest.mark.integration
def test_recipe_preview_records_nothing(tmp_path):
    home = tmp_path / "home"
    assert run_salnameh("init", home=home).returncode == 0
    recipe = RECIPES_DIR / "sci_census_population.yaml"
    result = run_salnameh("recipe", "preview", str(recipe), str(TEHRAN), "--table",
                          "pop_county_sex_age", "--year", "1390", home=home)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "12,183,391" in result.stdout  # the province's total, as mapped
    assert "رئ!B4" in result.stdout  # each value names its cell
    assert not (home / "warehouse.duckdb").exists() or not raw_values(home, "pop_county_sex_age")
    assert not list((home / "archive").rglob("*.*"))


# -------------------------------------------------------------- every province's workbook
@pytest.mark.integration
@pytest.mark.slow
def test_every_provinces_1390_workbook_equals_the_census(tmp_path, catalog: Catalog):
    """All 31 workbooks, each in its own province's installation."""
    compared = 0
    for path in sorted(WORKBOOKS.glob("census2011p*.xls")):
        province = path.stem[-2:]
        home, reference = province_home(tmp_path / province, province)
        outcome = Ingestor(home, catalog, reference).ingest(
            path, table_id="pop_county_sex_age", year=1390
        )
        assert outcome.verdict == "accepted", (province, [p.line() for p in outcome.errors][:5])
        compared += check_equals_census(raw_values(home.root, "pop_county_sex_age"), reference,
                                        province)  # fmt: skip
    n_counties = 397
    assert compared == (n_counties + 31) * 23 * 3


# -------------------------------------------------------------- another edition's layout
def as_xlsx(source: Path, target: Path, edit) -> Path:
    """The workbook written again as .xlsx, each sheet's rows passed through `edit`."""
    book = CalamineWorkbook.from_path(str(source))
    out = openpyxl.Workbook()
    out.remove(out.active)
    for name in book.sheet_names:
        new_name, rows = edit(name, [list(r) for r in book.get_sheet_by_name(name).to_python()])
        sheet = out.create_sheet(new_name)
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    out.save(target)
    return target


def next_edition(name: str, rows: list[list]) -> tuple[str, list[list]]:
    """What SCI's next edition changes: the county's code in the sheet name and the title,
    and the spacer columns elsewhere (one after the labels and one before the non-settled
    group, none after the total group)."""
    code = Places(Reference(province="23"), "county", 1390).match(name).code
    rows[0][0] = f"{rows[0][0]} - کد {code}"
    moved = []
    for row in rows:
        cells = [v for i, v in enumerate(row) if i != 4]  # the old spacer
        moved.append([cells[0], "", *cells[1:10], "", *cells[10:]])
    return f"{name} ({code})", moved


@pytest.mark.integration
def test_the_same_recipe_reads_another_editions_layout(tmp_path, catalog: Catalog):
    drifted = as_xlsx(TEHRAN, tmp_path / "census2011p23.xlsx", next_edition)
    home, reference = province_home(tmp_path / "home", "23")
    outcome = Ingestor(home, catalog, reference).ingest(drifted, table_id="pop_county_sex_age")
    assert outcome.verdict == "accepted", [p.line() for p in outcome.errors][:5]
    assert outcome.identity.year == 1390  # from the file's name, as the recipe reads it
    check_equals_census(raw_values(home.root, "pop_county_sex_age"), reference, "23")


def with_new_column(name, rows):
    for i, row in enumerate(rows):
        row.append(("سالمند" if i == 1 else "") if i < 3 else 5.0)
    return name, rows


def with_renamed_header(name, rows):
    rows[1][11] = "کوچ‌نشین"  # was «غير ساكن»
    return name, rows


def with_renamed_fingerprint_text(name, rows):
    rows[1][5] = "نقاط نیمه‌شهری"  # was «نقاط شهري», which every such workbook has
    return name, rows


def with_unknown_row(name, rows):
    rows[10][0] = "گروه سنی نو"
    return name, rows


@pytest.mark.integration
@pytest.mark.parametrize(
    ("edit", "code", "cell"),
    [
        (with_new_column, "recipe_unknown_column", ("O", 2)),
        (with_renamed_header, "recipe_unknown_column", ("L", 2)),
        (with_renamed_fingerprint_text, "recipe_layout_drifted", (None, None)),
        (with_unknown_row, "recipe_unknown_row", ("A", 11)),
    ],
)
def test_a_drifted_layout_is_refused_naming_sheet_and_cell(tmp_path, catalog, edit, code, cell):
    drifted = as_xlsx(TEHRAN, tmp_path / "census2011p23.xlsx", edit)
    home, reference = province_home(tmp_path / "home", "23")
    outcome = Ingestor(home, catalog, reference).ingest(drifted, table_id="pop_county_sex_age")
    assert outcome.verdict == "rejected"
    found = [p for p in outcome.errors if p.code == code]
    assert found, [p.line() for p in outcome.errors][:5]
    assert (found[0].column, found[0].row) == cell
    assert found[0].sheet == "اسلامشهر" and found[0].fa and found[0].en
    assert not raw_values(home.root, "pop_county_sex_age") if (
        home.warehouse_path.exists()) else True  # fmt: skip


# ---------------------------------------------------------------------- recipes in conflict
def test_two_recipes_fitting_one_file_are_refused_naming_both(tmp_path, catalog):
    shutil.copy(RECIPES_DIR / "sci_census_population.yaml", tmp_path / "a.yaml")
    text = (RECIPES_DIR / "sci_census_population.yaml").read_text(encoding="utf-8")
    copy = text.replace("id: sci_census_population", "id: sci_census_copy")
    (tmp_path / "b.yaml").write_text(copy, encoding="utf-8")
    recipes, problems = check_recipes(catalog, Reference(), tmp_path)
    assert not problems
    book = read_book(TEHRAN.read_bytes(), TEHRAN.name)
    with pytest.raises(Exception) as refused:
        choose_recipe(book, recipes)
    problem = refused.value.problems[0]
    assert problem.code == "several_recipes"
    assert "sci_census_population" in problem.en and "sci_census_copy" in problem.en


@pytest.mark.integration
def test_a_forced_recipe_that_maps_nothing_is_refused(tmp_path, catalog):
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["جدول", "سال"])
    book.active.append(["هیچ", 1])
    book.save(other)
    home, reference = province_home(tmp_path / "home", "23")
    ingestor = Ingestor(home, catalog, reference)
    recipe = ingestor.recipes[0]
    outcome = ingestor.ingest(other, table_id="pop_county_sex_age", year=1390, recipe=recipe)
    assert outcome.verdict == "rejected"
    assert {p.code for p in outcome.errors} & {"recipe_header_not_found", "recipe_mapped_nothing"}


@pytest.mark.integration
@pytest.mark.parametrize("damage", ["truncated", "encrypted"])
def test_a_damaged_legacy_workbook_gets_a_clear_refusal(tmp_path, catalog, damage):
    data = TEHRAN.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 3]
    else:  # an encrypted .xls carries this stream name in its directory
        data = data[:4096] + "EncryptedPackage".encode("utf-16-le") + data[4096:]
    path = tmp_path / "census2011p23.xls"
    path.write_bytes(data)
    home, reference = province_home(tmp_path / "home", "23")
    outcome = Ingestor(home, catalog, reference).ingest(path, table_id="pop_county_sex_age")
    assert outcome.verdict == "rejected"
    assert "internal_error" not in {p.code for p in outcome.errors}, outcome.errors
    assert all(p.fa and p.en for p in outcome.errors)


def test_shipped_recipes_are_checked(catalog):
    recipes, problems = read_recipes()
    assert not problems
    assert {r.id for r in recipes} >= {"sci_census_population"}
    assert check_recipes(catalog, Reference()) == (recipes, [])  # and against the catalog


def test_a_recipe_naming_an_unknown_member_is_reported(tmp_path, catalog):
    text = (RECIPES_DIR / "sci_census_population.yaml").read_text(encoding="utf-8")
    bad = text.replace("keep: {residence: total}", "keep: {residence: town}")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    _recipes, problems = check_recipes(catalog, Reference(), tmp_path)
    assert any(p.file == "bad.yaml" and "town" in p.message for p in problems)


@pytest.mark.integration
def test_a_drafted_recipe_names_what_it_could_not_map(tmp_path):
    home, out = tmp_path / "home", tmp_path / "draft.yaml"
    assert run_salnameh("init", home=home).returncode == 0
    result = run_salnameh("recipe", "draft", str(TEHRAN), "--table", "pop_county_sex_age",
                          "--year", "1390", "--out", str(out), home=home)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    drafted = yaml.safe_load(out.read_text(encoding="utf-8"))
    # What it can tell from the file alone: the place in the sheet names, the header's
    # rows as residence then sex, the age groups with «ساله» dropped and single years skipped.
    assert drafted["place"] == {"from": "sheet_name"}
    assert drafted["header"]["first"] == "سن"
    assert [lv["dimension"] for lv in drafted["header"]["levels"]] == ["residence", "sex"]
    assert drafted["rows"]["dimension"] == "age_group_5y" and drafted["rows"]["strip"] == ["ساله"]
    assert drafted["targets"]["pop_county_sex_age"]["keep"] == {"residence": "total"}
    # What it cannot: each such cell named, so a person knows what to write.
    assert "اسلامشهر!F2: «نقاط شهري»" in result.stdout
    assert "اسلامشهر!A4: «تمامی سنین»" in result.stdout
    assert "نامشخص" in drafted["rows"]["labels"]["?"]
    again = run_salnameh("recipe", "draft", str(TEHRAN), "--table", "pop_county_sex_age",
                         "--year", "1390", "--out", str(out), home=home)  # fmt: skip
    assert again.returncode == 2  # never overwrites


def test_drafting_from_a_file_with_no_table_is_refused(tmp_path):
    empty = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["یادداشت"])
    book.save(empty)
    result = run_salnameh("recipe", "draft", str(empty), "--table", "pop_county_sex_age",
                          "--year", "1390", "--out", str(tmp_path / "r.yaml"),
                          home=tmp_path / "home")  # fmt: skip
    assert result.returncode == 2
    assert "no row" in result.stderr


def test_a_catalog_without_the_recipes_tables_still_ingests(catalog):
    """A recipe whose tables a catalog lacks (a benchmark's own catalog) is left out of
    ingestion, not allowed to stop every file; `catalog check` reports it."""
    from salnameh.catalog import Catalog as CatalogOf
    from salnameh.recipes import usable_recipes

    others = {t: d for t, d in catalog.tables.items() if not t.startswith("pop_")}
    assert usable_recipes(CatalogOf(others, "x"), Reference()) == []
    assert [r.id for r in usable_recipes(catalog, Reference())] == ["sci_census_population"]
