"""The expert's review: the queue of current versions with their latest decision (returned
ones with the days they are overdue), the clean ones approved at once after a
confirmation, and one submission at a time: its values, validation report and anomaly
flags (each with its series beside its peers and a link to it in the explorer), a verdict
on each flag, the thread with the agency, and approval or return with a comment.

A link may open the page at one submission (`?submission=N`, as the quality page's flags
do); the queue's filters then make room for it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.catalog_view import chapter_options
from dashboards.context import catalog, ledger, reference, salnameh_home
from dashboards.links import page_link, wanted
from dashboards.review_view import (
    REVIEW_STATES,
    built_versions,
    clean_rows,
    decide,
    flag_chart,
    flag_title,
    judge,
    open_warning_counts,
    overdue_days,
    peer_series,
    queue,
    queue_html,
    queue_label,
    raw_values,
    report_of,
    series_link,
    submission_facts,
    submission_flags,
    values_rows,
)
from dashboards.session import lang, require, tr
from dashboards.staff_display import FLAG_VERDICTS, STATES, digits, words
from dashboards.staff_snapshot import internal_query
from dashboards.staff_widgets import chart, choose, flash, show_flash, show_problems, table_of
from dashboards.submission_thread import show_thread
from salnameh.access import Forbidden
from salnameh.anomaly_flags import returns
from salnameh.approval import NOT_CLEAN, approve_clean, candidates
from salnameh.comments import comment_counts

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
returned = returns(store)  # a return judges its submission's flags (salnameh.anomaly_flags)

# ------------------------------------------------------------------------- the queue
everything = store.review_queue()
years = sorted({r["year"] for r in everything}, reverse=True)
asked = wanted("submission")
if asked and asked.isdigit() and int(asked) in {r["submission_id"] for r in everything}:
    # Opened at one submission: show every year, chapter and state so it is in the list.
    st.session_state.update(queue_year=None, queue_chapter=None, queue_state=None,
                            review_submission=int(asked))  # fmt: skip
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
counts = open_warning_counts(snapshot, verdicts, returned) if snapshot else None
late = overdue_days(store, {r["year"] for r in everything if r["review_state"] == "returned"})
talk = comment_counts(store, [r["submission_id"] for r in everything])
rows = queue(store, book, refs, lang(), year, chapter, state, built, counts, late, talk)
st.caption(tr(f"{digits(len(rows), 'fa')} جدول-سال", f"{len(rows)} table-years"))
st.markdown(queue_html(rows, lang()), unsafe_allow_html=True)
st.caption(
    tr(
        "«…» در ستون هشدار: این نسخه هنوز ساخته نشده و هشدارهایش پس از ساخت بعدی دیده می‌شود.",
        "'…' under flags: this version is not built yet; its flags come with the next build.",
    )
)


def bulk_approval() -> None:
    """The clean submissions of the queue's year and chapter, approved at once once the
    expert confirms; salnameh.approval decides what is clean and checks the role."""
    listed = candidates(salnameh_home(), store, actor, year)
    clean = [
        c
        for c in listed
        if chapter is None or getattr(book.tables.get(c.table_id), "chapter", None) == chapter
    ]
    title = tr(f"تأیید یکجای ارسال‌های بی‌هشدار ({digits(len(clean), 'fa')})",
               f"Approve clean submissions at once ({len(clean)})")  # fmt: skip
    with st.expander(title):
        st.caption(tr(
            "بی‌هشدار: گزارش بررسی فایل بی‌خطا و بی‌هشدار، در آخرین ساخت انبار، و بدون "
            "هشدار ناهنجاری داوری‌نشده یا خطا. هر تأیید مانند تأیید تک‌تک ثبت می‌شود.",
            "Clean: a validation report without warnings, in the last build, and no anomaly "
            "flag left unjudged or judged an error. Each is recorded as a single approval.",
        ))  # fmt: skip
        if not clean:
            st.info(
                tr("ارسال بی‌هشداری در انتظار بررسی نیست.", "No clean submission awaits review.")
            )
            return
        table_of(
            clean_rows(clean, book, lang()),
            {"id": ("شماره ارسال", "Submission"), "table": ("جدول", "Table"),
             "year": ("سال", "Year")},
            static=True,
        )  # fmt: skip
        with st.form("bulk_approve"):
            sure = st.checkbox(
                tr(f"این {digits(len(clean), 'fa')} ارسال را تأیید می‌کنم.",
                   f"I approve these {len(clean)} submissions."),
                key="bulk_confirm",
            )  # fmt: skip
            go = st.form_submit_button(tr("تأیید یکجا", "Approve them all"), key="bulk_submit")
        if go and not sure:
            st.error(tr("برای تأیید یکجا، تأیید را علامت بزنید.", "Tick the confirmation first."))
        elif go:
            try:
                done = approve_clean(salnameh_home(), store, actor,
                                     submission_ids=[c.submission_id for c in clean])  # fmt: skip
            except Forbidden as refused:
                st.error(tr(refused.fa, refused.en))
                return
            skipped = "".join(
                tr(f" ارسال {digits(s, 'fa')}: {NOT_CLEAN[r][0]}.", f" {s}: {NOT_CLEAN[r][1]}.")
                for s, r in done.skipped.items()
            )
            flash("review", "success",
                  tr(f"{digits(len(done.approved), 'fa')} ارسال تأیید شد.",
                     f"{len(done.approved)} submissions approved.") + skipped)  # fmt: skip
            st.rerun()


bulk_approval()
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

tab_values, tab_report, tab_flags, tab_talk, tab_history = st.tabs(
    [
        tr("ارقام", "Values"),
        tr("گزارش بررسی فایل", "Validation report"),
        tr("ناهنجاری‌ها", "Anomaly flags"),
        tr("گفت‌وگو با دستگاه", "Messages with the agency"),
        tr("سابقه", "History"),
    ]
)
with tab_talk:
    show_thread(store, sid, actor, key="review_thread")
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
        flags = submission_flags(snapshot, submission, verdicts, returned)
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
                link = series_link(snapshot, flag)
                if link is not None:
                    label = tr("این سری در کاوش شاخص‌ها", "This series in the explorer")
                    page_link("explorer", label, icon="📈", params=link)
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
with st.form("decision_form", clear_on_submit=True):
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
