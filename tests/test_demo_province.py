"""The demo of a province other than the default installation's, from its real census.

Two small provinces: Qom (25), one county, whose files carry no "missing county" plant,
generated and ingested for a few tables here; and Semnan (20), whose Aradan, Meyami and
Sorkheh split off between the censuses, as the session's second demo home (conftest's
province_demo_home: `salnameh demo --province 20 --ingest --table ...` and `salnameh build`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from app.demo import census
from app.demo.figures import CubeBuilder, grand_total, hints_scale
from app.demo.population import county_population
from ingestion.places import Places
from salnameh.reference import Reference
from salnameh.settings import DEFAULT_PROVINCE, PROJECT_ROOT
from tests.conftest import run_salnameh
from tests.shared_homes import PROVINCE_DEMO_TABLES, SECOND_PROVINCE
from tests.test_demo_data import manifest, numbers, read_rows

NATIONAL = PROJECT_ROOT / "data" / "census" / "national"
QOM = "25"
TABLES = [t for t in PROVINCE_DEMO_TABLES if t != "health_hospitals_beds_county"]


def national_census(province: str, year: int) -> dict[str, tuple[int, int]]:
    """Place code -> (male, female) from the national census file, read here on its own:
    1395 by county code, 1390 by county name matched through the province's Places."""
    reference = Reference(province=province)
    places = Places(reference, "county", year)
    name = f"iran_census{year}_pop_by_province_county_sex_agegroup.csv"
    totals: dict[str, tuple[int, int]] = {}
    with (NATIONAL / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["province_code"] != province:
                continue
            code = row.get("county_code") or places.match(row["county_name"]).code
            assert code is not None, row["county_name"]
            for key in (code, province):
                male, female = totals.get(key, (0, 0))
                totals[key] = (male + int(row["male"]), female + int(row["female"]))
    return totals


def file_of(folder: Path, table_id: str, year: int) -> tuple[Path, str]:
    found = next(
        m for m in manifest(folder) if m["table_id"] == table_id and m["year"] == str(year)
    )
    return folder / found["path"], found["format"]


def labelled_figures(path: Path, fmt: str, places: Places) -> dict[str, list[float]]:
    """Place code -> the figures of the first row naming it (the row of its totals)."""
    found: dict[str, list[float]] = {}
    for row in read_rows(path, fmt):
        if row and isinstance(row[0], str) and row[0].strip() and numbers(row):
            code = places.match(row[0]).code
            assert code is not None, f"{path.name}: {row[0]!r} is no place of the year"
            found.setdefault(code, numbers(row))
    return found


@pytest.fixture(scope="module")
def qom_home(tmp_path_factory) -> Path:
    """Qom's demo of TABLES, generated and ingested with the verdicts checked."""
    root = tmp_path_factory.mktemp("qom") / "home"
    done = run_salnameh("demo", "--province", QOM, "--ingest",
                        *[f"--table={t}" for t in TABLES], home=root)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root


# ------------------------------------------------------------------ census figures


@pytest.mark.unit
def test_every_provinces_1390_census_names_match_its_counties_of_1390():
    for province in Reference().provinces:
        reference = Reference(province=province)
        expected = {g.code for g in reference.geography_in(1390, "county")}
        for year in (1390, 1395):
            counties = {c for c, _sex in census.population_by_county_sex(province, year)}
            assert counties == {g.code for g in reference.geography_in(year, "county")}
        assert {c for c, _sex in census.population_by_county_sex(province, 1390)} == expected


@pytest.mark.unit
def test_estimates_cover_every_county_of_every_year_in_every_province():
    for province in Reference().provinces:
        reference = Reference(province=province)
        for year in range(1390, 1403):
            codes = {c for c, _sex in county_population(province, year)}
            assert codes == {g.code for g in reference.geography_in(year, "county")}
        for year in census.CENSUS_YEARS:
            assert county_population(province, year) == census.population_by_county_sex(
                province, year
            )


@pytest.mark.unit
def test_residence_in_1390_comes_from_scis_workbook_and_adds_up_to_the_census():
    for province in (QOM, SECOND_PROVINCE, "01"):
        residence = census.population_by_sex_residence_1390(province)
        for sex in ("male", "female"):
            counted = sum(v for (s, _r), v in residence.items() if s == sex)
            county = census.population_by_county_sex(province, 1390)
            assert counted == sum(v for (_c, s), v in county.items() if s == sex), province
    assert census.population_by_sex_residence_1390(QOM)[("male", "rural")] == 30526


@pytest.mark.unit
def test_hinted_totals_are_scaled_to_the_province_and_rates_are_not(catalog):
    assert hints_scale(DEFAULT_PROVINCE) == 1.0
    scale = hints_scale(QOM)
    assert scale == pytest.approx(1292283 / 13267637)
    tehran = CubeBuilder(Reference(), 7, list(catalog))
    qom = CubeBuilder(Reference(province=QOM), 7, list(catalog))
    students = catalog.table("edu_students_county_level_sex")
    ratio = grand_total(qom.build(students, 1399), "students") / grand_total(
        tehran.build(students, 1399), "students"
    )
    assert ratio == pytest.approx(scale, rel=1e-4)
    cpi = catalog.table("cpi_urban_group")
    assert grand_total(qom.build(cpi, 1399), "index") == grand_total(
        tehran.build(cpi, 1399), "index"
    )


@pytest.mark.unit
def test_agencies_are_named_for_the_province():
    gilan, tehran = Reference(province="01").agencies, Reference().agencies
    assert gilan["education"].name_fa == "اداره کل آموزش و پرورش استان گیلان"
    assert gilan["education"].name_en.startswith("Gilan Province ")
    assert gilan["governorate"].name_fa == "استانداری گیلان"
    assert gilan["stock_exchange"] == tehran["stock_exchange"]  # a national body
    assert gilan["municipality"].name_fa == "شهرداری رشت"  # the centre city's
    assert gilan["irib"].name_en == "IRIB Gilan Centre"
    assert tehran["municipality"].name_en == "Tehran Municipality"
    assert tehran["education"].name_fa.endswith(Reference().province_names.short_fa)


# ------------------------------------------------------------------ Qom: one county


@pytest.mark.integration
@pytest.mark.parametrize("year", census.CENSUS_YEARS)
def test_qoms_population_tables_are_its_census(qom_home, year):
    folder = qom_home / "demo"
    places = Places(Reference(province=QOM), "county", year)
    found = labelled_figures(*file_of(folder, "pop_county_sex_age", year), places)
    census_figures = national_census(QOM, year)
    assert set(found) == set(census_figures) == {QOM, "2501"}
    for code, (male, female) in census_figures.items():
        assert found[code][:3] == [male + female, male, female], code
    estimate = labelled_figures(*file_of(folder, "pop_county_sex_estimate", year), places)
    assert estimate[QOM][:3] == found[QOM][:3]


@pytest.mark.integration
def test_qoms_plan_has_no_missing_county_and_every_verdict_held(qom_home):
    with (qom_home / "demo" / "anomalies.csv").open(encoding="utf-8") as handle:
        planted = list(csv.DictReader(handle))
    kinds = {p["kind"] for p in planted}
    assert "missing_county" not in kinds and {"unit_slip_x1000", "broken_total"} <= kinds
    assert all(p["geo_code"] in {QOM, "2501"} for p in planted)
    assert {p["table_id"] for p in planted} <= set(TABLES)
    # `demo --ingest` exits 1 if a verdict differs from the plan: its exit 0 is the check.


@pytest.mark.integration
def test_qoms_files_name_only_its_county(qom_home):
    check_files_name_only_the_provinces_counties(qom_home / "demo", QOM, TABLES)


# ------------------------------------------------------------------ Semnan: the second home


def check_files_name_only_the_provinces_counties(folder: Path, province: str, tables) -> None:
    """Every place a file's rows name is the province or one of its counties of that year,
    all of them there but a county planted as missing."""
    reference = Reference(province=province)
    with (folder / "anomalies.csv").open(encoding="utf-8") as handle:
        missing = {(r["table_id"], int(r["year"])): r["geo_code"] for r in csv.DictReader(handle)
                   if r["kind"] == "missing_county"}  # fmt: skip
    checked = 0
    for entry in manifest(folder):
        table_id, year = entry["table_id"], int(entry["year"])
        if table_id not in tables:
            continue
        geography = "county" if table_id != "pop_sex_residence" else "province"
        places = Places(reference, geography, year)
        found = set(labelled_figures(folder / entry["path"], entry["format"], places))
        expected = {g.code for g in reference.table_geos(geography, year)}
        expected.discard(missing.get((table_id, year)))
        assert found == expected, (entry["path"], found ^ expected)
        checked += 1
    assert checked >= len(tables) * 2


@pytest.mark.integration
@pytest.mark.parametrize("year", census.CENSUS_YEARS)
def test_second_provinces_population_tables_are_its_census(province_demo_home, year):
    folder = province_demo_home.root / "demo"
    places = Places(Reference(province=SECOND_PROVINCE), "county", year)
    found = labelled_figures(*file_of(folder, "pop_county_sex_age", year), places)
    census_figures = national_census(SECOND_PROVINCE, year)
    assert set(found) == set(census_figures)
    for code, (male, female) in census_figures.items():
        assert found[code][:3] == [male + female, male, female], code


@pytest.mark.integration
def test_second_provinces_files_name_only_its_counties_of_the_year(province_demo_home):
    check_files_name_only_the_provinces_counties(
        province_demo_home.root / "demo", SECOND_PROVINCE, TABLES
    )


@pytest.mark.integration
def test_second_provinces_demo_ingests_as_planned_and_builds(province_demo_home):
    out = province_demo_home.demo.stdout
    assert "province 20 (Semnan Province)" in out
    assert "rejected as planted" in out and "verdicts that differ" not in out
    assert "tests passed" in province_demo_home.build.stdout
    warehouse = province_demo_home.root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        anchors = dict(con.execute(
            "SELECT year, value FROM marts.fct_indicator_series WHERE indicator_id = ? "
            "AND geo_code = ? AND basis = 'as_published' AND year IN (1390, 1395)",
            ["pop_county_sex_age.population[age_group_5y=total;sex=total]", SECOND_PROVINCE],
        ).fetchall())  # fmt: skip
        places = con.execute("SELECT DISTINCT geo_code FROM marts.fct_observations").fetchall()
    assert anchors == {1390: 631218, 1395: 702360}
    assert {code[:2] for (code,) in places} == {SECOND_PROVINCE}


@pytest.mark.integration
def test_per_capita_figures_divide_by_the_census_population_of_the_same_place(
    province_demo_home,
):
    """The catalog's `per_capita` (hospital beds per person): the value over the census
    population of the same place, year, version and basis; none in a year without a census.
    On the latest figures: a census year's file the demo returned is in no edition."""
    warehouse = province_demo_home.root / "warehouse.duckdb"
    population = "pop_county_sex_age.population[age_group_5y=total;sex=total]"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT s.year, s.geo_code, s.value, s.per_capita, p.value"
            " FROM marts.fct_indicator_series AS s"
            " LEFT JOIN marts.fct_indicator_series AS p ON p.indicator_id = ?"
            " AND p.year = s.year AND p.geo_code = s.geo_code AND p.version = s.version"
            " AND p.basis = s.basis"
            " WHERE s.indicator_id LIKE 'health_hospitals_beds_county.%'"
            " AND s.version = 'latest' AND s.basis = 'as_published'",
            [population],
        ).fetchall()
    census_years = {year for year, _, _, _, people in rows if people}
    assert census_years == {1390, 1395}
    checked = 0
    for year, geo, value, per_capita, people in rows:
        if year in census_years and value is not None and people:
            assert per_capita == pytest.approx(value / people), (year, geo)
            checked += 1
        else:
            assert per_capita is None, (year, geo, per_capita)
    assert checked > 20


@pytest.mark.unit
@pytest.mark.parametrize("seed", range(12))
def test_a_planted_unit_slip_passes_the_maximum_even_in_a_small_province(catalog, seed):
    """Markazi's welfare day centres (1402): one small county's x1000 stayed under the
    maximum, so the demo planned a rejection the checks could not make. The slip is planted
    where it shows: the province total past the measure's maximum."""
    import random

    from app.demo.anomalies import plant

    table = catalog.table("welfare_care_centres_county")
    cube = CubeBuilder(Reference(province="00"), 7, list(catalog)).build(table, 1402)
    planted = plant("unit_slip_x1000", cube, "day_centres", random.Random(seed))
    measure = table.measure(planted.measure)
    assert grand_total(cube, planted.measure) > measure.max, planted
