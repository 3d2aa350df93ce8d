"""The portal's entry page, run by Streamlit's own test harness."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration

APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")


def test_portal_lists_the_chapters_in_persian_then_english(salnameh_home):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "سالنامه آماری استان تهران"
    chapters = app.sidebar.selectbox(key="chapter")
    assert len(chapters.options) == 24
    chapters.set_value(3).run()
    assert "جمعیت" in app.header[0].value
    titles = [e.label for e in app.expander]
    assert any("جمعیت برحسب جنس و گروه‌های سنی" in t for t in titles)

    app.sidebar.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Tehran Province Statistical Yearbook"
    assert "Population" in app.header[0].value
