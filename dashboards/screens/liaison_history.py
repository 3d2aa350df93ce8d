"""The agency's submissions: each file's verdict and state with Jalali dates, what the
experts said when they returned a table, the thread of messages with the experts on each
file, and the letters the Organization sent it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards.context import catalog, ledger
from dashboards.liaison_view import agency_letters, history, returned_comments, submission_trail
from dashboards.session import lang, require, tr
from dashboards.staff_display import digits
from dashboards.staff_widgets import choose, pick_agency, show_problems, table_of
from dashboards.submission_thread import show_thread

actor = require("upload")
st.title(tr("سابقه ارسال‌ها", "My submissions"))
agency = pick_agency(actor)


def show_letters() -> None:
    """The letters the Organization sent the agency: number, date, kind; a letter's text and
    its printable PDF."""
    letters = agency_letters(ledger(), catalog(), actor, agency, lang())
    if not letters:
        return
    st.header(tr("نامه‌های دریافتی", "Letters received"))
    table_of(
        letters,
        {
            "number": ("شماره نامه", "Number"),
            "date": ("تاریخ", "Date"),
            "kind": ("نوع", "Kind"),
            "year": ("سال سالنامه", "Yearbook year"),
            "tables": ("جدول‌ها", "Tables"),
        },
        key="letters",
    )
    by_letter = {r["letter_id"]: r for r in letters}
    shown = choose(
        tr("متن نامه", "A letter's text"),
        {i: f"{r['number']} · {r['date']} · {r['kind']}" for i, r in by_letter.items()},
        key="letter_choice",
    )
    if shown is not None:
        letter = by_letter[shown]
        st.text(letter["body"])
        printable = Path(letter["pdf"])
        if printable.exists():
            st.download_button(tr("نامه (PDF)", "The letter (PDF)"), printable.read_bytes(),
                               file_name=printable.name, mime="application/pdf",
                               key="letter_pdf")  # fmt: skip


rows = history(ledger(), catalog(), actor, agency, lang())
if not rows:
    st.info(tr("هنوز فایلی از این دستگاه نرسیده است.", "No file has come from this agency yet."))
    show_letters()
    st.stop()

comments = returned_comments(ledger(), actor, agency, lang())
if comments:
    st.header(tr("نظرهای کارشناسان", "Experts' comments"))
    for c in comments:
        st.warning(
            f"**{c['table_id']} · {digits(c['year'], lang())}** · {c['when']} · "
            f"{c['reviewer']}: {c['comment']}"
        )

st.header(tr("ارسال‌ها", "Submissions"))
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
    st.header(tr("گفت‌وگو با کارشناسان", "Messages with the experts"))
    show_thread(ledger(), chosen, actor, key="liaison_thread")

show_letters()
