"""One county against the province over the years, as published: the county's share of the
province, both indexed to their first year, or both figures. A boundary change of the
county breaks its line and is marked, since the figures before it cover other ground."""

from __future__ import annotations

import pandas as pd

VIEWS = {
    "share": ("سهم از استان (درصد)", "Share of the province (%)"),
    "index": ("شاخص (نخستین سال = ۱۰۰)", "Index (first year = 100)"),
    "values": ("رقم شهرستان و استان", "County and province figures"),
}
COUNTY_INDICATORS = """
SELECT i.indicator_id, i.table_number, i.title_fa, i.title_en, i.unit, i.unit_title_fa,
       i.unit_title_en, i.additive, i.decimals, t.sort_order
FROM marts.dim_indicator AS i JOIN marts.dim_table AS t USING (table_id)
WHERE t.geography_level = 'county' AND i.is_headline
ORDER BY t.sort_order, i.indicator_id
"""


def province_of(places: pd.DataFrame, county: str | None = None) -> str:
    """The province of `county` among the snapshot's places (on a national hub there are
    31), else the snapshot's one province."""
    provinces = places.loc[places["level"] == "province", "geo_code"]
    if county is not None and "parent_code" in places:
        parent = places.loc[places["geo_code"] == county, "parent_code"]
        if not parent.empty and parent.iloc[0] in set(provinces):
            return str(parent.iloc[0])
    return str(provinces.iloc[0])


def side_by_side(series: pd.DataFrame, county: str, province_code: str) -> pd.DataFrame:
    """Per indicator and year: the county's figure, the province's, the county's share (for
    figures that add up) and the county's break note. Years without a county figure are left
    out: the county did not exist then, or the table has no county rows."""
    mine = series[series["geo_code"] == county]
    province = series[series["geo_code"] == province_code][["indicator_id", "year", "value"]]
    both = mine.merge(province, on=["indicator_id", "year"], how="left", suffixes=("", "_province"))
    share = both["value"] / both["value_province"] * 100
    both["share"] = share.where(both["additive"].astype(bool) & (both["value_province"] > 0))
    both["break"] = both["break_note_en"].notna()
    return both.reset_index(drop=True)  # the series' order: indicators as chosen, then years


def segment_of(rows: pd.DataFrame) -> pd.Series:
    """A segment number that grows at each break, so lines stop at a boundary change."""
    return rows["break"].astype(int).cumsum().astype(str)


def chart_frame(
    rows: pd.DataFrame, view: str, county_name: str, province_name: str, lang: str
) -> pd.DataFrame:
    """What the chart draws for one indicator: year, series (line name), value, segment,
    note. `rows` are one indicator's rows of `side_by_side`."""
    fa = lang == "fa"
    note = rows["break_note_fa" if fa else "break_note_en"]
    segment = segment_of(rows)
    if view == "share":
        name = f"سهم {county_name} از استان" if fa else f"{county_name}, share of the province"
        return pd.DataFrame(
            {
                "year": rows["year"],
                "series": name,
                "value": rows["share"],
                "segment": "c" + segment,
                "note": note,
            }
        )
    county_values, province_values = rows["value"], rows["value_province"]
    if view == "index":
        county_values = _indexed(rows["value"], segment)
        province_values = rows["value_province"] / _first_valid(rows["value_province"]) * 100
    county = pd.DataFrame(
        {
            "year": rows["year"],
            "series": county_name,
            "value": county_values,
            "segment": "c" + segment,
            "note": note,
        }
    )
    province = pd.DataFrame(
        {
            "year": rows["year"],
            "series": province_name,
            "value": province_values,
            "segment": "p",
            "note": None,
        }
    )
    return pd.concat([county, province], ignore_index=True)


def _first_valid(values: pd.Series) -> float:
    found = values.dropna()
    return float(found.iloc[0]) if not found.empty and found.iloc[0] else float("nan")


def _indexed(values: pd.Series, segment: pd.Series) -> pd.Series:
    """Each segment indexed to its own first year: across a boundary change the county's
    level is not comparable, its movement within one boundary is."""
    return values.groupby(segment).transform(lambda part: part / _first_valid(part) * 100)


def marks(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The years where the county's boundary changed, with the note."""
    noted = rows[rows["break"]]
    column = "break_note_fa" if lang == "fa" else "break_note_en"
    return pd.DataFrame({"year": noted["year"], "note": noted[column]})
