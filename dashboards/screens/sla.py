"""The agreement with SCI, measured for a year: each commitment against its target and
SCI's timetable, the deadlines extended, and the report for SCI (PDF, xlsx)."""

from __future__ import annotations

import streamlit as st

from dashboards.context import ledger, reference, salnameh_home
from dashboards.progress_view import collection_years
from dashboards.session import lang, require, tr
from dashboards.sla_view import (
    extension_rows,
    measure_rows,
    report_files,
    sla_report,
    timetable_rows,
)
from dashboards.staff_display import digits
from dashboards.staff_widgets import choose, table_of
from salnameh.agreement import AgreementError

actor = require("read_sla")
st.title(tr("سنجش تفاهم‌نامه", "The agreement, measured"))
years = collection_years(ledger())
if not years:
    st.info(tr("هنوز سالی برای گردآوری گشوده نشده است.", "No collection year is open yet."))
    st.stop()
year = choose(tr("سال", "Year"), {y: digits(y, lang()) for y in years}, key="sla_year")
try:
    report = sla_report(salnameh_home(), ledger(), year, actor)
except AgreementError as error:
    st.error(str(error))
    st.stop()
cells = st.columns(3)
cells[0].metric(tr("تعهدها", "Commitments"), digits(len(report["measures"]), lang()))
cells[1].metric(tr("محقق", "Met"), digits(report["met"], lang()))
cells[2].metric(tr("محقق‌نشده", "Not met"), digits(report["not_met"], lang()))
table_of(
    measure_rows(report, lang()),
    {
        "measure": ("تعهد", "Commitment"),
        "target": ("هدف", "Target"),
        "due": ("مهلت", "Due"),
        "value": ("در مهلت", "At the date"),
        "to_date": ("تاکنون", "To date"),
        "state": ("وضعیت", "State"),
    },
    key="sla_measures",
)
st.header(tr("زمان‌بندی مرکز آمار ایران", "SCI's timetable"))
table_of(
    timetable_rows(report, lang()),
    {"milestone": ("مرحله", "Milestone"), "date": ("تاریخ", "Date")},
    static=True,
)
st.header(tr("تمدید مهلت جدول‌ها", "Deadlines extended"))
extended = extension_rows(report, lang())
if extended:
    table_of(
        extended,
        {
            "table_id": ("جدول", "Table"),
            "until": ("تا", "Until"),
            "reason": ("دلیل", "Reason"),
            "actor": ("به دست", "By"),
        },
        static=True,
    )
else:
    st.caption(tr("تمدیدی داده نشده است.", "No deadline was extended."))
st.header(tr("گزارش برای مرکز آمار", "The report for SCI"))
files = report_files(report, reference())
columns = st.columns(len(files))
for column, (name, data) in zip(columns, files.items(), strict=True):
    mime = "application/pdf" if name.endswith(".pdf") else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    column.download_button(name, data, file_name=name, mime=mime, key=f"sla_{name}")
