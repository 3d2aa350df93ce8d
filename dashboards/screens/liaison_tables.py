"""A liaison's tables: each assignment of the open collection years with its Jalali
deadline, the days left or overdue, where it stands, and its empty form to download."""

from __future__ import annotations

import streamlit as st

from dashboards.context import catalog, ledger
from dashboards.liaison_view import assignments
from dashboards.session import lang, require, tr
from dashboards.staff_display import digits
from dashboards.staff_widgets import choose, form_download, pick_agency, table_of
from salnameh.collection import owes

actor = require("upload")
st.title(tr("جدول‌های دستگاه من", "My agency's tables"))
agency = pick_agency(actor)
rows = assignments(ledger(), catalog(), actor, agency, lang())
if not rows:
    st.info(
        tr(
            "در سال‌های باز گردآوری، جدولی به این دستگاه ارجاع نشده است.",
            "No table is assigned to this agency in the open collection years.",
        )
    )
    st.stop()

owed = [r for r in rows if owes(r["state_code"])]  # collection.status's one rule
late = [r for r in rows if r["overdue_days"] > 0]
left, middle, right = st.columns(3)
left.metric(tr("جدول‌ها", "Tables"), digits(len(rows), lang()))
middle.metric(tr("در انتظار فایل", "Awaiting a file"), digits(len(owed), lang()))
right.metric(tr("گذشته از مهلت", "Overdue"), digits(len(late), lang()))

table_of(
    rows,
    {
        "year_shown": ("سال", "Year"),
        "number": ("شماره", "No."),
        "title": ("عنوان جدول", "Table"),
        "deadline": ("مهلت", "Deadline"),
        "days": ("زمان", "Time"),
        "state": ("وضعیت", "State"),
        "comment": ("نظر کارشناس", "Expert's comment"),
    },
    static=True,
)
for r in rows:
    if r["state_code"] == "returned" and r["comment"]:
        st.warning(
            tr(
                f"جدول {r['number']} ({digits(r['year'], 'fa')}) بازگردانده شد: ",
                f"Table {r['number']} ({r['year']}) was returned: ",
            )
            + r["comment"]
        )

st.header(tr("دریافت فرم خالی", "Download an empty form"))
forms = {
    (r["year"], r["table_id"]): f"{r['number']} {r['title']} ({digits(r['year'], lang())})"
    for r in rows
}
chosen = choose(tr("جدول", "Table"), forms, key="form_choice")

form_download(chosen[1], chosen[0])
st.caption(
    tr(
        "فرم را پر کنید و در صفحه «بارگذاری فایل» بفرستید؛ ساختار فرم را تغییر ندهید.",
        "Fill in the form and send it on the Upload page; keep its layout as it is.",
    )
)
