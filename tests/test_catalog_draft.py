"""Drafting a declaration from a printed yearbook table (`salnameh catalog draft`).

The round trip: every table of the catalog is written as Salnameh's yearbook workbook
prints it (publishing.workbook.write_workbook, the function `salnameh export` uses, fed
with the demo generator's figures, which satisfy every declared identity), then each
sheet is drafted back and compared with the declaration it was printed from.

"Equivalent" means a person would accept the draft unchanged apart from what the printed
sheet cannot show. Compared: chapter, number, titles (fa and en), agency (from the
«مأخذ» line), the table's unit (the one the title line prints when every measure shares
it), geography, each dimension's code list, axis and members (a declared subset, or the
whole list), the measures' count, titles and types, each measure's unit where the draft
decided one, the Persian footnotes, and the rule kinds (parts_sum_to_total with its
dimension, counties_sum_to_province, measures_sum).

Left out, because one printed sheet does not carry them: table and measure ids;
`equals_table` rules (they name another table); bounds other than min 0, `decimals`,
tolerances and the measures a rule is limited to; demo hints; source, period, years,
follows and geography_definition (guessed and reported); the footnotes' English; and a
measure's unit where the measures of a table have different units (the workbook prints
no unit then: the draft leaves `unit: TODO` and reports it, never a guess). A decimal
measure declared with 0 decimals prints as whole numbers and drafts as an integer:
the one known difference, listed in KNOWN_DIFFERENCES.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from app.demo.figures import CubeBuilder
from ingestion.drafting import DraftInputError, draft_declaration
from publishing.edition import Edition
from publishing.workbook import CONTENTS, sheet_name, write_workbook
from salnameh.catalog_check import check_catalog
from salnameh.declarations import Problem, TableDecl, parse_table
from salnameh.persian import canonical_text
from salnameh.reference import Reference
from salnameh.settings import REFERENCE_DIR
from tests.conftest import run_salnameh

# Table id -> what differs, and why it cannot be told from the printed sheet.
KNOWN_DIFFERENCES = {
    # `area` is a decimal declared with 0 decimals: printed as whole hectares.
    "protected_areas_type": {"measures"},
}


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="module")
def yearbooks(catalog, reference, tmp_path_factory) -> dict[str, Path]:
    """Table id -> the yearbook workbook that prints it: one workbook per reference year,
    each table in the latest year it is published in up to 1401."""
    folder = tmp_path_factory.mktemp("yearbooks")
    builder = CubeBuilder(reference, 1402, list(catalog))
    by_year: dict[int, list[TableDecl]] = {}
    for table in catalog:
        year = 1401 if table.published_in(1401) else max(table.years)
        by_year.setdefault(year, []).append(table)
    books = {}
    for year, tables in by_year.items():
        values = pd.DataFrame([row for t in tables for row in _printed_values(builder, t, year)])
        edition = Edition(year, 1, "", [t.id for t in tables])
        path = folder / f"yearbook-{year}-edition-1.xlsx"
        write_workbook(values, edition, catalog, reference, path)
        books |= {t.id: path for t in tables}
    return books


def _printed_values(builder: CubeBuilder, table: TableDecl, year: int):
    """The edition's value rows (as publishing.edition loads them) for one table-year."""
    cube = builder.build(table, year)
    for (geo, codes, measure), value in cube.values.items():
        dim_key = ";".join(
            f"{d.code_list}={c}" for d, c in zip(table.dimensions, codes, strict=True)
        )
        yield {
            "table_id": table.id,
            "geo_code": geo,
            "dim_key": dim_key,
            "measure_id": measure,
            "value": value,
            "flag": cube.flags.get((geo, codes, measure)),
            "decimals": table.measure(measure).decimals,
        }


@pytest.fixture(scope="module")
def drafts(catalog, yearbooks, reference):
    """Table id -> (its draft, the declaration read back from the draft's YAML)."""
    found = {}
    for table in catalog:
        out = Path(f"{table.id}.yaml")  # as `--out <id>.yaml` names it
        draft = draft_declaration(yearbooks[table.id], sheet_name(table.number), reference, out=out)
        problems: list[Problem] = []
        data = yaml.safe_load(draft.yaml_text)
        read = parse_table(data, Path(f"{draft.table_id}.yaml"), problems)
        assert read is not None, (table.id, problems, draft.yaml_text)
        found[table.id] = (draft, read)
    return found


def _printed_unit(table: TableDecl) -> str | None:
    """The unit of every measure, if they share one (the workbook prints it then)."""
    units = {m.unit for m in table.measures}
    return units.pop() if len(units) == 1 and units != {"TODO"} else None


def _dimensions(table: TableDecl, reference: Reference, axis: str) -> list:
    return [
        (d.code_list, d.members or tuple(c.code for c in reference.code_lists[d.code_list]))
        for d in table.dimensions
        if d.axis == axis
    ]


def shape(table: TableDecl, reference: Reference) -> dict:
    """What a printed sheet shows of a declaration (see the module's docstring)."""
    return {
        "chapter": table.chapter,
        "number": table.number,
        "title": (canonical_text(table.title.fa), canonical_text(table.title.en)),
        "agency": table.agency,
        "unit": _printed_unit(table),
        "geography": table.geography,
        "row_dimensions": _dimensions(table, reference, "row"),
        "column_dimensions": _dimensions(table, reference, "column"),
        "measures": [
            (canonical_text(m.title.fa), canonical_text(m.title.en), m.type) for m in table.measures
        ],
        "footnotes": [canonical_text(f.fa) for f in table.footnotes],
        "rules": {(r.kind, r.dimension) for r in table.rules if r.kind != "equals_table"},
    }


def differences(original: TableDecl, drafted: TableDecl, reference: Reference) -> dict:
    want, got = shape(original, reference), shape(drafted, reference)
    found = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
    units = [
        (m.title.en, m.unit, d.unit)
        for m, d in zip(original.measures, drafted.measures, strict=False)
        if d.unit not in (m.unit, "TODO")
    ]
    if units:
        found["measure_units"] = units
    return found


def test_every_sheet_of_the_yearbook_drafts_to_its_declaration(catalog, drafts, reference):
    different = {}
    for table in catalog:
        _draft, read = drafts[table.id]
        found = differences(table, read, reference)
        if found:
            different[table.id] = found
    assert len(drafts) == len(catalog) >= 60
    assert {k: set(v) for k, v in different.items()} == KNOWN_DIFFERENCES, different


def test_a_unit_the_sheet_does_not_print_is_left_open_and_reported(catalog, drafts):
    hotels, _read = drafts["hotels_rooms_beds_grade"]
    assert "unit: room" in hotels.yaml_text and "unit: bed" in hotels.yaml_text  # named
    crops, read = drafts["crop_area_production_county"]
    assert {m.unit for m in read.measures} == {"TODO"}
    open_units = [f for f in crops.undecided if f.code == "no_unit"]
    assert [f"{f.column}{f.row}" for f in open_units] == ["C5", "D5", "E5", "F5"]
    assert all("واحد" in f.fa and "unit" in f.en for f in open_units)


def test_drafts_pass_the_catalog_check_but_for_what_they_leave_open(drafts, tmp_path):
    folder = tmp_path / "catalog"
    folder.mkdir()
    for draft, _read in drafts.values():
        (folder / f"{draft.table_id}.yaml").write_text(draft.yaml_text, encoding="utf-8")
    tables, problems = check_catalog(folder, REFERENCE_DIR)
    assert len(tables) == len(drafts)
    assert problems and all("'TODO'" in p.message for p in problems), problems
    assert {p.field.split(".")[-1] for p in problems} == {"unit"}


def test_subsets_and_measure_sums_come_back(drafts, reference):
    _draft, water = drafts["urban_water_subscribers_sold_county"]
    (consumers,) = water.dimensions
    declared = ("total", "residential", "commercial", "industrial", "public", "other")
    assert consumers.members == declared
    assert len(consumers.members) < len(reference.code_lists["consumer_type"])
    _draft, households = drafts["hh_expenditure_group_residence"]
    assert households.dimension("residence").members == ("urban", "rural")
    _draft, bank = drafts["bank_deposits_facilities"]
    (total,) = [r for r in bank.rules if r.kind == "measures_sum"]
    assert total.total == "deposits_total" and len(total.parts) == 4


def test_without_an_id_or_file_name_the_id_comes_from_the_english_title(yearbooks, reference):
    draft = draft_declaration(yearbooks["hotels_rooms_beds_grade"], "جدول 11-2", reference)
    assert draft.table_id == "hotels_and_guesthouses_rooms_and_beds_by_grade"


def test_a_missing_sheet_names_the_sheets_there_are(yearbooks, reference):
    with pytest.raises(DraftInputError) as raised:
        draft_declaration(yearbooks["pop_county_sex_age"], "جدول 99-1", reference)
    assert "جدول 99-1" in raised.value.en and "'جدول 3-2'" in raised.value.en
    assert "برگه" in raised.value.fa


def test_a_sheet_with_no_table_is_refused(yearbooks, reference):
    with pytest.raises(DraftInputError) as raised:
        draft_declaration(yearbooks["pop_county_sex_age"], CONTENTS, reference)
    assert "holds no table" in raised.value.en and "جدولی" in raised.value.fa


def handmade_workbook(path: Path) -> Path:
    """An office's own layout: Persian digits, a unit line, a header merged over two
    levels, a «جمع» row first, a row dimension no code list holds, notes below."""
    book = Workbook()
    sheet = book.active
    sheet.title = "کارکنان"
    sheet["A1"] = "جدول ۸-۹ - کارکنان کارگاه‌های صنعتی برحسب اندازه کارگاه و جنس"
    sheet.merge_cells("A1:D1")
    sheet["A2"] = "Table 8-9 Employees of industrial workshops by size and sex"
    sheet["A3"] = "سال ۱۴۰۱ - واحد: نفر"
    sheet["A5"], sheet["B5"] = "اندازه کارگاه", "کارکنان"
    sheet.merge_cells("A5:A6")
    sheet.merge_cells("B5:D5")
    sheet["B6"], sheet["C6"], sheet["D6"] = "جمع", "مرد", "زن"
    rows = [
        ("جمع", "۱۶٬۰۰۰", 9000, 7000),
        ("كوچك", 6000, 3500, 2500),  # Arabic kaf: still no list holds it
        ("متوسط", 5000, 2500, 2500),
        ("بزرگ", 5000, 3000, 2000),
    ]
    for n, row in enumerate(rows, start=7):
        for col, value in enumerate(row, start=1):
            sheet.cell(n, col, value)
    sheet["A12"] = "مأخذ: مرکز آمار ایران"
    sheet["A13"] = "توضیح: کارگاه‌های ۱۰ نفر کارکن و بیشتر."
    book.save(path)
    return path


def test_a_label_set_no_code_list_holds_becomes_a_proposed_list(tmp_path, reference):
    path = handmade_workbook(tmp_path / "office.xlsx")
    draft = draft_declaration(path, "کارکنان", reference, out=tmp_path / "workshop_staff.yaml")
    data = yaml.safe_load(draft.yaml_text)
    assert (data["id"], data["chapter"], data["number"]) == ("workshop_staff", 8, "8-9")
    assert data["title"]["en"] == "Employees of industrial workshops by size and sex"
    assert (data["unit"], data["agency"], data["geography"]) == ("person", "sci", "province")
    assert data["measures"][0]["title"]["fa"] == "کارکنان"
    (proposed,) = draft.proposed_lists
    assert data["dimensions"] == [
        {"code_list": proposed, "axis": "row"},
        {"code_list": "sex", "axis": "column"},
    ]
    kinds = {(r["rule"], r.get("dimension")) for r in data["rules"]}
    assert kinds == {("parts_sum_to_total", "sex"), ("parts_sum_to_total", proposed)}
    assert data["footnotes"][0]["fa"] == "کارگاه‌های ۱۰ نفر کارکن و بیشتر."
    (finding,) = [f for f in draft.undecided if f.code == "no_code_list"]
    assert (finding.sheet, finding.column, finding.row) == ("کارکنان", "A", 7)
    assert proposed in finding.en and proposed in finding.fa
    assert f"#   {proposed},total,0,جمع" in draft.yaml_text  # the seed rows to add
    assert "PROPOSED" in draft.yaml_text


def test_county_names_match_however_they_are_spelled(tmp_path, reference):
    book = Workbook()
    sheet = book.active
    sheet.title = "T"
    sheet["A1"] = "جدول ۱۷-۹ - مدارس به تفکیک شهرستان (واحد)"  # no unit named «واحد»
    sheet["A3"], sheet["B3"] = "شهرستان", "مدرسه"
    counties = reference.table_geos("county", 1401)[1:]
    names = [g.name_fa.replace("ی", "ي").replace("ک", "ك") for g in counties]  # Arabic letters
    sheet.append(["کل استان", 10 * len(names)])
    for name in names:
        sheet.append([name, 10])
    path = tmp_path / "schools.xlsx"
    book.save(path)
    draft = draft_declaration(path, "T", reference, "schools")
    data = yaml.safe_load(draft.yaml_text)
    assert data["geography"] == "county"
    assert data["rules"] == [{"rule": "counties_sum_to_province"}]
    assert {f.code for f in draft.undecided} >= {"no_agency", "no_english_title", "no_unit"}


@pytest.mark.integration
def test_the_command_writes_the_draft_and_exits_2_on_bad_input(yearbooks, tmp_path):
    book = yearbooks["edu_students_county_level_sex"]
    out = tmp_path / "drafts" / "students.yaml"
    drafted = run_salnameh("catalog", "draft", str(book), "--sheet", "جدول 17-3", "--out", str(out))
    assert drafted.returncode == 0, drafted.stderr
    assert "code_list: school_level" in out.read_text(encoding="utf-8")
    assert "'جدول 17-3'!A3" in drafted.stdout and "guessed" in drafted.stdout
    again = run_salnameh("catalog", "draft", str(book), "--sheet", "جدول 17-3", "--out", str(out))
    assert again.returncode == 2 and "exists" in again.stderr
    missing = run_salnameh(
        "catalog",
        "draft",
        str(tmp_path / "none.xlsx"),
        "--sheet",
        "x",
        "--out",
        str(tmp_path / "x.yaml"),
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr
    copy = shutil.copy(book, tmp_path / "copy.xlsx")
    no_sheet = run_salnameh(
        "catalog", "draft", str(copy), "--sheet", "جدول 99-9", "--out", str(tmp_path / "y.yaml")
    )
    assert no_sheet.returncode == 2 and "no sheet" in no_sheet.stderr
