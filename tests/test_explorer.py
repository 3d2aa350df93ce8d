"""The indicator explorer as an analyst uses it: each transform (per 1,000 people, index,
growth, share of the province) against figures computed by hand from the demo's public
snapshot; the choice of scales (a panel per place, a second axis); the page itself under
AppTest: Shemiranat's population beside its province, readable labels only, and the
choices kept when the language changes. The same in Chromium: test_explorer_browser.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from dashboards import explorer_data as data
from salnameh.series import series_frame
from salnameh.settings import home
from salnameh.snapshots import PUBLIC, open_snapshot

pytestmark = pytest.mark.integration

ESTIMATE = "pop_county_sex_estimate.population[sex=total]"
CENSUS = "pop_county_sex_age.population[age_group_5y=total;sex=total]"
STUDENTS = "edu_students_county_level_sex.students[school_level=total;sex=total]"
GREEN = "green_space_county.per_capita"  # m² per person: a ratio, not additive
PROVINCE, TEHRAN, SHEMIRANAT, TEHRAN_PARDIS = "23", "2301", "2304", "2301+2320"

# Figures in the tests are the demo's public snapshot's (marts.fct_indicator_series,
# released), copied by hand so the tests do not compute their expectations the way the
# code does.


@pytest.fixture
def public_con(demo_home):
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        yield con


def frame(con, indicators, places, basis="as_published"):
    return series_frame(con, indicators, places, None, basis)


def values(turned: pd.DataFrame, geo_code: str) -> dict[int, float]:
    rows = turned[turned["geo_code"] == geo_code]
    return dict(zip(rows["year"].astype(int), rows["value"], strict=True))


def starts_of(series: pd.DataFrame) -> set:
    return data.break_starts(data.break_marks(series, "as_published"))


def people(con, places, basis="as_published", estimate_changed=None):
    both = frame(con, [CENSUS, ESTIMATE], places, basis)
    census = both[both["indicator_id"] == CENSUS]
    estimate = both[both["indicator_id"] == ESTIMATE].copy()
    if estimate_changed is not None:
        estimate["value"] = estimate_changed(estimate)
    return data.population(census, estimate)


# ------------------------------------------------------------------ transforms


def figure(text: str) -> float:
    """A figure as the grid shows it: text in the reader's digits (dashboards/grids.py)."""
    from salnameh.persian import parse_cell

    return parse_cell(text)[0]


def test_the_population_divided_by_is_found_in_the_catalog(public_con):
    query = lambda sql, params=(): public_con.execute(sql, list(params)).df()  # noqa: E731
    assert data.population_indicators(query) == (CENSUS, ESTIMATE)


def test_per_capita_divides_by_the_census_in_census_years_and_the_estimate_otherwise(
    public_con,
):
    students = frame(public_con, [STUDENTS], [SHEMIRANAT])
    # The demo's estimate equals the census in census years; double it there, and the
    # census must still be the one divided by.
    doubled = people(
        public_con,
        [SHEMIRANAT],
        estimate_changed=lambda e: e["value"].where(~e["year"].isin([1390, 1395]), e["value"] * 2),
    )
    turned = data.transform(students, "per_capita", people=doubled)
    got = values(turned, SHEMIRANAT)
    assert got[1390] == pytest.approx(7148 / 44061 * 1000)  # 162.23 per 1,000
    assert got[1392] == pytest.approx(7220 / 45321 * 1000)  # the estimate of 1392
    assert got[1395] == pytest.approx(7519 / 47279 * 1000)
    source = dict(zip(turned["year"], turned["population_source"], strict=True))
    assert source[1390] == source[1395] == "census"
    assert source[1391] == source[1401] == "estimate"
    note = data.population_note(turned, "en")
    assert note.startswith("Divided by the census population: 1390, 1395; estimated")
    assert "۱۳۹۰، ۱۳۹۵" in data.population_note(turned, "fa")


def test_per_capita_leaves_a_ratio_alone_and_needs_a_population(public_con):
    green = frame(public_con, [GREEN], [SHEMIRANAT])
    turned = data.transform(green, "per_capita", people=people(public_con, [SHEMIRANAT]))
    assert turned["value"].isna().all() and set(turned["population_source"]) == {""}
    with pytest.raises(ValueError, match="population"):
        data.transform(green, "per_capita")


def test_index_on_the_chosen_base_year(public_con):
    estimate = frame(public_con, [ESTIMATE], [SHEMIRANAT])
    got = values(data.transform(estimate, "index", base_year=1392), SHEMIRANAT)
    assert got[1392] == 100
    assert got[1390] == pytest.approx(44061 / 45321 * 100)  # 97.22
    assert got[1393] == pytest.approx(45964 / 45321 * 100)  # 101.42
    with pytest.raises(ValueError, match="base year"):
        data.transform(estimate, "index")


def test_index_and_growth_do_not_bridge_a_boundary_change(public_con):
    # Tehran county lost Pardis in 1391: 1390 is other ground than 1391 on.
    students = frame(public_con, [STUDENTS], [TEHRAN])
    starts = starts_of(students)
    assert (STUDENTS, TEHRAN, 1391) in starts
    on_1390 = values(data.transform(students, "index", base_year=1390, starts=starts), TEHRAN)
    assert on_1390[1390] == 100
    assert pd.isna(on_1390[1391]) and pd.isna(on_1390[1393])
    on_1392 = values(data.transform(students, "index", base_year=1392, starts=starts), TEHRAN)
    assert pd.isna(on_1392[1390])
    assert on_1392[1393] == pytest.approx(1_432_900 / 1_389_227 * 100)
    grown = values(data.transform(students, "growth", starts=starts), TEHRAN)
    assert pd.isna(grown[1390])  # nothing before the first year
    assert pd.isna(grown[1391])  # the break is not bridged
    assert grown[1392] == pytest.approx((1_389_227 - 1_392_651) / 1_392_651 * 100)  # -0.25 %
    # Without the break known, 1391 would be a change of -0.62 %: the rule is what hides it.
    bridged = values(data.transform(students, "growth"), TEHRAN)
    assert bridged[1391] == pytest.approx((1_392_651 - 1_401_299) / 1_401_299 * 100)


def test_growth_on_the_previous_year_only(public_con):
    estimate = frame(public_con, [ESTIMATE], [PROVINCE])
    got = values(data.transform(estimate, "growth"), PROVINCE)
    assert got[1391] == pytest.approx((12_389_482 - 12_183_391) / 12_183_391 * 100)  # 1.69 %
    census = frame(public_con, [CENSUS], [PROVINCE])
    # Two censuses five years apart: no year has its previous year.
    assert data.transform(census, "growth")["value"].isna().all()


def test_share_of_the_province(public_con):
    parents = {TEHRAN: PROVINCE, SHEMIRANAT: PROVINCE, "2320": PROVINCE}
    students = frame(public_con, [STUDENTS, GREEN], [PROVINCE, SHEMIRANAT])
    turned = data.transform(students, "share", parents=parents)
    counted = turned[turned["indicator_id"] == STUDENTS]
    got = values(counted, SHEMIRANAT)
    assert got[1390] == pytest.approx(7148 / 1_965_804 * 100)  # 0.36 %
    assert got[1395] == pytest.approx(7519 / 2_103_544 * 100)
    assert values(counted, PROVINCE) and all(pd.isna(v) for v in values(counted, PROVINCE).values())
    assert turned.loc[turned["indicator_id"] == GREEN, "value"].isna().all()  # a ratio
    comparable = frame(public_con, [STUDENTS], [PROVINCE, "2320"], "comparable")
    got = values(data.transform(comparable, "share", parents=parents), TEHRAN_PARDIS)
    assert got[1395] == pytest.approx(1_474_069 / 2_103_544 * 100)  # 70.08 %


def test_share_reads_the_provinces_of_the_chosen_counties_too():
    parents = {SHEMIRANAT: PROVINCE}
    assert data.places_to_fetch([SHEMIRANAT], parents, "share") == [SHEMIRANAT, PROVINCE]
    assert data.places_to_fetch([SHEMIRANAT], parents, "level") == [SHEMIRANAT]


def test_a_transform_not_known_is_refused(public_con):
    with pytest.raises(ValueError, match="transform must be one of"):
        data.transform(frame(public_con, [ESTIMATE], [PROVINCE]), "log")


# ------------------------------------------------------------------ scales


def shown_of(con, places, indicator=ESTIMATE):
    series = frame(con, [indicator], places)
    shown = data.shown_frame(series, "en")
    shown["geo_level"] = series["geo_level"]
    return shown


def test_places_of_different_scales_get_a_panel_each(public_con):
    shown = shown_of(public_con, [PROVINCE, SHEMIRANAT])
    assert data.scale_ratio(shown) == pytest.approx(14_454_813 / 50_594)  # 286-fold
    assert data.chosen_layout(shown, "auto") == "panels"
    assert data.chosen_layout(shown, "shared") == "shared"  # the reader decides
    assert data.second_axis_places(shown) == ["Tehran Province"]
    alike = shown_of(public_con, [SHEMIRANAT, "2302"])  # Shemiranat and Damavand
    assert data.scale_ratio(alike) < data.SCALE_RATIO
    assert data.chosen_layout(alike, "auto") == "shared"


# ------------------------------------------------------------------ the page (AppTest)


def opened(portal_page, demo_home, lang="fa", places=f"{PROVINCE},{SHEMIRANAT}"):
    app = portal_page("screens/explorer.py", demo_home.root, lang=lang)
    app.query_params["indicator"] = ESTIMATE
    app.query_params["places"] = places
    return ran(app)


def ran(app):
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def chart_spec(app, n: int = 0) -> dict:
    """The page's n-th chart's Vega-Lite spec, with its data sets (which Streamlit sends
    apart, as Arrow) put back under "datasets" as lists of rows; checked against
    Vega-Lite's schema, which the page skips (dashboards/drawn_charts.py)."""
    proto = app.get("vega_lite_chart")[n].proto
    spec = json.loads(proto.spec)
    spec["datasets"] = {
        named.name: convert_arrow_bytes_to_pandas_df(named.data.data).to_dict("records")
        for named in proto.datasets
    }
    validate_jsonschema(json.loads(json.dumps(spec, default=str)), load_schema())
    return spec


def places_drawn(spec: dict, part: dict) -> set[str]:
    """The places whose rows a chart (a panel, a layer and the layers inside it) draws."""
    found = set()
    name = part.get("data", {}).get("name")
    if name:
        found |= {row["place"] for row in spec["datasets"][name]}
    for inner in part.get("layer", []):
        found |= places_drawn(spec, inner)
    return found


def test_shemiranats_population_over_the_years_beside_its_province(portal_page, demo_home):
    app = opened(portal_page, demo_home)
    assert app.radio(key="ex_layout").value == "auto"
    # A panel per place, each a chart of its own with its own value scale: the county is
    # not flattened by the province.
    panels = [chart_spec(app, n) for n in range(len(app.get("vega_lite_chart")))]
    assert [p["title"]["text"] for p in panels] == ["استان تهران", "شمیرانات"]
    assert [places_drawn(p, p) for p in panels] == [{"استان تهران"}, {"شمیرانات"}]
    assert "۲۸۶ برابر" in " ".join(c.value for c in app.caption)  # and says why

    app.radio(key="ex_layout").set_value("second_axis")
    spec = chart_spec(ran(app))
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    left, right = spec["layer"]
    # In Persian the first axis stands on the right, where time starts; the second faces it.
    assert right["encoding"]["y"]["axis"]["orient"] == "left"
    assert places_drawn(spec, right) == {"استان تهران"}
    assert places_drawn(spec, left) == {"شمیرانات"}

    app.radio(key="ex_layout").set_value("shared")  # one axis, if the reader wants it
    spec = chart_spec(ran(app))
    assert len(app.get("vega_lite_chart")) == 1 and "resolve" not in spec
    assert places_drawn(spec, spec) == {"استان تهران", "شمیرانات"}


def test_the_grid_chart_and_tooltips_name_things_in_words(portal_page, demo_home):
    app = opened(portal_page, demo_home, lang="en")
    shown = app.dataframe[0].value
    assert not {"indicator_id", "geo_code", "province"} & set(shown.columns)
    text = " ".join(str(v) for v in shown.astype(str).to_numpy().ravel())
    assert ESTIMATE not in text and "[sex=" not in text and " 2304 " not in f" {text} "
    assert set(shown["place"]) == {"Tehran Province", "Shemiranat"}
    spec = json.dumps({k: v for k, v in chart_spec(app).items() if k != "datasets"})
    fields = {t["field"] for t in json.loads(spec)["layer"][0]["encoding"]["tooltip"]}
    assert fields == {"place", "year_text", "value_text", "note"}
    assert '"field": "indicator_id"' not in spec and '"field": "geo_code"' not in spec


def test_per_capita_says_which_population_it_divides_by(portal_page, demo_home):
    app = portal_page("screens/explorer.py", demo_home.root, lang="en")
    app.query_params["indicator"] = STUDENTS
    app.query_params["places"] = SHEMIRANAT
    ran(app)
    app.radio(key="ex_transform").set_value("per_capita")
    ran(app)
    shown = app.dataframe[0].value.set_index("year")  # figures as text (dashboards/grids.py)
    assert figure(shown.loc["1390", "value"]) == round(7148 / 44061 * 1000, 2)  # 162.23
    assert figure(shown.loc["1392", "value"]) == round(7220 / 45321 * 1000, 2)
    assert shown.loc["1390", "population_source"] == "Census"
    assert shown.loc["1392", "population_source"] == "Estimate"
    assert shown.loc["1390", "unit"] == "persons per 1,000 people"
    said = " ".join(c.value for c in app.caption)
    assert "census population: 1390, 1395" in said and "estimated population: 1391" in said


def test_a_ratio_per_capita_says_why_nothing_is_drawn(portal_page, demo_home):
    app = portal_page("screens/explorer.py", demo_home.root, lang="en")
    app.query_params["indicator"] = GREEN
    app.query_params["places"] = SHEMIRANAT
    ran(app)
    assert len(app.get("vega_lite_chart")) == 1  # as published, it is drawn
    app.radio(key="ex_transform").set_value("per_capita")
    ran(app)
    assert not app.get("vega_lite_chart")
    assert "quantities that add up" in " ".join(c.value for c in app.caption)


def test_the_language_switch_keeps_every_choice(portal_page, demo_home):
    app = opened(portal_page, demo_home, lang="fa")
    app.radio(key="ex_transform").set_value("index")
    ran(app)
    app.selectbox(key="ex_base_year").set_value(1395)
    app.radio(key="ex_basis").set_value("comparable")
    app.radio(key="ex_layout").set_value("panels")
    ran(app)
    app.session_state["lang"] = "en"
    ran(app)
    assert app.title[0].value == "Indicator explorer"
    assert app.multiselect(key="ex_indicators").value == [ESTIMATE]
    assert app.multiselect(key="ex_places").value == [PROVINCE, SHEMIRANAT]
    assert "Shemiranat" in app.multiselect(key="ex_places").options  # tags in English
    assert app.radio(key="ex_transform").value == "index"
    assert app.selectbox(key="ex_base_year").value == 1395
    assert app.radio(key="ex_basis").value == "comparable"
    assert app.radio(key="ex_layout").value == "panels"
    shown = app.dataframe[0].value.set_index(["place", "year"])
    assert figure(shown.loc[("Shemiranat", "1395"), "value"]) == 100
    assert figure(shown.loc[("Shemiranat", "1390"), "value"]) == round(44061 / 47279 * 100, 1)
