"""The table builder in a real browser (chromium through playwright, a real `streamlit run`
server on a copy of the demo home, as tests/test_portal_browser.py serves it): a link
opens its pivot, the address reproduces it in a fresh tab, and a download is exactly it."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pandas as pd
import pytest
from playwright.sync_api import expect

from dashboards import figures
from tests.test_portal_browser import portal, settle, shot, visit  # noqa: F401  (portal: a fixture)

pytestmark = pytest.mark.browser

ESTIMATE = "pop_county_sex_estimate"
LINK = {
    "table": ESTIMATE,
    "geo": "23,2301,2302",
    "year": "1390,1401",
    "sex": "male,female",
    "measure": "population",
    "rows": "geo",
    "cols": "year,sex,measure",
    "view": "table",
}


def figure(home, geo: str, year: int, sex: str) -> float:
    from salnameh.settings import home as home_of
    from salnameh.snapshots import PUBLIC, open_snapshot

    with open_snapshot(home_of(home), PUBLIC) as con:
        return con.execute(
            "SELECT value FROM marts.fct_observations WHERE table_id = ? AND geo_code = ?"
            " AND year = ? AND dim_key = ?",
            [ESTIMATE, geo, year, f"sex={sex}"],
        ).fetchone()[0]


def test_a_builder_link_opens_its_pivot_and_downloads_exactly_it(portal, page, browser):  # noqa: F811
    url, home = portal
    visit(page, url, f"table_builder?{urlencode(LINK)}")
    assert page.locator('[data-testid="stException"]').count() == 0
    grid = page.locator("table.tb")
    grid.wait_for(timeout=30_000)
    text = grid.inner_text()
    # Three places down, 1390 and 1401 by male and female across, in Persian digits.
    assert grid.locator("tbody tr").count() == 3
    assert "۱۳۹۰" in text and "۱۴۰۱" in text and "مرد" in text and "زن" in text
    assert "جمع" not in re.split(r"[\t\n]", text)  # sex=total was not chosen
    tehran_1401_female = figures.number(figure(home, "2301", 1401, "female"), 0, "fa")
    assert tehran_1401_female in text
    for name, value in LINK.items():  # the address still says what is shown
        assert f"{name}={value}".replace(",", "%2C") in page.url or f"{name}={value}" in page.url
    shot(page, "public-table_builder")

    # The same address in a fresh browser context (no session) shows the same pivot.
    other = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    try:
        tab = other.new_page()
        visit(tab, url, page.url.split("/", 3)[3])
        tab.locator("table.tb").wait_for(timeout=30_000)
        assert tab.locator("table.tb").inner_text() == text
    finally:
        other.close()

    with page.expect_download() as caught:
        page.get_by_role("button", name="CSV (یک سطر برای هر رقم)").click()
    saved = caught.value.path()
    frame = pd.read_csv(io.BytesIO(saved.read_bytes()), encoding="utf-8-sig", dtype=str)
    assert len(frame) == 3 * 2 * 2
    assert set(frame["geo_code"]) == {"23", "2301", "2302"}
    assert set(frame["year"]) == {"1390", "1401"}
    assert set(frame["dim_key"]) == {"sex=male", "sex=female"}
    row = frame[(frame["geo_code"] == "2301") & (frame["year"] == "1401")
                & (frame["dim_key"] == "sex=female")]  # fmt: skip
    assert float(row["value"].iloc[0]) == figure(home, "2301", 1401, "female")

    # The symbols' legend is text, not markdown («*» and «**» are symbols).
    legend = page.get_by_text("نشانه‌ها:").inner_text()
    assert "* موقت" in legend and "** برآوردی" in legend

    # The English switch keeps the selection, and the figures turn to Latin digits.
    address = page.url
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(page)
    # Each step waits for what it expects (a minute at most): on a loaded machine a click's
    # rerun can begin after settle() has seen the page idle.
    expect(page.locator("table.tb")).to_contain_text("Female", timeout=60_000)
    english = page.locator("table.tb").inner_text()
    assert f"{figure(home, '2301', 1401, 'female'):,.0f}" in english and "Female" in english
    assert not any(d in english for d in "۰۱۲۳۴۵۶۷۸۹")
    assert page.url == address
    shot(page, "public-table_builder-en")
    page.locator('[class*="st-key-tb_view"]').get_by_text("Chart", exact=True).click()
    settle(page)  # the next run keeps the table chosen (relabelled widgets keep their state)
    page.locator(
        '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'
    ).first.wait_for(timeout=60_000)
    assert "table=pop_county_sex_estimate" in page.url and "view=chart" in page.url
    page.locator('[class*="st-key-tb_view"]').get_by_text("Table", exact=True).click()
    settle(page)
    page.locator("table.tb").wait_for(timeout=60_000)

    # Swapping the layout redraws the pivot and rewrites the address.
    page.get_by_role("button", name="Swap rows and columns").click()
    settle(page)
    expect(page.locator("table.tb tbody tr")).to_have_count(2 * 2, timeout=60_000)
    assert "rows=year%2Csex%2Cmeasure" in page.url or "rows=year,sex,measure" in page.url
