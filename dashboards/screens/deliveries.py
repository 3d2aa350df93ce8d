"""Provinces' deliveries (a national hub only): which province delivered which edition of
which year and when, as `salnameh national status` reports it."""

from __future__ import annotations

import streamlit as st

from dashboards import deliveries_view as view
from dashboards.context import is_national, reference, salnameh_home
from dashboards.session import lang, tr
from salnameh.national import status

LANG = lang()
FA = LANG == "fa"

st.title(tr("تحویل سالنامه استان‌ها", "Provinces' deliveries"))
if not is_national():
    st.info(
        tr(
            "این صفحه از آن مرکز ملی است (salnameh init --national).",
            "This page belongs to the national hub (salnameh init --national).",
        )
    )
    st.stop()
rows = status(salnameh_home(), reference())
if not rows:
    st.info(tr("هنوز بسته‌ای از استان‌ها دریافت نشده است.", "No province's package received yet."))
    st.stop()
provinces = reference().provinces
counts = view.delivered_counts(rows, len(provinces), LANG)
st.markdown(
    tr("استان‌هایی که سالنامه هر سال را فرستاده‌اند: ", "Provinces delivered, by year: ")
    + ("؛ " if FA else "; ").join(counts)
)
st.caption(
    tr(
        "هر خانه ویرایشی از سالنامه استان است که در ارقام کشور به کار می‌رود و روزی که مرکز آن را "
        "دریافت کرد؛ خانه خالی یعنی آن استان سالنامه آن سال را هنوز نفرستاده است. ارقام هر بسته پس "
        "از ساخت بعدی انبار داده در جدول‌ها، نقشه و کاوش شاخص‌ها دیده می‌شود.",
        "Each cell is the edition of the province's yearbook the national figures use and the "
        "day the hub received it; an empty cell means the province has not delivered that year "
        "yet. A package's figures reach the tables, the map and the explorer after the next "
        "build.",
    )
)
st.table(view.delivery_grid(rows, provinces, LANG))

st.header(tr("همه بسته‌های دریافت‌شده", "Every package received"))
st.dataframe(
    view.package_list(rows, LANG),
    hide_index=True,
    key="deliveries_packages",
    column_config={
        "province": tr("استان", "Province"),
        "year": tr("سال", "Year"),
        "edition": tr("ویرایش", "Edition"),
        "state": tr("وضعیت", "State"),
        "released": tr("انتشار در استان", "Released by the province"),
        "received": tr("دریافت در مرکز", "Received by the hub"),
        "tables": tr("جدول", "Tables"),
        "observations": tr("رقم", "Figures"),
        "manifest_sha256": st.column_config.TextColumn(tr("شناسه بسته", "Manifest SHA-256")),
    },
)
