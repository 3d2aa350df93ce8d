"""The map of Iran on a national hub: the 31 provinces (OpenStreetMap, ODbL;
seeds/geo/iran_provinces.geojson), each with its figure for the year from the hub's marts,
its share of the national total and its rank among the provinces that delivered.

A province that has not delivered the year has no figure: it is drawn in grey, and the
national total (`IR`) is the sum of those that did (its note says how many of how many).
Choosing a province opens its counties (county_map_data, the same drawing as a province's
own portal).
"""

from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd

from dashboards import figures, map_shapes
from dashboards.county_map_data import Query, d3_winding
from salnameh.boundaries import PROVINCES_PATH
from salnameh.settings import NATION_GEO

NATION = NATION_GEO  # the national total's place in fct_indicator_series

# On a hub every table has province figures: a county-level table's province is the sum
# of its counties, a province-level table's is the province's own.
MAPPABLE = """
SELECT i.indicator_id, i.table_number, i.title_fa, i.title_en, i.unit, i.unit_title_fa,
       i.unit_title_en, i.decimals, i.is_headline, t.sort_order, t.geography_level
FROM marts.dim_indicator AS i JOIN marts.dim_table AS t USING (table_id)
ORDER BY t.sort_order, NOT i.is_headline, i.indicator_id
"""
YEARS = """
SELECT DISTINCT year FROM marts.fct_indicator_series
WHERE indicator_id = ? AND basis = 'as_published' AND geo_level = 'province' ORDER BY year DESC
"""
VALUES = """
SELECT geo_code, geo_level, geo_name_fa, geo_name_en, value, flag, share_of_nation,
       rank_among_provinces, n_provinces::BIGINT AS n_provinces, break_note_fa, break_note_en
FROM marts.fct_indicator_series
WHERE indicator_id = ? AND year = ? AND basis = 'as_published'
  AND geo_level IN ('province', 'nation')
"""


@lru_cache(maxsize=1)
def province_boundaries() -> tuple[dict, ...]:
    """The 31 provinces by SCI code, rings wound as d3-geo (Vega) draws them."""
    data = json.loads(PROVINCES_PATH.read_text(encoding="utf-8"))
    return tuple(
        {
            "code": f["properties"]["code"],
            "name_fa": f["properties"]["name_fa"],
            "name_en": f["properties"]["name_en"],
            "polygons": [d3_winding(p) for p in f["geometry"]["coordinates"]],
        }
        for f in data["features"]
    )


def mappable_indicators(query: Query) -> pd.DataFrame:
    return query(MAPPABLE)


def map_years(query: Query, indicator_id: str) -> list[int]:
    return [int(y) for y in query(YEARS, [indicator_id])["year"]]


def province_frame(
    query: Query, indicator_id: str, year: int, decimals: int, lang: str
) -> pd.DataFrame:
    """One row per province (all 31, by code): its figure as a number and as printed, its
    share of the national total (percent) and rank, or nothing if it has not delivered; its
    name as written on the map (`label`) at (`label_lon`, `label_lat`) in `label_size`
    pixels, figure or not."""
    fa = lang == "fa"
    values = query(VALUES, [indicator_id, year])
    provinces = values[values["geo_level"] == "province"].set_index("geo_code")
    rows = []
    for feature in province_boundaries():
        code = feature["code"]
        found = provinces.loc[code] if code in provinces.index else None
        value = None if found is None or pd.isna(found["value"]) else float(found["value"])
        share = (
            None if found is None or pd.isna(found["share_of_nation"]) else found["share_of_nation"]
        )
        rank = (
            None
            if found is None or pd.isna(found["rank_among_provinces"])
            else found["rank_among_provinces"]
        )
        rows.append(
            {
                "geo_code": code,
                "place": feature["name_fa" if fa else "name_en"],
                "value": value,
                "shown": ""
                if found is None
                else figures.cell(value, found["flag"], decimals, lang),
                "share": None if share is None else float(share) * 100,
                "share_text": share_text(share, lang),
                "rank": None if rank is None else int(rank),
                "delivered": found is not None,
                "label": feature["name_fa" if fa else "name_en"],
            }
        )
    for row, (lon, lat, size) in zip(rows, label_points(lang), strict=True):
        row["label_lon"], row["label_lat"], row["label_size"] = lon, lat, size
    return pd.DataFrame(rows)


@lru_cache(maxsize=2)
def label_points(lang: str) -> tuple[tuple[float, float, int], ...]:
    """Where each province's name is written in `lang`, clear of the others."""
    return tuple(
        map_shapes.place_labels(
            [
                (f["name_fa" if lang == "fa" else "name_en"], f["polygons"])
                for f in province_boundaries()
            ]
        )
    )


def share_text(share: float | None, lang: str) -> str:
    """0.0728 -> '۷٫۳٪' (fa) or '7.3%' (en); '' when there is no share."""
    if share is None:
        return ""
    return figures.number(float(share) * 100, 1, lang) + ("٪" if lang == "fa" else "%")


def nation_row(query: Query, indicator_id: str, year: int) -> dict | None:
    """The national total of the year (value, flag, n_provinces and its notes), if any."""
    values = query(VALUES, [indicator_id, year])
    nation = values[values["geo_code"] == NATION]
    return None if nation.empty else nation.iloc[0].to_dict()


def province_features(frame: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """GeoJSON features of the provinces with a figure (carrying the frame's row) and of
    those without (no figure, drawn grey)."""
    by_code = {r["geo_code"]: r for r in frame.to_dict("records")}
    coloured, grey = [], []
    for feature in province_boundaries():
        row = by_code.get(feature["code"], {"geo_code": feature["code"]})
        properties = {
            k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()
        }
        shape = {
            "type": "Feature",
            "properties": properties,
            "geometry": {"type": "MultiPolygon", "coordinates": feature["polygons"]},
        }
        (coloured if properties.get("value") is not None else grey).append(shape)
    return coloured, grey
