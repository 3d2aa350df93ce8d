"""Real census figures for Tehran Province (SCI, 1390 and 1395), read from census/.

The 1390 file names counties instead of coding them; names are matched on the same
normalized key ingestion uses, so «رباط کریم» in the file finds county 2312.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from salnameh.demo import DEMO_PROVINCE
from salnameh.persian import name_key
from salnameh.reference import Reference

CENSUS_DIR = Path(__file__).parent / "census"
CENSUS_YEARS = (1390, 1395)

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


def _rows(name: str) -> list[dict[str, str]]:
    with (CENSUS_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _county_code(name: str, year: int, reference: Reference) -> str:
    key = name_key(name)
    for geo in reference.geography_in(year, "county"):
        if name_key(geo.name_fa) == key:
            return geo.code
    raise LookupError(f"census county {name!r} is not a county valid in {year}")


@cache
def population_by_county_age_sex(year: int) -> dict[tuple[str, str, str], int]:
    """(county code, age group code, 'male'|'female') -> persons, as published."""
    reference = Reference(province=DEMO_PROVINCE)
    figures: dict[tuple[str, str, str], int] = {}
    name = f"tehran_prov_census{year}_pop_by_county_sex_agegroup.csv"
    for row in _rows(name):
        code = row.get("county_code") or _county_code(row["county_name"], year, reference)
        age = _AGE_CODES.get(row["age_group"], row["age_group"])
        figures[(code, age, "male")] = int(row["male"])
        figures[(code, age, "female")] = int(row["female"])
    return figures


@cache
def population_by_county_sex(year: int) -> dict[tuple[str, str], int]:
    """(county code, 'male'|'female') -> persons, summed over age groups."""
    totals: dict[tuple[str, str], int] = {}
    for (code, _age, sex), persons in population_by_county_age_sex(year).items():
        totals[(code, sex)] = totals.get((code, sex), 0) + persons
    return totals


@cache
def population_by_sex_residence_1390() -> dict[tuple[str, str], int]:
    """('male'|'female', 'urban'|'rural'|'nonsettled') -> persons, province, census 1390."""
    columns = {"settled_urban": "urban", "settled_rural": "rural", "non_settled": "nonsettled"}
    figures = {}
    for row in _rows("tehran_prov_pop_by_sex_residence_1390.csv"):
        if row["sex_en"] == "total":
            continue
        for column, residence in columns.items():
            figures[(row["sex_en"], residence)] = int(row[column])
    return figures


@cache
def labour_by_county_education_sex_1395() -> dict[tuple[str, str, str, str], int]:
    """(county code, education code, sex, 'active'|'unemployed') -> persons, census 1395."""
    figures = {}
    for row in _rows("tehran_prov_census1395_active_unemployed_by_county_sex_education.csv"):
        sex = row["gender"].lower()
        status = row["status"].lower()
        for column, education in _EDUCATION_CODES.items():
            figures[(row["county_code"], education, sex, status)] = int(row[column])
    return figures
