"""Boundaries for the portal's maps, made small enough to ship in seeds/geo/.

The rule (seeds/geo/SOURCES.md): coordinates rounded to a grid (`decimals` places of a
degree), a point equal to the one before it dropped, a ring that no longer encloses
anything (under four points) dropped, and a polygon whose outer ring is dropped goes with
its holes. Rounding to a grid keeps the border two neighbours share identical in both, so
the map has no gaps or overlaps between them, which a per-feature line simplification
would not promise. The county files (4 decimals, about 11 m) follow it; the province file
uses 2 decimals (about 1.1 km, well under a pixel of a map of Iran).

    python -m salnameh.boundaries ../shared/data/geo/iran_provinces.geojson \
        seeds/geo/iran_provinces.geojson --decimals 2 --provinces
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from salnameh.settings import SEEDS_DIR

GEO_DIR = SEEDS_DIR / "geo"
PROVINCES_PATH = GEO_DIR / "iran_provinces.geojson"
PROVINCE_DECIMALS = 2
# Kept from the source's properties; anything else (OSM tags) is left behind.
PROPERTIES = ("code", "name_fa", "name_en", "osm_relation")


def snapped_ring(ring: list, decimals: int) -> list:
    """The ring on the grid, without repeated points, closed."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != point:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def snapped_polygons(geometry: dict, decimals: int) -> list:
    """A Polygon or MultiPolygon's polygons on the grid (MultiPolygon coordinates)."""
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    kept = []
    for polygon in polygons:
        rings = [snapped_ring(ring, decimals) for ring in polygon]
        if len(rings[0]) < 4:
            continue
        kept.append([rings[0], *(r for r in rings[1:] if len(r) >= 4)])
    return kept


def simplified(collection: dict, decimals: int) -> dict:
    """The FeatureCollection on the grid, one MultiPolygon per feature, its SCI code a
    string ('01', never 1)."""
    features = []
    for feature in collection["features"]:
        properties = {k: v for k, v in feature["properties"].items() if k in PROPERTIES}
        if properties.get("code") is not None:
            properties["code"] = str(properties["code"])
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": snapped_polygons(feature["geometry"], decimals),
                },
            }
        )
    features.sort(key=lambda f: f["properties"].get("code") or "")
    return {"type": "FeatureCollection", "features": features}


def named_as_seeded(collection: dict) -> dict:
    """Province features named as seeds/reference/geography.csv names them (the short
    names, without «استان»), so the map and the marts agree on every name."""
    from salnameh.reference import Reference

    provinces = Reference().provinces
    for feature in collection["features"]:
        found = provinces[feature["properties"]["code"]]
        feature["properties"].update(name_fa=found.short_fa, name_en=found.short_en)
    return collection


def dumps(collection: dict) -> str:
    """Compact JSON, Persian names as they are (not \\u escapes)."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--decimals", type=int, default=PROVINCE_DECIMALS)
    parser.add_argument(
        "--provinces", action="store_true", help="features are provinces: name them as seeded"
    )
    args = parser.parse_args(argv)
    source = json.loads(args.source.read_text(encoding="utf-8"))
    made = simplified(source, args.decimals)
    if args.provinces:
        made = named_as_seeded(made)
    args.out.write_text(dumps(made), encoding="utf-8")


if __name__ == "__main__":
    main()
