"""The expert's review: the queue of current versions with their latest decision, and one
submission at a time: its values, validation report and anomaly flags (each with its
series beside its peers), a verdict on each flag, and approval or return with a comment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.catalog_view import chapter_options
from dashboards.context import catalog, ledger, reference, salnameh_home
from dashboards.review_view import (
    REVIEW_STATES,
    built_versions,
    decide,
    flag_chart,
    flag_title,
    judge,
    open_warning_counts,
    peer_series,
    queue,
    queue_label,
    raw_values,
    report_of,
    submission_facts,
    submission_flags,
    values_rows,
)
from dashboards.session import lang, require, tr
from dashboards.staff_display import FLAG_VERDICTS, STATES, digits, words
from dashboards.staff_snapshot import internal_query
from dashboards.staff_widgets import chart, choose, flash, show_flash, show_problems, table_of
from salnameh.access import Forbidden

MAX_FLAGS = 30  # per submission on this page; the quality page lists them all


def record_verdict(store, actor, flag: dict, verdict: str | None, note: str) -> None:
    """Keep the expert's verdict on a flag through the ledger, or say why not."""
    if verdict is None:
        st.error(tr("واقعی یا خطا را انتخاب کنید.", "Choose real or error."))
        return
    try:
        judge(store, flag, verdict, note, actor)
    except Forbidden as refused:
        st.error(tr(refused.fa, refused.en))
        return
    flash("review", "success", tr("داوری ثبت شد.", "Verdict recorded."))
    st.rerun()


actor = require("review")
st.title(tr("صف بررسی", "Review queue"))
show_flash("review")
book, refs, store = catalog(), reference(), ledger()
snapshot = internal_query()
verdicts = store.anomaly_verdicts()

# ------------------------------------------------------------------------- the queue
years = sorted({r["year"] for r in store.review_queue()}, reverse=True)
chapters = dict(chapter_options(book, refs, lang()))
f_year, f_chapter, f_state = st.columns(3)
every = tr("همه", "all")
with f_year:
    year = choose(
        tr("سال", "Year"), {None: every, **{y: digits(y, lang()) for y in years}}, key="queue_year"
    )
with f_chapter:
    chapter = choose(tr("فصل", "Chapter"), {None: every, **chapters}, key="queue_chapter")
with f_state:
    state = choose(
        tr("وضعیت", "State"),
        {**{s: words(STATES, s, lang()) for s in REVIEW_STATES}, None: every},
        key="queue_state",
    )
built = built_versions(snapshot) if snapshot else None
counts = open_warning_counts(snapshot, verdicts) if snapshot else None
rows = queue(store, book, refs, lang(), year, chapter, state, built, counts)
st.caption(tr(f"{digits(len(rows), 'fa')} جدول-سال", f"{len(rows)} table-years"))
table_of(
    rows,
    {
        "id_shown": ("شماره ارسال", "Submission"),
        "year_shown": ("سال", "Year"),
        "number": ("شماره", "No."),
        "title": ("عنوان جدول", "Table"),
        "state": ("وضعیت", "State"),
        "flags": ("هشدار باز", "Open flags"),
        "comment": ("نظر", "Comment"),
    },
    key="queue",
    height=280,
    widths={
        "id_shown": "small",
        "year_shown": "small",
        "number": "small",
        "title": "large",
        "state": "small",
        "flags": "small",
        "comment": "medium",
    },
)
st.caption(
    tr(
        "«…» در ستون هشدار: این نسخه هنوز ساخته نشده و هشدارهایش پس از ساخت بعدی دیده می‌شود.",
        "'…' under flags: this version is not built yet; its flags come with the next build.",
    )
)
if not rows:
    st.stop()

# --------------------------------------------------------------------- one submission
by_id = {r["submission_id"]: r for r in rows}
sid = choose(
    tr("ارسال برای بررسی", "Submission to review"),
    {s: queue_label(r, lang()) for s, r in by_id.items()},
    key="review_submission",
)
submission = store.get(sid)
facts = submission_facts(store, book, refs, submission, lang())
st.header(f"{facts['number']} {facts['title']} · {facts['year']}")
st.markdown(
    tr(
        f"دستگاه: {facts['agency']} · فایل: {facts['filename']} · دریافت: {facts['received']}"
        f" · {facts['values']} رقم · وضعیت بررسی: {facts['decision'] or STATES['in_review'][0]}",
        f"Agency: {facts['agency']} · file: {facts['filename']} · received: {facts['received']}"
        f" · {facts['values']} values · review: {facts['decision'] or 'in review'}",
    )
)

tab_values, tab_report, tab_flags, tab_history = st.tabs(
    [
        tr("ارقام", "Values"),
        tr("گزارش بررسی فایل", "Validation report"),
        tr("ناهنجاری‌ها", "Anomaly flags"),
        tr("سابقه", "History"),
    ]
)
with tab_values:
    values, source = raw_values(salnameh_home(), book, refs, submission, snapshot)
    st.caption(
        tr(
            "ارقام از نسخه داخلی آخرین ساخت انبار خوانده شد.",
            "Values read from the internal snapshot of the last build.",
        )
        if source == "snapshot"
        else tr(
            "این ارسال پس از آخرین ساخت رسیده است: ارقام از فایل اصلی بایگانی‌شده، "
            "با همان بررسی بارگذاری، خوانده شد.",
            "This submission came after the last build: its values were read from the "
            "archived original with the same check the upload ran.",
        )
    )
    table_of(
        values_rows(values, book, refs, submission, lang()),
        {
            "place": ("محل", "Place"),
            "members": ("طبقه", "Breakdown"),
            "measure": ("شاخص", "Measure"),
            "value": ("مقدار", "Value"),
            "cell": ("خانه فایل", "Cell"),
        },
        key="values",
        height=320,
    )

with tab_report:
    show_problems(report_of(submission))

with tab_flags:
    in_build = built is not None and built.get((submission.table_id, submission.year)) == sid
    if not in_build:
        st.info(
            tr(
                "ناهنجاری‌های این نسخه پس از ساخت بعدی انبار محاسبه می‌شود.",
                "This version's anomaly flags are computed by the next warehouse build.",
            )
        )
    else:
        flags = submission_flags(snapshot, submission, verdicts)
        if flags.empty:
            st.success(tr("ناهنجاری‌ای یافت نشد.", "No anomaly flags."))
        for position, flag in enumerate(flags.head(MAX_FLAGS).to_dict("records")):
            title = flag_title(flag, book, refs, lang())
            with st.expander(title, expanded=position == 0 and flag["severity"] == "warning"):
                st.markdown(flag["explanation_fa"] if lang() == "fa" else flag["explanation_en"])
                if not pd.isna(flag.get("verdict")):
                    st.caption(
                        tr(
                            f"داوری: {words(FLAG_VERDICTS, flag['verdict'], 'fa')} "
                            f"({flag['expert']}) {flag['verdict_note'] or ''}",
                            f"Verdict: {words(FLAG_VERDICTS, flag['verdict'], 'en')} "
                            f"({flag['expert']}) {flag['verdict_note'] or ''}",
                        )
                    )
                series = peer_series(snapshot, refs, flag, lang())
                if not series.empty:
                    chart(flag_chart(series, flag, lang()))
                with st.form(f"judge_{flag['anomaly_id']}", clear_on_submit=True):
                    verdict = choose(
                        tr("داوری", "Verdict"),
                        {v: words(FLAG_VERDICTS, v, lang()) for v in ("real", "error")},
                        key=f"verdict_{flag['anomaly_id']}",
                        widget=st.radio,
                        horizontal=True,
                        index=None,  # a verdict is chosen, never defaulted
                    )
                    note = st.text_input(tr("یادداشت", "Note"), key=f"note_{flag['anomaly_id']}")
                    if st.form_submit_button(
                        tr("ثبت داوری", "Record the verdict"),
                        key=f"judge_submit_{flag['anomaly_id']}",
                    ):
                        record_verdict(store, actor, flag, verdict, note)
        if len(flags) > MAX_FLAGS:
            st.caption(
                tr(
                    f"{digits(len(flags) - MAX_FLAGS, 'fa')} هشدار دیگر در صفحه کیفیت داده‌ها.",
                    f"{len(flags) - MAX_FLAGS} more on the data-quality page.",
                )
            )

with tab_history:
    table_of(
        facts["events"],
        {"at": ("زمان", "When"), "state": ("رویداد", "Event"), "note": ("توضیح", "Note")},
        static=True,
    )
    table_of(
        facts["reviews"],
        {
            "at": ("زمان", "When"),
            "decision": ("تصمیم", "Decision"),
            "reviewer": ("کارشناس", "Expert"),
            "comment": ("نظر", "Comment"),
        },
        static=True,
    )

# ---------------------------------------------------------------------- the decision
st.subheader(tr("تصمیم", "Decision"))
with st.form("decision", clear_on_submit=True):
    decisions = {
        "approved": tr("تأیید", "Approve"),
        "returned": tr("بازگرداندن به دستگاه", "Return to the agency"),
    }
    decision = choose(
        tr("تصمیم", "Decision"),
        decisions,
        key="decision",
        widget=st.radio,
        horizontal=True,
        index=None,
    )
    comment = st.text_area(
        tr("نظر (برای بازگرداندن لازم است)", "Comment (needed to return)"), key="decision_comment"
    )
    submitted = st.form_submit_button(tr("ثبت تصمیم", "Record the decision"), key="decision_submit")
if submitted and decision is None:
    st.error(tr("تأیید یا بازگرداندن را انتخاب کنید.", "Choose to approve or to return."))
elif submitted:
    try:
        done, fa, en = decide(
            store, sid, decision, comment, actor, (salnameh_home(), catalog(), reference())
        )
    except Forbidden as refused:
        st.error(tr(refused.fa, refused.en))
    else:
        if done:
            flash("review", "success", tr(fa, en))
            st.rerun()
        st.error(tr(fa, en))
