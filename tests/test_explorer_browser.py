"""The indicator explorer in Chromium, as an analyst uses it: Shemiranat's population
over the years beside its province, each on a scale of its own, and the language switch
keeping every choice (indicator, places, transform, layout)."""

from __future__ import annotations

import pytest

from tests.test_portal_browser import SHOTS, portal, settle, shot, visit  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

ESTIMATE = "pop_county_sex_estimate.population[sex=total]"
SHEMIRANAT, PROVINCE = "2304", "23"


def chosen_places(tab) -> str:
    return tab.locator('[data-testid="stMultiSelect"]').nth(1).inner_text()


def svg_texts(charts) -> list[str]:
    """The words Vega drew in the charts (titles, axis labels, legends)."""
    return charts.locator("svg text").evaluate_all("els => els.map(e => e.textContent)")


def value_ticks(chart) -> list[int]:
    """The value axis's labels of a chart, as numbers (those written with a thousands
    separator; years and the year axis have none)."""
    labels = svg_texts(chart)
    ascii_digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789", "٬")
    return [int(t.translate(ascii_digits)) for t in labels if "٬" in t]


def checked(tab, name: str) -> bool:
    return tab.get_by_role("radio", name=name, exact=True).is_checked()


def test_the_english_switch_keeps_the_explorers_choices(portal, page):  # noqa: F811
    url, _ = portal
    visit(page, url, f"explorer?indicator={ESTIMATE}&places={PROVINCE},{SHEMIRANAT}")
    page.get_by_text("شاخص (سال پایه = ۱۰۰)", exact=True).click()
    settle(page)
    page.get_by_text("واحدهای مقایسه‌پذیر", exact=True).click()
    settle(page)
    page.get_by_text("استان روی محور دوم", exact=True).click()
    settle(page)
    assert "شمیرانات" in chosen_places(page)

    page.get_by_text("English", exact=True).click()
    settle(page)
    assert page.locator('[data-testid="stMain"] h1').inner_text() == "Indicator explorer"
    places = chosen_places(page)
    assert "Shemiranat" in places and "Tehran Province" in places
    assert "شمیرانات" not in places  # the tags follow the language
    indicators = page.locator('[data-testid="stMultiSelect"]').nth(0).inner_text()
    assert "Population" in indicators
    assert checked(page, "Index (base year = 100)")
    assert checked(page, "Comparable units")
    assert checked(page, "Province on a second axis")
    shot(page, "explorer-en-kept")
    charts = page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')
    charts.first.locator("svg text").first.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    charts.first.screenshot(path=str(SHOTS / "explorer-second-axis-en.png"))


def test_shemiranats_population_over_the_years_in_the_browser(portal, page):  # noqa: F811
    url, _ = portal
    visit(page, url, f"explorer?indicator={ESTIMATE}")
    main = page.locator('[data-testid="stMain"]')
    assert "استان تهران" in chosen_places(page)  # the province, as the page opens
    # The county found by typing part of its name into the places.
    search = page.locator('[data-testid="stMultiSelect"]').nth(1).locator("input")
    search.click()
    search.fill("شمیران")
    page.keyboard.press("Enter")
    settle(page)
    page.keyboard.press("Escape")
    assert "شمیرانات" in chosen_places(page)
    # Tehran Province's 14 M beside Shemiranat's 50,000: a panel each, and the page says so.
    assert "۲۸۶ برابر" in main.inner_text()
    charts = main.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(1).locator("svg text").first.wait_for()  # Vega draws after the run ends
    assert charts.count() == 2
    shot(page, "explorer-shemiranat-fa")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(("province", "shemiranat")):
        charts.nth(n).screenshot(path=str(SHOTS / f"explorer-panel-{name}-fa.png"))
    # Two panels, each with its own value axis: the province's in millions, Shemiranat's
    # in tens of thousands (its line is not flattened along zero).
    province, shemiranat = value_ticks(charts.nth(0)), value_ticks(charts.nth(1))
    assert len(province) >= 2 and all(t >= 10_000_000 for t in province), province
    assert len(shemiranat) >= 2 and all(40_000 <= t <= 60_000 for t in shemiranat), shemiranat
    page.get_by_text("یک محور", exact=True).click()
    settle(page)
    assert "۲۸۶ برابر" not in main.inner_text()  # the reader's one axis, no panels
    charts = main.locator('[data-testid="stVegaLiteChart"]')
    charts.first.locator("svg text").first.wait_for()
    shared = value_ticks(charts)
    assert charts.count() == 1 and not [t for t in shared if t < 1_000_000], shared
    shot(page, "explorer-shemiranat-one-axis-fa")
