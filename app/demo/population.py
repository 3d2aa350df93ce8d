"""Yearly county population between and after the censuses, for the demo's other tables.

Counties that split after 1390 are modelled as the stable unit they formed together
(in Tehran, Tehran+Pardis and Varamin+Qarchak), interpolated geometrically between the
1390 and 1395 censuses and extrapolated after with damped growth; the unit is divided by
the 1395 shares from the year the child county exists. A county that came from another
province after 1390 starts from its 1390 figure there. Census years reproduce the census.
"""

from __future__ import annotations

from functools import cache

from app.demo.census import population_by_county_sex
from salnameh.reference import Reference

SEXES = ("male", "female")
DAMPING = 0.8  # growth after 1395 slows, as the 1400s estimates did


def _units(reference: Reference) -> dict[str, tuple[str, ...]]:
    """Parent code -> (parent, children that split from it after 1390)."""
    units: dict[str, list[str]] = {}
    for event in reference.lineage:
        if event.event == "split" and event.year > 1390:
            units.setdefault(event.from_code, [event.from_code]).append(event.to_code)
    return {parent: tuple(codes) for parent, codes in units.items()}


def _start(code: str, sex: str, reference: Reference, c1390: dict) -> int:
    """A county's 1390 census figure, in the province that held it then."""
    if (code, sex) in c1390:
        return c1390[(code, sex)]
    came = next(
        e for e in reference.lineage
        if e.to_code == code and e.event in ("move_province", "leave_province") and e.year > 1390
    )  # fmt: skip
    return population_by_county_sex(came.from_code[:2], 1390)[(came.from_code, sex)]


@cache
def county_population(province: str, year: int) -> dict[tuple[str, str], int]:
    """(county code valid that year, sex) -> persons."""
    reference = Reference(province=province)
    c1390 = population_by_county_sex(province, 1390)
    c1395 = population_by_county_sex(province, 1395)
    if year == 1390:
        return dict(c1390)
    if year == 1395:
        return dict(c1395)
    units = _units(reference)
    child_of = {child: parent for parent, codes in units.items() for child in codes[1:]}
    result: dict[tuple[str, str], int] = {}
    for geo in reference.geography_in(year, "county"):
        if geo.code in child_of:
            continue  # filled with its parent's unit below
        members = units.get(geo.code, (geo.code,))
        for sex in SEXES:
            start = _start(geo.code, sex, reference, c1390)
            end = sum(c1395[(code, sex)] for code in members)
            rate = (end / start) ** (1 / 5)
            if year > 1395:
                rate = 1 + (rate - 1) * DAMPING
                unit_total = end * rate ** (year - 1395)
            else:
                unit_total = start * rate ** (year - 1390)
            existing = [c for c in members if reference_valid(reference, c, year)]
            shares = {c: c1395[(c, sex)] / end for c in existing}
            # A child that does not exist yet stays inside its parent.
            shares[geo.code] += 1 - sum(shares.values())
            for code, share in shares.items():
                result[(code, sex)] = round(unit_total * share)
    return result


def reference_valid(reference: Reference, code: str, year: int) -> bool:
    return any(g.code == code and g.valid_in(year) for g in reference.geography)


def population_shares(province: str, year: int) -> dict[str, float]:
    """County code -> its share of the province's population that year."""
    totals: dict[str, int] = {}
    for (code, _sex), persons in county_population(province, year).items():
        totals[code] = totals.get(code, 0) + persons
    total = sum(totals.values())
    return {code: persons / total for code, persons in totals.items()}
