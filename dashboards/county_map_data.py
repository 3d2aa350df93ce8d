"""The county map's data: today's county boundaries of the home's province (OpenStreetMap,
ODbL; seeds/geo/counties/NN.geojson), merged back along the geography lineage for earlier
years, each map unit with its figure for the year and the point where its name is written.

The boundaries are today's. For a year before a split, the child's polygon is dissolved
into the county it split from (Pardis into Tehran for 1390): one outline per county of that
year, with the parent's figure, since the parent's figure covered that ground.
Counties formed after the 1395 census have no SCI code in the boundaries (code null): they
are drawn unlabelled, in grey under the coloured counties, since their figures are inside
the county they were part of and the lineage does not say which that was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboards import figures, map_shapes
from salnameh.reference import LineageEvent
from salnameh.settings import SEEDS_DIR

Query = Callable[..., pd.DataFrame]

BOUNDARIES_DIR = SEEDS_DIR / "geo" / "counties"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"

MAPPABLE = """
SELECT i.indicator_id, i.table_number, i.title_fa, i.title_en, i.unit, i.unit_title_fa,
       i.unit_title_en, i.decimals, i.is_headline, t.sort_order, t.geography_level
FROM marts.dim_indicator AS i JOIN marts.dim_table AS t USING (table_id)
WHERE t.geography_level = 'county'
ORDER BY t.sort_order, NOT i.is_headline, i.indicator_id
"""
# On a national hub the marts hold every province's counties: the province's own (the
# `province` column) are the ones its map draws.
YEARS = """
SELECT DISTINCT year FROM marts.fct_indicator_series
WHERE indicator_id = ? AND basis = 'as_published' AND geo_level = 'county' AND province = ?
ORDER BY year DESC
"""
VALUES = """
SELECT geo_code, geo_name_fa, geo_name_en, value, flag, break_note_fa, break_note_en
FROM marts.fct_indicator_series
WHERE indicator_id = ? AND year = ? AND basis = 'as_published' AND geo_level = 'county'
  AND province = ?
"""
PROVINCE = """
SELECT value, flag FROM marts.fct_indicator_series
WHERE indicator_id = ? AND year = ? AND basis = 'as_published' AND geo_level = 'province'
  AND geo_code = ?
"""


def boundaries_path(province: str) -> Path:
    """The province's county boundaries: seeds/geo/counties/<SCI code>.geojson."""
    return BOUNDARIES_DIR / f"{province}.geojson"


@lru_cache(maxsize=4)
def _features(province: str) -> tuple[dict, ...]:
    """Today's county features, rings wound clockwise as d3-geo (Vega) draws them; code
    None for a county formed after 1395."""
    data = json.loads(boundaries_path(province).read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        code = feature["properties"]["code"]
        features.append(
            {
                "code": None if code is None else str(code),
                "name_fa": feature["properties"]["name_fa"],
                "name_en": feature["properties"]["name_en"],
                "polygons": [d3_winding(p) for p in polygons],
            }
        )
    return tuple(features)


def boundaries(province: str) -> tuple[dict, ...]:
    """The province's counties with an SCI code, as _features gives them."""
    return tuple(f for f in _features(province) if f["code"] is not None)


def uncoded(province: str) -> tuple[dict, ...]:
    """Counties formed after 1395, without an SCI code: drawn unlabelled."""
    return tuple(f for f in _features(province) if f["code"] is None)


def uncoded_features(province: str) -> list[dict]:
    """GeoJSON features of the uncoded counties, with no figure and no label."""
    return [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "MultiPolygon", "coordinates": f["polygons"]},
        }
        for f in uncoded(province)
    ]


def _signed_area(ring: list) -> float:
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def d3_winding(polygon: list) -> list:
    """RFC 7946 winds the outer ring counter-clockwise; d3-geo takes that for the whole
    globe minus the county. Outer rings clockwise, holes counter-clockwise."""
    wound = []
    for n, ring in enumerate(polygon):
        clockwise = _signed_area(ring) < 0
        wound.append(ring if clockwise == (n == 0) else ring[::-1])
    return wound


def unit_of(code: str, year: int, lineage: list[LineageEvent]) -> str:
    """The county that held today's county `code` in `year`: itself, or the county it split
    from (followed back through every split after `year`)."""
    splits = {e.to_code: e for e in lineage if e.event == "split" and e.to_code}
    while code in splits and splits[code].year > year:
        code = splits[code].from_code
    return code


def map_units(year: int, lineage: list[LineageEvent], province: str) -> list[dict]:
    """One map unit per county of `year`: its code, its outline (today's counties on its
    ground dissolved into one when it later split), the point for its name, and today's
    counties it covers (`parts`)."""
    units: dict[str, dict] = {}
    for feature in boundaries(province):
        code = unit_of(feature["code"], year, lineage)
        units.setdefault(code, {"code": code, "parts": []})["parts"].append(feature)
    for unit in units.values():
        unit["polygons"], unit["label_point"] = unit_shape(
            province, tuple(p["code"] for p in unit["parts"])
        )
    return list(units.values())


@lru_cache(maxsize=256)
def unit_shape(province: str, codes: tuple[str, ...]) -> tuple[list, tuple[float, float]]:
    """The outline of today's counties `codes` together (wound for d3) and the point inside
    it for the name. Kept: every reader of a year asks for the same few unions."""
    by_code = {f["code"]: f for f in boundaries(province)}
    parts = [by_code[c]["polygons"] for c in codes]
    polygons = parts[0] if len(parts) == 1 else [d3_winding(p) for p in map_shapes.dissolve(parts)]
    return polygons, map_shapes.label_point(polygons)


def mappable_indicators(query: Query) -> pd.DataFrame:
    return query(MAPPABLE)


def map_years(query: Query, indicator_id: str, province: str) -> list[int]:
    return [int(y) for y in query(YEARS, [indicator_id, province])["year"]]


def map_frame(
    query: Query,
    indicator_id: str,
    year: int,
    decimals: int,
    lineage: list,
    lang: str,
    province: str,
) -> pd.DataFrame:
    """One row per map unit of the year: code, place (with the later counties it held),
    the figure, its text as printed, its share of the province, and its name as written on
    the map (`label`, without the later counties) at (`label_lon`, `label_lat`) in
    `label_size` pixels."""
    fa = lang == "fa"
    values = query(VALUES, [indicator_id, year, province]).set_index("geo_code")
    province_row = query(PROVINCE, [indicator_id, year, province])
    total = province_row["value"].iloc[0] if not province_row.empty else None
    rows = []
    units = map_units(year, lineage, province)
    for unit in units:
        code = unit["code"]
        found = values.loc[code] if code in values.index else None
        own = next((p for p in unit["parts"] if p["code"] == code), unit["parts"][0])
        name = (
            found["geo_name_fa" if fa else "geo_name_en"]
            if found is not None
            else own["name_fa" if fa else "name_en"]
        )
        label = name
        later = [p["name_fa" if fa else "name_en"] for p in unit["parts"] if p["code"] != code]
        if later:
            joined = "، ".join(later) if fa else ", ".join(later)
            name += f" (با {joined})" if fa else f" (with {joined})"
        value = None if found is None or pd.isna(found["value"]) else float(found["value"])
        flag = None if found is None else found["flag"]
        share = (value / total * 100) if value is not None and total else None
        rows.append(
            {
                "geo_code": code,
                "place": name,
                "value": value,
                "shown": figures.cell(value, flag, decimals, lang),
                "share": share,
                "merged": bool(later),
                "label": label,
            }
        )
    names = tuple(
        (row["label"], tuple(p["code"] for p in unit["parts"]))
        for row, unit in zip(rows, units, strict=True)
    )
    for row, (lon, lat, size) in zip(rows, label_points(province, names), strict=True):
        row["label_lon"], row["label_lat"], row["label_size"] = lon, lat, size
    return pd.DataFrame(rows)


@lru_cache(maxsize=64)
def label_points(
    province: str, names: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[tuple[float, float, int], ...]:
    """Where each unit's name is written: `names` holds (name, today's counties of the
    unit) per unit; the names are placed clear of each other (map_shapes.place_labels)."""
    places = [(name, unit_shape(province, codes)[0]) for name, codes in names]
    return tuple(map_shapes.place_labels(places))


def geo_features(frame: pd.DataFrame, year: int, lineage: list, province: str) -> list[dict]:
    """GeoJSON features of the year's map units carrying the frame's row as properties."""
    by_code = {r["geo_code"]: r for r in frame.to_dict("records")}
    features = []
    for unit in map_units(year, lineage, province):
        properties = {
            k: (None if isinstance(v, float) and pd.isna(v) else v)
            for k, v in by_code.get(unit["code"], {"geo_code": unit["code"]}).items()
        }
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "MultiPolygon", "coordinates": unit["polygons"]},
            }
        )
    return features
