"""Every staff page passes axe-core and a keyboard alone reaches every control of it,
signed in as a demo user of the role the page is for, in Persian and in English (the
rules and helpers are tests/test_accessibility.py's; a file of its own so the test run
can give it to another worker)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.test_accessibility import STAFF, assert_axe_passes, unreached_by_tab
from tests.test_portal_browser import portal, sign_in  # noqa: F401 (portal: a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def staff_tab(portal, browser):  # noqa: F811
    """A tab signed in as a demo user, one browser context per user for the module: the
    session's cookie keeps each signed in as its tests open their pages by address."""
    url, home = portal
    tabs = {}

    def signed_in(user_id: str):
        if user_id not in tabs:
            context = browser.new_context(viewport={"width": 1366, "height": 900},
                                          locale="fa-IR")  # fmt: skip
            tabs[user_id] = context.new_page()
            sign_in(tabs[user_id], url, home, user_id)
        return tabs[user_id]

    yield signed_in
    for tab in tabs.values():
        tab.context.close()


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize(("path", "user_id", "action"), STAFF)
def test_staff_pages_pass_axe_and_the_keyboard_reaches_every_control(
    portal,  # noqa: F811
    staff_tab,
    path,
    user_id,
    action,
    lang,
):
    from salnameh.access import Actor, Forbidden

    url, home = portal
    tab = staff_tab(user_id)
    assert_axe_passes(tab, url, path, lang, f"staff-{path}")
    # Checked was the page itself, not its refusal: still signed in, with the role.
    sidebar = tab.locator('[data-testid="stSidebar"]').inner_text()
    assert user_id in sidebar, f"/{path}: no longer signed in as {user_id}"
    refused = Forbidden(Actor(user_id, demo_role(home, user_id)), action)
    main = tab.locator('[data-testid="stMain"]').inner_text()
    assert refused.fa not in main and refused.en not in main, main
    # And a keyboard alone reaches every control of the page (a second each: the page
    # is open already).
    controls, unreached = unreached_by_tab(tab)
    assert len(controls) > 10, controls
    assert not unreached, f"Tab never reaches these on /{path} ({lang}):\n" + "\n".join(unreached)


def demo_role(home: Path, user_id: str) -> str:
    with (home / "demo-staff.csv").open(encoding="utf-8") as handle:
        return next(r["role"] for r in csv.DictReader(handle) if r["user_id"] == user_id)
