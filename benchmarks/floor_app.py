"""Streamlit's floor under the portal's pages, for benchmarks/portal_speed.py: the plain
Streamlit app a data engineer would start from, with the portal's menu (its public pages'
titles, the language switch and the search box, run from the project's root so it takes the
portal's theme and font) and a title for a page. What a portal page takes beyond this is the
portal's own; this much is Streamlit's and the machine's, measured in the same run.

    .venv/bin/python -m streamlit run benchmarks/floor_app.py
"""

from __future__ import annotations

import streamlit as st

from dashboards.app import PUBLIC_PAGES


def titled(title: str):
    def page() -> None:
        st.title(title)

    return page


st.set_page_config(page_title="floor", layout="wide")
st.sidebar.radio("زبان / Language", ["fa", "en"], key="lang", horizontal=True)
pages = [st.Page(titled(fa), title=fa, url_path=path.split("/")[-1].removesuffix(".py"),
                 default=n == 0)
         for n, (path, fa, _en, _action) in enumerate(PUBLIC_PAGES)]  # fmt: skip
menu = st.navigation({"سالنامه": pages, "کاربران": [st.Page(titled("ورود"), title="ورود",
                                                          url_path="sign_in")]})  # fmt: skip
st.sidebar.text_input("جست‌وجو", key="search_box")
menu.run()
