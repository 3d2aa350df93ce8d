"""The portal is accessible: axe-core finds no serious or critical violation, and no
heading that skips a level, on any public page and on every staff page (signed in with
the role the page is for), in Persian and in English; a keyboard alone reaches every
control of each.

axe-core is the script bundled in the `axe-playwright-python` wheel (nothing downloads);
it runs in Debian's chromium against a real `streamlit run` server, served and driven as
tests/test_portal_browser.py does: one browser and one server for every page of the demo
home (a national hub's pages have a server of their own). The full results go to
test-output/accessibility/ for the record. The staff pages and the hub's are checked in
tests/test_accessibility_staff.py and tests/test_accessibility_hub.py with these rules.
What Streamlit's own components get wrong, and we cannot change, is listed in
STREAMLIT_OWN below, one entry per rule and component; everything else fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboards.app import NATIONAL_PAGES, PUBLIC_PAGES, STAFF_PAGES
from tests.test_portal_browser import (  # noqa: F401 (portal: a fixture)
    ROOT,
    portal,
    settle,
    visit,
)

pytestmark = pytest.mark.browser

RESULTS = ROOT / "test-output" / "accessibility"
# Each public page by its address (the menu's list, so a new page is checked too).
PAGES = [("" if i == 0 else Path(path).stem) for i, (path, *_) in enumerate(PUBLIC_PAGES)]
# The demo's user each staff page is checked as, by the action the page needs: the role
# the page is for (a liaison sees only their agency's tables, an analyst reads the
# report). A staff page with a new action fails here until it is given its user.
USER_FOR = {
    "upload": "liaison-road_maintenance",
    "review": "demo-expert",
    "open_year": "demo-coordinator",
    "publish": "demo-coordinator",
    "read_sla": "demo-analyst",
}
STAFF = [(Path(path).stem, USER_FOR[action], action) for path, _fa, _en, action in STAFF_PAGES]
# On a national hub: the public pages drawn there by code of their own (Iran's highlights,
# the table of provinces, the map of Iran) and the hub's own pages (on a province's home
# these only say they are the hub's).
HUB_PAGES = ["", "yearbook", "county_map"] + [Path(path).stem for path, *_ in NATIONAL_PAGES]
FAILING = ("serious", "critical")
# Rules that fail whatever axe's impact: a heading that skips a level (a screen reader's
# list of headings then reads as if a section were missing) and an empty header cell
# (read out before every figure of its column).
ALWAYS_FAILING = ("heading-order", "empty-table-header")

# Violations inside Streamlit's own components, which our code cannot reach: (rule id, the
# component's selector, why it is Streamlit's). A violation is excused only when its
# element lies inside that component; the same rule anywhere else still fails.
STREAMLIT_OWN = (
    # st.navigation with sections draws <ul><div><header/><li/>...</div></ul>: the section
    # header and its items sit in a <div> directly inside the list.
    ("list", '[data-testid="stSidebarNavItems"]', "Streamlit's sectioned page menu"),
    ("listitem", '[data-testid="stSidebarNavItems"]', "Streamlit's sectioned page menu"),
    # A disabled st.multiselect (the table builder's columns, which follow from the rows)
    # greys its label and tags; WCAG 1.4.3 exempts inactive controls, but Streamlit marks
    # only the <input> disabled, so axe cannot tell.
    ("color-contrast", '[data-testid="stMultiSelect"]:has(input:disabled)',
     "Streamlit's disabled multiselect"),
)  # fmt: skip


def open_page(tab, url: str, path: str, lang: str) -> None:
    """A public page in a language, settled, with its charts drawn."""
    visit(tab, url, path)
    if lang == "en":  # the sidebar's switch, as a reader does it
        tab.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
        settle(tab)
    # Vega draws after the script has run: wait until every chart has its SVG or canvas.
    tab.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(chart => chart.querySelector('svg, canvas'))""",
        timeout=30_000,
    )


def excused(tab, rule: str, target: list) -> bool:
    """Whether this violation lies inside a Streamlit component listed for its rule."""
    if len(target) != 1:  # inside a frame or shadow root: none of ours is excused there
        return False
    selectors = [selector for rule_id, selector, _why in STREAMLIT_OWN if rule_id == rule]
    return bool(selectors) and tab.evaluate(
        """([target, selectors]) => {
             const element = document.querySelector(target);
             return !!element && selectors.some(s => element.closest(s));
           }""",
        [target[0], selectors],
    )


def failing_violations(tab, results: dict) -> list[str]:
    """Serious and critical violations, and those of ALWAYS_FAILING, not excused, one line
    each: rule, target, help."""
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING and violation["id"] not in ALWAYS_FAILING:
            continue
        for node in violation["nodes"]:
            if not excused(tab, violation["id"], node["target"]):
                found.append(f"{violation['id']} ({violation['impact']}) at {node['target']}: "
                             f"{violation['help']} — {violation['helpUrl']}")  # fmt: skip
    return found


def run_axe(tab, name: str) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    # All result types, for the record; the test reads only the violations.
    results = Axe().run(tab, options={"resultTypes": ["violations", "incomplete"]}).response
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                          encoding="utf-8")  # fmt: skip
    return results


def assert_axe_passes(tab, url: str, path: str, lang: str, name: str) -> None:
    """Open the page in the language and run axe on it: nothing failing, not excused."""
    open_page(tab, url, path, lang)
    assert tab.locator('[data-testid="stException"]').count() == 0, f"/{path} ({lang}) raised"
    # The page says its language, so a screen reader reads Persian with a Persian voice
    # (set by a script Streamlit runs once the page's elements are drawn: wait for it).
    tab.wait_for_function("lang => document.documentElement.lang === lang", arg=lang,
                          timeout=15_000)  # fmt: skip
    results = run_axe(tab, f"{name}-{lang}")
    failing = failing_violations(tab, results)
    assert not failing, "axe-core found, on /" + path + f" ({lang}):\n" + "\n".join(failing)


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_violation(portal, page, path, lang):  # noqa: F811
    url, _home = portal
    assert_axe_passes(page, url, path, lang, path or "home")


# What a keyboard must reach: native controls and anything given a role or a tab stop.
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary,"
    " [tabindex]:not([tabindex='-1']), [role=button], [role=link], [role=checkbox],"
    " [role=radio], [role=switch], [role=slider], [role=tab], [role=combobox]"
)
# Streamlit's widgets that are one stop for Tab, whose parts the arrows and keys inside
# reach: a radio group (arrows), a selectbox or multiselect (its combobox input: arrows
# open the list, Enter chooses, Backspace removes the last choice; the chevron and the
# tags' remove buttons are for the mouse and are not tab stops), a row of tabs (the
# chosen tab is the stop, arrows move to the others, as in ARIA's tabs pattern) and a
# file uploader (its button opens the file chooser; its file input is the button's).
COMPOSITE = (
    "[role=radiogroup], [data-testid=stSelectbox], [data-testid=stMultiSelect],"
    " [role=tablist], [data-testid=stFileUploader]"
)
# Marks each visible, enabled control with the index of its stop; returns a description
# of each stop. The controls of one composite widget share one stop.
_MARK_CONTROLS = """([selector, composite]) => {
  // Inside a folded expander is out of reach until it is opened: its summary is the stop.
  const folded = e => {
    const d = e.closest('details');
    return d && !d.open && !e.closest('summary');
  };
  const visible = e => e.getClientRects().length > 0 && !e.closest('[aria-hidden=true]')
      && !folded(e) && getComputedStyle(e).visibility !== 'hidden' && !e.disabled
      && e.getAttribute('aria-disabled') !== 'true';
  const controls = [...document.querySelectorAll(selector)].filter(visible);
  const stops = new Map();
  const described = [];
  controls.forEach(e => {
    const whole = e.closest(composite);
    if (whole && stops.has(whole)) { e.dataset.a11yStop = stops.get(whole); return; }
    const index = String(described.length);
    if (whole) stops.set(whole, index);
    e.dataset.a11yStop = index;
    const where = (whole || e).closest('[data-testid^=st]')?.dataset.testid || '';
    const name = (whole ? whole.innerText.split('\\n')[0] : '') || e.getAttribute('aria-label')
        || e.innerText || e.value || e.title || '';
    described.push(`${e.tagName.toLowerCase()} «${name.trim().slice(0, 40)}» in ${where}`);
  });
  return described;
}"""
_FOCUSED_STOP = """() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e?.closest('[data-a11y-stop]')?.dataset.a11yStop ?? null;
}"""


def unreached_by_tab(tab) -> tuple[list[str], list[str]]:
    """Press Tab until every control has had focus (or twice as many presses as controls,
    so the focus wraps round the page at least once); the controls, and those never
    focused."""
    controls = tab.evaluate(_MARK_CONTROLS, [INTERACTIVE, COMPOSITE])
    tab.evaluate("document.activeElement && document.activeElement.blur()")
    reached: set[str] = set()
    for _press in range(2 * len(controls) + 10):
        tab.keyboard.press("Tab")
        stop = tab.evaluate(_FOCUSED_STOP)
        if stop is not None:
            reached.add(stop)
        if len(reached) == len(controls):
            break
    return controls, [text for index, text in enumerate(controls) if str(index) not in reached]


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_the_keyboard_alone_reaches_every_control(portal, page, path, lang):  # noqa: F811
    url, _home = portal
    open_page(page, url, path, lang)
    controls, unreached = unreached_by_tab(page)
    assert len(controls) > 10, controls  # the menu, the switch, the search box at least
    assert not unreached, f"Tab never reaches these on /{path} ({lang}):\n" + "\n".join(unreached)
