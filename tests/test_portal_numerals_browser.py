"""One numeral system per language, whatever the browser's locale (issue 20, item 3).

A Persian reader whose browser says en-US and an English reader whose browser says fa-IR
open the pages that show numbers (explorer, yearbook table, county profile, county map,
collection progress) in a real Chromium against a served portal. What the grids, charts,
sliders, metrics and tables show is read from the rendered page: Persian digits with ٬ and
٫ in Persian, Latin digits with , and . in English; the year slider and the chart's time
axis both run in the reading direction. Screenshots go to test-output/portal/.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest

from tests.test_portal_browser import (  # noqa: F401
    IDLE,
    SHOTS,
    menu,
    portal,
    settle,
    shot,
    sign_in,
    visit,
)

pytestmark = pytest.mark.browser

# Where a page shows numbers: grids (their accessible cells; what they paint is recorded
# too, see RECORD_PAINTED), charts (Vega draws SVG text), sliders, metrics, static tables
# and the yearbook's table.
SHOWN = {
    "grid": '[data-testid="stMain"] [data-testid="stDataFrame"] td[role="gridcell"]',
    "chart": '[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg text',
    "slider": '[data-testid="stMain"] [data-testid="stSlider"]',
    "metric": '[data-testid="stMain"] [data-testid="stMetric"]',
    "table": '[data-testid="stMain"] [data-testid="stTable"], [data-testid="stMain"] table.yb',
}
PERSIAN_DIGIT = re.compile("[۰-۹]")
# A Latin digit outside a Latin word, code or phrase (pm2_5, B12 or an edition's note
# typed as «Demo yearbook 1401» stay as written, as salnameh.persian.persian_message leaves
# them): a figure, year or number written in Latin.
LATIN_NUMBER = re.compile(r"(?<![A-Za-z_0-9])(?<![A-Za-z] )[0-9]+(?![A-Za-z_])")
LATIN_COMMA_IN_PERSIAN = re.compile("[۰-۹][,.][۰-۹]")
PERSIAN_SEPARATOR_IN_LATIN = re.compile("[0-9][٬٫][0-9]")


# The grid paints its cells on a canvas, and its accessible cells hold a number column's
# raw value, not what is painted (a browser-formatted figure would pass unseen): so every
# text the page paints on a canvas is recorded as it is painted.
RECORD_PAINTED = """(() => {
  const painted = (window.__painted = []);
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    if (painted.length < 20000) painted.push(String(text));
    return fillText.call(this, text, ...rest);
  };
})();"""


def reader(browser, locale: str):
    """A browser tab whose locale is `locale`, recording what its canvases paint."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale)
    context.add_init_script(RECORD_PAINTED)
    return context, context.new_page()


def forget_painted(tab) -> None:
    tab.evaluate("window.__painted.length = 0")


def shown_texts(tab) -> dict[str, list[str]]:
    """The text of every number-showing element on the page, by kind."""
    texts = {kind: tab.locator(css).all_text_contents() for kind, css in SHOWN.items()}
    texts["painted"] = tab.evaluate("window.__painted.slice()")
    # A slider's thumbs say their value to a screen reader as well.
    texts["slider"] += [
        t.get_attribute("aria-valuetext") or ""
        for t in tab.locator('[data-testid="stMain"] [data-testid="stSlider"] input').all()
    ]
    return texts


def wrong_digits(texts: dict[str, list[str]], lang: str) -> list[str]:
    """What is written in the other language's digits or separators, with where."""
    wrong = []
    for kind, items in texts.items():
        for text in items:
            if lang == "fa" and (LATIN_NUMBER.search(text) or LATIN_COMMA_IN_PERSIAN.search(text)):
                wrong.append(f"{kind}: {text[:120]!r}")
            if lang == "en" and (
                PERSIAN_DIGIT.search(text) or PERSIAN_SEPARATOR_IN_LATIN.search(text)
            ):
                wrong.append(f"{kind}: {text[:120]!r}")
    return wrong


def to_english(tab) -> None:
    tab.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(tab)


def wait_for_numbers(tab) -> None:
    """Grids paint after the script has run: wait until they have painted their cells."""
    tab.wait_for_selector(SHOWN["grid"], state="attached", timeout=30_000)
    tab.wait_for_function("window.__painted.length > 0", timeout=30_000)
    tab.wait_for_timeout(500)  # the rows after the first


# (page, Persian menu title, English menu title, kinds that must show numbers there)
PUBLIC = [
    ("explorer", "کاوش شاخص‌ها", "Indicator explorer", {"grid", "chart", "slider"}),
    ("yearbook", "جدول‌های سالنامه", "Yearbook tables", {"table"}),
    ("county", "نمای شهرستان", "County profile", {"grid", "chart"}),
    ("county_map", "نقشه شهرستان‌ها", "County map", {"grid"}),
]


def check_page(tab, lang: str, name: str, kinds: set[str]) -> dict[str, list[str]]:
    if "grid" in kinds:
        wait_for_numbers(tab)
    texts = shown_texts(tab)
    shot(tab, f"numerals-{lang}-{name}")
    if "grid" in kinds:  # the grid itself, for a person to look at: it is below the fold
        grid = tab.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
        grid.screenshot(path=str(SHOTS / f"numerals-{lang}-{name}-grid.png"))
    assert tab.locator('[data-testid="stException"]').count() == 0, name
    digit = PERSIAN_DIGIT if lang == "fa" else re.compile("[0-9]")
    assert wrong_digits(texts, lang) == [], f"{name} in {lang}"
    if "grid" in kinds:
        kinds = kinds | {"painted"}
    for kind in kinds:  # the page does show numbers of each kind: the check is not empty
        assert any(digit.search(t) for t in texts[kind]), f"{name}: no {kind} numbers shown"
    return texts


def test_persian_pages_write_persian_digits_in_an_en_us_browser(portal, browser):  # noqa: F811
    url, home = portal
    context, tab = reader(browser, "en-US")
    try:
        painted = []
        for path, _fa, _en, kinds in PUBLIC:
            visit(tab, url, path)
            painted += check_page(tab, "fa", path, kinds)["painted"]
        # Thousands are separated by the Persian ٬, never a Latin comma, in the grids too.
        assert any(re.search("[۰-۹]٬[۰-۹]{3}", t) for t in painted)
        sign_in(tab, url, home, "demo-coordinator")
        forget_painted(tab)
        menu(tab, "پیشرفت گردآوری")
        check_page(tab, "fa", "progress", {"metric", "grid"})
    finally:
        context.close()


def test_english_pages_write_latin_digits_in_an_fa_ir_browser(portal, browser):  # noqa: F811
    url, home = portal
    context, tab = reader(browser, "fa-IR")
    try:
        visit(tab, url)
        to_english(tab)
        painted = []
        for path, _fa, title_en, kinds in PUBLIC:
            forget_painted(tab)
            menu(tab, title_en)
            painted += check_page(tab, "en", path, kinds)["painted"]
        assert any(re.search("[0-9],[0-9]{3}", t) for t in painted)
        sign_in(tab, url, home, "demo-coordinator")
        to_english(tab)
        forget_painted(tab)
        menu(tab, "Collection progress")
        check_page(tab, "en", "progress", {"metric", "grid"})
    finally:
        context.close()


def first_and_last_x(tab) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where the explorer shows its first and last year: the slider's start and end thumbs,
    and the chart's first and last year labels (x in pixels)."""
    thumbs = tab.locator('[data-testid="stSlider"] [data-testid="stSliderThumbValue"]')
    start, end = (thumbs.nth(i).bounding_box() for i in (0, 1))
    years = tab.locator('[data-testid="stVegaLiteChart"] svg text')
    labels = [(t.text_content(), t.bounding_box()) for t in years.all()]
    first, last = thumbs.nth(0).inner_text(), thumbs.nth(1).inner_text()
    at = {text: box["x"] for text, box in labels if box}
    return (start["x"], end["x"]), (at[first], at[last])


def settle_slider(tab, first_on_right: bool) -> None:
    """The slider lays itself out again once the page has set its widgets' locale: give it
    the time to (the assertion that follows says where it ended up)."""
    from playwright.sync_api import TimeoutError as Timeout

    placed = """(right) => {
      const [a, b] = [...document.querySelectorAll('[data-testid="stSliderThumbValue"]')]
        .map((e) => e.getBoundingClientRect().x);
      return a !== undefined && b !== undefined && (right ? a > b : a < b);
    }"""
    with contextlib.suppress(Timeout):
        tab.wait_for_function(placed, arg=first_on_right, timeout=10_000)


@pytest.mark.parametrize(("lang", "locale"), [("fa", "en-US"), ("en", "fa-IR")])
def test_the_year_slider_and_the_time_axis_run_in_the_reading_direction(
    portal,  # noqa: F811
    browser,
    lang,
    locale,
):
    """Persian: the first year on the right of the slider and of the chart; English: on
    the left; whatever the browser's locale would have it."""
    url, _home = portal
    context, tab = reader(browser, locale)
    try:
        visit(tab, url, "explorer")
        if lang == "en":
            to_english(tab)
        tab.wait_for_selector('[data-testid="stVegaLiteChart"] svg text', timeout=30_000)
        settle_slider(tab, first_on_right=lang == "fa")
        (slider_first, slider_last), (axis_first, axis_last) = first_and_last_x(tab)
        shot(tab, f"numerals-{lang}-direction")
        if lang == "fa":
            assert slider_first > slider_last and axis_first > axis_last
        else:
            assert slider_first < slider_last and axis_first < axis_last
    finally:
        context.close()


def test_every_page_keeps_to_its_languages_digits(portal, browser):  # noqa: F811
    """Every public and staff page (as the coordinator sees them), in Persian with an en-US
    browser and in English with an fa-IR one: nothing in the other language's digits."""
    from dashboards.app import PUBLIC_PAGES, STAFF_PAGES

    url, home = portal
    found = {}
    for lang, locale in (("fa", "en-US"), ("en", "fa-IR")):
        context, tab = reader(browser, locale)
        try:
            sign_in(tab, url, home, "demo-coordinator")
            if lang == "en":
                to_english(tab)
            for path, title_fa, title_en, _action in PUBLIC_PAGES + STAFF_PAGES:
                forget_painted(tab)
                menu(tab, title_fa if lang == "fa" else title_en)
                tab.wait_for_timeout(1500)  # let grids paint (nothing is asserted on time)
                wrong = wrong_digits(shown_texts(tab), lang)
                if wrong:
                    found[f"{lang} {path}"] = wrong[:5]
        finally:
            context.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def settled_values(tab, selector: str) -> list[str]:
    """The values of the inputs `selector` once two reads 300 ms apart agree, the script
    idle: a click's run may begin after `settle`'s pause (a busy browser), and the boxes
    read meanwhile would be the last page's."""
    read = "inputs => inputs.map((i) => i.value)"
    values = None
    for _ in range(20):
        tab.wait_for_selector(IDLE, timeout=30_000)
        now = tab.locator(selector).evaluate_all(read)
        if now == values:
            return now
        values = now
        tab.wait_for_timeout(300)
    return values


def test_the_english_switch_relabels_each_pages_choices_in_place(portal, browser):  # noqa: F811
    """On every page (public, and staff as the coordinator), the switch made there, not
    before opening it: the choice boxes show their choices in English with Latin digits,
    not the Persian labels the browser drew before. Without `keep_choices` (or
    `staff_widgets.choose`'s `keep_choice`) a page's boxes kept the Persian text."""
    from dashboards.app import PUBLIC_PAGES, STAFF_PAGES

    url, home = portal
    boxes = '[data-testid="stMain"] [data-testid="stSelectbox"] input'
    left = {}
    context, tab = reader(browser, "en-US")
    try:
        sign_in(tab, url, home, "demo-coordinator")
        for path, title_fa, title_en, _action in PUBLIC_PAGES + STAFF_PAGES:
            menu(tab, title_fa)
            stem = Path(path).stem
            address = "/" if stem == "home" else f"/{stem}"
            tab.wait_for_function(f"location.pathname === {json.dumps(address)}")
            before = settled_values(tab, boxes)
            to_english(tab)
            # The menu is drawn anew in English once the switch's run has begun.
            tab.locator('[data-testid="stSidebarNav"]').get_by_text(title_en, exact=True).wait_for()
            settle(tab)
            after = settled_values(tab, boxes)
            # Persian digits, or a Persian label left as it was (a record's own Persian
            # text, such as a letter number «1405/1/ص», may stay in the relabelled box).
            kept = [
                now
                for now, was in zip(after, before, strict=True)
                if PERSIAN_DIGIT.search(now) or (now == was and re.search("[\u0600-\u06ff]", now))
            ]
            if kept:
                left[path] = {"before": before, "after": kept}
            tab.locator('[data-testid="stSidebar"]').get_by_text("فارسی", exact=True).click()
            settle(tab)
    finally:
        context.close()
    assert left == {}, json.dumps(left, ensure_ascii=False, indent=1)
