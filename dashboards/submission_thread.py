"""A submission's thread of messages, as both sides see it: the expert on the review page,
the agency's liaison on their submissions page. Reading and writing go through
salnameh.comments, which decides who may (a liaison only on their own agency's files)."""

from __future__ import annotations

import streamlit as st

from dashboards.session import lang, tr
from dashboards.staff_display import jalali_moment
from salnameh.access import ROLE_TITLES, Actor, Forbidden
from salnameh.comments import CommentRefused, add_comment, thread
from salnameh.ledger import Ledger


def thread_rows(ledger: Ledger, submission_id: int, actor: Actor, lang: str) -> list[dict]:
    """The thread's messages, oldest first: who (and in what role), when (Jalali), what."""
    return [
        {
            "author": m.author,
            "role": ROLE_TITLES.get(m.role, (m.role, m.role))[0 if lang == "fa" else 1],
            "at": jalali_moment(m.at, lang),
            "body": m.body,
            "mine": m.author == actor.user_id,
        }
        for m in thread(ledger, submission_id, actor)
    ]


def show_thread(ledger: Ledger, submission_id: int, actor: Actor, key: str) -> None:
    """The messages, then a box to add one; a refusal is said in the reader's language."""
    try:
        rows = thread_rows(ledger, submission_id, actor, lang())
    except Forbidden as refused:
        st.error(tr(refused.fa, refused.en))
        return
    if not rows:
        st.caption(tr("هنوز پیامی درباره این ارسال نیست.", "No messages on this submission yet."))
    for r in rows:
        with st.chat_message("user" if r["mine"] else "assistant"):
            st.markdown(f"**{r['author']}** ({r['role']}) · {r['at']}")
            st.text(r["body"])
    with st.form(f"{key}_form", clear_on_submit=True):
        body = st.text_area(tr("پیام تازه", "New message"), key=f"{key}_body")
        sent = st.form_submit_button(tr("فرستادن پیام", "Send the message"), key=f"{key}_send")
    if sent:
        try:
            add_comment(ledger, submission_id, body, actor)
        except (Forbidden, CommentRefused) as refused:
            st.error(tr(refused.fa, refused.en))
        else:
            st.rerun()
