"""The map boundaries in seeds/geo/: one rule made them small (salnameh.boundaries), and
they carry the SCI codes and names the reference seeds hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salnameh.boundaries import (
    GEO_DIR,
    PROVINCE_DECIMALS,
    PROVINCES_PATH,
    named_as_seeded,
    simplified,
    snapped_polygons,
    snapped_ring,
)
from salnameh.reference import Reference

pytestmark = pytest.mark.unit

SOURCE = Path("/work/shared/data/geo/iran_provinces.geojson")


def test_a_ring_on_the_grid_drops_repeated_points_and_stays_closed():
    ring = [[50.001, 34.0], [50.004, 34.001], [50.02, 34.0], [50.02, 34.02], [50.0012, 34.0]]
    assert snapped_ring(ring, 2) == [[50.0, 34.0], [50.02, 34.0], [50.02, 34.02], [50.0, 34.0]]


def test_a_polygon_that_collapses_on_the_grid_is_dropped_with_its_holes():
    tiny = [[[50.001, 34.001], [50.002, 34.001], [50.002, 34.002], [50.001, 34.001]]]
    big = [[[50.0, 34.0], [51.0, 34.0], [51.0, 35.0], [50.0, 34.0]]]
    geometry = {"type": "MultiPolygon", "coordinates": [tiny, big]}
    assert snapped_polygons(geometry, 2) == [big]


def test_the_province_file_has_the_31_provinces_named_as_seeded():
    data = json.loads(PROVINCES_PATH.read_text(encoding="utf-8"))
    provinces = Reference().provinces
    found = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert set(found) == set(provinces) and len(found) == 31
    for code, properties in found.items():
        assert properties["name_fa"] == provinces[code].short_fa
        assert properties["name_en"] == provinces[code].short_en
        assert not set("يك") & set(properties["name_fa"])  # canonical Persian letters
    assert PROVINCES_PATH.stat().st_size < 1_000_000


def test_the_province_file_is_the_rule_applied_to_the_shared_source():
    if not SOURCE.exists():
        pytest.skip(f"{SOURCE} is not on this machine")
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    made = named_as_seeded(simplified(source, PROVINCE_DECIMALS))
    assert json.loads(PROVINCES_PATH.read_text(encoding="utf-8")) == made


def test_the_county_files_already_follow_the_rule_at_4_decimals():
    for path in sorted((GEO_DIR / "counties").glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            geometry = feature["geometry"]
            assert snapped_polygons(geometry, 4) == geometry["coordinates"], path.name
