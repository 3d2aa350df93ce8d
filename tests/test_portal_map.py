"""Maps that read (issue 20, item 5): each place named inside its outline, classes that run
from the lowest figure to the highest by a stated rule, and a year before a split drawn on
that year's counties (today's polygons dissolved into the county they split from).

The plain functions on the seeds' boundaries and lineage (Tehran, and Semnan, whose Aradan,
Meyami and Sorkheh split off between the 1390 and 1395 censuses); the map page under
AppTest and in Chromium on the demo home for 1390, before Pardis and Qarchak split from
Tehran and Varamin (screenshots in test-output/portal/map-*.png).
"""

from __future__ import annotations

import itertools
import json
import random

import pandas as pd
import pyarrow
import pyarrow.ipc
import pytest
from shapely.geometry import Point

from dashboards import charts, county_map_data, map_shapes, province_map_data
from salnameh.reference import Reference

SEMNAN, TEHRAN = "20", "23"
CENSUS = "pop_county_sex_age.population[age_group_5y=total;sex=total]"
TEHRAN_1390, PROVINCE_1390 = 8_293_140, 12_183_391


def area(polygons: list) -> float:
    return map_shapes.to_shape(polygons).area


def unit_by_name(units: list[dict], name_en: str) -> dict:
    return next(
        u for u in units for p in u["parts"] if p["code"] == u["code"] and p["name_en"] == name_en
    )


def fake_county_query(province: str, year: int, lineage):
    """query(sql, params) answering the county map's statements: a figure for every county of
    the year, the county's code times a thousand (so each is distinct)."""
    units = county_map_data.map_units(year, lineage, province)
    names = {f["code"]: f for f in county_map_data.boundaries(province)}
    values = pd.DataFrame(
        {
            "geo_code": [u["code"] for u in units],
            "geo_name_fa": [names[u["code"]]["name_fa"] for u in units],
            "geo_name_en": [names[u["code"]]["name_en"] for u in units],
            "value": [float(int(u["code"]) * 1000) for u in units],
            "flag": [None] * len(units),
            "break_note_fa": [None] * len(units),
            "break_note_en": [None] * len(units),
        }
    )
    province_row = pd.DataFrame({"value": [values["value"].sum()], "flag": [None]})
    tables = {county_map_data.VALUES: values, county_map_data.PROVINCE: province_row}
    return lambda sql, params=(): tables[sql].copy()


def layers_of(spec: dict, mark: str) -> list[dict]:
    return [
        layer
        for layer in spec["layer"]
        if (layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]) == mark
    ]


def rows_of(spec: dict, layer: dict) -> list[dict]:
    """A layer's data rows (Altair moves inline data to the spec's named datasets, and a lone
    layer's data up to the whole chart)."""
    data = layer.get("data") or spec["data"]
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def drawn_names(spec: dict) -> list[dict]:
    """The names the map writes (the ink layer: the last text layer), with their points."""
    return rows_of(spec, layers_of(spec, "text")[-1])


# ------------------------------------------------------------------ classes


SKEWED = [9_360_000, 620_000, 410_000, 300_000, 250_000, 120_000, 95_000, 80_000,
          60_000, 45_000, 30_000, 22_000, 15_000, 9_000, 4_000, 2_500]  # fmt: skip


@pytest.mark.parametrize("method", ["jenks", "quantile"])
def test_classes_cover_the_figures_from_the_lowest_to_the_highest(method):
    classes = charts.class_breaks([*SKEWED, None, float("nan")], method=method)
    assert classes.method == method and len(classes.bounds) == 5
    assert classes.bounds[0][0] == min(SKEWED) and classes.bounds[-1][1] == max(SKEWED)
    for (_, high), (low, _) in itertools.pairwise(classes.bounds):
        assert high < low  # ascending, no figure in two classes
    assert all(classes.of(v) is not None for v in SKEWED)
    assert classes.of(None) is None and classes.of(max(SKEWED) + 1) is None
    top = charts.class_labels(classes, 0, "en")[-1]
    assert top.endswith("9,360,000")
    assert charts.class_labels(classes, 0, "fa")[-1].endswith(f"۹٬۳۶۰٬۰۰۰{charts.RLM}")


def test_natural_breaks_give_the_outlier_its_own_class_and_quantiles_equal_counts():
    jenks = charts.class_breaks(SKEWED, method="jenks")
    assert jenks.bounds[-1] == (9_360_000, 9_360_000)  # Tehran alone at the top
    quantile = charts.class_breaks(SKEWED, method="quantile")
    counts = [sum(low <= v <= high for v in SKEWED) for low, high in quantile.bounds]
    assert max(counts) - min(counts) <= 1
    # Equal figures share a class; no more classes than distinct figures.
    tied = charts.class_breaks([5, 5, 5, 5, 7, 7, 9], method="quantile")
    assert tied.bounds == ((5, 5), (7, 7), (9, 9))
    assert charts.class_breaks([5, 5, None]).bounds == ((5, 5),)
    assert charts.class_breaks([None]).bounds == ()
    with pytest.raises(ValueError, match="class method"):
        charts.class_breaks(SKEWED, method="equal")


def test_natural_breaks_are_the_least_squares_split():
    """Fisher-Jenks against every possible split of a few figures."""

    def spread(run):
        mean = sum(run) / len(run)
        return sum((v - mean) ** 2 for v in run)

    rng = random.Random(20)
    for _ in range(30):
        values = sorted(rng.choice([rng.randint(1, 50), rng.randint(1, 5000)]) for _ in range(9))
        if len(set(values)) < 9:
            continue
        best = min(
            sum(spread(values[a:b]) for a, b in itertools.pairwise((0, *cuts, 9)))
            for cuts in itertools.combinations(range(1, 9), 3)
        )
        classes = charts.class_breaks(values, classes=4)
        runs = [[v for v in values if low <= v <= high] for low, high in classes.bounds]
        assert sum(spread(r) for r in runs) == pytest.approx(best)


def test_the_legend_states_the_rule_and_each_class_in_the_readers_digits():
    features = [
        {"type": "Feature", "properties": {"value": v, "place": str(n)}, "geometry": None}
        for n, v in enumerate(SKEWED)
    ]
    for method, lang, rule, top in [
        ("jenks", "en", "Classes: natural breaks (Jenks)", "9,360,000"),
        ("quantile", "fa", "طبقه‌ها: چندک‌ها (شمار برابر در هر طبقه)", "۹٬۳۶۰٬۰۰۰"),
    ]:
        spec = charts.choropleth(features, lang, "persons", method=method).to_dict()
        shapes = layers_of(spec, "geoshape")[-1]
        colour = shapes["encoding"]["color"]
        assert [t.strip(charts.RLM) for t in colour["legend"]["title"]] == ["persons", rule]
        domain = colour["scale"]["domain"]
        top_class = domain[0] if lang == "fa" else domain[-1]  # Persian's legend: right to left
        assert len(domain) == 5 and top_class.strip(charts.RLM).endswith(top)
        # Persian marked right to left at both ends, or Chromium reorders «X تا Y».
        assert all((d[0] == d[-1] == charts.RLM) == (lang == "fa") for d in domain)
        assert {f["properties"]["class_label"] for f in rows_of(spec, shapes)} == set(domain)


# ------------------------------------------------------------------ the year's units


@pytest.mark.parametrize(
    ("province", "year", "parent", "children"),
    [
        (SEMNAN, 1390, "Garmsar", ["Aradan"]),
        (SEMNAN, 1390, "Shahrud", ["Meyami"]),
        (SEMNAN, 1390, "Semnan", ["Sorkheh"]),
        (TEHRAN, 1390, "Tehran", ["Pardis"]),
        (TEHRAN, 1375, "Varamin", ["Pakdasht", "Pishva", "Qarchak"]),
    ],
)
def test_a_year_before_a_split_draws_the_parent_on_its_ground_then(
    province, year, parent, children
):
    lineage = Reference(province=province).lineage
    units = county_map_data.map_units(year, lineage, province)
    unit = unit_by_name(units, parent)
    assert sorted(p["name_en"] for p in unit["parts"]) == sorted([parent, *children])
    today = sum(area(p["polygons"]) for p in unit["parts"])
    assert area(unit["polygons"]) == pytest.approx(today, rel=1e-6)
    assert len(unit["polygons"]) == 1  # one outline, the shared borders gone
    assert county_map_data._signed_area(unit["polygons"][0][0]) < 0  # wound for d3
    assert map_shapes.to_shape(unit["polygons"]).contains(Point(unit["label_point"]))
    # Once split, the children are units of their own again.
    later = {u["code"] for u in county_map_data.map_units(1402, lineage, province)}
    assert {p["code"] for p in unit["parts"]} <= later


def test_the_semnan_units_of_1390_and_1395_tile_the_same_ground():
    lineage = Reference(province=SEMNAN).lineage
    before = county_map_data.map_units(1390, lineage, SEMNAN)
    after = county_map_data.map_units(1395, lineage, SEMNAN)
    assert len(before) == 5 and len(after) == 8
    assert sum(area(u["polygons"]) for u in before) == pytest.approx(
        sum(area(u["polygons"]) for u in after), rel=1e-6
    )


@pytest.mark.parametrize(("province", "year"), [(SEMNAN, 1390), (TEHRAN, 1390), (TEHRAN, 1375)])
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_unit_of_the_year_is_named_inside_its_outline(province, year, lang):
    lineage = Reference(province=province).lineage
    query = fake_county_query(province, year, lineage)
    frame = county_map_data.map_frame(query, CENSUS, year, 0, lineage, lang, province)
    features = county_map_data.geo_features(frame, year, lineage, province)
    spec = charts.choropleth(features, lang, "persons").to_dict()
    names = drawn_names(spec)
    units = {u["code"]: u for u in county_map_data.map_units(year, lineage, province)}
    assert sorted(n["name"] for n in names) == sorted(frame["label"])
    assert len(names) == len(units)
    outlines = {r["label"]: units[r["geo_code"]]["polygons"] for r in frame.to_dict("records")}
    for name in names:
        assert map_shapes.to_shape(outlines[name["name"]]).contains(Point(name["lon"], name["lat"]))
    # Named in the page's language: Persian letters or none.
    persian = any("\u0600" <= ch <= "\u06ff" for n in names for ch in n["name"])
    assert persian == (lang == "fa")


def test_every_province_on_the_hubs_map_is_named_inside_it():
    none = pd.DataFrame(
        columns=[
            "geo_code",
            "geo_level",
            "geo_name_fa",
            "geo_name_en",
            "value",
            "flag",
            "share_of_nation",
            "rank_among_provinces",
            "n_provinces",
            "break_note_fa",
            "break_note_en",
        ]
    )
    tehran = pd.DataFrame(
        [
            [
                "23",
                "province",
                "استان تهران",
                "Tehran Province",
                12183391.0,
                None,
                1.0,
                1,
                1,
                None,
                None,
            ]
        ],
        columns=none.columns,
    )
    query = lambda sql, params=(): tehran.copy()  # noqa: E731
    frame = province_map_data.province_frame(query, "pop", 1390, 0, "en")
    coloured, grey = province_map_data.province_features(frame)
    spec = charts.choropleth(coloured, "en", "persons", grey, place=("استان", "Province")).to_dict()
    names = {n["name"]: n for n in drawn_names(spec)}
    assert len(names) == 31 and "Tehran" in names and "Sistan and Baluchestan" in names
    for feature in province_map_data.province_boundaries():
        point = names[feature["name_en"]]
        assert map_shapes.to_shape(feature["polygons"]).contains(Point(point["lon"], point["lat"]))


# ------------------------------------------------------------------ the page


def chart_spec(app) -> dict:
    """The map's spec as the page sent it, with the tabular datasets Streamlit moved out of it
    (as Arrow) put back; GeoJSON stays in the spec."""
    proto = app.get("vega_lite_chart")[0].proto
    spec = json.loads(proto.spec)
    for dataset in proto.datasets:
        table = pyarrow.ipc.open_stream(dataset.data.data).read_all()
        spec.setdefault("datasets", {})[dataset.name] = table.to_pylist()
    return spec


@pytest.mark.integration
def test_the_map_page_draws_1390_on_the_counties_of_1390(portal_page, demo_home):
    app = portal_page("screens/county_map.py", demo_home.root, lang="en")
    app.query_params["indicator"] = CENSUS
    app.run()
    app.selectbox(key="map_year").select(1390)
    app.run()
    assert not app.exception
    spec = chart_spec(app)
    shapes = rows_of(spec, layers_of(spec, "geoshape")[-1])
    assert len(shapes) == 14  # Pardis in Tehran, Qarchak in Varamin
    tehran = next(f for f in shapes if f["properties"]["geo_code"] == "2301")
    assert len(tehran["geometry"]["coordinates"]) == 1  # one outline
    names = [n["name"] for n in drawn_names(spec)]
    assert "Tehran" in names and "Varamin" in names and "Pardis" not in names
    assert len(names) == 14
    legend = layers_of(spec, "geoshape")[-1]["encoding"]["color"]
    assert legend["legend"]["title"][1] == "Classes: natural breaks (Jenks)"
    assert legend["scale"]["domain"][-1].endswith(f"{TEHRAN_1390:,}")
    assert any(c.value.startswith("Classes: natural breaks (Jenks).") for c in app.caption)

    app.radio(key="map_classes").set_value("quantile")
    app.run()
    legend = layers_of(chart_spec(app), "geoshape")[-1]["encoding"]["color"]
    assert legend["legend"]["title"][1] == "Classes: quantiles (equal counts)"
    assert legend["scale"]["domain"][-1].endswith(f"{TEHRAN_1390:,}")


# ------------------------------------------------------------------ in the browser

CHART = '[data-testid="stVegaLiteChart"]'


@pytest.fixture(scope="module")
def map_portal(demo_home, tmp_path_factory):
    """A real portal server on a private copy of the demo home; yields (url, home)."""
    from tests.conftest import copy_home
    from tests.test_portal_browser import _need_browser, serve_portal

    _need_browser()
    home = copy_home(demo_home.root, tmp_path_factory.mktemp("map-portal") / "home")
    yield from serve_portal(home, tmp_path_factory)


def written(tab) -> list[str]:
    """The names Vega wrote on the map (each twice: halo, then ink)."""
    marks = f"{CHART} svg g.mark-text.role-mark text"  # not the legend's labels
    tab.wait_for_selector(marks, timeout=30_000)
    return tab.locator(marks).evaluate_all("texts => texts.map(t => t.textContent)")


def legend_text(tab) -> str:
    legend = tab.locator(f"{CHART} svg g.role-legend text")
    return " ".join(legend.evaluate_all("texts => texts.map(t => t.textContent)"))


@pytest.mark.browser
@pytest.mark.slow
def test_the_map_of_1390_in_chromium_names_the_counties_of_1390(map_portal, page):
    from tests.test_portal_browser import SHOTS, settle, shot, visit

    url, _home = map_portal
    visit(page, url, f"county_map?indicator={CENSUS}")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="سال").click()
    page.get_by_role("option", name="۱۳۹۰", exact=True).click()
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    main = page.locator('[data-testid="stMain"]')
    assert "۱۳۹۰" in main.locator("h2").inner_text()
    shapes = page.locator(f"{CHART} svg g.mark-shape path")
    assert shapes.count() == 14  # one outline per county of 1390
    names = written(page)
    assert len(names) == 2 * 14
    assert "تهران" in names and "ورامین" in names and "پردیس" not in names
    legend = legend_text(page)
    assert "طبقه‌ها: شکست‌های طبیعی (جنکس)" in legend
    assert "۸٬۲۹۳٬۱۴۰" in legend  # Tehran's 1390 census figure ends the top class
    assert "OpenStreetMap" in main.inner_text()
    shot(page, "map-1390-fa")
    page.locator(CHART).screenshot(path=str(SHOTS / "map-1390-fa-chart.png"))

    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(page)
    names = written(page)
    assert "Tehran" in names and "Varamin" in names and "Pardis" not in names
    legend = legend_text(page)
    assert "Classes: natural breaks (Jenks)" in legend and "8,293,140" in legend
    shot(page, "map-1390-en")
    page.locator(CHART).screenshot(path=str(SHOTS / "map-1390-en-chart.png"))


def overlapping(places: list[tuple[str, list]], points: list[tuple[float, float, int]]) -> set:
    """The names whose room on the map (map_shapes.label_box) overlaps another's."""
    scale = map_shapes.map_scale([map_shapes.to_shape(p) for _, p in places])
    boxes = [
        map_shapes.label_box(name, size, x, y, scale)
        for (name, _), (x, y, size) in zip(places, points, strict=True)
    ]
    return {
        places[n][0]
        for a, b in itertools.combinations(range(len(boxes)), 2)
        if map_shapes.overlap(boxes[a], boxes[b]) > 0
        for n in (a, b)
    }


def test_names_are_placed_inside_their_place_and_clear_of_each_other():
    """Tehran's crowded west (Eslamshahr, Baharestan, Qods, Shahriar): each at its pole of
    inaccessibility, several names would overlap; placed, none does. Across every
    province's counties of 1395 and Iran's provinces, at most one name in ten touches
    another (Isfahan's ring of counties around the city is the densest)."""
    lineage = Reference(province=TEHRAN).lineage
    units = county_map_data.map_units(1390, lineage, TEHRAN)
    places = [(u["parts"][0]["name_fa"], u["polygons"]) for u in units]
    naive = [(*map_shapes.label_point(p), map_shapes.FONT_SIZES[0]) for _, p in places]
    assert len(overlapping(places, naive)) >= 2
    placed = map_shapes.place_labels(places)
    assert overlapping(places, placed) == set()
    for (_, polygons), (x, y, size) in zip(places, placed, strict=True):
        assert map_shapes.to_shape(polygons).contains(Point(x, y)) and size in (11, 9)

    touching, total = 0, 0
    for province in Reference().provinces:
        units = county_map_data.map_units(1395, Reference(province=province).lineage, province)
        for lang in ("fa", "en"):
            places = [(u["parts"][0][f"name_{lang}"], u["polygons"]) for u in units]
            touching += len(overlapping(places, map_shapes.place_labels(places)))
            total += len(places)
    for lang in ("fa", "en"):
        places = [
            (f[f"name_{lang}"], f["polygons"]) for f in province_map_data.province_boundaries()
        ]
        touching += len(overlapping(places, map_shapes.place_labels(places)))
        total += len(places)
    assert touching <= total / 10, (touching, total)


def test_the_spec_with_named_data_draws_what_the_chart_draws():
    """choropleth_spec (data put in after Altair, which would walk every boundary point) is
    the same drawing as choropleth().to_dict(): same layers, same rows."""
    lineage = Reference(province=TEHRAN).lineage
    query = fake_county_query(TEHRAN, 1390, lineage)
    frame = county_map_data.map_frame(query, CENSUS, 1390, 0, lineage, "fa", TEHRAN)
    features = county_map_data.geo_features(frame, 1390, lineage, TEHRAN)
    named = charts.choropleth_spec(features, "fa", "نفر", method="quantile")
    inline = charts.choropleth(features, "fa", "نفر", method="quantile").to_dict()
    assert len(named["layer"]) == len(inline["layer"]) == 3  # places, halo, ink
    for a, b in zip(named["layer"], inline["layer"], strict=True):
        assert rows_of(named, a) == rows_of(inline, b)
        assert {k: v for k, v in a.items() if k != "data"} == {
            k: v for k, v in b.items() if k != "data"
        }
    rest = {k: v for k, v in named.items() if k not in ("datasets", "layer")}
    assert rest == {k: v for k, v in inline.items() if k != "layer"}
