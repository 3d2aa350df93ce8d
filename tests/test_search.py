"""Search as people type it, on the demo's catalog (Tehran): place names, an indicator with
a place, آ/ا and spacing variants, table numbers in any digits, dashes and order, English;
the ranking; and the search page leading to Shemiranat's population in the explorer."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest

from dashboards import search_index
from salnameh.reference import Reference
from salnameh.settings import NATION_GEO, home
from salnameh.snapshots import PUBLIC, open_snapshot
from tests.conftest import PORTAL

pytestmark = pytest.mark.integration

SHEMIRANAT, ROBAT_KARIM, TEHRAN_COUNTY, REY, PROVINCE = "2304", "2312", "2301", "2303", "23"
POPULATION = "pop_county_sex_estimate.population[sex=total]"  # 3-1, every year
CENSUS = "pop_county_sex_age.population[age_group_5y=total;sex=total]"  # 3-2, census years
STUDENTS_TABLE = "edu_students_county_level_sex"  # 17-3
STUDENTS = "edu_students_county_level_sex.students[school_level=total;sex=total]"


@pytest.fixture(scope="module")
def index(demo_home):
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        yield search_index.build_index(
            lambda sql, params=(): con.execute(sql, list(params)).df(),
            aliases=lambda province: Reference(province=province).geography_aliases,
        )


def top(index, typed: str) -> tuple[str, str, str | None]:
    found = search_index.search(index, typed)
    assert found, typed
    first = found[0]
    return first.entry.kind, first.entry.id, first.place.id if first.place else None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Places, alone and with an indicator (Persian and English, both pages).
        ("شمیرانات", ("place", SHEMIRANAT, None)),
        ("Shemiranat", ("place", SHEMIRANAT, None)),
        ("شميرانات", ("place", SHEMIRANAT, None)),  # Arabic yeh
        ("رباط کریم", ("place", ROBAT_KARIM, None)),
        ("رباط‌کریم", ("place", ROBAT_KARIM, None)),
        ("رباطکریم", ("place", ROBAT_KARIM, None)),
        ("شمیران", ("place", SHEMIRANAT, None)),  # the reference's aliases
        ("شهر ری", ("place", REY, None)),
        ("جمعیت شمیران", ("indicator", POPULATION, SHEMIRANAT)),
        ("جمعیت شمیرانات", ("indicator", POPULATION, SHEMIRANAT)),
        ("شمیرانات جمعیت", ("indicator", POPULATION, SHEMIRANAT)),
        ("population Shemiranat", ("indicator", POPULATION, SHEMIRANAT)),
        ("جمعیت شمیرانات 3-2", ("indicator", CENSUS, SHEMIRANAT)),
        ("دانش‌آموز رباط کریم", ("indicator", STUDENTS, ROBAT_KARIM)),
        ("جمعیت استان تهران", ("indicator", POPULATION, PROVINCE)),
        # آ typed as ا, a space, a half-space or nothing between the parts of a word.
        ("دانش اموز", ("indicator", STUDENTS, None)),
        ("دانشآموز", ("indicator", STUDENTS, None)),
        ("دانش‌آموز", ("indicator", STUDENTS, None)),
        ("دانش اموزان", ("table", STUDENTS_TABLE, None)),
        ("دانشاموزان", ("table", STUDENTS_TABLE, None)),
        ("دانش‌آموزان", ("table", STUDENTS_TABLE, None)),
        ("دانشْ‌آمُوزان", ("table", STUDENTS_TABLE, None)),  # tashkil
        # Table numbers: any digits, any dash, either order.
        ("17-3", ("table", STUDENTS_TABLE, None)),
        ("۱۷-۳", ("table", STUDENTS_TABLE, None)),
        ("١٧-٣", ("table", STUDENTS_TABLE, None)),
        ("٣-١٧", ("table", STUDENTS_TABLE, None)),  # as a right-to-left PDF copies it
        ("3-17", ("table", STUDENTS_TABLE, None)),
        ("۱۷ـ۳", ("table", STUDENTS_TABLE, None)),
        ("17–3", ("table", STUDENTS_TABLE, None)),
        ("17—3", ("table", STUDENTS_TABLE, None)),
        ("17‑3", ("table", STUDENTS_TABLE, None)),
        ("17‐3", ("table", STUDENTS_TABLE, None)),
        ("17/3", ("table", STUDENTS_TABLE, None)),
        ("جدول ۱۷ - ۳", ("table", STUDENTS_TABLE, None)),
        ("جمعيت 3-2", ("table", "pop_county_sex_age", None)),
        # English words.
        ("Estimated population", ("table", "pop_county_sex_estimate", None)),
        ("students by school level", ("table", STUDENTS_TABLE, None)),
        ("Robat Karim students", ("indicator", STUDENTS, ROBAT_KARIM)),
    ],
)
def test_what_people_type_finds_the_expected_first_result(index, typed, expected):
    assert top(index, typed) == expected


def test_arabic_letters_find_what_persian_ones_do(index):
    def ids(typed):
        return [r.entry.id for r in search_index.search(index, typed, limit=500)]

    arabic = ids("كشاورزي")  # Arabic kaf and yeh
    assert "crop_area_production_county" in arabic and arabic == ids("کشاورزی")


def test_the_typed_order_of_a_table_number_comes_before_the_swapped_one(index):
    # 3-1 and 1-3 both exist: each order puts its own table first, the other after it.
    typed = search_index.search(index, "۳-۱", limit=200)
    assert typed[0].entry.id == "pop_county_sex_estimate" and typed[0].number == "number"
    swapped = [r for r in typed if r.number == "number_swapped"]
    assert swapped and {r.entry.number for r in swapped} == {"1-3"}
    assert max(typed.index(r) for r in typed if r.number == "number") < typed.index(swapped[0])
    assert search_index.search(index, "1-3")[0].entry.id == "meteo_stations_annual"


def test_an_indicator_with_a_place_ranks_its_series_then_partial_matches(index):
    found = search_index.search(index, "جمعیت شمیرانات", limit=200)
    complete = [r for r in found if r.complete]
    # Every complete result is a series of Shemiranat, which holds figures for it.
    assert complete and all(r.place and r.place.id == SHEMIRANAT for r in complete)
    assert all(index.held(SHEMIRANAT)[r.entry.id] > 0 for r in complete)
    # The series of every year before the census years' one, totals before breakdowns.
    ids = [r.entry.id for r in complete]
    assert ids.index(POPULATION) < ids.index(CENSUS)
    assert ids.index(POPULATION) < ids.index("pop_county_sex_estimate.population[sex=female]")
    # Then what matched a part: the place on its own, the population elsewhere.
    partial = found[len(complete) :]
    assert partial and not any(r.complete for r in partial)
    assert any(r.entry.kind == "place" and r.entry.id == SHEMIRANAT for r in partial)
    assert [r.rank for r in found] == sorted(r.rank for r in found)


def test_a_county_and_a_province_of_one_name_are_both_offered(index):
    places = {r.place.id for r in search_index.search(index, "جمعیت تهران", limit=200) if r.place}
    assert places == {TEHRAN_COUNTY, PROVINCE}


def test_the_spelling_variants_give_the_same_results(index):
    def ids(typed, complete_only=False):
        found = search_index.search(index, typed, limit=500)
        return [
            (r.entry.id, r.place and r.place.id) for r in found if r.complete or not complete_only
        ]

    assert ids("دانش اموزان") == ids("دانش‌آموزان") == ids("دانش آموزان")
    assert ids("دانشاموزان") == ids("دانشآموزان")
    # Typed as two words, the parts may also be found apart (partial results, after);
    # what has the whole word is the same, in the same order.
    joined = ids("دانشاموزان")
    assert joined and ids("دانش اموزان", complete_only=True) == joined
    assert ids("۱۷-۳") == ids("17-3") == ids("١٧‑٣")
    assert ids("٣-١٧") == ids("3-17")
    assert ids("جمعیت شمیرانات") == ids("جمعيت شميرانات") == ids("جمعیت   شمیرانات")


def test_what_matched_is_told(index):
    first = search_index.search(index, "جمعیت ٣-١ شمیرانات")[0]
    assert (first.number, first.place.id, first.in_title) == ("number", SHEMIRANAT, ("جمعیت",))
    # Told back in canonical letters, whatever the keyboard typed.
    assert search_index.search(index, "جمعيت 3-2")[0].in_title == ("جمعیت",)
    swapped = search_index.search(index, "٣-١٧")[0]
    assert swapped.number == "number_swapped"
    context = search_index.search(index, "سینوپتیک یخبندان")
    assert context[0].in_title == ("یخبندان",) and context[0].in_context == ("سینوپتیک",)


@pytest.mark.parametrize("typed", ["no such words anywhere", "", "   ", "zz", "99-99"])
def test_nothing_is_found_for_nothing(index, typed):
    assert search_index.search(index, typed) == []


@pytest.mark.slow
def test_on_the_national_hub_provinces_iran_and_counties_are_found(national_hub):
    """The hub (three provinces' real 1390 census): a province by its name with or
    without «استان», Iran, and a county labelled with its province."""
    with open_snapshot(home(national_hub.home), PUBLIC) as con:
        index = search_index.build_index(
            lambda sql, params=(): con.execute(sql, list(params)).df(),
            national=True,
            aliases=lambda province: Reference(province=province).geography_aliases,
        )
        assert top(index, "گیلان")[:2] == ("place", "01")
        assert top(index, "استان گيلان")[:2] == ("place", "01")
        assert top(index, "Gilan Province")[:2] == ("place", "01")
        assert top(index, "ایران")[:2] == ("place", NATION_GEO)
        assert top(index, "انزلی")[:2] == ("place", "0103")  # Gilan's alias of Bandar-e Anzali
        rasht = search_index.search(index, "رشت")[0]
        assert rasht.entry.kind == "place" and rasht.entry.id.startswith("01")
        assert rasht.entry.title_fa == "رشت (استان گیلان)"  # as the explorer lists it
        # An indicator with a province or Iran: their series.
        for typed, place in (("جمعیت گیلان", "01"), ("population Iran", NATION_GEO)):
            first = search_index.search(index, typed)[0]
            assert first.place is not None and first.place.id == place, typed
            assert first.entry.kind == "indicator" and first.years >= 1


# ------------------------------------------------------------------ the page


def run(app):
    app.run()
    assert not app.exception, [e.value for e in app.exception]


def search_page(demo_home, monkeypatch, typed: str, lang: str):
    """The search page inside the portal (app.py, so its links name registered pages),
    reached from the sidebar's search box with `typed`."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SALNAMEH_HOME", str(demo_home.root))
    app = AppTest.from_file(str(PORTAL / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    run(app)
    app.session_state["search_query"] = typed  # what app.py's sidebar box leaves
    app.switch_page("screens/search.py")
    run(app)
    assert app.text_input(key="search_words").value == typed
    return app


def links(app) -> list[tuple[str, dict[str, str]]]:
    return [
        (link.proto.page, {k: v for k, [v] in parse_qs(link.proto.query_string).items()})
        for link in app.get("page_link")
    ]


def results(app) -> list[str]:
    return [m.value for m in app.main.markdown if m.value.startswith("**")]


# An id as the catalog writes one: a snake_case name, a bracket of dimensions.
_ID = re.compile(r"[a-z]+_[a-z_]+|\[[a-z_0-9]+=")


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_page_leads_from_population_shemiranat_to_its_series(
    portal_page, demo_home, monkeypatch, lang
):
    typed = "جمعیت شمیرانات" if lang == "fa" else "population Shemiranat"
    app = search_page(demo_home, monkeypatch, typed, lang)
    if lang == "fa":
        assert results(app)[0] == "**جدول ۳-۱**: جمعیت، شمیرانات"
    else:
        assert results(app)[0] == "**3-1** Population, Shemiranat"
    shown = "\n".join([m.value for m in app.main.markdown] + [c.value for c in app.main.caption])
    assert ("مکان: شمیرانات" if lang == "fa" else "place: Shemiranat") in shown
    assert not _ID.search(shown), _ID.search(shown)
    # Its chart link (the first result's) opens the explorer on the series, Shemiranat chosen.
    _page, params = next(link for link in links(app) if link[0] == "explorer")
    assert params == {"indicator": POPULATION, "places": SHEMIRANAT}

    explorer = portal_page("screens/explorer.py", demo_home.root, lang=lang)
    for name, value in params.items():
        explorer.query_params[name] = value
    run(explorer)
    assert explorer.multiselect(key="ex_places").value == [SHEMIRANAT]
    assert explorer.multiselect(key="ex_indicators").value == [POPULATION]
    grid = next(d.value for d in explorer.dataframe if "place" in d.value.columns)
    assert set(grid["place"]) == {"شمیرانات" if lang == "fa" else "Shemiranat"}
    assert grid["year"].nunique() > 2  # over the years, not a census year or two


def test_the_page_finds_a_place_and_links_its_profile(demo_home, monkeypatch):
    # «شمیران»: the reference's short form, which the page's own index must know.
    app = search_page(demo_home, monkeypatch, "شمیران", "fa")
    assert results(app)[0] == "**شمیرانات**"
    assert ("county", {"county": SHEMIRANAT}) in links(app)
    assert ("explorer", {"places": SHEMIRANAT}) in links(app)


def test_the_page_finds_a_table_number_copied_from_a_pdf(demo_home, monkeypatch):
    app = search_page(demo_home, monkeypatch, "٣-١٧", "fa")
    first = results(app)[0]
    assert first == "**جدول ۱۷-۳**: دانش‌آموزان برحسب دوره تحصیلی و جنس به تفکیک شهرستان"
    assert "شماره جدول ۱۷-۳ (وارونه نوشته شده)" in "\n".join(c.value for c in app.main.caption)
    assert ("yearbook", {"table": STUDENTS_TABLE}) in links(app)
