"""Links between portal pages, and what a link asks the page it opens to show.

A link carries its choice in the address (`?table=pop_county_sex_age`), so it can also be
bookmarked and shared; a page that switches to another page in code may put the same
choice in the session under the parameter's name prefixed with `open_` (`open_page`). The
page that opens reads it once (`wanted`); the yearbook page then writes the reader's own
choices back to the address (`remember`), so its address always says what it shows.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

PAGES = {
    "home": "screens/home.py",
    "yearbook": "screens/yearbook.py",
    "explorer": "screens/explorer.py",
    "table_builder": "screens/table_builder.py",
    "county": "screens/county.py",
    "county_map": "screens/county_map.py",
    "search": "screens/search.py",
    "sql": "screens/sql.py",
    "deliveries": "screens/deliveries.py",
}


def page_link(
    page: str, label: str, icon: str | None = None, params: dict[str, str] | None = None
) -> None:
    """A link to a portal page, with the choices it opens the page at.

    Outside the menu (a page script run on its own) the other pages are not registered;
    the label is then shown as text rather than failing the page.
    """
    try:
        st.page_link(PAGES[page], label=label, icon=icon, query_params=params or None)
    except StreamlitPageNotFoundError:
        st.caption(label)


def open_page(page: str, **choices: str) -> None:
    """Switch to a page in code, asking it to open at `choices` (see `wanted`)."""
    for name, value in choices.items():
        st.session_state[f"open_{name}"] = value
    st.switch_page(PAGES[page])


def wanted(name: str) -> str | None:
    """What a link newly asked this page to show under `name` (from the session, else the
    address), or None. An address the page itself wrote (`remember`) is no new request;
    a page that does not remember its choices has the parameter taken out once read."""
    asked = st.session_state.pop(f"open_{name}", None)
    if asked is not None:
        return str(asked)
    asked = st.query_params.get(name)
    if asked is None or asked == st.session_state.get(f"_remembered_{name}"):
        return None
    if f"_remembered_{name}" not in st.session_state:
        del st.query_params[name]
    return asked


def remember(**choices: object) -> None:
    """Write the page's current choices into the address (None removes one)."""
    for name, value in choices.items():
        st.session_state[f"_remembered_{name}"] = None if value is None else str(value)
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)
