"""The demo generator: real census figures, geography validity, agency habits, anomalies."""

import csv
from pathlib import Path

import openpyxl
import pytest

from app.demo.generate import generate_demo
from salnameh.persian import NumberFormatError, name_key, parse_cell

pytestmark = pytest.mark.integration

SUBSET = [
    "pop_county_sex_age",
    "pop_county_sex_estimate",
    "edu_students_county_level_sex",
    "cpi_urban_group",
]


@pytest.fixture(scope="module")
def demo(catalog, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "demo"
    result = generate_demo(catalog, folder, range(1390, 1403), seed=7, table_ids=SUBSET)
    return result


def manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_rows(path: Path, fmt: str) -> list[list[object]]:
    """A generated file's cells as rows, the way a reader that knows the encoding sees it."""
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    encoding = {"csv_cp1256": "cp1256", "csv_utf8_bom": "utf-8-sig", "csv_utf8": "utf-8"}[fmt]
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def row_labelled(rows, label: str) -> list[object]:
    return next(
        r for r in rows if r and isinstance(r[0], str) and name_key(r[0]) == name_key(label)
    )


def numbers(row) -> list[float]:
    """The numbers of a row, after its label cells (county, age group, ...)."""
    found = []
    for value in row[1:]:
        try:
            number, _flag = parse_cell(value)
        except NumberFormatError:
            continue  # a label such as جمع
        if number is not None:
            found.append(number)
    return found


def entry(demo, table_id: str, year: int) -> dict[str, str]:
    return next(
        m for m in manifest(demo.folder) if m["table_id"] == table_id and m["year"] == str(year)
    )


@pytest.mark.parametrize(("year", "total", "male", "female"), [
    (1390, 12183391, 6137993, 6045398),
    (1395, 13267637, 6673672, 6593965),
])  # fmt: skip
def test_census_years_carry_the_published_province_totals(demo, year, total, male, female):
    found = entry(demo, "pop_county_sex_age", year)
    rows = read_rows(demo.folder / found["path"], found["format"])
    province = row_labelled(rows, "کل استان")
    assert numbers(province)[:3] == [total, male, female]


def test_census_tables_exist_only_in_census_years(demo):
    years = {m["year"] for m in manifest(demo.folder) if m["table_id"] == "pop_county_sex_age"}
    assert years == {"1390", "1395"}


def test_no_pardis_or_qarchak_before_1391(demo):
    for m in manifest(demo.folder):
        rows = read_rows(demo.folder / m["path"], m["format"])
        labels = {name_key(str(r[0])) for r in rows if r and r[0]}
        has_new = {name_key("پردیس"), name_key("قرچک")} & labels
        if int(m["year"]) < 1391:
            assert not has_new, m["path"]
        elif m["table_id"] == "pop_county_sex_estimate":
            assert has_new, m["path"]


def test_estimates_between_censuses_are_plausible(demo):
    totals = {}
    for year in range(1390, 1403):
        found = entry(demo, "pop_county_sex_estimate", year)
        rows = read_rows(demo.folder / found["path"], found["format"])
        totals[year] = numbers(row_labelled(rows, "کل استان"))[0]
    assert totals[1390] == 12183391 and totals[1395] == 13267637
    for year in range(1391, 1403):
        assert 1.0 < totals[year] / totals[year - 1] < 1.03, year


def test_files_come_in_the_agencies_habits(demo):
    entries = manifest(demo.folder)
    assert {m["format"] for m in entries} >= {"xlsx", "csv_cp1256", "csv_utf8_bom"}
    for m in entries:
        raw = (demo.folder / m["path"]).read_bytes()
        if m["format"] == "csv_utf8_bom":
            assert raw.startswith(b"\xef\xbb\xbf")
        if m["format"] == "csv_cp1256":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert "ي" in raw.decode("cp1256")  # Windows-1256 has no Persian yeh
    assert any(m["persian_digits"] == "True" for m in entries)
    assert any(m["title_rows"] == "True" for m in entries)


def test_same_seed_gives_the_same_files(catalog, demo, tmp_path):
    again = generate_demo(catalog, tmp_path / "again", range(1390, 1403), seed=7, table_ids=SUBSET)
    first = {m["path"]: m["sha256"] for m in manifest(demo.folder)}
    second = {m["path"]: m["sha256"] for m in manifest(again.folder)}
    assert first == second


def test_planted_anomalies_are_listed_and_really_planted(demo):
    with (demo.folder / "anomalies.csv").open(encoding="utf-8") as handle:
        planted = list(csv.DictReader(handle))
    assert planted, "the generator should plant anomalies"
    kinds = {p["kind"] for p in planted}
    assert kinds <= {"unit_slip_x1000", "collapse", "broken_total", "missing_county"}
    for p in planted:
        assert p["table_id"] == "edu_students_county_level_sex"  # the only records table here
        assert p["note_en"] and p["note_fa"]
        found = entry(demo, p["table_id"], int(p["year"]))
        rows = read_rows(demo.folder / found["path"], found["format"])
        province = numbers(row_labelled(rows, "کل استان"))[0]
        counties = [
            numbers(r)[0]
            for r in rows
            if r and isinstance(r[0], str) and r[0].strip() and numbers(r)
            and name_key(r[0]) != name_key("کل استان")
        ]  # fmt: skip
        if p["kind"] in ("broken_total", "missing_county"):
            assert abs(province - sum(counties)) > 0.01 * province, p
        else:
            assert province == sum(counties), p


def test_a_failed_generation_leaves_the_previous_set(catalog, demo, tmp_path, monkeypatch):
    import app.demo.generate as generate

    folder = tmp_path / "kept"
    generate_demo(catalog, folder, [1395], seed=7, table_ids=["cpi_urban_group"])
    before = (folder / "manifest.csv").read_bytes()

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(generate, "write_agency_file", crash)
    with pytest.raises(OSError):
        generate_demo(catalog, folder, [1396], seed=7, table_ids=["cpi_urban_group"])
    assert (folder / "manifest.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".demo-")]


def test_cross_table_identities_hold_in_the_demo(catalog):
    from app.demo.figures import CubeBuilder, grand_total
    from salnameh.reference import Reference

    builder = CubeBuilder(Reference(), 7, list(catalog))
    checked = 0
    for table in catalog:
        for rule in (r for r in table.rules if r.kind == "equals_table"):
            other = catalog.table(rule.other_table)
            for year in (1395, 1401):
                if not (table.published_in(year) and other.published_in(year)):
                    continue
                mine = grand_total(builder.build(table, year), rule.measures[0])
                theirs = grand_total(builder.build(other, year), rule.other_measure)
                assert mine == theirs, (table.id, rule.other_table, year)
                checked += 1
    assert checked >= 4
