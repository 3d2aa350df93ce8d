"""Indicator explorer: several indicators, places and years at once, as published or on
comparable units, drawn with their breaks, and the frame shown as CSV."""

from __future__ import annotations

import streamlit as st

from dashboards import explorer_data as data
from dashboards import figures
from dashboards.charts import segments, series_chart
from dashboards.context import is_national
from dashboards.grids import CODE, YEAR, figure_column, grid_frame
from dashboards.links import wanted
from dashboards.public import query, require_snapshot, series
from dashboards.session import lang, tr

LANG = lang()
FA = LANG == "fa"
NATIONAL = is_national()
BASES = {
    "as_published": ("به همان صورت منتشرشده", "As published"),
    "comparable": ("واحدهای مقایسه‌پذیر", "Comparable units"),
}
KINDS = {"line": ("خطی", "Line"), "bar": ("ستونی", "Bars")}

st.title(tr("کاوش شاخص‌ها", "Indicator explorer"))
require_snapshot()
options = data.indicator_options(query)
labels = dict(zip(options["indicator_id"], options["label_fa" if FA else "label_en"], strict=True))
places = data.place_options(query, NATIONAL)
place_names = dict(zip(places["geo_code"], places["name_fa" if FA else "name_en"], strict=True))
span = query(data.YEARS).iloc[0]
first_year, last_year = int(span["first"]), int(span["last"])

asked_indicator, asked_table = wanted("indicator"), wanted("table")
asked_places = wanted("places")
if asked_places:
    st.session_state["ex_places"] = [p for p in asked_places.split(",") if p in place_names]
if asked_indicator in labels:
    st.session_state["ex_indicators"] = [asked_indicator]
    # A link to a breakdown (not a total) opens the list that holds it.
    headline = options.loc[options["indicator_id"] == asked_indicator, "is_headline"].iloc[0]
    st.session_state["ex_breakdowns"] = not bool(headline)
elif asked_table:
    of_table = options[(options["table_id"] == asked_table) & options["is_headline"]]
    if not of_table.empty:
        st.session_state["ex_indicators"] = list(of_table["indicator_id"])
if "ex_places" not in st.session_state:
    # A province's home: its province; a hub: Iran's total and the provinces beside it.
    first = ["province", "nation"] if NATIONAL else ["province"]
    st.session_state["ex_places"] = list(places.loc[places["level"].isin(first), "geo_code"])
if "ex_indicators" not in st.session_state:
    full = set(query(data.FULL_SERIES)["indicator_id"])
    st.session_state["ex_indicators"] = [data.default_indicator(options, full)]

breakdowns = st.toggle(
    tr(
        "همه شاخص‌ها (با تفکیک‌ها)، نه فقط جمع‌ها",
        "Every indicator (with breakdowns), not only totals",
    ),
    key="ex_breakdowns",
)
listed = options if breakdowns else options[options["is_headline"]]
allowed = set(listed["indicator_id"])
st.session_state["ex_indicators"] = [i for i in st.session_state["ex_indicators"] if i in allowed]
indicators = st.multiselect(
    tr("شاخص‌ها", "Indicators"),
    list(listed["indicator_id"]),
    key="ex_indicators",
    format_func=labels.get,
    placeholder=tr("یک یا چند شاخص", "One or more indicators"),
)
left, right = st.columns([3, 2])
with left:
    chosen_places = st.multiselect(
        tr("کشور، استان‌ها و شهرستان‌ها", "Iran, provinces and counties")
        if NATIONAL
        else tr("استان و شهرستان‌ها", "Province and counties"),
        list(places["geo_code"]),
        key="ex_places",
        format_func=place_names.get,
    )
with right:
    if first_year == last_year:  # one year held (a hub's first census): nothing to choose
        years = (first_year, last_year)
        only = figures.year(first_year, LANG)
        st.caption(tr(f"سال {only}", f"Year {only}"))
    else:
        years = st.select_slider(
            tr("سال‌ها", "Years"),
            options=list(range(first_year, last_year + 1)),
            value=(first_year, last_year),
            key="ex_years",
            format_func=lambda y: figures.year(y, LANG),
        )
left, right = st.columns(2)
with left:
    basis = st.radio(
        tr("مبنا", "Basis"),
        list(BASES),
        key="ex_basis",
        horizontal=True,
        format_func=lambda b: BASES[b][0 if FA else 1],
    )
with right:
    kind = st.radio(
        tr("نمودار", "Chart"),
        list(KINDS),
        key="ex_kind",
        horizontal=True,
        format_func=lambda k: KINDS[k][0 if FA else 1],
    )
if basis == "comparable":
    st.caption(
        tr(
            "در مبنای مقایسه‌پذیر، شهرستان‌هایی که از هم جدا شده‌اند با هم جمع می‌شوند "
            "تا همه سال‌ها یک محدوده را بپوشانند.",
            "On comparable units, counties that split are added up so every year covers "
            "the same ground.",
        )
    )

if not indicators or not chosen_places:
    st.info(
        tr("دست‌کم یک شاخص و یک مکان را برگزینید.", "Choose at least one indicator and one place.")
    )
    st.stop()

frame = series(indicators, chosen_places, tuple(years), basis)
shown = data.shown_frame(frame, LANG, NATIONAL)
if shown.empty:
    st.info(tr("برای این انتخاب رقمی منتشر نشده است.", "No released figures for this choice."))
    st.stop()

marks = data.break_marks(frame, basis)
for indicator_id in indicators:
    rows = frame["indicator_id"] == indicator_id
    if not rows.any():
        st.caption(
            tr(
                f"{labels[indicator_id]}: رقمی برای این مکان‌ها و سال‌ها نیست.",
                f"{labels[indicator_id]}: no figures for these places and years.",
            )
        )
        continue
    one = shown[rows].copy()
    one_marks = data.shown_frame(marks[marks["indicator_id"] == indicator_id], LANG)
    one["segment"] = segments(one, one_marks) if basis == "as_published" else one["geo_code"]
    first = frame[rows].iloc[0]
    unit = first["unit_title_fa" if FA else "unit_title_en"]
    st.markdown(f"**{labels[indicator_id]}**")
    chart = series_chart(one, one_marks, kind, LANG, unit, int(first["decimals"]))
    st.altair_chart(chart, width="stretch")

notes = data.notes_listed(frame, LANG)
if notes:
    st.markdown("**" + tr("یادداشت‌های پیوستگی سری", "Series break notes") + "**")
    st.markdown("\n".join(f"- {note}" for note in notes))
meanings = data.flag_meanings(frame, LANG)
if meanings:
    st.caption(tr("نشانه‌ها: ", "Symbols: ") + figures.joined(meanings, LANG))

SHOWN_AS = {"table_number": CODE, "geo_code": CODE, "province": CODE, "year": YEAR,
            "value": frame["decimals"]}  # fmt: skip
st.dataframe(
    # The figures as text in the reader's digits (the download below keeps the numbers).
    grid_frame(
        shown,
        LANG,
        {**SHOWN_AS, "share": 1, "rank": 0} if NATIONAL else SHOWN_AS,
    ),
    hide_index=True,
    key="ex_table",
    column_config={
        "indicator_id": st.column_config.TextColumn(tr("شناسه شاخص", "Indicator id")),
        "indicator": tr("شاخص", "Indicator"),
        "table_number": tr("جدول", "Table"),
        "unit": tr("واحد", "Unit"),
        "geo_code": tr("کد", "Code"),
        "place": tr("مکان", "Place"),
        "year": figure_column(tr("سال", "Year")),
        "value": figure_column(tr("رقم", "Figure")),
        "symbol": tr("نشانه", "Symbol"),
        "note": tr("یادداشت", "Note"),
        "province": tr("استان", "Province"),
        "share": figure_column(tr("سهم از کشور (درصد)", "Share of Iran (%)")),
        "rank": figure_column(tr("رتبه در میان استان‌ها", "Rank")),
    },
)
st.download_button(
    tr("دریافت همین جدول (CSV)", "Download this table (CSV)"),
    data=data.csv_bytes(shown),
    file_name=f"salnameh-series-{basis}-{years[0]}-{years[1]}.csv",
    mime="text/csv",
    key="ex_csv",
)
