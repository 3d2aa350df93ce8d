"""The Salnameh portal: the yearbook on the web, and the screens of the collection cycle.

Run with `salnameh serve` (or `make demo`). This entry script sets the page chrome
(language, right-to-left layout, search, sign-in) and the menu; each page is a script in
`screens/` (not `pages/`, which Streamlit would also list on its own before the menu is
built) and keeps its queries and charts in plain functions beside it. The menu shows a
signed-in user the pages of their role, but every page checks the role itself
(`dashboards.session.require`), and the core checks it again.
"""

from __future__ import annotations

import streamlit as st

from dashboards.accessibility import accessible_page
from dashboards.context import is_national, reference
from dashboards.i18n import page_css, widget_locale_script
from dashboards.session import current_actor, lang, role_title, sign_out, tr
from salnameh.access import can

# (script, Persian title, English title, the action a page needs or None for everyone)
PUBLIC_PAGES = [
    ("screens/home.py", "گزیده اطلاعات", "Highlights", None),
    ("screens/yearbook.py", "جدول‌های سالنامه", "Yearbook tables", None),
    ("screens/explorer.py", "کاوش شاخص‌ها", "Indicator explorer", None),
    ("screens/table_builder.py", "جدول‌ساز", "Table builder", None),
    ("screens/county.py", "نمای شهرستان", "County profile", None),
    ("screens/county_map.py", "نقشه شهرستان‌ها", "County map", None),
    ("screens/search.py", "جست‌وجو", "Search", None),
    ("screens/sql.py", "پرس‌وجوی SQL", "SQL", None),
]
# A national hub's public pages besides those: which province delivered what, and when.
NATIONAL_PAGES = [
    ("screens/deliveries.py", "تحویل سالنامه استان‌ها", "Provinces' deliveries", None),
]
# Pages a hub names for what they show there (Iran by province, then a province's counties).
NATIONAL_TITLES = {"screens/county_map.py": ("نقشه استان‌ها و شهرستان‌ها", "Map")}
STAFF_PAGES = [
    ("screens/liaison_tables.py", "جدول‌های دستگاه من", "My agency's tables", "upload"),
    ("screens/liaison_upload.py", "بارگذاری فایل", "Upload a file", "upload"),
    ("screens/liaison_history.py", "سابقه ارسال‌ها", "My submissions", "upload"),
    ("screens/review.py", "صف بررسی", "Review queue", "review"),
    ("screens/quality.py", "کیفیت داده‌ها", "Data quality", "review"),
    ("screens/progress.py", "پیشرفت گردآوری", "Collection progress", "open_year"),
    ("screens/editions.py", "انتشار ویرایش", "Publish an edition", "publish"),
    ("screens/sla.py", "سنجش تفاهم‌نامه", "The agreement, measured", "read_sla"),
]


def language_switch() -> None:
    labels = {"fa": "فارسی", "en": "English"}
    st.sidebar.radio("زبان / Language", ["fa", "en"], format_func=labels.get, key="lang",
                     horizontal=True)  # fmt: skip


def search_box() -> None:
    """Search from every page: the words go to the search page."""
    label = tr("جست‌وجوی جدول، شاخص یا مکان", "Search tables, indicators, places")
    words = st.sidebar.text_input(label, key="search_box")
    if words and words != st.session_state.get("search_done"):
        st.session_state["search_done"] = words
        st.session_state["search_query"] = words
        st.switch_page("screens/search.py")


def account_box(actor) -> None:
    if actor is None:
        if st.session_state.get("signed_out_reason") == "idle":
            st.sidebar.info(tr("به دلیل بیکاری از حساب خارج شدید.", "Signed out after being idle."))
        return
    agency = f" · {actor.agency}" if actor.agency else ""
    st.sidebar.markdown(f"**{actor.user_id}** ({role_title(actor)}{agency})")
    if st.sidebar.button(tr("خروج", "Sign out"), key="sign_out"):
        sign_out()
        st.rerun()


def staff_pages(actor) -> list[tuple[str, str, str, str]]:
    """The staff pages the actor's role may use, as the core decides (`access.can`)."""
    if actor is None:
        return []
    return [page for page in STAFF_PAGES if can(actor, page[3])]


def public_pages(national: bool) -> list[tuple[str, str, str, None]]:
    """Everyone's pages: a national hub's with their titles there, and its own."""
    if not national:
        return PUBLIC_PAGES
    titled = [(path, *NATIONAL_TITLES.get(path, (fa, en)), action)
              for path, fa, en, action in PUBLIC_PAGES]  # fmt: skip
    return titled + NATIONAL_PAGES


def menu(actor):
    fa = lang() == "fa"
    public = [st.Page(path, title=fa_title if fa else en_title, default=i == 0)
              for i, (path, fa_title, en_title, _) in
              enumerate(public_pages(is_national()))]  # fmt: skip
    sections = {tr("سالنامه", "Yearbook"): public}
    if actor is None:
        sign_in_page = st.Page("screens/sign_in.py", title=tr("ورود", "Sign in"))
        sections[tr("کاربران", "Staff")] = [sign_in_page]
    else:
        mine = [st.Page(path, title=fa_title if fa else en_title)
                for path, fa_title, en_title, _ in staff_pages(actor)]  # fmt: skip
        if mine:
            sections[role_title(actor)] = mine
    # Expanded: a coordinator has 15 pages, and a folded menu hides the cycle's pages.
    return st.navigation(sections, expanded=True)


def main() -> None:
    province = reference().province_names
    title = "سالنامه آماری کشور" if is_national() else f"سالنامه آماری {province.title_fa}"
    st.set_page_config(page_title=title, page_icon="📊", layout="wide")
    language_switch()
    if lang() == "fa":
        st.html(page_css(lang()))
    st.sidebar.html(widget_locale_script(lang()), unsafe_allow_javascript=True)
    actor = current_actor()
    page = menu(actor)
    search_box()
    account_box(actor)
    accessible_page(lang())
    page.run()


# Streamlit runs this file as __main__; tests import it for its page tables.
if __name__ == "__main__":
    main()
