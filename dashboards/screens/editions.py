"""Publishing the yearbook: which years have every table approved and which are still
open, a new edition of a year (what it holds), and the editions released before."""

from __future__ import annotations

import streamlit as st

from dashboards.context import catalog, ledger, reference
from dashboards.editions_view import (
    edition_rows,
    held_rows,
    lacking_rows,
    lacks_note,
    readiness,
)
from dashboards.session import lang, require, tr
from dashboards.staff_display import digits
from dashboards.staff_widgets import choose, table_of
from salnameh.access import Forbidden
from salnameh.ledger import IncompleteEdition

HELD = {
    "number": ("شماره", "No."),
    "title": ("عنوان جدول", "Table"),
    "agency": ("دستگاه", "Agency"),
    "received": ("دریافت", "Received"),
}

LACKING = {
    "number": ("شماره", "No."),
    "title": ("عنوان جدول", "Table"),
    "why": ("چرا نیست", "Why not in"),
}


actor = require("publish")
st.title(tr("انتشار ویرایش", "Publish an edition"))
store = ledger()

published = st.session_state.pop("edition_published", None)
if published is not None:
    year, number_, held = published
    st.success(
        tr(
            f"ویرایش {digits(number_, 'fa')} سالنامه {digits(year, 'fa')} با "
            f"{digits(len(held), 'fa')} جدول تأییدشده ثبت شد. با ساخت بعدی انبار "
            "(`salnameh build`) در نسخه عمومی منتشر می‌شود.",
            f"Edition {number_} of {year} recorded with {len(held)} approved tables; "
            "the next build (`salnameh build`) puts it in the public snapshot.",
        )
        + lacks_note(store.edition_gaps(year, number_), lang())
    )
    table_of(held_rows(store, catalog(), reference(), held, lang()), HELD, key="just_held")

st.header(tr("آمادگی سال‌ها", "Years"))
years = readiness(store, actor, lang())
table_of(
    years,
    {
        "year_shown": ("سال", "Year"),
        "tables": ("جدول", "Tables"),
        "approved": ("تأییدشده", "Approved"),
        "in_review": ("در دست بررسی", "In review"),
        "returned": ("بازگشته", "Returned"),
        "missing": ("نرسیده یا رد شده", "Not in"),
        "state": ("وضعیت", "State"),
        "editions": ("ویرایش‌ها", "Editions"),
        "new_since_edition": ("تأیید تازه پس از آخرین ویرایش", "Approved since last edition"),
    },
    static=True,
)

st.header(tr("انتشار ویرایش تازه", "Publish a new edition"))
publishable = [r for r in years if r["n_approved"]]
if not publishable:
    st.info(tr("هنوز جدول تأییدشده‌ای نیست.", "Nothing is approved yet."))
else:
    by_year = {r["year"]: r for r in publishable}
    with st.form("publish", clear_on_submit=True):
        year = choose(
            tr("سال", "Year"),
            {y: f"{digits(y, lang())} · {r['state']}" for y, r in by_year.items()},
            key="publish_year",
        )
        note = st.text_input(tr("یادداشت ویرایش", "Edition note"), key="publish_note")
        allow_incomplete = st.checkbox(
            tr(
                "انتشار بدون جدول‌هایی که هنوز تأیید نشده‌اند (ویرایش نبودِ آنها را اعلام می‌کند)",
                "Publish without the tables not yet approved (the edition states what it lacks)",
            ),
            key="publish_incomplete",
        )
        submitted = st.form_submit_button(
            tr("انتشار", "Publish"), type="primary", key="publish_submit"
        )
    if submitted:
        try:
            number_, held = store.release(year, actor, note, expected=catalog().tables_of(year),
                                          allow_incomplete=allow_incomplete)  # fmt: skip
        except Forbidden as refused:
            st.error(tr(refused.fa, refused.en))
        except IncompleteEdition as incomplete:
            st.error(
                tr(
                    f"ویرایش ثبت نشد: {digits(len(incomplete.lacking), 'fa')} جدول سال "
                    f"{digits(year, 'fa')} هنوز تأیید نشده است. تا تأیید آنها صبر کنید یا "
                    "«انتشار بدون جدول‌هایی که هنوز تأیید نشده‌اند» را بزنید.",
                    f"Not published: {len(incomplete.lacking)} tables of {year} are not "
                    "approved. Wait for them, or tick «Publish without the tables not yet "
                    "approved».",
                )
            )
            table_of(lacking_rows(catalog(), incomplete.lacking, lang()), LACKING,
                     key="lacking")  # fmt: skip
        except ValueError as refused:
            st.error(tr(f"ویرایش ثبت نشد: {refused}", f"Not published: {refused}"))
        else:
            st.session_state["edition_published"] = (year, number_, held)
            st.rerun()

st.header(tr("ویرایش‌های پیشین", "Previous editions"))
editions = edition_rows(store, lang())
if not editions:
    st.info(tr("هنوز ویرایشی منتشر نشده است.", "No edition has been released yet."))
    st.stop()
table_of(
    editions,
    {
        "year_shown": ("سال", "Year"),
        "number": ("ویرایش", "Edition"),
        "released": ("تاریخ انتشار", "Released"),
        "by": ("منتشرکننده", "By"),
        "tables": ("جدول", "Tables"),
        "note": ("یادداشت", "Note"),
    },
    static=True,
)
by_id = {e["edition_id"]: e for e in editions}
labels = {
    i: tr(f"سال {e['year_shown']}، ویرایش {e['number']}", f"{e['year']}, edition {e['number']}")
    for i, e in by_id.items()
}
chosen = choose(tr("محتوای ویرایش", "What an edition holds"), labels, key="edition_choice")
table_of(
    held_rows(store, catalog(), reference(), by_id[chosen]["submission_ids"], lang()),
    HELD,
    key="held",
)
