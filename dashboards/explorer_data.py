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


def in_set(values: pd.Series, members: set[str]) -> list[bool]:
    """Whether each of `values` is one of `members`: pandas' `isin` on a column of Arrow
    strings first turns the set into an Arrow array, 8 ms for 2,000 indicator ids against
    a few hundred headlines, paid at every visitor's first run of the explorer, the county
    page and the map; looking each one up in the set takes well under a millisecond."""
    return [value in members for value in values]


def default_indicator(options: pd.DataFrame, full_series: set[str]) -> str:
    """A first choice: the first headline count of persons over every year, county-level
    (the population), else the first headline with every year, else the first headline."""
    headlines = options[options["is_headline"]]
    full = headlines[in_set(headlines["indicator_id"], full_series)]
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


# ------------------------------------------------------------------ transforms
# What an analyst turns a series into. Each is (Persian, English) for the choice, and the
# unit the transformed figure is in ({unit} is the indicator's own, {base} the base year).
TRANSFORMS = {
    "level": ("رقم", "Level"),
    "per_capita": ("سرانه (در هر هزار نفر)", "Per 1,000 people"),
    "index": ("شاخص (سال پایه = ۱۰۰)", "Index (base year = 100)"),
    "growth": ("رشد (درصد نسبت به سال قبل)", "Growth (% on the previous year)"),
    "share": ("سهم از استان (درصد)", "Share of the province (%)"),
}
TRANSFORMED_UNIT = {
    "per_capita": ("{unit} در هر هزار نفر", "{unit} per 1,000 people"),
    "index": ("شاخص، {base} = ۱۰۰", "Index, {base} = 100"),
    "growth": ("درصد تغییر نسبت به سال قبل", "% change on the previous year"),
    "share": ("درصد از جمع استان", "% of the province total"),
}
# Decimals a transformed figure is shown with (per 1,000 people is often below 1).
TRANSFORMED_DECIMALS = {"per_capita": 2, "index": 1, "growth": 1, "share": 1}
PER = 1000  # per capita figures are per 1,000 people

# The populations per capita figures divide by: the headline population of a county table,
# the census's (census years) and the yearly estimate's, told apart by the table's source.
POPULATIONS = """
SELECT i.indicator_id, t.source_kind = 'census' AS is_census
FROM marts.dim_indicator AS i JOIN marts.dim_table AS t USING (table_id)
WHERE i.is_headline AND i.measure_id = 'population' AND i.unit = 'person'
  AND t.geography_level = 'county'
ORDER BY NOT is_census, t.sort_order
"""
CENSUS, ESTIMATE = "census", "estimate"


def transformed_unit(transform: str, unit: str, base_year: int | None, lang: str) -> str:
    """The unit a transformed figure is in, in the reader's language."""
    if transform not in TRANSFORMED_UNIT:
        return unit
    text = TRANSFORMED_UNIT[transform][0 if lang == "fa" else 1]
    base = figures.year(base_year, lang) if base_year is not None else ""
    return text.format(unit=unit, base=base)


def population_indicators(query: Query) -> tuple[str | None, str | None]:
    """(census population, estimated population) indicator ids; None where the catalog
    has no such table."""
    found = query(POPULATIONS)
    census = found.loc[found["is_census"], "indicator_id"]
    estimate = found.loc[~found["is_census"].astype(bool), "indicator_id"]
    return (
        str(census.iloc[0]) if not census.empty else None,
        str(estimate.iloc[0]) if not estimate.empty else None,
    )


def population(census: pd.DataFrame, estimate: pd.DataFrame) -> pd.DataFrame:
    """The population of each place and year to divide by: the census's where the census
    counted that place that year, else the year's estimate. Columns geo_code, year,
    population, source ('census' or 'estimate'); both inputs are series frames on the
    same basis as the figures divided."""
    parts = []
    for frame, source in ((census, CENSUS), (estimate, ESTIMATE)):
        held = frame[frame["value"].notna() & (frame["value"] > 0)]
        parts.append(
            pd.DataFrame(
                {
                    "geo_code": held["geo_code"],
                    "year": held["year"].astype("int64"),
                    "population": held["value"].astype("float64"),
                    "source": source,
                }
            )
        )
    both = pd.concat(parts, ignore_index=True)
    # The census first: where it counted, its figure is the population of that year.
    return both.drop_duplicates(["geo_code", "year"], keep="first").reset_index(drop=True)


def per_capita(series: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Figures per 1,000 people of the same place and year (`people` from `population`);
    a rate or mean (not additive) has no per capita figure, nor a year without a
    population. Adds `population_source` ('census', 'estimate' or '')."""
    out = series.reset_index(drop=True)
    merged = out[["geo_code", "year"]].merge(people, on=["geo_code", "year"], how="left")
    additive = out["additive"].fillna(False).astype(bool)
    out["value"] = (out["value"] / merged["population"] * PER).where(additive)
    out["population_source"] = merged["source"].where(additive & out["value"].notna(), "")
    return out


def break_starts(marks: pd.DataFrame) -> set[tuple[str, str, int]]:
    """(indicator, place, year) where a series starts on a new boundary (from
    `break_marks` as published); a change across one of these is not a change of the
    same ground, so growth and index do not bridge it."""
    return set(
        zip(marks["indicator_id"], marks["geo_code"], marks["year"].astype(int), strict=True)
    )


def _at_break(series: pd.DataFrame, starts: set[tuple[str, str, int]]) -> pd.Series:
    """True on the rows where a series starts on a new boundary."""
    if not starts:
        return pd.Series(False, index=series.index)
    keys = pd.MultiIndex.from_arrays(
        [series["indicator_id"], series["geo_code"], series["year"].astype(int)]
    )
    return pd.Series(keys.isin(list(starts)), index=series.index)


def _segment(series: pd.DataFrame, starts: set[tuple[str, str, int]]) -> pd.Series:
    """A number per row that grows at each break of its indicator's place's series."""
    ordered = series.sort_values(["indicator_id", "geo_code", "year"])
    begins = _at_break(ordered, starts)
    by = [ordered["indicator_id"], ordered["geo_code"]]
    return begins.groupby(by).cumsum().reindex(series.index)


def indexed(
    series: pd.DataFrame, base_year: int, starts: set[tuple[str, str, int]] = frozenset()
) -> pd.DataFrame:
    """Each place's series as 100 x value / its value in `base_year`, on the base year's
    side of any break only (the other side covers other ground); no base figure, no index."""
    out = series.reset_index(drop=True)
    out["segment"] = _segment(out, starts)
    keys = ["indicator_id", "geo_code", "segment"]
    base = out[(out["year"] == base_year) & out["value"].notna() & (out["value"] != 0)]
    base = base[[*keys, "value"]].rename(columns={"value": "base"})
    merged = out[keys].merge(base, on=keys, how="left")
    out["value"] = out["value"] / merged["base"] * 100
    return out.drop(columns="segment")


def growth(series: pd.DataFrame, starts: set[tuple[str, str, int]] = frozenset()) -> pd.DataFrame:
    """Percent change on the previous year of the same place; none for a first year, a
    year after a gap, or the first year on a new boundary (a break is not bridged)."""
    out = series.reset_index(drop=True)
    keys = ["indicator_id", "geo_code"]
    before = out[[*keys, "year", "value"]].rename(columns={"value": "previous"})
    before["year"] = before["year"] + 1
    merged = out[[*keys, "year"]].merge(before, on=[*keys, "year"], how="left")
    previous = merged["previous"].where(merged["previous"] != 0)
    change = (out["value"] - previous) / previous.abs() * 100
    out["value"] = change.mask(_at_break(out, starts))
    return out


def province_of(geo_code: str, parents: dict[str, str]) -> str | None:
    """The province a county (or a comparable unit of counties, '2301+2320') lies in."""
    first = geo_code.split("+")[0]
    return parents.get(first)


def share_of_province(series: pd.DataFrame, parents: dict[str, str]) -> pd.DataFrame:
    """A county's figure as a percent of its province's in the same year; `series` must
    hold the provinces' rows too. A province's own share is of the nation where the
    snapshot knows it (a national hub), else none: it is the whole. Rates and means are
    not shared out (not additive)."""
    out = series.reset_index(drop=True)
    codes = out["geo_code"].unique()
    out["_province"] = out["geo_code"].map({g: province_of(g, parents) for g in codes})
    totals = out[["indicator_id", "geo_code", "year", "value"]].rename(
        columns={"geo_code": "_province", "value": "total"}
    )
    merged = out[["indicator_id", "_province", "year"]].merge(
        totals, on=["indicator_id", "_province", "year"], how="left"
    )
    additive = out["additive"].fillna(False).astype(bool)
    county = out["value"] / merged["total"].where(merged["total"] != 0) * 100
    province = out["share_of_nation"].astype("float64") * 100
    is_county = out["geo_level"] == "county"
    out["value"] = county.where(is_county, province).where(additive)
    return out.drop(columns="_province")


def transform(
    series: pd.DataFrame,
    how: str,
    *,
    people: pd.DataFrame | None = None,
    base_year: int | None = None,
    starts: set[tuple[str, str, int]] = frozenset(),
    parents: dict[str, str] | None = None,
) -> pd.DataFrame:
    """`series` (a series frame) turned as the reader chose: levels as published, per
    1,000 people, an index on a base year, growth on the previous year, or the share of
    the province. The result keeps every column; figures with no meaning are missing
    (the page says why)."""
    if how == "level":
        return series.reset_index(drop=True)
    if how == "per_capita":
        if people is None:
            raise ValueError("per capita figures need the population (explorer_data.population)")
        return per_capita(series, people)
    if how == "index":
        if base_year is None:
            raise ValueError("an index needs a base year")
        return indexed(series, base_year, starts)
    if how == "growth":
        return growth(series, starts)
    if how == "share":
        return share_of_province(series, parents or {})
    raise ValueError(f"transform must be one of {', '.join(TRANSFORMS)}, not {how!r}")


def population_note(transformed: pd.DataFrame, lang: str) -> str:
    """Which population the per capita figures divide by, by year: the census in census
    years, the estimate otherwise (said under the chart)."""
    fa = lang == "fa"
    held = transformed[transformed["population_source"] != ""]
    parts = []
    for source, (fa_name, en_name) in (
        (CENSUS, ("جمعیت سرشماری", "census population")),
        (ESTIMATE, ("جمعیت برآوردی", "estimated population")),
    ):
        years = sorted(set(held.loc[held["population_source"] == source, "year"].astype(int)))
        if years:
            listed = ("، " if fa else ", ").join(figures.year(y, lang) for y in years)
            parts.append(f"{fa_name}: {listed}" if fa else f"{en_name}: {listed}")
    if not parts:
        return ""
    head = "تقسیم بر " if fa else "Divided by the "
    return head + ("؛ ".join(parts) if fa else "; ".join(parts))


# ------------------------------------------------------------------ layout
# When one place's largest figure is this many times another's, one axis flattens the
# smaller to a line along zero (Tehran Province's 14 M beside Shemiranat's 50,000), so the
# chart gives each place its own scale.
SCALE_RATIO = 10
LAYOUTS = {
    "auto": ("خودکار", "Automatic"),
    "shared": ("یک محور", "One axis"),
    "panels": ("یک نمودار برای هر مکان", "A panel per place"),
    "second_axis": ("استان روی محور دوم", "Province on a second axis"),
}


def scale_ratio(shown: pd.DataFrame) -> float:
    """The largest place's maximum over the smallest's (absolute figures; places with no
    figure or only zeros left out); 1 for fewer than two places."""
    peaks = shown.assign(size=shown["value"].abs()).groupby("place")["size"].max()
    peaks = peaks[peaks > 0]
    if len(peaks) < 2:
        return 1.0
    return float(peaks.max() / peaks.min())


def chosen_layout(shown: pd.DataFrame, asked: str) -> str:
    """The layout drawn: the reader's, or on 'auto' a panel per place when the scales of
    the places differ by SCALE_RATIO or more, else one axis."""
    if asked != "auto":
        return asked
    return "panels" if scale_ratio(shown) >= SCALE_RATIO else "shared"


def second_axis_places(shown: pd.DataFrame) -> list[str]:
    """The places drawn on the second axis: the places above county level (a province,
    Iran) when counties are chosen too, else the place with the largest figures."""
    levels = dict(zip(shown["place"], shown["geo_level"], strict=False))
    upper = [p for p, level in levels.items() if level != "county"]
    if upper and len(upper) < len(levels):
        return upper
    peaks = shown.assign(size=shown["value"].abs()).groupby("place")["size"].max()
    return [str(peaks.idxmax())] if len(peaks) > 1 else []


# ------------------------------------------------------------------ the page's frame
# Columns the download keeps for machines and the grid leaves out: ids and codes are not
# for reading (the grid names indicators and places in words).
CODE_COLUMNS = ["indicator_id", "geo_code", "province"]
POPULATION_SOURCE = {CENSUS: ("سرشماری", "Census"), ESTIMATE: ("برآورد", "Estimate")}


def places_to_fetch(chosen: list[str], parents: dict[str, str], how: str) -> list[str]:
    """The places whose series the page reads: the chosen ones, and for a share of the
    province the provinces of the chosen counties (the totals divided by)."""
    fetched = list(chosen)
    if how == "share":
        fetched += [p for p in (province_of(c, parents) for c in chosen) if p]
    return list(dict.fromkeys(fetched))


def of_places(series: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """The rows of the chosen places: a place's own, or the comparable unit that holds it
    ('2301+2320' for '2320'), as `series_frame` matches them."""
    wanted = set(chosen)
    keep = series["geo_code"].map(lambda g: g in wanted or bool(wanted & set(g.split("+"))))
    return series[keep.astype(bool)].reset_index(drop=True)


def relabel(series: pd.DataFrame, how: str, base_year: int | None) -> pd.DataFrame:
    """The frame with the unit and decimals of the transformed figures, rounded to them
    (the grid and the download then agree with the chart's tooltips)."""
    if how == "level":
        return series
    out = series.copy()
    out["value"] = out["value"].round(TRANSFORMED_DECIMALS[how])
    for lang in ("fa", "en"):
        column = f"unit_title_{lang}"
        out[column] = [transformed_unit(how, u, base_year, lang) for u in out[column]]
    out["decimals"] = TRANSFORMED_DECIMALS[how]
    return out


def with_population_source(shown: pd.DataFrame, transformed: pd.DataFrame, lang: str):
    """The shown frame plus which population each per capita figure divides by."""
    which = 0 if lang == "fa" else 1
    out = shown.copy()
    out["population_source"] = [
        POPULATION_SOURCE[s][which] if s in POPULATION_SOURCE else ""
        for s in transformed["population_source"]
    ]
    return out


def grid_frame(shown: pd.DataFrame) -> pd.DataFrame:
    """The frame as the grid shows it: words, not ids or codes."""
    return shown.drop(columns=[c for c in CODE_COLUMNS if c in shown.columns])


def nothing_to_draw(how: str, lang: str) -> str:
    """Why a transformed indicator has no figure at all, in the reader's language."""
    fa = lang == "fa"
    if how in ("per_capita", "share"):
        return (
            "سرانه و سهم فقط برای کمیت‌های جمع‌پذیر معنا دارد (نه نرخ یا میانگین)، و برای "
            "سهم، شهرستانی در کنار استانش."
            if fa
            else "Per capita figures and shares apply to quantities that add up (not a rate "
            "or a mean), and a share to a county beside its province."
        )
    if how == "index":
        return (
            "سال پایه برای این مکان‌ها رقمی ندارد؛ سال پایه دیگری برگزینید."
            if fa
            else "The base year has no figure for these places; choose another base year."
        )
    return (
        "رشد نیاز به دو سال پیاپی روی یک محدوده دارد."
        if fa
        else "Growth needs two consecutive years on the same boundary."
    )


def layout_note(shown: pd.DataFrame, asked: str, drawn: str, lang: str) -> str:
    """What the chart did about scales, when it did something (said under the chart)."""
    fa = lang == "fa"
    ratio = figures.number(scale_ratio(shown), 0, lang)
    if drawn == "panels" and asked == "auto":
        return (
            f"بزرگ‌ترین رقم مکان‌ها تا {ratio} برابر هم است؛ هر مکان نمودار و مقیاس خود را دارد."
            if fa
            else f"The places' largest figures differ up to {ratio}-fold; each place has a "
            "panel and scale of its own."
        )
    if drawn == "second_axis":
        return (
            "خط‌چین روی محور سمت چپ خوانده می‌شود."  # Persian time runs right to left
            if fa
            else "Dashed lines read on the right-hand axis."
        )
    return ""
