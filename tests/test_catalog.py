import shutil
from pathlib import Path

import pytest
import yaml

from salnameh.catalog import CatalogError, load_catalog
from salnameh.catalog_check import check_catalog
from salnameh.settings import CATALOG_DIR

pytestmark = pytest.mark.unit


def test_the_catalog_is_clean(catalog):
    tables, problems = check_catalog()
    assert problems == []
    assert len(tables) == len(catalog)


def test_at_least_sixty_tables_covering_all_24_chapters(catalog):
    assert len(catalog) >= 60
    assert {t.chapter for t in catalog} == set(range(1, 25))


def test_census_population_table_is_declared_as_the_census_publishes_it(catalog):
    table = catalog.table("pop_county_sex_age")
    assert table.agency == "sci"
    assert table.source == "census"
    assert table.years == (1390, 1395)
    assert table.geography == "county"
    assert {d.code_list for d in table.dimensions} == {"sex", "age_group_5y"}


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copy(CATALOG_DIR / "pop_county_sex_age.yaml", folder)
    return folder


def edit(folder: Path, table_id: str, change) -> None:
    path = folder / f"{table_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems_in(folder: Path) -> list[tuple[str, str]]:
    _tables, problems = check_catalog(folder)
    return [(p.file, p.field) for p in problems]


def test_a_clean_copy_has_no_problems(catalog_dir):
    assert problems_in(catalog_dir) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(agency="no_such_agency"), "agency"),
        (lambda d: d["dimensions"][0].update(code_list="no_such_list"), "dimensions[0].code_list"),
        (lambda d: d["dimensions"][1].update(members=["total", "x"]), "dimensions[1].members"),
        (lambda d: d["dimensions"][0].update(axis="diagonal"), "dimensions[0].axis"),
        (lambda d: d["measures"][0].update(unit="furlong"), "measures[0].unit"),
        (lambda d: d["measures"][0].update(min=10, max=1), "measures[0].min"),
        (lambda d: d["rules"][0].update(dimension="residence"), "rules[0].dimension"),
        (lambda d: d["rules"].append({"rule": "parts_add_up"}), "rules[3].rule"),
        (lambda d: d.update(number="4-2"), "number"),
        (lambda d: d.update(chapter=31, number="31-1"), "chapter"),
        (lambda d: d.update(geography="district"), "geography"),
        (lambda d: d.pop("years"), "years"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d["title"].pop("en"), "title.en"),
        (lambda d: d.pop("follows"), "follows"),
        (lambda d: d.update(follows="SCI"), "follows"),
        (lambda d: d.update(follows={"number": "12-5"}), "follows.edition"),
        (lambda d: d.update(follows={"number": "5/17", "edition": 1401}), "follows.number"),
        (lambda d: d.update(follows={"number": "12-5", "edition": 2023}), "follows.edition"),
        (
            lambda d: d.update(follows={"number": "12-5", "edition": 1401, "page": 3}),
            "follows.page",
        ),
    ],
)
def test_each_error_names_file_and_field(catalog_dir, change, field):
    edit(catalog_dir, "pop_county_sex_age", change)
    assert ("pop_county_sex_age.yaml", field) in problems_in(catalog_dir)


def test_every_table_says_which_sci_table_it_follows(catalog):
    assert all(t.follows.proposed or t.follows.edition for t in catalog)


def test_follows_names_an_sci_table_and_edition(catalog_dir):
    edit(
        catalog_dir,
        "pop_county_sex_age",
        lambda d: d.update(follows={"number": "3-4", "edition": 1395}),
    )
    tables, problems = check_catalog(catalog_dir)
    assert problems == []
    assert (tables[0].follows.number, tables[0].follows.edition) == ("3-4", 1395)
    assert not tables[0].follows.proposed


def test_duplicate_ids_are_found(catalog_dir):
    source = catalog_dir / "pop_county_sex_age.yaml"
    shutil.copy(source, catalog_dir / "copy.yaml")
    found = problems_in(catalog_dir)
    assert ("copy.yaml", "id") in found  # duplicate, and the file is misnamed
    assert ("pop_county_sex_age.yaml", "id") in found
    assert ("copy.yaml", "number") in found


def test_broken_yaml_names_the_line(catalog_dir):
    (catalog_dir / "broken.yaml").write_text("id: broken\ntitle: {fa: x\n", encoding="utf-8")
    found = problems_in(catalog_dir)
    assert any(file == "broken.yaml" and field.startswith("line") for file, field in found)


def test_cross_table_rule_must_name_a_real_table(catalog_dir):
    edit(
        catalog_dir,
        "pop_county_sex_age",
        lambda d: d["rules"].append(
            {"rule": "equals_table", "measure": "population", "other_table": "nowhere"}
        ),
    )
    assert ("pop_county_sex_age.yaml", "rules[3].other_table") in problems_in(catalog_dir)


def test_seed_errors_are_found(catalog_dir, seeds_copy):
    geography = seeds_copy / "geography.csv"
    text = geography.read_text(encoding="utf-8")
    # Pardis made valid from 1390 overlaps nothing, but the lineage says it split in 1391.
    geography.write_text(text.replace("2320,1391,", "2320,1390,"), encoding="utf-8")
    with (seeds_copy / "agencies.csv").open("a", encoding="utf-8") as handle:
        handle.write("sci,تکراری,Duplicate,statistics\n")
    with (seeds_copy / "units.csv").open("a", encoding="utf-8") as handle:
        handle.write("person,نفر,persons,true\n")
    _tables, problems = check_catalog(catalog_dir, seeds_copy)
    found = {(p.file, p.field) for p in problems}
    assert ("geography_lineage.csv", "year") in found
    assert ("agencies.csv", "agency_id") in found
    assert ("units.csv", "unit") in found


def test_overlapping_geography_versions_are_found(catalog_dir, seeds_copy):
    geography = seeds_copy / "geography.csv"
    text = geography.read_text(encoding="utf-8")
    geography.write_text(text.replace("2301,,1390,", "2301,,1391,"), encoding="utf-8")
    _tables, problems = check_catalog(catalog_dir, seeds_copy)
    assert any(p.file == "geography.csv" and "2301" in p.message for p in problems)


def test_load_refuses_a_catalog_with_problems(catalog_dir):
    edit(catalog_dir, "pop_county_sex_age", lambda d: d.update(agency="nobody"))
    with pytest.raises(CatalogError, match=r"pop_county_sex_age\.yaml: agency"):
        load_catalog(catalog_dir)


def test_a_provinces_catalog_speaks_of_it_and_not_of_tehran(catalog):
    """One catalog, each home's words: Gilan's titles name Rasht and Gilan, and Tehran's
    own footnotes (its three universities, its five-county constituency) stay Tehran's."""
    from salnameh.reference import Reference

    gilan = catalog.in_words_of(Reference(province="01"))
    texts = [t.title for t in gilan] + [f for t in gilan for f in t.footnotes]
    assert not [x for x in texts if "{" in x.fa + x.en]
    tehran_named = {t.id for t in gilan for x in (t.title, *t.footnotes) if "تهران" in x.fa}
    assert tehran_named == {"stock_exchange_trading_month"}  # the Tehran Stock Exchange
    assert gilan.table("air_quality_days_class").title.fa.endswith("شهر رشت به تفکیک ماه")
    assert "Gilan Province" in gilan.table("customs_exports_imports_season").title.en

    tehran = catalog.in_words_of(Reference())
    hospitals = [f.fa for f in tehran.table("health_hospitals_beds_county").footnotes]
    assert hospitals[0] == "وضعیت در پایان سال." and "شهید بهشتی" in hospitals[-1]
    assert tehran.table("air_quality_days_class").title.en.startswith(
        "Number of days by air quality class in Tehran city"
    )
    assert tehran.version == gilan.version == catalog.version  # the same declarations

    hub = catalog.in_words_of(Reference(province="national"))
    election = [f.en for f in hub.table("election_parliament_county").footnotes]
    assert election[-1].startswith("Tehran Province: Tehran, Rey, Shemiranat")
    assert "each province" in hub.table("customs_exports_imports_season").title.en


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["title"].update(fa=d["title"]["fa"] + " {city}"), "title"),
        (lambda d: d["measures"][0]["title"].update(en="People of {province}"),
         "measures.population.title"),
    ],
)  # fmt: skip
def test_a_placeholder_is_province_or_centre_and_never_in_a_header(catalog_dir, change, field):
    edit(catalog_dir, "pop_county_sex_age", change)
    assert ("pop_county_sex_age.yaml", field) in problems_in(catalog_dir)


def test_every_province_has_a_centre(catalog_dir, seeds_copy):
    centres = seeds_copy / "province_centres.csv"
    text = centres.read_text(encoding="utf-8")
    centres.write_text(text.replace("01,رشت,Rasht\n", ""), encoding="utf-8")
    _tables, problems = check_catalog(catalog_dir, seeds_copy)
    assert any(p.file == "province_centres.csv" and "01" in p.message for p in problems)
