"""The national reference seeds against the census files and SCI's own workbooks.

Reads the CSVs directly (not through salnameh.reference) so the check does not depend on how
the code scopes geography by province: the seeds must hold whatever the code does.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from salnameh.persian import name_key

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds" / "reference"
DATA = REPO / "data"  # shipped copies of ../shared/data, with their SOURCES.md
CENSUS = DATA / "census" / "national"
WORKBOOKS = DATA / "sci-workbooks" / "1390"


def rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def valid_in(row: dict[str, str], year: int) -> bool:
    starts, ends = row["valid_from"], row["valid_to"]
    return (not starts or int(starts) <= year) and (not ends or year <= int(ends))


@pytest.fixture(scope="module")
def geography():
    return rows("geography.csv")


@pytest.fixture(scope="module")
def aliases():
    return rows("geography_aliases.csv")


def census_counties(year: int) -> dict[str, dict[str, str]]:
    """Province code -> {county name as SCI wrote it: county code, or '' in 1390}."""
    path = CENSUS / f"iran_census{year}_pop_by_province_county_sex_agegroup.csv"
    if not path.exists():
        pytest.skip(f"census file not here: {path}")
    found: dict[str, dict[str, str]] = defaultdict(dict)
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            found[r["province_code"]][r["county_name"]] = r.get("county_code", "")
    return found


def keys_by_code(geography, aliases, year: int) -> dict[str, dict[str, set[str]]]:
    """Province -> name key -> codes of counties valid that year (by their name or an alias)."""
    counties = [g for g in geography if g["level"] == "county" and valid_in(g, year)]
    alias_keys = defaultdict(set)
    for a in aliases:
        alias_keys[a["code"]].add(name_key(a["alias"]))
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for g in counties:
        for key in {name_key(g["name_fa"]), *alias_keys[g["code"]]}:
            found[g["parent_code"]][key].add(g["code"])
    return found


def test_thirty_one_provinces(geography):
    provinces = {g["code"] for g in geography if g["level"] == "province"}
    assert provinces == {f"{n:02d}" for n in range(31)}
    assert all(not g["parent_code"] for g in geography if g["level"] == "province")


@pytest.mark.parametrize(("year", "total"), [(1390, 397), (1395, 429)])
def test_counties_valid_in_a_census_year_are_the_census_counties(geography, aliases, year, total):
    census = census_counties(year)
    keys = keys_by_code(geography, aliases, year)
    valid = [g for g in geography if g["level"] == "county" and valid_in(g, year)]
    assert len(valid) == total
    assert sum(len(names) for names in census.values()) == total
    for province, names in census.items():
        matched = set()
        for name, census_code in names.items():
            codes = keys[province].get(name_key(name), set())
            assert len(codes) == 1, (year, province, name, codes)
            (code,) = codes
            if census_code:
                assert code == census_code, (year, province, name)
            matched.add(code)
        in_seed = {g["code"] for g in valid if g["parent_code"] == province}
        assert matched == in_seed, (year, province, in_seed - matched)


def test_each_county_has_one_version_a_year(geography):
    for year in range(1385, 1405):
        codes = Counter(g["code"] for g in geography if valid_in(g, year))
        assert [c for c, n in codes.items() if n > 1] == [], year


def test_every_workbook_sheet_names_one_county_of_its_province_in_1390(geography, aliases):
    calamine = pytest.importorskip("python_calamine")
    books = sorted(WORKBOOKS.glob("census2011p*.xls"))
    if len(books) != 31:
        pytest.skip("SCI's 1390 workbooks are not here")
    keys = keys_by_code(geography, aliases, 1390)
    for book in books:
        province = book.stem[-2:]
        for sheet in calamine.CalamineWorkbook.from_path(str(book)).sheet_names:
            codes = keys[province].get(name_key(sheet), set())
            assert len(codes) == 1, (book.name, sheet, codes)


def test_an_alias_does_not_shadow_another_county(geography, aliases):
    names = defaultdict(set)
    for g in geography:
        if g["level"] == "county":
            names[name_key(g["name_fa"])].add(g["code"])
    assert len({a["alias"] for a in aliases}) == len(aliases)
    for a in aliases:
        assert a["code"] in names.get(name_key(a["alias"]), {a["code"]}), a
        assert any(g["code"] == a["code"] for g in geography), a


def test_lineage_rows_name_real_codes_and_their_source(geography):
    versions = defaultdict(list)
    for g in geography:
        versions[g["code"]].append(g)
    lineage = rows("geography_lineage.csv")
    assert lineage and list(lineage[0]) == [
        "year",
        "event",
        "from_code",
        "to_code",
        "clean",
        "note",
        "source",
    ]
    for r in lineage:
        assert r["source"].strip(), r
        assert r["event"] in {"split", "leave_province", "rename", "move_province"}, r
        assert r["from_code"] in versions and r["to_code"] in versions, r
        year = int(r["year"])
        if r["event"] in {"split", "rename", "move_province"}:
            # The new county (or the new name, or the code in the new province) starts that year.
            assert any(g["valid_from"] == str(year) for g in versions[r["to_code"]]), r
        if r["event"] == "move_province":
            assert any(g["valid_to"] == str(year - 1) for g in versions[r["from_code"]]), r
        if "not verified" in r["note"]:
            assert "not verified" in r["source"], r


def test_an_unverified_year_is_said_in_the_county_note(geography):
    lineage = rows("geography_lineage.csv")
    unverified = {r["to_code"] for r in lineage if "year not verified" in r["source"]}
    for code in unverified:
        starting = [g for g in geography if g["code"] == code and g["valid_from"] == "1395"]
        assert starting and "not verified" in starting[0]["note"], code


def tehran_lines(text: str) -> list[str]:
    """Tehran's province and county rows (codes 23 and 23xx), verbatim and in file order."""
    lines = text.splitlines()[1:]
    return [line for line in lines if next(csv.reader(io.StringIO(line)))[0][:2] == "23"]


def test_tehran_rows_are_unchanged():
    """Tehran's history is the Tehran-only seed's, byte for byte, whatever HEAD holds now."""
    head = subprocess.run(
        ["git", "-C", str(REPO), "show", "HEAD:seeds/reference/geography.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode != 0:
        pytest.skip("no git history here")
    before = tehran_lines(head.stdout)
    assert len(before) == 26
    assert tehran_lines((SEEDS / "geography.csv").read_text(encoding="utf-8")) == before


def test_county_boundaries_carry_the_codes_of_their_province(geography):
    folder = REPO / "seeds" / "geo" / "counties"
    today = {g["code"]: g for g in geography if g["level"] == "county" and not g["valid_to"]}
    drawn = set()
    for province in (f"{n:02d}" for n in range(31)):
        features = json.loads((folder / f"{province}.geojson").read_text(encoding="utf-8"))
        codes = [f["properties"]["code"] for f in features["features"] if f["properties"]["code"]]
        assert len(codes) == len(set(codes)), province
        for code in codes:
            assert today[code]["parent_code"] == province, code
        drawn |= set(codes)
    # Poldokhtar is missing from the OpenStreetMap extract (seeds/geo/SOURCES.md).
    assert set(today) - drawn == {"1508"}
