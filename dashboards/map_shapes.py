"""Shapes for the maps: several polygons dissolved into one place's outline, and the point
inside a place where its name is written.

A county of a year before a split is drawn on that year's ground: today's polygons of the
county and of those that later split from it, dissolved into one outline (shapely), so the
reader sees the county as it was, not today's counties coloured alike. A few OpenStreetMap
boundaries cross themselves (Shahriar and Malard meet at a point); they are made valid
first, or the union fails.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import polylabel

# Degrees: a name placed within about a kilometre of the best point is good enough, and
# polylabel stops refining there.
LABEL_TOLERANCE = 0.01

Box = tuple[float, float, float, float]


def to_shape(polygons: list, valid: bool = True) -> MultiPolygon:
    """GeoJSON MultiPolygon coordinates as a shapely MultiPolygon (winding ignored), made
    valid for a union unless `valid` is False (a point test and a pole do without, and
    making Iran's 31 provinces valid costs a third of a second)."""
    shape = MultiPolygon([Polygon(p[0], p[1:]) for p in polygons])
    if not valid or shape.is_valid:
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
    return _pole(to_shape(polygons))


def _pole(shape: MultiPolygon) -> tuple[float, float]:
    largest = max(shape.geoms, key=lambda p: p.area)
    point = polylabel(largest, tolerance=LABEL_TOLERANCE)
    return point.x, point.y


# The map's drawing area as Vega fits it on a page (pixels: the main column of a 1366-pixel
# screen, the legend below) and the names' type: enough to tell which names would overlap.
# A guess at the page's width, so placement avoids most overlaps, not all on every screen.
PLOT_WIDTH, PLOT_HEIGHT = 860, 470
FONT_SIZES = (11, 9)  # a name that finds no clear spot at 11 px tries 9 px
CHAR_WIDTH = 0.65  # of the font size: Vazirmatn bold, Persian or Latin, on average, with a margin
LINE_HEIGHT = 1.7  # of the font size: Persian letters reach far above and below the line
GRID = 9  # candidate points per side of a place's bounding box


def _mercator_y(latitude: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)))


def map_scale(shapes: list[MultiPolygon]) -> float:
    """Pixels per degree of longitude (and per Mercator degree of latitude) when Vega fits
    the places into PLOT_WIDTH x PLOT_HEIGHT."""
    bounds = [shape.bounds for shape in shapes]
    west, south = min(b[0] for b in bounds), min(b[1] for b in bounds)
    east, north = max(b[2] for b in bounds), max(b[3] for b in bounds)
    return min(
        PLOT_WIDTH / max(east - west, 1e-9),
        PLOT_HEIGHT / max(_mercator_y(north) - _mercator_y(south), 1e-9),
    )


def label_box(name: str, size: int, x: float, y: float, scale: float) -> Box:
    """The room a name written at (x, y) in `size` pixels takes: (west, south, east, north)
    in longitude and Mercator latitude degrees."""
    half_width = len(name) * CHAR_WIDTH * size / 2 / scale
    half_height = LINE_HEIGHT * size / 2 / scale
    my = _mercator_y(y)
    return (x - half_width, my - half_height, x + half_width, my + half_height)


def overlap(a: Box, b: Box) -> float:
    """The area two names' rooms share (0 when clear)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def place_labels(places: list[tuple[str, list]]) -> list[tuple[float, float, int]]:
    """Where to write each place's name (longitude, latitude) and in what size (pixels),
    inside the place and clear of the names already placed: larger places first, each at
    its pole of inaccessibility if that is clear, else at the clear point inside it nearest
    to that pole, else in smaller type, else where it overlaps least. `places`: (name,
    MultiPolygon coordinates); the answer is in the same order."""
    shapes = [to_shape(polygons, valid=False) for _, polygons in places]
    scale = map_scale(shapes)
    placed: dict[int, tuple[float, float, int]] = {}
    boxes: list[Box] = []
    for n in sorted(range(len(places)), key=lambda i: -shapes[i].area):
        name = places[n][0]
        best = _pole(shapes[n])
        candidates = [best, *_inside_points(shapes[n], best)]
        x, y, size = _clearest(name, candidates, boxes, scale)
        placed[n] = (x, y, size)
        boxes.append(label_box(name, size, x, y, scale))
    return [placed[n] for n in range(len(places))]


def _clearest(
    name: str, candidates: list[tuple[float, float]], boxes: list[Box], scale: float
) -> tuple[float, float, int]:
    """The first clear spot for the name, larger type first, candidates in order; else the
    spot and size where it overlaps the placed names least."""
    least = None
    for size in FONT_SIZES:
        for x, y in candidates:
            shared = sum(overlap(label_box(name, size, x, y, scale), b) for b in boxes)
            if shared == 0:
                return x, y, size
            if least is None or shared < least[0]:
                least = (shared, x, y, size)
    return least[1:]


def _inside_points(shape: MultiPolygon, best: tuple[float, float]) -> list[tuple[float, float]]:
    """A grid of points inside the place, nearest to `best` first."""
    west, south, east, north = shape.bounds
    xs, ys = zip(
        *(
            (west + (east - west) * (i + 0.5) / GRID, south + (north - south) * (j + 0.5) / GRID)
            for i in range(GRID)
            for j in range(GRID)
        ),
        strict=True,
    )
    inside = shapely.contains_xy(shape, xs, ys)
    points = [(x, y) for x, y, keep in zip(xs, ys, inside, strict=True) if keep]
    return sorted(points, key=lambda p: (p[0] - best[0]) ** 2 + (p[1] - best[1]) ** 2)
