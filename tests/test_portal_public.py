"""The public and analyst pages (no sign-in): each page under Streamlit's AppTest on the demo
home, in Persian and English, checked against the census anchors and the public snapshot;
and the plain functions behind them."""

from __future__ import annotations

import html
import io
import json
import re
import time
import urllib.parse
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from dashboards import charts, county_map_data, explorer_data, figures, highlights, preload
from dashboards import yearbook_view as view
from dashboards.highlight_cards import Card, card_html
from dashboards.sql_console import run_sql
from salnameh.catalog import load_catalog
from salnameh.ledger import Ledger
from salnameh.reference import LineageEvent, Reference
from salnameh.series import series_frame
from salnameh.settings import DEFAULT_PROVINCE, home
from salnameh.snapshots import PUBLIC, open_snapshot
from tests.conftest import components_drawn

pytestmark = pytest.mark.integration

PAGES = [
    "home.py",
    "yearbook.py",
    "explorer.py",
    "county.py",
    "county_map.py",
    "search.py",
    "sql.py",
]
TITLES = {
    "home.py": ("سالنامه آماری استان تهران", "Tehran Province Statistical Yearbook"),
    "yearbook.py": ("جدول‌های سالنامه", "Yearbook tables"),
    "explorer.py": ("کاوش شاخص‌ها", "Indicator explorer"),
    "county.py": ("نمای شهرستان", "County profile"),
    "county_map.py": ("نقشه شهرستان‌ها", "County map"),
    "search.py": ("جست‌وجو", "Search"),
    "sql.py": ("پرس‌وجوی SQL", "SQL"),
}
CENSUS = "pop_county_sex_age.population[age_group_5y=total;sex=total]"
STUDENTS = "edu_students_county_level_sex.students[school_level=total;sex=total]"
PROVINCE_1390, PROVINCE_1395 = 12_183_391, 13_267_637
TEHRAN_1390, TEHRAN_PARDIS_1395 = 8_293_140, 8_906_570
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def report_timings():
    """With -s, the seconds each page took under AppTest (first run, then a rerun)."""
    yield
    for name, seconds in sorted(TIMINGS.items()):
        print(f"{name:28} {seconds:5.2f} s")


@pytest.fixture
def public_con(demo_home):
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        yield con


def as_query(con):
    return lambda sql, params=(): con.execute(sql, list(params)).df()


class Served(dict):
    """File name -> bytes; a deferred button's file is written when read, as a click
    would have it written."""

    def __getitem__(self, name: str) -> bytes:
        value = super().__getitem__(name)
        return value() if callable(value) else value


@pytest.fixture
def downloads(monkeypatch):
    """What each download button really serves, by file name (captured where Streamlit's
    media store receives it: the bytes, or the callable a click runs)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served = Served()
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def capture(self, path_or_data, mimetype, kind, filename=None):
        served[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def capture_deferred(self, data_callable, mimetype, coordinates, file_name=None, **named):
        served[file_name] = data_callable
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **named)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    monkeypatch.setattr(MediaFileManager, "add_deferred", capture_deferred)
    return served


def run(app):
    started = time.perf_counter()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return time.perf_counter() - started


def markdown(app) -> str:
    return "\n".join(m.value for m in app.markdown)


def grid(app, column: str) -> pd.DataFrame:
    """The first data grid on the page that has `column`."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def figure(text: str) -> float:
    """A figure as a grid shows it (text in the reader's digits, dashboards/grids.py)."""
    from salnameh.persian import parse_cell

    return parse_cell(text)[0]


def captions(app) -> str:
    return "\n".join(c.value for c in app.caption)


# ------------------------------------------------------------------ every page, both languages


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_renders_in_persian_and_english(portal_page, demo_home, page, lang):
    app = portal_page(f"screens/{page}", demo_home.root, lang=lang)
    TIMINGS[f"{page} {lang}"] = run(app)
    assert app.title[0].value == TITLES[page][0 if lang == "fa" else 1]
    # What the page draws is what its HTML preloads the code of (dashboards/preload.py).
    address = "" if page == "home.py" else page.removesuffix(".py")
    unnamed = components_drawn(app) - {*preload.SHELL, *preload.PAGE_COMPONENTS[address]}
    assert not unnamed, f"{page} draws {unnamed}: add them to preload.PAGE_COMPONENTS"
    # Timed for the report above only: how fast a page is, is measured in benchmarks/
    # (portal_bench, in Chromium), never asserted in a test.
    TIMINGS[f"{page} {lang} rerun"] = run(app)


def test_each_page_preloads_code_the_installed_streamlit_has_and_no_other_page_any():
    """Every component a page names is in the installed Streamlit's manifest (its files are
    renamed at each release: a name it lost would silently preload nothing), its code and
    what that imports are named once, and a staff page or an unknown address gets none."""
    for component in {*preload.SHELL, *(c for cs in preload.PAGE_COMPONENTS.values() for c in cs)}:
        assert preload.known(component), component
    explorer = preload.links("/explorer").decode()
    files = re.findall(r'href="\./(static/js/[^"]+)"', explorer)
    assert len(files) == len(set(files)) > 20
    assert any(f.startswith("static/js/ArrowVegaLiteChart.") for f in files)
    assert not any(f.startswith("static/js/index.") for f in files)  # Streamlit's own already
    search = preload.links("/search").decode()
    assert "ArrowVegaLiteChart" not in search and "TextInput" in search
    assert preload.links("/review") == preload.links("/no-such-page") == b""


def test_public_pages_never_open_the_internal_snapshot(portal_page, demo_home, monkeypatch):
    opened: list[str] = []
    connect = duckdb.connect

    def watch(database=":memory:", *args, **kwargs):
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", watch)
    st.cache_data.clear()  # nothing served from an earlier test's cache
    for page in PAGES:
        app = portal_page(f"screens/{page}", demo_home.root, lang="en")
        app.session_state["search_query"] = "population"
        run(app)
    assert opened and all(path.endswith("public.duckdb") for path in opened), set(opened)


# ------------------------------------------------------------------ home


def test_home_shows_the_newest_edition_and_province_figures(portal_page, demo_home, public_con):
    edition = public_con.execute(
        "SELECT year, edition_number, released_at_utc FROM marts.dim_edition"
        " ORDER BY year DESC, edition_number DESC LIMIT 1"
    ).fetchone()
    assert edition[0] == 1401  # 1402 is still in review in the demo
    population = dict(
        public_con.execute(
            "SELECT year, value FROM marts.fct_indicator_series WHERE indicator_id ="
            " 'pop_county_sex_estimate.population[sex=total]' AND geo_code = '23'"
            " AND basis = 'as_published'"
        ).fetchall()
    )

    app = portal_page("screens/home.py", demo_home.root, lang="fa")
    run(app)
    assert app.header[0].value == "سالنامه ۱۴۰۱، ویرایش ۱"
    day = figures.jalali_day(edition[2], "fa")
    assert day in markdown(app) and "۱۴۰" in day  # a Jalali date in Persian digits
    card = next(c for c in cards(app) if c["label"].startswith("جمعیت"))
    assert card["value"] == figures.number(population[1401], 0, "fa")
    change = (population[1401] - population[1400]) / population[1400] * 100
    assert card["change"] == f"+{figures.number(change, 1, 'fa')}٪ نسبت به ۱۴۰۰"
    assert card["trend"].startswith("روند ")  # the line's alt text

    app = portal_page("screens/home.py", demo_home.root, lang="en")
    run(app)
    assert app.header[0].value == "Yearbook 1401, edition 1"
    card = next(c for c in cards(app) if c["label"] == "Population (persons)")
    assert card["value"] == f"{population[1401]:,.0f}"
    assert card["change"].endswith(" from 1400") and card["trend"].endswith(" figures to 1401")
    # Every headline indicator's grid is drawn only once its section is opened.
    assert not app.dataframe
    app.session_state["home_every"] = True
    run(app)
    every = app.dataframe[0].value
    assert "Population" in set(every["Indicator"]) and len(every) > len(cards(app))


CARD = re.compile(
    r'<li><div class="label">(?P<label>.*?)</div><div class="value">(?P<value>.*?)</div>'
    r'(?:<div class="change">(?P<change>.*?)</div>)?<div class="source">(?P<source>.*?)</div>'
    r'(?:<img alt="(?P<trend>.*?)")?'
)


def cards(app) -> list[dict[str, str]]:
    """The home page's headline cards (dashboards/highlight_cards.py), texts unescaped."""
    found = [m.groupdict() for h in app.html for m in CARD.finditer(h.value)]
    return [{k: html.unescape(v) if v else v for k, v in c.items()} for c in found]


def test_a_headline_card_draws_its_trend_in_the_reading_direction_and_escapes_its_texts():
    values = [10.0, 30.0, 20.0]
    card = Card("a <b>", "1", None, "Table 1-1: x & y", values, "Trend <3")
    fa, en = card_html(card, newest_left=True), card_html(card, newest_left=False)
    assert "a &lt;b&gt;" in fa and "x &amp; y" in fa and 'alt="Trend &lt;3"' in fa
    assert "<b>" not in fa

    def xs(markup: str) -> list[float]:
        svg = urllib.parse.unquote(re.search(r'src="data:image/svg\+xml,([^"]*)"', markup)[1])
        points = re.search(r'points="([^"]*)"', svg)[1].split()
        return [float(p.split(",")[0]) for p in points]

    # Oldest first in both; English runs left to right, Persian right to left.
    assert xs(en) == sorted(xs(en)) and xs(fa) == sorted(xs(fa), reverse=True)
    assert card_html(Card("a", "1", None, "s", [5.0], "t"), True).count("<img") == 0


# ------------------------------------------------------------------ yearbook


def test_yearbook_prints_the_census_table_with_its_notes(portal_page, demo_home):
    app = portal_page("screens/yearbook.py", demo_home.root, lang="fa")
    app.query_params["table"] = "pop_county_sex_age"
    app.query_params["year"] = "1390"
    run(app)
    assert app.selectbox(key="yb_year").options == ["۱۳۹۵", "۱۳۹۰"]  # a census table
    printed = markdown(app)
    assert "۱۲٬۱۸۳٬۳۹۱" in printed and "۸٬۲۹۳٬۱۴۰" in printed  # province, Tehran 1390
    assert "مأخذ: مرکز آمار ایران" in printed and "* ارقام سرشماری عمومی" in printed
    assert "<td>پردیس</td>" not in printed  # no Pardis row before it split off in 1391
    assert "- آمارگیری نشده" in captions(app)  # the symbols legend

    app.selectbox(key="yb_year").select(1395)
    run(app)
    printed = markdown(app)
    assert "۱۳٬۲۶۷٬۶۳۷" in printed and "<td>پردیس</td>" in printed
    assert app.query_params["year"] == "1395"  # the address says what is shown

    app.selectbox(key="yb_table").select("pop_sex_residence")  # the link does not pull back
    run(app)
    assert app.selectbox(key="yb_table").value == "pop_sex_residence"
    assert app.query_params["table"] == "pop_sex_residence"

    app = portal_page("screens/yearbook.py", demo_home.root, lang="en")
    app.query_params["table"] = "pop_county_sex_age"
    run(app)
    printed = markdown(app)
    assert "13,267,637" in printed and "Source: Statistical Centre of Iran" in printed
    assert app.header[0].value.startswith("Table 3-2 - Population")


def test_yearbook_shows_symbols_as_printed_and_downloads_the_csv(
    portal_page, demo_home, public_con, downloads
):
    table_id, year, symbol, n = public_con.execute(
        "SELECT table_id, year, any_value(symbol), count(*) FROM marts.fct_observations"
        " WHERE symbol IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    app = portal_page("screens/yearbook.py", demo_home.root, lang="en")
    app.query_params["table"] = table_id
    app.query_params["year"] = str(year)
    run(app)
    assert f'<td class="n">{html.escape(symbol)}</td>' in markdown(app)
    name = f"table-{load_catalog().table(table_id).number}-{table_id}-{year}.csv"
    served = downloads[name]
    assert served.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(served), encoding="utf-8-sig", dtype={"geo_code": str})
    cells = public_con.execute(
        "SELECT count(*) FROM marts.fct_observations WHERE table_id = ? AND year = ?",
        [table_id, year],
    ).fetchone()[0]
    assert len(frame) == cells and frame["symbol"].notna().sum() == n
    assert frame.loc[frame["symbol"].notna(), "value"].isna().all()  # a symbol is never 0
    # It says whose figures they are and which edition, never who uploaded which file.
    assert set(frame["agency_id"]) == {load_catalog().table(table_id).agency}
    assert set(frame["edition"]) == {1}
    assert not {"uploader", "filename", "reviewer"} & set(frame.columns)


def test_yearbook_xlsx_is_the_printed_table_right_to_left(demo_home, public_con, catalog):
    from openpyxl import load_workbook

    query = as_query(public_con)
    values = view.table_values(query, "pop_county_sex_age", 1395)
    edition = view.edition_of_year(query, 1395, values)
    table = catalog.table("pop_county_sex_age")
    book = load_workbook(
        io.BytesIO(view.xlsx_bytes(values, table, 1395, edition, catalog, Reference()))
    )
    sheet = book["جدول 3-2"]
    assert sheet.sheet_view.rightToLeft
    figures_in_sheet = {c.value for row in sheet.iter_rows() for c in row}
    assert PROVINCE_1395 in figures_in_sheet and 8_737_510 in figures_in_sheet
    assert any(isinstance(v, str) and v.startswith("مأخذ") for v in figures_in_sheet)


def test_the_pdf_is_offered_only_where_export_wrote_it(tmp_path):
    root = home(tmp_path / "home")
    assert view.edition_pdf(root, 1401, 1) is None
    folder = tmp_path / "home" / "exports" / "1401" / "edition-2"
    folder.mkdir(parents=True)
    (folder / "yearbook-1401-edition-2.pdf").write_bytes(b"%PDF-1.7")
    assert view.edition_pdf(root, 1401, 1) is None  # another edition's file is not this one
    assert view.edition_pdf(root, 1401, 2) == folder / "yearbook-1401-edition-2.pdf"
    # An English reader gets the Persian edition until the English one is written.
    assert view.edition_pdf(root, 1401, 2, "en") == folder / "yearbook-1401-edition-2.pdf"
    (folder / "yearbook-1401-edition-2-en.pdf").write_bytes(b"%PDF-1.7")
    assert view.edition_pdf(root, 1401, 2, "en") == folder / "yearbook-1401-edition-2-en.pdf"
    assert view.edition_pdf(root, 1401, 2) == folder / "yearbook-1401-edition-2.pdf"


def test_unreleased_table_years_stay_out_of_the_public_pages(portal_page, demo_home):
    in_review = [
        r
        for r in Ledger(home(demo_home.root).ledger_path).review_queue(year=1402)
        if r["review_state"] == "in_review"
    ]
    assert in_review  # the demo leaves part of 1402 in review
    table_id = in_review[0]["table_id"]
    app = portal_page("screens/yearbook.py", demo_home.root, lang="en")
    app.query_params["table"] = table_id
    app.query_params["year"] = "1402"
    run(app)
    assert app.selectbox(key="yb_table").value == table_id
    years = app.selectbox(key="yb_year").options
    assert "1402" not in years and years[0] == "1401"

    ledger = Ledger(home(demo_home.root).ledger_path)
    returned = next(
        r["table_id"] for r in ledger.review_queue(year=1401) if r["review_state"] == "returned"
    )
    app.query_params["table"] = returned  # returned to its agency in 1401
    run(app)
    assert "1401" not in app.selectbox(key="yb_year").options

    app = portal_page("screens/sql.py", demo_home.root, lang="en")
    run(app)
    app.text_area(key="sql_text").input(
        "SELECT count(*) AS n FROM marts.fct_observations WHERE year = 1402"
    )
    app.button[0].click()
    run(app)
    assert grid(app, "n")["n"].tolist() == ["0"]  # shown as text in the reader's digits


# ------------------------------------------------------------------ explorer


def test_series_frame_gives_several_indicators_on_both_bases(public_con):
    frame = series_frame(
        public_con,
        [CENSUS, "edu_students_county_level_sex.students"],
        ["23", "2320"],
        (1390, 1395),
        "comparable",
    )
    assert frame.attrs["indicator_ids"] == [CENSUS, STUDENTS]
    census = frame[frame["indicator_id"] == CENSUS].set_index(["geo_code", "year"])["value"]
    assert census[("23", 1390)] == PROVINCE_1390 and census[("23", 1395)] == PROVINCE_1395
    assert census[("2301+2320", 1395)] == TEHRAN_PARDIS_1395
    assert set(frame["year"]) <= set(range(1390, 1396))
    assert list(dict.fromkeys(frame["indicator_id"])) == [CENSUS, STUDENTS]
    published = series_frame(public_con, [CENSUS], ["2301"], None, "as_published")
    tehran = published.set_index("year")
    assert tehran.loc[1390, "value"] == TEHRAN_1390
    assert "Pardis" in tehran.loc[1395, "break_note_en"]
    with pytest.raises(ValueError, match="basis"):
        series_frame(public_con, [CENSUS], None, None, "rebased")


def test_explorer_draws_comparable_units_with_notes_and_downloads_what_it_shows(
    portal_page, demo_home, downloads
):
    app = portal_page("screens/explorer.py", demo_home.root, lang="en")
    app.query_params["indicator"] = CENSUS
    app.query_params["places"] = "23,2301,2320"
    run(app)
    shown = grid(app, "place")
    assert not {"indicator_id", "geo_code", "province"} & set(shown.columns)  # words only
    rows = shown.set_index(["place", "year"])
    assert figure(rows.loc[("Tehran Province", "1390"), "value"]) == PROVINCE_1390
    assert figure(rows.loc[("Tehran", "1390"), "value"]) == TEHRAN_1390
    assert "Pardis" in rows.loc[("Tehran", "1395"), "note"]  # the break, as published
    # The province's scale is not the counties': a panel per place, Tehran's with its break.
    specs = [c.proto.spec for c in app.get("vega_lite_chart")]
    assert len(specs) == 3 and '"rule"' not in specs[0]
    assert '"rule"' in specs[1] and "strokeDash" in specs[1]  # the break is drawn
    assert "Boundary changed in 1391" in markdown(app)  # and listed

    app.radio(key="ex_basis").set_value("comparable")
    run(app)
    shown = grid(app, "place")
    unit = shown[shown["place"].str.contains("Pardis") & (shown["year"] == "1395")]
    assert unit["value"].map(figure).tolist() == [TEHRAN_PARDIS_1395]
    assert "Tehran + Pardis added up" in unit["note"].iloc[0]
    served = downloads["salnameh-series-comparable-1390-1401.csv"]
    downloaded = pd.read_csv(
        io.BytesIO(served),
        encoding="utf-8-sig",
        dtype={"geo_code": str, "province": str},  # codes, not numbers ("01")
        keep_default_na=False,
        na_values={"value": [""]},
    )
    # The download is the grid plus the ids and codes machines join on, with the figures
    # and years as numbers where the grid shows them as text in the reader's digits.
    assert downloaded.loc[downloaded["place"].str.contains("Pardis"), "geo_code"].iloc[0] == (
        "2301+2320"
    )
    assert downloaded["value"].dtype == "float64" and downloaded["year"].dtype == "int64"
    machine = shown.assign(
        value=shown["value"].map(lambda t: figure(t) if t else float("nan")),
        year=shown["year"].astype(int),
    )
    pd.testing.assert_frame_equal(
        downloaded.drop(columns=explorer_data.CODE_COLUMNS),
        machine.reset_index(drop=True),
        check_dtype=False,
    )

    app.radio(key="ex_kind").set_value("bar")
    run(app)
    assert '"bar"' in app.get("vega_lite_chart")[0].proto.spec


def test_explorer_opens_a_breakdown_from_a_link_and_lets_it_go(portal_page, demo_home):
    women = "pop_county_sex_age.population[age_group_5y=total;sex=female]"
    app = portal_page("screens/explorer.py", demo_home.root, lang="fa")
    app.query_params["indicator"] = women
    run(app)
    assert app.toggle(key="ex_breakdowns").value
    assert app.multiselect(key="ex_indicators").value == [women]
    # Written as the reader writes it, whatever the browser's locale (issue 20, item 3).
    assert grid(app, "place").set_index("year").loc["۱۳۹۵", "value"] == "۶٬۵۹۳٬۹۶۵"
    app.toggle(key="ex_breakdowns").set_value(False)
    run(app)
    assert not app.toggle(key="ex_breakdowns").value  # the reader's choice holds
    assert app.multiselect(key="ex_indicators").value == []


def test_explorer_marks_breaks_where_the_boundary_changed(public_con):
    frame = series_frame(public_con, [STUDENTS], ["2301", "2306"], None, "as_published")
    marks = explorer_data.break_marks(frame, "as_published")
    assert set(zip(marks["geo_code"], marks["year"], strict=True)) == {
        ("2301", 1391),
        ("2306", 1391),
    }
    shown = explorer_data.shown_frame(frame, "fa")
    segment = charts.segments(shown, explorer_data.shown_frame(marks, "fa"))
    tehran = segment[shown["geo_code"] == "2301"]
    assert tehran.nunique() == 2  # the line stops at 1391
    notes = explorer_data.notes_listed(frame, "fa")
    assert any(n.startswith("تهران") and "۱۳۹۱" in n for n in notes)


# ------------------------------------------------------------------ county


def test_county_page_sets_tehran_against_the_province(portal_page, demo_home):
    app = portal_page("screens/county.py", demo_home.root, lang="en")
    app.query_params["county"] = "2301"
    run(app)
    app.multiselect(key="co_indicators").set_value([CENSUS])
    run(app)
    table = grid(app, "value_province").set_index("year")
    assert figure(table.loc["1390", "value"]) == TEHRAN_1390
    assert figure(table.loc["1390", "value_province"]) == PROVINCE_1390
    share = TEHRAN_1390 / PROVINCE_1390 * 100
    assert figure(table.loc["1390", "share"]) == pytest.approx(share, abs=0.05)
    assert "Pardis formed from part of Tehran county" in markdown(app)
    app.radio(key="co_view").set_value("index")
    run(app)
    assert app.get("vega_lite_chart")
    for view_name in ("values", "share", "index"):  # each view's chart is valid Vega-Lite
        app.radio(key="co_view").set_value(view_name)
        run(app)
        valid_chart(app)


def valid_chart(app) -> None:
    """The page's chart spec passes Vega-Lite's schema, which the page no longer checks
    (dashboards/drawn_charts.py); its data sets travel apart, as Arrow."""
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    validate_jsonschema(spec, load_schema())


# ------------------------------------------------------------------ map


def test_map_has_every_county_of_the_year_and_the_osm_attribution(portal_page, demo_home):
    app = portal_page("screens/county_map.py", demo_home.root, lang="en")
    app.query_params["indicator"] = CENSUS
    run(app)
    app.selectbox(key="map_year").select(1395)
    run(app)
    assert "© OpenStreetMap contributors" in captions(app)
    counties = grid(app, "place")
    assert len(counties) == 16 and (counties["value"] != "").all()
    assert counties["value"].map(figure).sum() == PROVINCE_1395

    app.selectbox(key="map_year").select(1390)
    run(app)
    counties = grid(app, "place").set_index("geo_code")
    assert len(counties) == 14 and (counties["value"] != "").all()  # Pardis, Qarchak merged
    assert figure(counties.loc["2301", "value"]) == TEHRAN_1390
    assert counties.loc["2301", "place"] == "Tehran (with Pardis)"
    assert "2320" not in counties.index
    assert '"geoshape"' in app.get("vega_lite_chart")[0].proto.spec


def test_counties_merge_back_along_the_lineage():
    lineage = Reference().lineage
    assert county_map_data.unit_of("2320", 1390, lineage) == "2301"
    assert county_map_data.unit_of("2320", 1391, lineage) == "2320"
    assert county_map_data.unit_of("2319", 1388, lineage) == "2312"  # Baharestan: Robat Karim
    assert county_map_data.unit_of("2319", 1375, lineage) == "2309"  # ... then Shahriar
    units = {u["code"]: u for u in county_map_data.map_units(1390, lineage, DEFAULT_PROVINCE)}
    assert len(units) == 14 and {p["code"] for p in units["2306"]["parts"]} == {"2306", "2321"}
    made_up = [LineageEvent(1400, "split", "2301", "2399", True, "")]
    assert county_map_data.unit_of("2399", 1399, made_up) == "2301"


def test_boundaries_are_wound_for_d3_and_ship_with_their_licence():
    features = county_map_data.boundaries(DEFAULT_PROVINCE)
    assert len(features) == 16
    for feature in features:
        for polygon in feature["polygons"]:
            assert county_map_data._signed_area(polygon[0]) < 0  # outer ring clockwise
    folder = county_map_data.BOUNDARIES_DIR.parent
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in sources and "ODbL" in sources
    assert county_map_data.boundaries_path(DEFAULT_PROVINCE).stat().st_size < 300_000


def test_every_province_maps_its_coded_counties_and_draws_the_rest_unlabelled():
    """Each province's map: a feature for every county of today with an SCI code in the
    province's reference; counties formed after 1395 (code null) drawn grey, unlabelled."""
    for code in Reference().provinces:
        reference = Reference(province=code)
        today = {g.code for g in reference.geography_in(1402, "county")}
        mapped = {f["code"] for f in county_map_data.boundaries(code)}
        assert mapped <= today, code
        assert len(today - mapped) <= 1, code  # Poldokhtar (1508) has no feature
        units = county_map_data.map_units(1402, reference.lineage, code)
        assert {u["code"] for u in units} == mapped, code
    qom = county_map_data.uncoded_features("25")
    assert len(qom) == 2 and all(f["properties"] == {} for f in qom)  # Jafarabad, Kahak
    spec = charts.choropleth([], "fa", "نفر", qom).to_dict()
    assert spec["layer"][0]["mark"]["fill"] == charts.UNLABELLED_GREY


def test_class_breaks_split_skewed_figures():
    # More in tests/test_portal_map.py: the classes run from the lowest figure to the highest.
    bounds = charts.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10_000]).bounds
    assert len(bounds) >= 3 and bounds[-1] == (10_000, 10_000)


# ------------------------------------------------------------------ SQL


def test_sql_page_refuses_files_and_attach_and_stops_at_the_row_limit(
    portal_page, demo_home, downloads
):
    app = portal_page("screens/sql.py", demo_home.root, lang="fa")
    run(app)
    internal = Path(demo_home.root) / "snapshots" / "internal.duckdb"
    for refused in ("SELECT * FROM read_csv('/etc/passwd')", f"ATTACH '{internal}' AS staff"):
        app.text_area(key="sql_text").input(refused)
        app.button[0].click()
        run(app)
        assert app.error and "پرونده" in app.error[0].value
        assert "disabled by configuration" in app.code[0].value
        assert not [d for d in app.dataframe if "column_name" not in d.value.columns]

    app.text_area(key="sql_text").input("SELECT * FROM range(20000) AS r(n)")
    app.button[0].click()
    run(app)
    rows = grid(app, "n")
    assert len(rows) == 5_000 and "۵٬۰۰۰" in app.warning[0].value
    downloaded = pd.read_csv(io.BytesIO(downloads["salnameh-query.csv"]), encoding="utf-8-sig")
    # Shown in Persian digits, downloaded as numbers.
    assert rows["n"].tolist()[:3] == ["۰", "۱", "۲"]
    assert downloaded["n"].tolist() == [int(figure(n)) for n in rows["n"]]

    app.text_area(key="sql_text").input("SELEC 1")
    app.button[0].click()
    run(app)
    assert "syntax error" in app.code[0].value


def test_sql_schema_is_documented_from_the_snapshot(portal_page, demo_home):
    app = portal_page("screens/sql.py", demo_home.root, lang="en")
    run(app)
    labels = [e.label for e in app.expander]
    assert "marts.fct_indicator_series" in labels and "marts.dim_edition" in labels
    assert not [label for label in labels if "anomal" in label]  # internal only
    assert any("comparable" in c for c in captions(app).splitlines())
    # A table's columns are drawn once it is opened, and only its own.
    assert not app.dataframe
    app.session_state["sql_schema_marts.dim_edition"] = True
    run(app)
    [listed] = [d.value for d in app.dataframe]
    assert "edition_number" in set(listed["column_name"])


def test_run_sql_limits_rows_and_time(demo_home):
    result = run_sql(home(demo_home.root), "SELECT * FROM range(30) t(n)", max_rows=10)
    assert len(result.frame) == 10 and result.truncated
    slow = run_sql(home(demo_home.root), "SELECT count(*) FROM range(10000000000)", timeout_s=0.2)
    assert slow.frame is None and "0.2 s" in slow.error_en
    same = run_sql(home(demo_home.root), "SELECT 1 AS a, 2 AS a, [1, 2] AS l")
    assert list(same.frame.columns) == ["a", "a_2", "l"] and same.frame["l"][0] == "[1, 2]"
    # One typed query may not take the shared server's memory or cores, nor change that.
    bounded = run_sql(
        home(demo_home.root),
        "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t",
    )
    assert int(bounded.frame["t"][0]) == 1 and bounded.frame["m"][0].startswith(("953", "1.0"))
    refused = run_sql(home(demo_home.root), "SET memory_limit = '20GB'")
    assert refused.frame is None and refused.error_en


# ------------------------------------------------------------------ plain functions


def test_figures_are_written_as_the_yearbook_prints_them():
    assert figures.number(13_267_637, 0, "fa") == "۱۳٬۲۶۷٬۶۳۷"
    assert figures.number(13_267_637, 0, "en") == "13,267,637"
    assert figures.number(50.25, 1, "fa") == "۵۰٫۲"
    assert figures.cell(None, "not_available", 0, "fa") == "..."
    assert figures.cell(0.0, None, 0, "en") == "0"  # zero is a figure
    assert figures.cell(float("nan"), None, 0, "en") == ""
    assert figures.year(1401, "fa", "academic_year") == "۱۴۰۱-۱۴۰۲"
    import datetime as dt

    # 1403 began on 20 March 2024; at 21:00 UTC on the 19th it was already that day in Tehran.
    assert figures.jalali_day(dt.datetime(2024, 3, 19, 12, 0), "fa") == "۲۹ اسفند ۱۴۰۲"
    assert figures.jalali_day(dt.datetime(2024, 3, 19, 21, 0), "fa") == "۱ فروردین ۱۴۰۳"
    assert figures.jalali_day(dt.datetime(2024, 3, 20, 22, 0), "en") == "2 Farvardin 1403"
    assert figures.change(110, 100, "person", 0, "en") == "+10.0%"
    assert figures.change(40.0, 40.8, "percent", 1, "en") == "-0.8 points"
    assert figures.change(5, None, "person", 0, "en") is None


def test_latest_edition_falls_back_to_the_figures_on_an_older_snapshot():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.fct_observations (year INT, first_edition INT, table_id TEXT)")
    con.execute(
        "INSERT INTO marts.fct_observations VALUES (1400, 1, 'a'), (1401, 1, 'a'), (1401, 2, 'b')"
    )
    edition = highlights.latest_edition(as_query(con))
    assert (edition.year, edition.number, edition.table_years) == (1401, 2, 2)
    assert edition.released_at_utc is None  # the page says the date is not recorded


def test_headline_figures_pick_each_tables_first_measure(public_con, catalog):
    order = {t.id: [m.id for m in t.measures] for t in catalog}
    rows = highlights.headline_figures(as_query(public_con), 1401, order)
    chosen = rows[rows["selected"]]
    assert chosen["table_id"].is_unique
    assert "pop_county_sex_estimate.population[sex=total]" in set(chosen["indicator_id"])
    students = rows.set_index("indicator_id").loc[STUDENTS]
    assert students["previous_year"] == 1400 and len(students["history"]) == 12
    assert highlights.latest_edition(as_query(public_con)).year == 1401
