"""The indicator explorer's data: what can be chosen, and the frame a choice shows.

The series themselves come from `salnameh.series.series_frame`; this module turns them into
the one frame the page shows as a table, draws and offers as CSV, so the three agree.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from dashboards import figures
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS

Query = Callable[..., pd.DataFrame]

INDICATORS = """
SELECT i.indicator_id, i.table_id, i.chapter_no, i.table_number, i.title_fa, i.title_en,
       i.unit, i.unit_title_fa, i.unit_title_en, i.is_headline, t.sort_order,
       t.geography_level, t.title_fa AS table_title_fa, t.title_en AS table_title_en
FROM marts.dim_indicator AS i JOIN marts.dim_table AS t USING (table_id)
ORDER BY t.sort_order, NOT i.is_headline, i.indicator_id
"""
# Places that hold figures in the snapshot's years: the province, then counties by code
# (on a national hub: every province, then every county, each county with its province).
PLACES = """
SELECT DISTINCT g.geo_code, g.level, g.parent_code,
       last(g.name_fa ORDER BY coalesce(g.valid_from, 0)) OVER (PARTITION BY g.geo_code) AS name_fa,
       last(g.name_en ORDER BY coalesce(g.valid_from, 0)) OVER (PARTITION BY g.geo_code) AS name_en
FROM marts.dim_geography AS g
WHERE coalesce(g.valid_to, 9999) >= (SELECT min(year) FROM marts.dim_period)
ORDER BY g.level DESC, g.geo_code
"""
# A national hub's places: the national total first, then the places that hold figures.
NATION_PLACE = """
SELECT DISTINCT geo_code, 'nation' AS level, NULL AS parent_code, geo_name_fa AS name_fa,
       geo_name_en AS name_en
FROM marts.fct_indicator_series WHERE geo_level = 'nation'
"""
WITH_FIGURES = "SELECT DISTINCT geo_code FROM marts.fct_indicator_series"
YEARS = "SELECT min(year) AS first, max(year) AS last FROM marts.fct_indicator_series"
# Series with a figure in every year the snapshot holds, for a first choice worth drawing.
FULL_SERIES = """
SELECT indicator_id FROM marts.fct_indicator_series
WHERE basis = 'as_published' AND geo_level = 'province' AND value IS NOT NULL
GROUP BY indicator_id
HAVING count(DISTINCT year) = (SELECT count(DISTINCT year) FROM marts.fct_indicator_series)
"""

NOT_COMPARABLE = (
    "نسبت یا میانگین را نمی‌توان برای محدوده‌ای که مرزش تغییر کرده جمع زد",
    "a rate or mean cannot be added up over a changed boundary",
)

# The columns of the frame shown, drawn and downloaded (the same frame for all three).
SHOWN = [
    "indicator_id",
    "indicator",
    "table_number",
    "unit",
    "geo_code",
    "place",
    "year",
    "value",
    "symbol",
    "note",
    "province",
]
# On a national hub the frame also carries each province's place among the provinces.
NATIONAL_SHOWN = ["share", "rank"]


def indicator_options(query: Query) -> pd.DataFrame:
    """Every indicator in yearbook order (headlines first within a table), with a label
    per language that tells same-named measures of different tables apart."""
    found = query(INDICATORS)
    for lang in ("fa", "en"):
        found[f"label_{lang}"] = [
            figures.table_label(n, f"{t} ({u})", lang)
            for n, t, u in zip(
                found["table_number"],
                found[f"title_{lang}"],
                found[f"unit_title_{lang}"],
                strict=True,
            )
        ]
    return found


def default_indicator(options: pd.DataFrame, full_series: set[str]) -> str:
    """A first choice: the first headline count of persons over every year, county-level
    (the population), else the first headline with every year, else the first headline."""
    headlines = options[options["is_headline"]]
    full = headlines[headlines["indicator_id"].isin(full_series)]
    people = full[(full["unit"] == "person") & (full["geography_level"] == "county")]
    for candidates in (people, full, headlines):
        if not candidates.empty:
            return str(candidates["indicator_id"].iloc[0])
    return str(options["indicator_id"].iloc[0])


def place_options(query: Query, national: bool = False) -> pd.DataFrame:
    """The places to choose: a province's home, its province and counties; a national hub,
    Iran's total, then the provinces and counties that hold figures, each county named
    with its province (two provinces may have a county of the same name)."""
    places = query(PLACES)
    if not national:
        return places
    held = set(query(WITH_FIGURES)["geo_code"])
    places = places[places["geo_code"].isin(held)]
    provinces = places[places["level"] == "province"].set_index("geo_code")
    for lang in ("fa", "en"):
        column = f"name_{lang}"
        of = provinces[column].to_dict()
        places[column] = [
            f"{name} ({of[parent]})" if level == "county" and parent in of else name
            for name, level, parent in zip(
                places[column], places["level"], places["parent_code"], strict=True
            )
        ]
    return pd.concat([query(NATION_PLACE), places], ignore_index=True)


def shown_frame(series: pd.DataFrame, lang: str, national: bool = False) -> pd.DataFrame:
    """The series as the page shows it: titles, units, places and notes in the reader's
    language, the figure as a number and the yearbook symbol beside it, and the province
    of each row (downloads carry it); on a national hub, a province's share of the
    national total (percent) and its rank among the provinces too."""
    fa = lang == "fa"
    shown = pd.DataFrame(
        {
            "indicator_id": series["indicator_id"],
            "indicator": series["title_fa" if fa else "title_en"],
            "table_number": series["table_number"],
            "unit": series["unit_title_fa" if fa else "unit_title_en"],
            "geo_code": series["geo_code"],
            "place": series["geo_name_fa" if fa else "geo_name_en"],
            "year": series["year"].astype("int64"),
            "value": series["value"].astype("float64"),
            "symbol": series["flag"].map(
                lambda f: FLAG_SYMBOL.get(f, f) if isinstance(f, str) else ""
            ),
            "note": series["break_note_fa" if fa else "break_note_en"].fillna(""),
            "province": series["province"],
            "share": series["share_of_nation"].astype("float64") * 100,
            "rank": series["rank_among_provinces"].astype("Int64"),
        }
    )
    return shown[SHOWN + (NATIONAL_SHOWN if national else [])].reset_index(drop=True)


def csv_bytes(shown: pd.DataFrame) -> bytes:
    """The frame shown, as CSV in UTF-8 with a BOM (Excel then reads the Persian right)."""
    return shown.to_csv(index=False).encode("utf-8-sig")


def break_marks(series: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Where the chart marks a break: as published, the first year on a new boundary (the
    row that carries the note); comparable units carry their note on every year, so their
    mark goes on the first year shown."""
    noted = series[series["break_note_en"].notna()]
    if basis == "comparable":
        noted = noted.sort_values("year").groupby(["indicator_id", "geo_code"]).head(1)
    return noted.reset_index(drop=True)


def notes_listed(series: pd.DataFrame, lang: str) -> list[str]:
    """Each break or comparability note once, after the places it concerns unless the note
    names them itself."""
    fa = lang == "fa"
    column = "break_note_fa" if fa else "break_note_en"
    names = "geo_name_fa" if fa else "geo_name_en"
    noted = series[series[column].notna()]
    listed = []
    for note, rows in noted.groupby(column, sort=False):
        places = [p for p in dict.fromkeys(rows[names]) if p not in note]
        listed.append(f"{('، ' if fa else ', ').join(places)}: {note}" if places else note)
    return listed


def flag_meanings(series: pd.DataFrame, lang: str) -> list[str]:
    """The symbols (and the not-comparable flag) that appear in the frame, with meanings."""
    which = 0 if lang == "fa" else 1
    listed = []
    for flag in dict.fromkeys(series["flag"]):
        if flag in SYMBOL_MEANINGS:
            listed.append(f"{FLAG_SYMBOL[flag]} {SYMBOL_MEANINGS[flag][which]}")
        elif flag == "not_comparable":
            listed.append(f"{flag}: {NOT_COMPARABLE[which]}")
    return listed
