"""Highlights: the newest released edition and the province's selected figures (گزیده اطلاعات)."""

from __future__ import annotations

import streamlit as st

from dashboards import figures
from dashboards.context import catalog, is_national, reference
from dashboards.highlight_cards import Card, chapters_html
from dashboards.highlights import headline_figures, latest_edition
from dashboards.links import page_link
from dashboards.public import derived, query, require_snapshot
from dashboards.session import keep_choices, lang, tr

LANG = lang()
FA = LANG == "fa"
PER_ROW = 4


def highlights_national(year: int) -> None:
    """A national hub's home: Iran's headline figures of the newest year, the sum of the
    provinces that delivered (each figure's note says how many), and where to see which."""
    shown = figures.year(year, LANG)
    st.header(tr(f"گزیده اطلاعات کشور در {shown}", f"Iran's highlights, {shown}"))
    page_link("deliveries", tr("کدام استان‌ها تحویل داده‌اند", "Which provinces delivered"))
    order = {t.id: [m.id for m in t.measures] for t in catalog()}
    rows = derived(headline_figures, year, order, "nation")
    notes = list(dict.fromkeys(rows["break_note_fa" if FA else "break_note_en"].dropna()))
    for note in notes:
        st.caption(note)
    selected = rows[rows["selected"]]
    for start in range(0, len(selected), PER_ROW):
        chunk = list(selected.iloc[start : start + PER_ROW].itertuples())
        for column, row in zip(st.columns(PER_ROW), chunk, strict=False):
            with column:
                label = figures.digits(row.title_fa, LANG) if FA else row.title_en
                unit = row.unit_title_fa if FA else row.unit_title_en
                st.metric(
                    f"{label} ({unit})", figures.cell(row.value, row.flag, row.decimals, LANG)
                )


NATIONAL = is_national()
PROVINCE = reference().province_names
# The choices kept across the language switch (dashboards.session says why).
keep_choices("home_chapter")
st.title(
    tr("سالنامه آماری کشور", "Iran Statistical Yearbook")
    if NATIONAL
    else tr(
        f"سالنامه آماری {PROVINCE.title_fa}",
        f"{PROVINCE.short_en} Province Statistical Yearbook",
    )
)
require_snapshot()
edition = latest_edition(query)
if edition is None:
    st.info(tr("هنوز هیچ ویرایشی از سالنامه منتشر نشده است.", "No edition has been released yet."))
    st.stop()
if NATIONAL:
    highlights_national(edition.year)
    st.stop()

year = figures.year(edition.year, LANG)
number = figures.digits(edition.number, LANG)
released = (
    figures.jalali_day(edition.released_at_utc, LANG)
    if edition.released_at_utc
    else tr("نامعلوم", "not recorded")
)
st.header(tr(f"سالنامه {year}، ویرایش {number}", f"Yearbook {year}, edition {number}"))
st.markdown(
    tr(
        f"تاریخ انتشار: **{released}**، {figures.digits(edition.table_years, LANG)} جدول",
        f"Released on **{released}** · {edition.table_years} tables",
    )
)

links = st.columns(4)
with links[0]:
    page_link("yearbook", tr("جدول‌های سالنامه", "Yearbook tables"))
with links[1]:
    page_link("explorer", tr("کاوش شاخص‌ها", "Indicator explorer"))
with links[2]:
    page_link("county_map", tr("نقشه شهرستان‌ها", "County map"))
with links[3]:
    page_link("sql", tr("پرس‌وجوی SQL", "SQL"))

st.header(tr(f"گزیده اطلاعات استان در {year}", f"Province highlights, {year}"))
order = {t.id: [m.id for m in t.measures] for t in catalog()}
figures_of_year = derived(headline_figures, edition.year, order)
chapters = reference().chapters
shown_chapters = list(dict.fromkeys(figures_of_year["chapter_no"]))
everything = tr("همه فصل‌ها", "All chapters")
chosen = st.selectbox(
    tr("فصل", "Chapter"),
    [0, *shown_chapters],
    format_func=lambda n: (
        everything
        if n == 0
        else (f"{figures.digits(n, LANG)}. {chapters[n].title_fa if FA else chapters[n].title_en}")
    ),
    key="home_chapter",
)


def card(row) -> Card:
    """A headline figure: its value, the change from the latest earlier figure (none
    across a break in the series, whose note says why), the table it comes from, and its
    trend."""
    unit = row.unit_title_fa if FA else row.unit_title_en
    has_break = isinstance(row.break_note_en, str)
    change = (
        None
        if has_break
        else figures.change(row.value, row.previous_value, row.unit, row.decimals, LANG)
    )
    if change is not None:
        before = figures.year(int(row.previous_year), LANG)
        change = tr(f"{change} نسبت به {before}", f"{change} from {before}")
    table_title = row.table_title_fa if FA else row.table_title_en
    source = tr(
        f"جدول {figures.digits(row.table_number, LANG)}: {table_title}",
        f"Table {row.table_number}: {table_title}",
    )
    if has_break:
        source += " — " + (row.break_note_fa if FA else row.break_note_en)
    label = figures.digits(row.title_fa, LANG) if FA else row.title_en
    if row.unit != "number":  # «تعداد» says nothing a count does not
        label += f" ({unit})"
    history = row.history if isinstance(row.history, list) and len(row.history) > 1 else None
    points = figures.digits(len(history), LANG) if history else ""
    return Card(
        label=label,
        value=figures.cell(row.value, row.flag, row.decimals, LANG) or "—",
        change=change,
        source=source,
        trend=history,
        trend_label=tr(f"روند {points} رقم تا {year}", f"Trend of {points} figures to {year}"),
    )


# The cards of each chapter, chapters in the order their figures come. One pass over the
# rows: a groupby making rows of each chapter apart built a row type per chapter, a fifth
# of home's run on the server (py-spy).
cards_of: dict[int, list[Card]] = {}
for row in figures_of_year[figures_of_year["selected"]].itertuples():
    if not chosen or row.chapter_no == chosen:
        cards_of.setdefault(row.chapter_no, []).append(card(row))
shown = [
    (chapters[no].title_fa if FA else chapters[no].title_en, cards)
    for no, cards in cards_of.items()
]
if shown:  # one element for every chapter's cards (dashboards.highlight_cards says why)
    st.html(chapters_html(shown, LANG))


def every_indicator(listed) -> None:
    """Every headline indicator of the year (not only each table's first), as a grid."""
    st.dataframe(
        {
            tr("جدول", "Table"): [
                figures.table_label(n, "", LANG).rstrip(": ") for n in listed["table_number"]
            ],
            tr("شاخص", "Indicator"): [figures.digits(t, LANG) for t in listed["title_fa"]]
            if FA
            else listed["title_en"],
            tr("واحد", "Unit"): listed["unit_title_fa" if FA else "unit_title_en"],
            year: [
                figures.cell(v, f, d, LANG)
                for v, f, d in zip(listed["value"], listed["flag"], listed["decimals"], strict=True)
            ],
            tr("تغییر", "Change"): [
                figures.change(v, p, u, d, LANG) or ""
                for v, p, u, d in zip(
                    listed["value"],
                    listed["previous_value"],
                    listed["unit"],
                    listed["decimals"],
                    strict=True,
                )
            ],
        },
        hide_index=True,
    )


# The grid is drawn only when opened: on every visit to home, opened or not, it took a
# tenth to a quarter of a second of the browser.
every = st.expander(
    tr("همه شاخص‌های اصلی استان", "Every headline indicator of the province"),
    key="home_every",
    on_change="rerun",
)
with every:
    if every.open:
        every_indicator(
            figures_of_year
            if not chosen
            else figures_of_year[figures_of_year["chapter_no"] == chosen]
        )
st.caption(
    tr(
        "ارقام منتشرشده در آخرین ویرایش هر سال؛ تغییر نسبت به آخرین سال پیشینی است که رقم دارد.",
        "Figures as released in the newest edition of each year; the change is against "
        "the latest earlier year with a figure.",
    )
)
