"""The Excel forms: filled exactly as generated, every one of them is accepted."""

import subprocess

import openpyxl
import pytest

from app.demo.figures import CubeBuilder
from ingestion.ingest import Ingestor
from salnameh.forms import DATA_SHEET, METADATA_SHEET, build_form
from salnameh.persian import FLAG_SYMBOL
from salnameh.reference import Reference
from salnameh.settings import home
from tests.conftest import run_salnameh
from tests.test_libreoffice import soffice  # noqa: F401 (the fixture)

pytestmark = pytest.mark.integration


def fill(book, form, cube) -> None:
    """Type the cube's figures into the form's value cells, as a liaison would."""
    sheet = book[DATA_SHEET]
    for key, (row, col) in form.cells.items():
        if key in cube.flags:
            sheet.cell(row, col, FLAG_SYMBOL[cube.flags[key]])
        else:
            sheet.cell(row, col, cube.values.get(key, "-"))


def first_year(table) -> int:
    return next(y for y in range(1392, 1403) if table.published_in(y))


def test_every_form_filled_as_generated_is_accepted(catalog, tmp_path):
    reference = Reference()
    builder = CubeBuilder(reference, 1402, list(catalog))
    ingestor = Ingestor(home(tmp_path / "home"), catalog, reference)
    refused = []
    with ingestor.batch():
        for table in catalog:
            year = first_year(table)
            book, form = build_form(table, year, reference, catalog.version)
            fill(book, form, builder.build(table, year))
            path = tmp_path / f"{table.id}.xlsx"
            book.save(path)
            outcome = ingestor.ingest(path)
            if outcome.verdict != "accepted" or outcome.identity.source != "form":
                refused.append((table.id, [p.en for p in outcome.errors[:2]]))
    assert refused == []


def test_a_form_is_right_to_left_locked_validated_and_knows_its_table(catalog):
    reference = Reference()
    table = catalog.table("edu_students_county_level_sex")
    book, form = build_form(table, 1390, reference, catalog.version)
    sheet = book[DATA_SHEET]
    assert sheet.sheet_view.rightToLeft and sheet.protection.sheet
    meta = book[METADATA_SHEET]
    assert meta.sheet_state == "hidden"
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 5)} == {
        "table_id": table.id, "year": 1390, "agency": "education",
        "catalog_version": catalog.version,
    }  # fmt: skip
    value_cells = set(form.cells.values())
    unlocked = {(c.row, c.column) for row in sheet.iter_rows() for c in row
                if not c.protection.locked}  # fmt: skip
    assert unlocked == value_cells
    # 14 counties in 1390 (no Pardis, no Qarchak) plus the province, each school level x sex.
    places = {geo for geo, _members, _measure in form.cells}
    assert len(places) == 15 and "2320" not in places
    validations = sheet.data_validations.dataValidation
    assert validations and "X" not in validations[0].formula1
    assert '"..."' in validations[0].formula1 and ">=0" in validations[0].formula1
    header = sheet.cell(5, 2).value
    assert "\n(" in header  # Persian, with the English beneath
    _, form_1391 = build_form(table, 1391, reference, catalog.version)
    assert "2320" in {geo for geo, _m, _s in form_1391.cells}


def test_templates_command_writes_each_agencys_forms(tmp_path):
    done = run_salnameh("templates", "--year", "1402", "--agency", "post", "--out",
                        str(tmp_path / "forms"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "forms" / "post").iterdir())
    assert written == [
        "post_items_type.xlsx",
        "post_units_county.xlsx",
        "rural_ict_county.xlsx",
    ]
    bad = run_salnameh("templates", "--year", "1402", "--agency", "nobody", "--out", "x")
    assert bad.returncode == 2 and "no agency" in bad.stderr


def test_a_form_opens_in_libreoffice(soffice, catalog, tmp_path):  # noqa: F811
    book, _form = build_form(catalog.table("post_units_county"), 1402, Reference(),
                             catalog.version)  # fmt: skip
    source = tmp_path / "post_units_county.xlsx"
    book.save(source)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
         str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = (tmp_path / "out" / "post_units_county.csv").read_text(encoding="utf-8")
    assert "جدول" in text and "کل استان" in text and "پردیس" in text
    assert openpyxl.load_workbook(source).sheetnames[0] == DATA_SHEET


def test_every_forms_validation_message_reads_in_each_language(catalog):
    """Issue 19: 39 of 59 forms showed «بین ۰ و ۳e+۰۶» (a bound in scientific notation, Persian
    digits spliced in). Every bound now reads as people write it: Persian digits with ٬ in
    the Persian half, Latin digits with commas in the English half, plain digits in the
    formula Excel evaluates."""
    reference = Reference()
    latin = set("0123456789")
    big_bounds = 0
    for table in catalog:
        book, _form = build_form(table, first_year(table), reference, catalog.version)
        for rule in book[DATA_SHEET].data_validations.dataValidation:
            persian, _, english = rule.error.partition("\n")
            assert "e+" not in rule.error.lower() and "e+" not in rule.formula1.lower(), (
                table.id, rule.error, rule.formula1)
            assert not latin & set(persian), (table.id, persian)
            big_bounds += "٬" in persian
            if "٬" in persian:
                assert "," in english, (table.id, english)
    assert big_bounds >= 10  # millions and thousands do occur among the bounds
