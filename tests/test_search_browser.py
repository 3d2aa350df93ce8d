"""Search in a real browser (Debian's chromium, a `streamlit run` server on a copy of the
demo home, as tests/test_portal_browser.py serves it): what people type, as they type it,
finds what they mean, and «جمعیت شمیرانات» leads in one click to Shemiranat's population
over the years in the explorer. Screenshots go to test-output/portal/search-*.png."""

from __future__ import annotations

import pytest

from tests.test_portal_browser import portal, settle, shot, visit  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

MAIN = '[data-testid="stMain"]'
BOX = "نام جدول، شاخص یا مکان، یا شماره جدول"


def search(tab, typed: str) -> str:
    """Type into the search page's box as a person does, and return the first result."""
    from playwright.sync_api import expect

    box = tab.get_by_label(BOX)
    box.fill(typed)
    box.press("Enter")
    # The results' count says the rerun with these words has drawn (a loaded machine may
    # start it later than settle's first look).
    expect(tab.locator(MAIN)).to_contain_text("نتیجه", timeout=60_000)
    settle(tab)
    return tab.locator(f"{MAIN} strong").first.inner_text()


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("جمعیت شمیرانات", "جدول ۳-۱"),  # then «: جمعیت، شمیرانات»
        ("شميرانات", "شمیرانات"),  # Arabic yeh
        ("دانش اموز", "جدول ۱۷-۳"),  # آ as ا, a space for the half-space
        ("٣-١٧", "جدول ۱۷-۳"),  # Arabic-Indic digits, parts as a PDF copy gives them
        ("۱۷ـ۳", "جدول ۱۷-۳"),  # tatweel for the dash
    ],
)
def test_what_people_type_is_found_in_the_browser(portal, page, typed, first):  # noqa: F811
    url, _home = portal
    visit(page, url, "search")
    assert search(page, typed) == first
    assert page.locator('[data-testid="stException"]').count() == 0


def test_population_shemiranat_leads_to_its_series_in_the_explorer(portal, page):  # noqa: F811
    url, _home = portal
    visit(page, url, "search")
    search(page, "جمعیت شمیرانات")
    main = page.locator(MAIN)
    first_line = main.locator('[data-testid="stMarkdownContainer"]').filter(has_text="جدول ۳-۱")
    assert first_line.first.inner_text().strip() == "جدول ۳-۱: جمعیت، شمیرانات"
    assert "یافته: مکان: شمیرانات" in main.inner_text()
    from playwright.sync_api import expect

    # The links draw after the script has run: waited for, as a person waits to see them.
    expect(main.locator('[data-testid="stPageLink"]').first).to_have_text("جدول", timeout=30_000)
    shot(page, "search-population-shemiranat")
    # One click: the first result's chart link.
    main.locator('[data-testid="stPageLink"]').filter(has_text="نمودار").first.click()
    page.wait_for_selector(f'{MAIN} h1:has-text("کاوش شاخص‌ها")', timeout=60_000)
    settle(page)
    chosen = main.locator('[data-testid="stMultiSelect"]')
    places = chosen.filter(has_text="استان و شهرستان‌ها").inner_text().split()
    assert places == ["استان", "و", "شهرستان‌ها", "شمیرانات"]  # the place chosen, the province not
    indicators = chosen.filter(has_text="شاخص‌ها").first.inner_text().split()
    assert indicators == ["شاخص‌ها", "جدول", "۳-۱:", "جمعیت", "(نفر)"]
    # Over the years: the chart's axis runs from the first year to the last.
    chart = main.locator('[data-testid="stVegaLiteChart"]').first
    # Drawn after the script's run: waited for (it was read empty once, under load).
    expect(chart).to_contain_text("۱۳۹۰", timeout=60_000)
    assert "۱۴۰۱" in chart.inner_text()
    shot(page, "search-population-shemiranat-explorer")


def test_the_sidebar_box_of_any_page_opens_the_results(portal, page):  # noqa: F811
    from playwright.sync_api import expect

    url, _home = portal
    visit(page, url, "yearbook")
    box = page.locator('[data-testid="stSidebar"]').get_by_label("جست‌وجوی جدول، شاخص یا مکان")
    box.fill("٣-١٧")
    box.press("Enter")
    page.wait_for_selector(f'{MAIN} h1:has-text("جست‌وجو")', timeout=60_000)
    expect(page.locator(MAIN)).to_contain_text("نتیجه", timeout=60_000)
    settle(page)
    assert page.get_by_label(BOX).input_value() == "٣-١٧"
    assert page.locator(f"{MAIN} strong").first.inner_text() == "جدول ۱۷-۳"
    assert "(وارونه نوشته شده)" in page.locator(MAIN).inner_text()
