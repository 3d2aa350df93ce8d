"""A national hub's pages pass axe-core in Persian and in English: the public pages drawn
there by code of their own (Iran's highlights, the table of provinces, the map of Iran) and
the hub's own pages (the rules are tests/test_accessibility.py's)."""

from __future__ import annotations

import pytest

from tests.conftest import copy_home
from tests.test_accessibility import HUB_PAGES, assert_axe_passes
from tests.test_portal_browser import _need_browser, serve_portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hub_server(national_hub, tmp_path_factory):
    """The portal of a private copy of the national hub (the conftest's, made once a run)."""
    _need_browser()
    home = copy_home(national_hub.home, tmp_path_factory.mktemp("a11y-hub") / "hub")
    yield from serve_portal(home, tmp_path_factory)


@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("path", HUB_PAGES)
def test_axe_finds_no_serious_violation_on_the_hubs_own_pages(hub_server, page, path, lang):
    url, _home = hub_server
    assert_axe_passes(page, url, path, lang, f"hub-{path or 'home'}")
