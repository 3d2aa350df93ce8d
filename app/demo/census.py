"""Real census figures of one province (SCI, 1390 and 1395), for the demo's population tables.

Every province's come from the national files (data/census/national) and, for residence in
1390, from SCI's census workbook of the province (data/sci-workbooks/1390); a province with
files of its own (provinces.yaml) reads those instead. The 1390 files name counties instead
of coding them; names are matched on the same normalized key ingestion uses, among the
province's counties valid in 1390 and their aliases, so «رباط کریم» finds its county.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import python_calamine
import yaml

from salnameh.persian import name_key
from salnameh.reference import Reference
from salnameh.settings import PROJECT_ROOT

DEMO_DIR = Path(__file__).parent
NATIONAL_DIR = PROJECT_ROOT / "data" / "census" / "national"
WORKBOOKS_1390 = PROJECT_ROOT / "data" / "sci-workbooks" / "1390"
CENSUS_YEARS = (1390, 1395)
NATIONAL_FILES = {
    "population_1390": NATIONAL_DIR / "iran_census1390_pop_by_province_county_sex_agegroup.csv",
    "population_1395": NATIONAL_DIR / "iran_census1395_pop_by_province_county_sex_agegroup.csv",
    "labour_1395": NATIONAL_DIR / "iran_census1395_active_unemployed_by_county_sex_education.csv",
}

# The files spell two age groups differently from the code list.
_AGE_CODES = {">100": "100+", "unknown": "unknown"}
_EDUCATION_CODES = {
    "Elementary school": "elementary",
    "Middle school": "middle",
    "High school": "high",
    "College": "college",
    "Higher education": "higher",
    "Other education": "other",
    "Illitrate": "illiterate",
    "Unknown": "unknown",
}
# SCI's workbook: the row of all ages, the residence groups and the sexes in its header.
_ALL_AGES = name_key("تمامی سنین")
_RESIDENCE_HEADINGS = {
    name_key("نقاط شهری"): "urban",
    name_key("نقاط روستایی"): "rural",
    name_key("غیر ساکن"): "nonsettled",
}
_SEX_HEADINGS = {name_key("مرد"): "male", name_key("زن"): "female"}


@cache
def province_extras(province: str) -> dict:
    """What the demo holds of this province beyond the national files (provinces.yaml)."""
    with (DEMO_DIR / "provinces.yaml").open(encoding="utf-8") as handle:
        known = yaml.safe_load(handle) or {}
    return known.get(province, {})


def census_file(province: str, figures: str) -> Path | None:
    """The province's own file of these figures, else the national one (None: neither)."""
    own = province_extras(province).get("census", {}).get(figures)
    return DEMO_DIR / own if own else NATIONAL_FILES.get(figures)


def _rows(path: Path, province: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r.get("province_code", province) == province]


def _county_code(name: str, year: int, reference: Reference) -> str:
    key = name_key(name)
    valid = reference.geography_in(year, "county")
    for geo in valid:
        if name_key(geo.name_fa) == key:
            return geo.code
    codes = {g.code for g in valid}
    for alias, code in reference.geography_aliases.items():
        if name_key(alias) == key and code in codes:
            return code
    raise LookupError(
        f"census county {name!r} is not a county of province {reference.province} valid in {year}"
    )


@cache
def population_by_county_age_sex(province: str, year: int) -> dict[tuple[str, str, str], int]:
    """(county code, age group code, 'male'|'female') -> persons, as published."""
    reference = Reference(province=province)
    figures: dict[tuple[str, str, str], int] = {}
    for row in _rows(census_file(province, f"population_{year}"), province):
        code = row.get("county_code") or _county_code(row["county_name"], year, reference)
        age = _AGE_CODES.get(row["age_group"], row["age_group"])
        figures[(code, age, "male")] = int(row["male"])
        figures[(code, age, "female")] = int(row["female"])
    return figures


@cache
def population_by_county_sex(province: str, year: int) -> dict[tuple[str, str], int]:
    """(county code, 'male'|'female') -> persons, summed over age groups."""
    totals: dict[tuple[str, str], int] = {}
    for (code, _age, sex), persons in population_by_county_age_sex(province, year).items():
        totals[(code, sex)] = totals.get((code, sex), 0) + persons
    return totals


def province_population(province: str, year: int) -> int:
    """The province's census population (1390 or 1395)."""
    return sum(population_by_county_sex(province, year).values())


@cache
def population_by_sex_residence_1390(province: str) -> dict[tuple[str, str], int]:
    """('male'|'female', 'urban'|'rural'|'nonsettled') -> persons, province, census 1390."""
    path = census_file(province, "sex_residence_1390")
    if path is None:
        return _workbook_sex_residence(WORKBOOKS_1390 / f"census2011p{province}.xls")
    columns = {"settled_urban": "urban", "settled_rural": "rural", "non_settled": "nonsettled"}
    figures = {}
    for row in _rows(path, province):
        if row["sex_en"] == "total":
            continue
        for column, residence in columns.items():
            figures[(row["sex_en"], residence)] = int(row[column])
    return figures


def _workbook_sex_residence(path: Path) -> dict[tuple[str, str], int]:
    """The all-ages row of every county sheet of SCI's 1390 workbook, summed by sex and
    residence (the header names each column's residence, then its sex)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    figures = {(s, r): 0 for s in _SEX_HEADINGS.values() for r in _RESIDENCE_HEADINGS.values()}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        columns = _residence_columns(rows)
        row = next(r for r in rows if r and name_key(str(r[0])) == _ALL_AGES)
        for col, key in columns.items():
            figures[key] += int(row[col] or 0) if col < len(row) else 0
    return figures


def _residence_columns(rows: list[list[object]]) -> dict[int, tuple[str, str]]:
    """Column -> (sex, residence) from the two header rows above the figures."""
    for top, row in enumerate(rows[:-1]):
        residence, columns = None, {}
        for col, text in enumerate(row):
            # A heading spans its columns: the blank cells after it are under it.
            held = residence if text == "" else None
            residence = _RESIDENCE_HEADINGS.get(name_key(str(text)), held)
            sex = _SEX_HEADINGS.get(name_key(str(rows[top + 1][col])))
            if residence and sex:
                columns[col] = (sex, residence)
        if len(columns) == len(_SEX_HEADINGS) * len(_RESIDENCE_HEADINGS):
            return columns
    raise LookupError("no residence and sex header in SCI's census workbook")


@cache
def labour_by_county_education_sex_1395(province: str) -> dict[tuple[str, str, str, str], int]:
    """(county code, education code, sex, 'active'|'unemployed') -> persons, census 1395."""
    figures = {}
    for row in _rows(census_file(province, "labour_1395"), province):
        sex = row["gender"].lower()
        status = row["status"].lower()
        for column, education in _EDUCATION_CODES.items():
            figures[(row["county_code"], education, sex, status)] = int(row[column])
    return figures
