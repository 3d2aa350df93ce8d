"""Shapes for the maps: several polygons dissolved into one place's outline, and the point
inside a place where its name is written.

A county of a year before a split is drawn on that year's ground: today's polygons of the
county and of those that later split from it, dissolved into one outline (shapely), so the
reader sees the county as it was, not today's counties coloured alike. A few OpenStreetMap
boundaries cross themselves (Shahriar and Malard meet at a point); they are made valid
first, or the union fails.
"""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import polylabel

# Degrees: a name placed within about a kilometre of the best point is good enough, and
# polylabel stops refining there.
LABEL_TOLERANCE = 0.01


def to_shape(polygons: list) -> MultiPolygon:
    """GeoJSON MultiPolygon coordinates as a valid shapely MultiPolygon (winding ignored)."""
    shape = MultiPolygon([Polygon(p[0], p[1:]) for p in polygons])
    if shape.is_valid:
        return shape
    fixed = shapely.make_valid(shape)
    parts = [g for g in shapely.get_parts(fixed) if isinstance(g, Polygon)]
    parts += [p for g in shapely.get_parts(fixed) if isinstance(g, MultiPolygon) for p in g.geoms]
    return MultiPolygon(parts)


def to_coordinates(shape) -> list:
    """A shapely (Multi)Polygon as GeoJSON MultiPolygon coordinates: lists of [x, y]."""
    polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
    return [
        [[list(point) for point in ring.coords] for ring in (polygon.exterior, *polygon.interiors)]
        for polygon in polygons
    ]


def dissolve(parts: list[list]) -> list:
    """The outline of several places together: the union of their MultiPolygon coordinates,
    as MultiPolygon coordinates (one polygon when they touch), shared borders gone."""
    union = shapely.union_all([to_shape(polygons) for polygons in parts])
    return to_coordinates(union)


def label_point(polygons: list) -> tuple[float, float]:
    """(longitude, latitude) of a point well inside the place's largest polygon, where its
    name is written: the pole of inaccessibility, so a crescent-shaped county's name does
    not fall outside it as its centroid would."""
    largest = max(to_shape(polygons).geoms, key=lambda p: p.area)
    point = polylabel(largest, tolerance=LABEL_TOLERANCE)
    return point.x, point.y
