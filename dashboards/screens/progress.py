"""The coordinator's collection progress for a year: completeness and on-time rates by
agency and by chapter, the overdue tables, and reminders to the agencies that are late."""

from __future__ import annotations

import streamlit as st

from dashboards.context import catalog, ledger, reference, salnameh_home
from dashboards.progress_view import (
    agency_rows,
    chapter_rows,
    collection_years,
    letter_summary,
    overdue_rows,
    table_choices,
    totals,
    year_letters,
    year_status,
)
from dashboards.session import lang, require, tr
from dashboards.staff_display import digits, number, percent
from dashboards.staff_widgets import choose, flash, show_flash, table_of
from salnameh.access import Forbidden
from salnameh.collection import extend_deadline, remind
from salnameh.jalali import parse_jalali_day

actor = require("open_year")
st.title(tr("پیشرفت گردآوری", "Collection progress"))
years = collection_years(ledger())
if not years:
    st.info(
        tr(
            "هنوز سالی برای گردآوری گشوده نشده است (`salnameh open-year`).",
            "No collection year has been opened yet (`salnameh open-year`).",
        )
    )
    st.stop()
year = choose(
    tr("سال گردآوری", "Collection year"), {y: digits(y, lang()) for y in years}, key="progress_year"
)
report = year_status(ledger(), year, actor)
overall = totals(report)
cells = st.columns(4)
cells[0].metric(tr("جدول‌های ارجاعی", "Tables assigned"), digits(overall["tables"], lang()))
cells[1].metric(tr("کامل", "Complete"), percent(overall["complete"], lang()))
cells[2].metric(tr("به‌موقع", "On time"), percent(overall["on_time"], lang()))
cells[3].metric(tr("گذشته از مهلت", "Overdue"), digits(overall["overdue"], lang()))
turnaround = report["review_turnaround_days_median"]
publication = report["deadline_to_publication_days"]
st.caption(
    tr("میانه زمان بررسی: ", "Median review turnaround: ")
    + (number(turnaround, lang(), 1) + tr(" روز", " days") if turnaround is not None else "-")
    + " · "
    + tr("از مهلت تا انتشار: ", "Deadline to publication: ")
    + (number(publication, lang()) + tr(" روز", " days") if publication is not None else "-")
)

columns = {
    "tables": ("جدول", "Tables"),
    "complete": ("کامل", "Complete"),
    "on_time": ("به‌موقع", "On time"),
    "overdue": ("گذشته از مهلت", "Overdue"),
}
st.header(tr("برحسب دستگاه", "By agency"))
table_of(
    agency_rows(report, reference(), lang()),
    {"agency": ("دستگاه", "Agency"), **columns},
    key="by_agency",
)
st.header(tr("برحسب فصل", "By chapter"))
table_of(
    chapter_rows(report, catalog(), reference(), lang()),
    {"chapter": ("فصل", "Chapter"), **columns},
    static=True,
)

st.header(tr("جدول‌های گذشته از مهلت", "Overdue tables"))
late = overdue_rows(report, catalog(), reference(), lang())
if late:
    table_of(
        late,
        {
            "number": ("شماره", "No."),
            "title": ("عنوان جدول", "Table"),
            "agency": ("دستگاه", "Agency"),
            "deadline": ("مهلت", "Deadline"),
            "days": ("روز گذشته", "Days overdue"),
        },
        static=True,
    )
else:
    st.success(tr("جدولی از مهلت نگذشته است.", "No table is overdue."))

st.header(tr("یادآوری به دستگاه‌ها", "Reminders to agencies"))
st.caption(
    tr(
        "به هر دستگاهی که جدول گذشته از مهلت دارد یک نامه یادآوری فرستاده می‌شود (روزی "
        "یک بار). بدون SMTP، نامه‌ها در پوشه outbox به صورت ‎.eml نوشته می‌شوند.",
        "Each agency with overdue tables gets one reminder letter (once a day). Without "
        "SMTP, letters are written to the outbox folder as .eml files.",
    )
)
if st.button(tr("فرستادن یادآوری‌ها", "Send reminders"), key="send_reminders", disabled=not late):
    try:
        sent = remind(salnameh_home(), ledger(), catalog(), reference(), year, actor)
    except Forbidden as refused:
        st.error(tr(refused.fa, refused.en))
    else:
        if not sent:
            st.info(
                tr(
                    "امروز پیش‌تر به همه دستگاه‌های دیرکرددار یادآوری فرستاده شده است.",
                    "Every late agency was already reminded today.",
                )
            )
        else:
            st.success(
                tr(
                    f"{digits(len(sent), 'fa')} نامه یادآوری فرستاده شد.",
                    f"{len(sent)} reminder letters sent.",
                )
            )
            for delivery in sent:
                letter = letter_summary(delivery)
                with st.expander(letter["subject"] or delivery):
                    st.caption(f"{tr('به', 'To')}: {letter['to']} · {delivery}")
                    st.text(letter["body"])

st.header(tr("تمدید مهلت یک جدول", "Extend a table's deadline"))
show_flash("progress")
with st.form("extend"):
    chosen = choose(tr("جدول", "Table"), table_choices(report, catalog(), lang()),
                    key="extend_table", index=None)  # fmt: skip
    until = st.text_input(tr("مهلت تازه (مثلاً ۱۴۰۵/۱۲/۲۰)", "New deadline (e.g. 1405/12/20)"),
                          key="extend_until")  # fmt: skip
    why = st.text_input(tr("دلیل", "Reason"), key="extend_reason")
    extend = st.form_submit_button(tr("ثبت تمدید", "Extend"), key="extend_submit")
if extend:
    try:
        if chosen is None:
            raise ValueError(tr("جدولی انتخاب نشده است.", "Choose a table."))
        extend_deadline(ledger(), year, chosen, parse_jalali_day(until), why, actor)
    except Forbidden as refused:
        st.error(tr(refused.fa, refused.en))
    except ValueError as error:
        st.error(str(error))
    else:  # redrawn, so the overdue list above counts from the new day
        flash("progress", "success", tr(f"مهلت {chosen} تا {digits(until, 'fa')} تمدید شد.",
                                        f"{chosen} now due {until}."))  # fmt: skip
        st.rerun()

st.header(tr("نامه‌های این سال", "Letters of this year"))
letters = year_letters(ledger(), reference(), actor, year, lang())
if letters:
    table_of(
        letters,
        {
            "number": ("شماره", "Number"),
            "date": ("تاریخ", "Date"),
            "agency": ("دستگاه", "Agency"),
            "kind": ("نوع", "Kind"),
            "tables": ("جدول‌ها", "Tables"),
        },
        key="year_letters",
    )
else:
    st.caption(tr("نامه‌ای درباره این سال فرستاده نشده است.", "No letter about this year yet."))
