"""Search: tables and indicators by words in Persian or English, or by table number."""

from __future__ import annotations

import streamlit as st

from dashboards import figures
from dashboards.links import page_link, wanted
from dashboards.public import query, require_snapshot
from dashboards.search_index import build_index, search
from dashboards.session import lang, tr

LANG = lang()
FA = LANG == "fa"

st.title(tr("جست‌وجو", "Search"))
require_snapshot()
# The sidebar's search box (app.py) leaves its words here; a link may carry them as ?q=.
incoming = st.session_state.pop("search_query", None) or wanted("q")
if incoming:
    st.session_state["search_words"] = incoming
words = st.text_input(
    tr("نام جدول یا شاخص، یا شماره جدول", "Table or indicator name, or table number"),
    key="search_words",
    placeholder=tr("مثلاً: دانش‌آموزان ۱۷-۳", "e.g. students 17-3"),
)
if not words.strip():
    st.caption(
        tr(
            "املای عربی (ي، ك)، فاصله یا نیم‌فاصله و رقم‌های فارسی یا لاتین همه پذیرفته است.",
            "Arabic or Persian letters, spaces or half-spaces, and Persian or Latin digits "
            "all work.",
        )
    )
    st.stop()

found = search(build_index(query), words)
if not found:
    st.info(
        tr(
            "چیزی پیدا نشد. واژه کمتری بنویسید یا شماره جدول را امتحان کنید.",
            "Nothing found. Try fewer words, or a table number.",
        )
    )
    st.stop()

tables = [e for e in found if e.kind == "table"]
indicators = [e for e in found if e.kind == "indicator"]
st.caption(
    tr(
        f"{figures.digits(len(tables), LANG)} جدول و {figures.digits(len(indicators), LANG)} شاخص",
        f"{len(tables)} tables and {len(indicators)} indicators",
    )
)


def title_line(entry) -> str:
    """The result's table number in bold, then its title (figures.table_label's order)."""
    if FA:
        return figures.digits(f"**جدول {entry.number}**: {entry.title_fa}", LANG)
    return f"**{entry.number}** {entry.title_en}"


if tables:
    st.subheader(tr("جدول‌ها", "Tables"), divider="gray")
    for entry in tables:
        text, yearbook, explorer = st.columns([6, 2, 2], vertical_alignment="center")
        with text:
            st.markdown(title_line(entry))
            st.caption(tr(f"فصل {entry.context_fa}", f"Chapter: {entry.context_en}"))
        with yearbook:
            page_link("yearbook", tr("جدول", "Table"), params={"table": entry.table_id})
        with explorer:
            page_link("explorer", tr("نمودار", "Chart"), params={"table": entry.table_id})

if indicators:
    st.subheader(tr("شاخص‌ها", "Indicators"), divider="gray")
    for entry in indicators:
        text, yearbook, explorer = st.columns([6, 2, 2], vertical_alignment="center")
        with text:
            st.markdown(title_line(entry))
            st.caption(entry.context_fa if FA else entry.context_en)
        with yearbook:
            page_link("yearbook", tr("جدول", "Table"), params={"table": entry.table_id})
        with explorer:
            page_link("explorer", tr("نمودار", "Chart"), params={"indicator": entry.id})
