"""Data quality at a glance: the anomaly flags of the last build by chapter and by place,
a heat table of the two, and how many are still open against those an expert judged."""

from __future__ import annotations

import streamlit as st

from dashboards.context import catalog, ledger, reference
from dashboards.grids import grid_frame
from dashboards.links import page_link
from dashboards.quality_view import (
    by_chapter,
    by_place,
    by_submission,
    filtered,
    flags,
    heat_chart,
    heat_table,
    status_counts,
)
from dashboards.session import lang, require, tr
from dashboards.staff_display import (
    ANOMALY_KINDS,
    FLAG_VERDICTS,
    SEVERITIES,
    digits,
    number,
    words,
)
from dashboards.staff_snapshot import internal_query
from dashboards.staff_widgets import chart, choose, table_of
from salnameh.anomaly_flags import returns

actor = require("review")
st.title(tr("کیفیت داده‌ها", "Data quality"))
snapshot = internal_query()
if snapshot is None:
    st.info(
        tr(
            "انبار هنوز ساخته نشده است؛ پس از `salnameh build` هشدارها اینجا می‌آیند.",
            "The warehouse has not been built yet; flags appear after `salnameh build`.",
        )
    )
    st.stop()

everything = flags(snapshot, ledger().anomaly_verdicts(), reference(), lang(), returns(ledger()))
years = sorted(everything["year"].unique().tolist(), reverse=True)
pick_year, pick_severity = st.columns(2)
with pick_year:
    year = choose(
        tr("سال", "Year"),
        {None: tr("همه سال‌ها", "all years"), **{y: digits(y, lang()) for y in years}},
        key="quality_year",
    )
with pick_severity:
    severity = choose(
        tr("اهمیت", "Severity"),
        {**{s: words(SEVERITIES, s, lang()) for s in ("warning", "info")}, None: tr("همه", "all")},
        key="quality_severity",
    )
frame = filtered(everything, year, severity)

counts = status_counts(frame)
cells = st.columns(4)
cells[0].metric(tr("همه هشدارها", "All flags"), digits(len(frame), lang()))
cells[1].metric(tr("باز (داوری‌نشده)", "Open (not judged)"), digits(counts["open"], lang()))
cells[2].metric(tr("داوری‌شده", "Judged"), digits(counts["real"] + counts["error"], lang()))
cells[3].metric(
    tr("خاموش با داوری پیشین", "Suppressed by an earlier verdict"),
    digits(counts["suppressed"], lang()),
)
if frame.empty:
    st.success(tr("هشداری با این انتخاب نیست.", "No flags for this choice."))
    st.stop()

st.header(tr("برحسب فصل", "By chapter"))
chapter_rows = by_chapter(frame)
table_of(
    [
        {
            **r,
            "chapter": f"{digits(r['chapter'], lang())}. {r['chapter_title']}",
            "flags": digits(r["flags"], lang()),
            "open": digits(r["open"], lang()),
            "judged": digits(r["judged"], lang()),
        }
        for r in chapter_rows.to_dict("records")
    ],
    {
        "chapter": ("فصل", "Chapter"),
        "flags": ("هشدار", "Flags"),
        "open": ("باز", "Open"),
        "judged": ("داوری‌شده", "Judged"),
    },
    static=True,
)

st.header(tr("برحسب شهرستان", "By county"))
table_of(
    [
        {
            **r,
            "flags": digits(r["flags"], lang()),
            "open": digits(r["open"], lang()),
            "judged": digits(r["judged"], lang()),
        }
        for r in by_place(frame).to_dict("records")
    ],
    {
        "place": ("محل", "Place"),
        "flags": ("هشدار", "Flags"),
        "open": ("باز", "Open"),
        "judged": ("داوری‌شده", "Judged"),
    },
    static=True,
)

st.header(tr("جدول گرمایی فصل × محل", "Heat table: chapter × place"))
chart(heat_chart(frame, lang()))
heat = heat_table(frame)
st.dataframe(grid_frame(heat, lang(), dict.fromkeys(heat.columns, 0)), key="heat")

st.header(tr("هشدارهای باز", "Open flags"))
open_flags = frame[frame["status"] == "open"].sort_values("score", ascending=False)
table_of(
    [
        {
            "year": digits(r["year"], lang()),
            "table": digits(r["table_number"], lang()),
            "place": r["place"],
            "kind": words(ANOMALY_KINDS, r["kind"], lang()),
            "score": number(r["score"], lang(), 2),  # ٫ in Persian, never a Latin point
            "state": words(FLAG_VERDICTS, None, lang()),
        }
        for r in open_flags.head(500).to_dict("records")
    ],
    {
        "year": ("سال", "Year"),
        "table": ("جدول", "Table"),
        "place": ("محل", "Place"),
        "kind": ("نوع", "Kind"),
        "score": ("امتیاز", "Score"),
        "state": ("وضعیت", "State"),
    },
    key="open_flags",
)
st.header(tr("هشدارها برحسب ارسال", "Flags by submission"))
st.caption(
    tr(
        "هر پیوند همان ارسال را در «صف بررسی» باز می‌کند؛ داوری هر هشدار در برگه "
        "ناهنجاری‌های آن ثبت می‌شود و از آنجا به سری در کاوش شاخص‌ها می‌رسید.",
        "Each link opens that submission on the Review queue; judge its flags in its anomaly "
        "tab, which links each to its series in the explorer.",
    )
)
MAX_LINKS = 40  # the most flagged submissions; the rest by the filters above
for r in by_submission(frame)[:MAX_LINKS]:
    table = catalog().tables.get(r["table_id"])
    title = (table.title.fa if lang() == "fa" else table.title.en) if table else r["table_id"]
    label = tr(
        f"ارسال {digits(r['submission_id'], 'fa')} · {digits(r['table_number'], 'fa')} {title}"
        f" · {digits(r['year'], 'fa')} — {digits(r['flags'], 'fa')} هشدار،"
        f" {digits(r['open'], 'fa')} باز",
        f"Submission {r['submission_id']} · {r['table_number']} {title} · {r['year']}"
        f" — {r['flags']} flags, {r['open']} open",
    )
    page_link("review", label, icon="🔎", params={"submission": str(r["submission_id"])})
