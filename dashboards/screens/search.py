"""Search: tables, indicators and places by words in Persian or English, or by table
number; an indicator and a place typed together («جمعیت شمیرانات») give that place's
series. One list, best first (ranking in dashboards/search_index.py), each result saying
what matched."""

from __future__ import annotations

import streamlit as st

from dashboards import figures
from dashboards.context import is_national, province_reference, salnameh_home, snapshot_version
from dashboards.links import page_link, wanted
from dashboards.public import query, require_snapshot
from dashboards.search_index import Index, Result, build_index, search
from dashboards.session import lang, tr

LANG = lang()
FA = LANG == "fa"
NATIONAL = is_national()
SHOWN = 40


@st.cache_resource(max_entries=4, show_spinner=False)
def _index(where: str, version: float, national: bool) -> Index:
    """The index of one snapshot (rebuilt when a build swaps in a new file), with the
    reference's other spellings of each province's places."""
    return build_index(query, national, lambda p: province_reference(p).geography_aliases)


st.title(tr("جست‌وجو", "Search"))
require_snapshot()
# The sidebar's search box (app.py) leaves its words here; a link may carry them as ?q=.
incoming = st.session_state.pop("search_query", None) or wanted("q")
if incoming:
    st.session_state["search_words"] = incoming
words = st.text_input(
    tr(
        "نام جدول، شاخص یا مکان، یا شماره جدول",
        "Table, indicator or place name, or table number",
    ),
    key="search_words",
    placeholder=tr("مثلاً: جمعیت شمیرانات، دانش‌آموز، ۱۷-۳", "e.g. population Shemiranat, 17-3"),
)
if not words.strip():
    st.caption(
        tr(
            "نام شهرستان با نام شاخص («جمعیت شمیرانات») سری آن شهرستان را می‌آورد. "
            "آ یا ا، ی و ک عربی یا فارسی، فاصله، نیم‌فاصله یا پیوسته، و رقم‌های فارسی، "
            "عربی یا لاتین همه پذیرفته است.",
            'A place with an indicator ("population Shemiranat") gives that place\'s series. '
            "Arabic or Persian letters, spaces or half-spaces, and Persian, Arabic or Latin "
            "digits all work.",
        )
    )
    st.stop()

index = _index(str(salnameh_home().root), snapshot_version(), NATIONAL)
found = search(index, words, limit=SHOWN)
if not found:
    st.info(
        tr(
            "چیزی پیدا نشد. واژه کمتری بنویسید یا شماره جدول را امتحان کنید.",
            "Nothing found. Try fewer words, or a table number.",
        )
    )
    st.stop()

st.caption(
    tr(
        f"{figures.digits(len(found), LANG)} نتیجه، بهترین‌ها در آغاز",
        f"{len(found)} results, best first",
    )
    if len(found) < SHOWN
    else tr(
        f"{figures.digits(SHOWN, LANG)} نتیجه نخست؛ برای نتیجه دقیق‌تر واژه‌ای بیفزایید",
        f"The first {SHOWN} results; add a word to narrow them",
    )
)


def name(entry) -> str:
    return entry.title_fa if FA else entry.title_en


def context(entry) -> str:
    return entry.context_fa if FA else entry.context_en


def title_line(result: Result) -> str:
    """The result's name in bold: a table or indicator after its table number (as
    figures.table_label orders them), a place series with its place."""
    entry = result.entry
    if entry.kind == "place":
        return f"**{name(entry)}**"
    title = name(entry)
    if result.place is not None:
        title += tr("، ", ", ") + name(result.place)
    if FA:
        return figures.digits(f"**جدول {entry.number}**: {title}", LANG)
    return f"**{entry.number}** {title}"


def kind_line(result: Result) -> str:
    """What the result is, and where it sits."""
    entry = result.entry
    if entry.kind == "place":
        return context(entry)
    if result.place is not None:
        return tr(f"سری {name(result.place)} در جدول «{context(entry)}»",
                  f"Series of {name(result.place)} in “{context(entry)}”")  # fmt: skip
    if entry.kind == "table":
        return tr(f"جدول، فصل {context(entry)}", f"Table, chapter: {context(entry)}")
    return tr(f"شاخص جدول «{context(entry)}»", f"Indicator of “{context(entry)}”")


def matched_line(result: Result) -> str:
    """What of the typed text matched, in words (never an id)."""
    said = []
    if result.number:
        number = figures.digits(result.entry.number, LANG)
        said.append(
            tr(f"شماره جدول {number}", f"table number {number}")
            if result.number == "number"
            else tr(f"شماره جدول {number} (وارونه نوشته شده)", f"table number {number} (reversed)")
        )
    if result.place is not None or result.entry.kind == "place":
        said.append(tr("مکان: ", "place: ") + name(result.place or result.entry))
    sep = "، " if FA else ", "
    if result.in_title:
        said.append(tr("در عنوان: ", "in the title: ") + sep.join(result.in_title))
    if result.in_context:
        said.append(tr("در زمینه: ", "in the context: ") + sep.join(result.in_context))
    if not result.complete:
        said.append(tr("همه واژه‌ها یافته نشد", "not every word found"))
    return tr("یافته: ", "Matched: ") + " · ".join(said)


for result in found:
    entry = result.entry
    text, first, second = st.columns([6, 2, 2], vertical_alignment="center")
    with text:
        st.markdown(title_line(result))
        st.caption(f"{kind_line(result)}  \n{matched_line(result)}")
    if entry.kind == "place":
        with first:
            if entry.is_headline:  # a province or Iran: the map of its counties
                page_link("county_map", tr("نقشه", "Map"))
            else:
                page_link("county", tr("نمای شهرستان", "County profile"),
                          params={"county": entry.id})  # fmt: skip
        with second:
            page_link("explorer", tr("نمودار", "Chart"), params={"places": entry.id})
        continue
    with first:
        page_link("yearbook", tr("جدول", "Table"), params={"table": entry.table_id})
    with second:
        if result.place is not None:
            page_link("explorer", tr("نمودار", "Chart"),
                      params={"indicator": entry.id, "places": result.place.id})  # fmt: skip
        elif entry.kind == "table":
            page_link("explorer", tr("نمودار", "Chart"), params={"table": entry.table_id})
        else:
            page_link("explorer", tr("نمودار", "Chart"), params={"indicator": entry.id})
