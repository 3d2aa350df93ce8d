"""Upload a filled-in table: the file goes through the same ingestion as
`salnameh ingest --as`, with the signed-in user, and the verdict shows at once: accepted,
rejected or unchanged, with every problem's sheet, row, column, value and message."""

from __future__ import annotations

import streamlit as st

from dashboards.context import catalog, ledger, reference, salnameh_home
from dashboards.liaison_view import assignments, receive_upload
from dashboards.session import lang, require, tr
from dashboards.staff_display import digits
from dashboards.staff_widgets import choose, pick_agency, show_outcome
from salnameh.access import Forbidden

actor = require("upload")
st.title(tr("بارگذاری فایل", "Upload a file"))
agency = pick_agency(actor)
st.markdown(
    tr(
        "فرم پرشده (xlsx) یا فایل جدول (xls، ods یا csv) را بارگذاری کنید. فایل بی‌درنگ بررسی "
        "می‌شود و نتیجه همین‌جا نمایش داده می‌شود؛ فایل ردشده را اصلاح کنید و دوباره بفرستید.",
        "Upload the filled-in form (xlsx) or the table as xls, ods or csv. The file is checked "
        "at once and the verdict shown here; correct a rejected file and send it again.",
    )
)

# Only for a file that is not one of our forms and whose name and title do not say which
# table and year it is: the form itself names both.
rows = assignments(ledger(), catalog(), actor, agency, lang())
years = sorted({r["year"] for r in rows}, reverse=True)
titles = {r["table_id"]: f"{r['number']} {r['title']}" for r in rows}
with st.expander(
    tr(
        "فایل، فرم سالنامه نیست؟ جدول و سال را انتخاب کنید",
        "Not one of our forms? Choose the table and year",
    )
):
    from_file = tr("از روی فایل", "from the file")
    table_id = choose(tr("جدول", "Table"), {None: from_file, **titles}, key="upload_table")
    year = choose(
        tr("سال", "Year"),
        {None: from_file, **{y: digits(y, lang()) for y in years}},
        key="upload_year",
    )

uploaded = st.file_uploader(
    tr("فایل جدول", "Table file"),
    key="upload_file",
    help=tr(
        "نوع فایل از محتوای آن تشخیص داده می‌شود.", "The format is told from the file's content."
    ),
)
if st.button(tr("ارسال", "Send"), key="upload_send", type="primary", disabled=uploaded is None):
    with st.spinner(tr("در حال بررسی فایل…", "Checking the file…")):
        try:
            outcome = receive_upload(
                salnameh_home(),
                catalog(),
                reference(),
                uploaded.getvalue(),
                uploaded.name,
                actor,
                table_id,
                year,
            )
        except Forbidden as refused:
            st.error(tr(refused.fa, refused.en))
        else:
            show_outcome(outcome)
