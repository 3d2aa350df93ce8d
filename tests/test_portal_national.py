"""The portal on SCI's national hub, in a real browser: a `streamlit run` server on a copy of
the session's hub (three provinces' real 1390 census workbooks through their own
installations and packages, tests/conftest.py), driven by Debian's chromium as
tests/test_portal_browser.py drives a province's portal.

The map of Iran draws the 31 provinces and opens a province's counties, the deliveries page
lists who delivered, and the explorer and the yearbook table show a province's real census
figure. Screenshots go to test-output/portal/national-*.png.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest

from tests.conftest import copy_home
from tests.test_national_hub import CENSUS_1390, PROVINCES
from tests.test_portal_browser import _need_browser, serve_portal, settle, shot, visit

pytestmark = pytest.mark.slow

CHART = '[data-testid="stVegaLiteChart"]'
MAIN = '[data-testid="stMain"]'


def census_by_province() -> dict[str, int]:
    """Persons by province code in the 1390 census file (the figures the hub must show)."""
    totals: dict[str, int] = defaultdict(int)
    with CENSUS_1390.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            totals[row["province_code"]] += int(row["male"]) + int(row["female"])
    return dict(totals)


def received_days(hub_home) -> set[str]:
    """The Tehran days the hub's ledger received its packages on: '۱۶ آذر ۱۴۰۵'."""
    import sqlite3
    from datetime import datetime

    from persiantools.jdatetime import JalaliDateTime

    from salnameh.jalali import MONTHS_FA, TEHRAN
    from salnameh.persian import to_persian_digits

    with sqlite3.connect(hub_home / "ledger.sqlite") as con:
        moments = [r[0] for r in con.execute("SELECT received_at FROM packages")]
    days = set()
    for text in moments:
        day = JalaliDateTime(datetime.fromisoformat(text).astimezone(TEHRAN))
        days.add(to_persian_digits(f"{day.day} {MONTHS_FA[day.month - 1]} {day.year}"))
    return days


def persian(n: int) -> str:
    from salnameh.persian import to_persian_digits

    return to_persian_digits(f"{n:,}".replace(",", "٬"))


@pytest.fixture(scope="module")
def hub_portal(national_hub, tmp_path_factory):
    """A real portal server on a private copy of the hub; yields (url, home)."""
    _need_browser()
    home = copy_home(national_hub.home, tmp_path_factory.mktemp("hub-portal") / "hub")
    yield from serve_portal(home, tmp_path_factory)


def no_exception(tab) -> None:
    errors = tab.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def shapes(tab):
    """The map's drawn places (Vega's SVG paths, one per province or county)."""
    tab.wait_for_selector(f"{CHART} svg g.mark-shape path", timeout=30_000)
    return tab.locator(f"{CHART} svg g.mark-shape path")


@pytest.mark.browser
def test_the_iran_map_draws_the_provinces_and_a_click_opens_a_provinces_counties(hub_portal, page):
    visit(page, hub_portal[0], "county_map")
    no_exception(page)
    drawn = shapes(page)
    assert drawn.count() == 31  # every province: three coloured, the others grey
    labels = [drawn.nth(i).get_attribute("aria-label") or "" for i in range(drawn.count())]
    coloured = [label for label in labels if "استان:" in label]
    assert len(coloured) == len(PROVINCES)
    census = census_by_province()
    main = page.locator(MAIN).inner_text()
    assert f"کل کشور: {persian(sum(census[p] for p in PROVINCES))}" in main
    assert "جمع ۳ استان از ۳۱ استان" in main
    assert "OpenStreetMap" in main
    shot(page, "national-map-iran")

    qom = next(i for i, label in enumerate(labels) if "استان: قم" in label)
    from playwright.sync_api import expect

    drawn.nth(qom).click()
    settle(page)
    expect(page.locator(MAIN)).to_contain_text("شهرستان‌های استان قم", timeout=30_000)
    settle(page)
    no_exception(page)
    # Qom's counties of today: Qom (2501) coloured, Jafarabad and Kahak (after 1395) grey.
    assert shapes(page).count() == 3
    shot(page, "national-map-qom")


@pytest.mark.browser
def test_choosing_a_province_in_the_list_opens_its_counties(hub_portal, page):
    from dashboards.county_map_data import map_units, uncoded
    from salnameh.reference import Reference

    visit(page, hub_portal[0], "county_map?province=01")
    no_exception(page)
    assert "شهرستان‌های استان گیلان" in page.locator(MAIN).inner_text()
    drawn = shapes(page)
    # Gilan's counties of 1390 (today's boundaries merged along the lineage), and those
    # formed after 1395 in grey.
    units = map_units(1390, Reference(province="01").lineage, "01")
    assert drawn.count() == len(units) + len(uncoded("01")) > 10
    labels = " ".join(drawn.nth(i).get_attribute("aria-label") or "" for i in range(drawn.count()))
    assert "شهرستان: رشت" in labels and "شهرستان: قم" not in labels
    shot(page, "national-map-gilan")


@pytest.mark.browser
def test_the_deliveries_page_lists_the_provinces_that_delivered(hub_portal, page):
    visit(page, hub_portal[0], "deliveries")
    no_exception(page)
    table = page.locator('[data-testid="stTable"]').inner_text()
    assert table.count("ویرایش ۱") == len(PROVINCES)
    for name in ("تهران", "گیلان", "قم", "مرکزی"):  # Markazi listed, with nothing delivered
        assert name in table
    # The day each package came, as the ledger has it, as a Jalali day in Persian digits.
    for received in received_days(hub_portal[1]):
        assert received in table
    main = page.locator(MAIN).inner_text()
    assert "۱۳۹۰: ۳ استان از ۳۱" in main
    shot(page, "national-deliveries")


@pytest.mark.browser
def test_the_explorer_shows_and_downloads_a_provinces_real_figure(hub_portal, page):
    census = census_by_province()
    visit(page, hub_portal[0], "explorer")
    no_exception(page)
    chosen = page.locator('[data-testid="stMultiSelect"]').nth(1).inner_text()
    for name in ("ایران", "استان قم", "استان گیلان", "استان تهران"):
        assert name in chosen
    with page.expect_download() as download:
        page.get_by_role("button", name="دریافت همین جدول (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = {r["geo_code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert float(rows["25"]["value"]) == census["25"] == 1_151_672
    assert rows["25"]["province"] == "25" and rows["25"]["year"] == "1390"
    assert float(rows["IR"]["value"]) == sum(census[p] for p in PROVINCES)
    assert float(rows["23"]["rank"]) == 1
    assert float(rows["25"]["share"]) == pytest.approx(
        100 * census["25"] / sum(census[p] for p in PROVINCES)
    )
    shot(page, "national-explorer")


@pytest.mark.browser
def test_the_yearbook_table_of_provinces_and_of_one_province(hub_portal, page):
    census = census_by_province()
    visit(page, hub_portal[0], "yearbook?table=pop_county_sex_age&year=1390")
    no_exception(page)
    table = page.locator(f"{MAIN} table.yb").inner_text()
    assert "کل کشور" in table
    assert persian(sum(census[p] for p in PROVINCES)) in table
    for p in PROVINCES:
        assert persian(census[p]) in table, p
    shot(page, "national-yearbook-iran")
    visit(page, hub_portal[0], "yearbook?table=pop_county_sex_age&year=1390&province=25")
    no_exception(page)
    table = page.locator(f"{MAIN} table.yb").inner_text()
    assert "کل استان" in table and persian(census["25"]) in table
    assert persian(census["23"]) not in table  # one province's table, not the nation's
    shot(page, "national-yearbook-qom")


# ------------------------------------------------------------- in English (AppTest)
@pytest.mark.integration
@pytest.mark.parametrize(
    "script, title",
    [
        ("screens/home.py", "Iran Statistical Yearbook"),
        ("screens/county_map.py", "Map of provinces and counties"),
        ("screens/deliveries.py", "Provinces' deliveries"),
        ("screens/explorer.py", "Indicator explorer"),
        ("screens/yearbook.py", "Yearbook tables"),
    ],
)
def test_the_hubs_pages_in_english(national_hub, portal_page, script, title):
    app = portal_page(script, national_hub.home, lang="en").run()
    assert not app.exception, app.exception
    assert app.title[0].value == title
    shown = " ".join(m.value for m in app.markdown) + " ".join(c.value for c in app.caption)
    assert not set("۰۱۲۳۴۵۶۷۸۹") & set(shown)  # one numeral system: ASCII in English


@pytest.mark.integration
def test_the_explorer_on_a_hub_of_one_year_names_the_year_instead_of_a_range(
    national_hub, portal_page
):
    """The three-province hub holds 1390 alone: a range slider would read «۱۳۹۰ ۱۳۹۰»."""
    app = portal_page("screens/explorer.py", national_hub.home, lang="en").run()
    assert not app.exception, app.exception
    assert not app.select_slider
    assert "Year 1390" in [c.value for c in app.caption]
