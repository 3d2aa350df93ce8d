"""Yearbook tables: chapter, table and year; the table as printed, and its downloads.

On a national hub also a province: Iran's total with a row per province (the provinces
that delivered, each with its share and rank in the CSV), or one province's table as its
own yearbook prints it."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboards import figures
from dashboards import yearbook_view as view
from dashboards.context import (
    catalog,
    is_national,
    province_catalog,
    province_choice,
    province_reference,
    reference,
    salnameh_home,
)
from dashboards.links import page_link, remember, wanted
from dashboards.public import query, require_snapshot
from dashboards.session import keep_choices, lang, tr

LANG = lang()
FA = LANG == "fa"
NATIONAL = is_national()


def national_table(table, year: int, delivered: list[str]) -> None:
    """Iran's total and a row per province that delivered the table-year, the total's note
    on how many provinces it holds, and the CSV."""
    values = view.national_values(query, table.id, year)
    period = figures.year(year, LANG, table.period)
    number = figures.digits(table.number, LANG)
    st.header(tr(f"جدول {number} - {table.title.fa}", f"Table {number} - {table.title.en}"))
    unit = view.unit_line(table, reference(), LANG)
    st.caption(
        figures.joined(
            [
                tr(f"سال {period}", f"Year {period}"),
                unit or "",
                tr("کل کشور و استان‌ها", "Iran and its provinces"),
            ],
            LANG,
        )
    )
    geography = view.NationalGeography(delivered, salnameh_home().province)
    st.markdown(view.table_html(table, year, values, geography, LANG), unsafe_allow_html=True)
    nation = values[values["geo_code"] == view.NATION]
    notes = [
        tr(
            "مأخذ: سالنامه‌های آماری استان‌ها، چنان‌که هر استان به مرکز آمار ایران تحویل داده است",
            "Source: the provinces' statistical yearbooks, as each delivered them to SCI",
        )
    ]
    notes += list(dict.fromkeys(nation["break_note_fa" if FA else "break_note_en"].dropna()))
    if unit is None:
        notes.append(
            tr("واحدها: ", "Units: ")
            + ("؛ " if FA else "; ").join(view.measure_units(table, reference(), LANG))
        )
    st.markdown("  \n".join(notes))
    page_link("deliveries", tr("کدام استان‌ها تحویل داده‌اند", "Which provinces delivered"))
    st.subheader(tr("دریافت", "Download"), divider="gray")
    st.download_button(
        tr("داده‌ها با سهم و رتبه استان‌ها (CSV)", "Data with provinces' shares and ranks (CSV)"),
        data=partial(view.csv_bytes, values, national=True),  # written when clicked
        file_name=view.download_name(table, year, "csv", view.NATION),
        mime="text/csv",
        key="yb_csv",
        on_click="ignore",  # a download changes nothing on the page
    )


# The choices kept across the language switch (dashboards.session says why).
keep_choices("yb_chapter", "yb_table", "yb_year", "yb_province")
st.title(tr("جدول‌های سالنامه", "Yearbook tables"))
require_snapshot()
tables = query(view.TABLES)
known = catalog().tables
tables = tables[tables["table_id"].isin(known)]
chapters = reference().chapters

asked, asked_year = wanted("table"), wanted("year")
if asked in set(tables["table_id"]):
    st.session_state["yb_chapter"] = int(
        tables.loc[tables["table_id"] == asked, "chapter_no"].iloc[0]
    )
    st.session_state["yb_table"] = asked
if asked_year and asked_year.isdigit():
    st.session_state["yb_year"] = int(asked_year)
asked_province = wanted("province")
if asked_province:
    st.session_state["yb_province"] = asked_province

left, middle, right = st.columns([2, 3, 1])
chapter_numbers = list(dict.fromkeys(tables["chapter_no"]))
with left:
    chapter_no = st.selectbox(
        tr("فصل", "Chapter"),
        chapter_numbers,
        key="yb_chapter",
        format_func=lambda n: (
            f"{figures.digits(n, LANG)}. {chapters[n].title_fa if FA else chapters[n].title_en}"
        ),
    )
of_chapter = tables[tables["chapter_no"] == chapter_no]
titles = {
    r.table_id: figures.table_label(r.table_number, r.title_fa if FA else r.title_en, LANG)
    for r in of_chapter.itertuples()
}
if st.session_state.get("yb_table") not in titles:
    st.session_state["yb_table"] = next(iter(titles))
with middle:
    table_id = st.selectbox(
        tr("جدول", "Table"), list(titles), key="yb_table", format_func=titles.get
    )
table = known[table_id]
years = view.released_years(query, table_id)
if not years:
    remember(table=table_id, year=None)
    st.info(
        tr(
            "از این جدول هنوز رقمی منتشر نشده است.",
            "No figures of this table have been released yet.",
        )
    )
    st.stop()
if st.session_state.get("yb_year") not in years:
    st.session_state["yb_year"] = years[0]
with right:
    year = st.selectbox(
        tr("سال", "Year"),
        years,
        key="yb_year",
        format_func=lambda y: figures.year(y, LANG, table.period),
    )
province = None
if NATIONAL:
    delivered = view.delivered_provinces(query, table_id, year)
    choices = [view.NATION, *delivered]
    if st.session_state.get("yb_province") not in choices:
        st.session_state["yb_province"] = view.NATION
    province = st.selectbox(
        tr("استان", "Province"),
        choices,
        key="yb_province",
        format_func=province_choice,
    )
    remember(table=table_id, year=year, province=province)
else:
    remember(table=table_id, year=year)
whole_country = province == view.NATION

if whole_country:
    national_table(table, year, delivered)
    st.stop()
place_reference = province_reference(province) if NATIONAL else reference()
# One province's table on the hub is printed as its own yearbook says it.
place_catalog = province_catalog(province) if NATIONAL else catalog()
table = place_catalog.table(table_id)
values = view.table_values(query, table_id, year, province)
edition = view.edition_of_year(query, year, values, province)
agency = place_reference.agencies[table.agency]
period = figures.year(year, LANG, table.period)
number = figures.digits(table.number, LANG)
st.header(tr(f"جدول {number} - {table.title.fa}", f"Table {number} - {table.title.en}"))
unit = view.unit_line(table, place_reference, LANG)
edition_no = figures.digits(edition.number, LANG)
st.caption(
    figures.joined(
        [
            tr(f"سال {period}", f"Year {period}"),
            unit or "",
            tr(f"ویرایش {edition_no}", f"edition {edition_no}"),
        ],
        LANG,
    )
)
st.markdown(view.table_html(table, year, values, place_reference, LANG), unsafe_allow_html=True)

notes = [tr(f"مأخذ: {agency.name_fa}", f"Source: {agency.name_en}")]
if unit is None:
    notes.append(
        tr("واحدها: ", "Units: ")
        + ("؛ " if FA else "; ").join(view.measure_units(table, place_reference, LANG))
    )
notes += [f"* {note.fa if FA else note.en}" for note in table.footnotes]
notes += [f"** {note}" for note in view.value_notes(values, LANG)]
st.markdown("  \n".join(notes))
legend = figures.symbols_legend(LANG)
st.caption(
    tr("نشانه‌ها: ", "Symbols: ") + figures.joined([f"{s} {meaning}" for s, meaning in legend], LANG)
)

st.subheader(tr("دریافت", "Download"), divider="gray")
cols = st.columns(3)
with cols[0]:
    st.download_button(
        tr("جدول (Excel)", "Table (Excel)"),
        # Made when clicked: the workbook costs more than the rest of the page.
        data=lambda: view.xlsx_bytes(values, table, year, edition, place_catalog, place_reference),
        file_name=view.download_name(table, year, "xlsx", province),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="yb_xlsx",
        on_click="ignore",  # a download changes nothing on the page
    )
with cols[1]:
    st.download_button(
        tr("داده‌ها (CSV)", "Data (CSV)"),
        # Written when clicked, as the workbook is: made on every run, the file was also
        # fetched back by the browser (Streamlit's button checks its address when drawn).
        data=partial(view.csv_bytes, values, NATIONAL, edition.number),
        file_name=view.download_name(table, year, "csv", province),
        mime="text/csv",
        key="yb_csv",
        on_click="ignore",  # a download changes nothing on the page
    )
with cols[2]:
    pdf = None if NATIONAL else view.edition_pdf(salnameh_home(), year, edition.number, LANG)
    if NATIONAL:
        pass  # a province's print edition is the province's to publish, not in its package
    elif pdf is not None:
        st.download_button(
            tr(f"سالنامه {period} (PDF)", f"Yearbook {period} (PDF)"),
            data=pdf.read_bytes,
            file_name=pdf.name,
            mime="application/pdf",
            key="yb_pdf",
            on_click="ignore",  # a download changes nothing on the page
        )
    else:
        st.caption(
            tr(
                f"نسخه PDF سالنامه {period} هنوز ساخته نشده است؛ هماهنگ‌کننده آن را با فرمان "
                f"`salnameh export --year {year} --format pdf` می‌سازد.",
                f"The PDF of the {period} yearbook has not been made yet; the coordinator makes "
                f"it with `salnameh export --year {year} --format pdf`.",
            )
        )

st.divider()
page_link(
    "explorer",
    tr("این جدول را در کاوش شاخص‌ها ببینید", "See this table in the explorer"),
    params={"table": table_id},
)
