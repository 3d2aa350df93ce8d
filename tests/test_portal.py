"""The portal's entry script: the chrome, the language switch and the menu each role gets.
The pages themselves: test_portal_public.py and test_portal_staff.py (AppTest), and
test_portal_browser.py (a real browser)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.demo.cycle import ANALYST, COORDINATOR, EXPERT, liaison
from dashboards.app import PUBLIC_PAGES, STAFF_PAGES, staff_pages

APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")
SCREENS = Path(APP).parent


def entry(home: Path, monkeypatch, actor=None, lang: str = "fa") -> AppTest:
    monkeypatch.setenv("SALNAMEH_HOME", str(home))
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["lang"] = lang
    if actor is not None:
        app.session_state["actor"] = actor
        app.session_state["last_seen"] = time.monotonic()
    return app.run()


@pytest.mark.unit
def test_every_menu_entry_is_a_page_script():
    for path, fa, en, _action in PUBLIC_PAGES + STAFF_PAGES:
        assert (SCREENS / path).is_file(), path
        assert fa and en


@pytest.mark.unit
@pytest.mark.parametrize(
    "actor, expected",
    [
        (None, set()),
        (ANALYST, {"sla"}),
        (liaison("road_maintenance"),
         {"liaison_tables", "liaison_upload", "liaison_history"}),
        (EXPERT, {"review", "quality", "sla"}),
        (COORDINATOR, {"liaison_tables", "liaison_upload", "liaison_history", "review",
                       "quality", "progress", "editions", "sla"}),
    ],
)  # fmt: skip
def test_the_menu_offers_each_role_its_pages_only(actor, expected):
    assert {Path(p).stem for p, *_ in staff_pages(actor)} == expected


@pytest.mark.integration
@pytest.mark.parametrize(
    "lang, title",
    [("fa", "سالنامه آماری استان تهران"), ("en", "Tehran Province Statistical Yearbook")],
)
def test_the_portal_opens_on_the_highlights_in_the_readers_language(
    demo_home, monkeypatch, lang, title
):
    app = entry(demo_home.root, monkeypatch, lang=lang)
    assert not app.exception, app.exception
    assert app.title[0].value == title
    assert app.sidebar.radio(key="lang").value == lang


@pytest.mark.integration
def test_a_signed_in_user_sees_who_they_are_and_can_sign_out(demo_home, monkeypatch):
    app = entry(demo_home.root, monkeypatch, actor=EXPERT)
    assert not app.exception, app.exception
    assert any("demo-expert" in m.value for m in app.sidebar.markdown)
    app.sidebar.button(key="sign_out").click().run()
    assert "actor" not in app.session_state


@pytest.mark.integration
def test_an_idle_session_is_signed_out(demo_home, monkeypatch):
    from dashboards.session import IDLE_TIMEOUT_S

    monkeypatch.setenv("SALNAMEH_HOME", str(demo_home.root))
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["actor"] = EXPERT
    app.session_state["last_seen"] = time.monotonic() - IDLE_TIMEOUT_S - 1
    app.run()
    assert "actor" not in app.session_state
    assert any("Signed out" in m.value or "خارج شدید" in m.value for m in app.sidebar.info)
