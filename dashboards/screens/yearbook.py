"""Yearbook tables: chapter, table and year; the table as printed, and its downloads."""

from __future__ import annotations

import streamlit as st

from dashboards import figures
from dashboards import yearbook_view as view
from dashboards.context import catalog, reference, salnameh_home
from dashboards.links import page_link, remember, wanted
from dashboards.public import query, require_snapshot
from dashboards.session import lang, tr

LANG = lang()
FA = LANG == "fa"

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
remember(table=table_id, year=year)

values = view.table_values(query, table_id, year)
edition = view.edition_of_year(query, year, values)
agency = reference().agencies[table.agency]
period = figures.year(year, LANG, table.period)
number = figures.digits(table.number, LANG)
st.subheader(tr(f"جدول {number} - {table.title.fa}", f"Table {number} - {table.title.en}"))
unit = view.unit_line(table, reference(), LANG)
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
st.markdown(view.table_html(table, year, values, reference(), LANG), unsafe_allow_html=True)

notes = [tr(f"مأخذ: {agency.name_fa}", f"Source: {agency.name_en}")]
if unit is None:
    notes.append(
        tr("واحدها: ", "Units: ")
        + ("؛ " if FA else "; ").join(view.measure_units(table, reference(), LANG))
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
        data=lambda: view.xlsx_bytes(values, table, year, edition, catalog(), reference()),
        file_name=view.download_name(table, year, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="yb_xlsx",
    )
with cols[1]:
    st.download_button(
        tr("داده‌ها (CSV)", "Data (CSV)"),
        data=view.csv_bytes(values),
        file_name=view.download_name(table, year, "csv"),
        mime="text/csv",
        key="yb_csv",
    )
with cols[2]:
    pdf = view.edition_pdf(salnameh_home(), year, edition.number)
    if pdf is not None:
        st.download_button(
            tr(f"سالنامه {period} (PDF)", f"Yearbook {period} (PDF)"),
            data=pdf.read_bytes,
            file_name=pdf.name,
            mime="application/pdf",
            key="yb_pdf",
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
