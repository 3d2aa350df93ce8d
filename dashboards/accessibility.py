"""What the portal adds to Streamlit's page so that a screen reader, a keyboard and weak
eyes can use it (checked by tests/test_accessibility.py with axe-core)."""

from __future__ import annotations

import streamlit as st

# Streamlit draws captions (sources, notes, symbols) at 60 % of the text colour: 3.9:1 on
# white, under WCAG's 4.5:1 for text this small. 80 % of the same colour reaches about
# 6:1 and still reads as secondary; inheriting the colour keeps a dark theme right.
READABLE_CSS = """<style>
  [data-testid="stCaptionContainer"] { color: inherit; opacity: 0.8; }
</style>"""

# Streamlit's page always says <html lang="en">: a screen reader would then read Persian
# with an English voice. The page's language follows the reader's switch instead. Only the
# attribute: the layout's direction is the CSS's (dashboards/i18n.py), as a right-to-left
# <html> would also mirror Streamlit's sidebar and charts.
_LANG_SCRIPT = "<script>document.documentElement.lang = '{lang}';</script>"


def accessible_page(lang: str) -> None:
    """Readable contrast and the page's language, on every page (called by app.py after
    the sidebar's own widgets).

    Neither may take room: a style-only st.html goes to Streamlit's event container, and
    the script sits at the foot of the sidebar (in the main column, its empty element's
    gap would push every page's title down).
    """
    if lang not in ("fa", "en"):  # the one value put into the script: never anything else
        raise ValueError(f"unknown portal language {lang!r}")
    st.html(READABLE_CSS)
    st.sidebar.html(_LANG_SCRIPT.format(lang=lang), unsafe_allow_javascript=True)
