"""The agency's submissions: each file's verdict and state with Jalali dates, and what the
experts said when they returned a table."""

from __future__ import annotations

import streamlit as st

from dashboards.context import catalog, ledger
from dashboards.liaison_view import history, returned_comments, submission_trail
from dashboards.session import lang, require, tr
from dashboards.staff_display import digits
from dashboards.staff_widgets import choose, pick_agency, show_problems, table_of

actor = require("upload")
st.title(tr("سابقه ارسال‌ها", "My submissions"))
agency = pick_agency(actor)
rows = history(ledger(), catalog(), actor, agency, lang())
if not rows:
    st.info(tr("هنوز فایلی از این دستگاه نرسیده است.", "No file has come from this agency yet."))
    st.stop()

comments = returned_comments(ledger(), actor, agency, lang())
if comments:
    st.subheader(tr("نظرهای کارشناسان", "Experts' comments"))
    for c in comments:
        st.warning(
            f"**{c['table_id']} · {digits(c['year'], lang())}** · {c['when']} · "
            f"{c['reviewer']}: {c['comment']}"
        )

st.subheader(tr("ارسال‌ها", "Submissions"))
table_of(
    rows,
    {
        "id_shown": ("شماره ارسال", "Submission"),
        "year_shown": ("سال", "Year"),
        "number": ("جدول", "Table"),
        "filename": ("فایل", "File"),
        "received": ("تاریخ دریافت", "Received"),
        "verdict": ("نتیجه", "Verdict"),
        "state": ("وضعیت", "State"),
        "comment": ("نظر کارشناس", "Expert's comment"),
    },
    key="history",
)

by_id = {r["submission_id"]: r for r in rows}
labels = {
    sid: f"{digits(sid, lang())} · {r['filename']} · {r['received']} · {r['state']}"
    for sid, r in by_id.items()
}
chosen = choose(tr("جزئیات ارسال", "Details of a submission"), labels, key="history_choice")
if chosen is not None:
    trail = submission_trail(ledger(), actor, chosen, lang())
    table_of(
        trail,
        {"at": ("زمان", "When"), "state": ("رویداد", "Event"), "note": ("توضیح", "Note")},
        static=True,
    )
    st.markdown(tr("**گزارش بررسی فایل**", "**The file's report**"))
    show_problems(ledger().get(chosen).report)
