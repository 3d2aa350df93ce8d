"""County profile: one county's headline indicators over the years against the province,
as published, with boundary changes marked."""

from __future__ import annotations

import streamlit as st

from dashboards import county_profile as profile
from dashboards import figures
from dashboards.charts import county_chart
from dashboards.context import is_national
from dashboards.drawn_charts import draw
from dashboards.explorer_data import FULL_SERIES, in_set, place_options
from dashboards.grids import YEAR, figure_column, grid_frame
from dashboards.links import page_link, wanted
from dashboards.public import query, require_snapshot, series
from dashboards.session import keep_choices, lang, tr

LANG = lang()
FA = LANG == "fa"
DEFAULT_COUNT = 4

# The choices kept across the language switch (dashboards.session says why).
keep_choices("co_county", "co_view", "co_indicators")
st.title(tr("نمای شهرستان", "County profile"))
require_snapshot()
places = place_options(query, is_national())
counties = places[places["level"] == "county"]
names = dict(zip(places["geo_code"], places["name_fa" if FA else "name_en"], strict=True))
indicators = query(profile.COUNTY_INDICATORS)
labels = {
    r.indicator_id: figures.table_label(r.table_number, r.title_fa if FA else r.title_en, LANG)
    for r in indicators.itertuples()
}

asked = wanted("county")
if asked in set(counties["geo_code"]):
    st.session_state["co_county"] = asked
if "co_indicators" not in st.session_state:
    full = set(query(FULL_SERIES)["indicator_id"])
    # The first headline of each table with a figure in every year, a few tables' worth.
    complete = indicators[in_set(indicators["indicator_id"], full)]
    firsts = complete.groupby("table_number", sort=False).head(1)
    st.session_state["co_indicators"] = list(firsts["indicator_id"])[:DEFAULT_COUNT]

left, right = st.columns([1, 2])
with left:
    county = st.selectbox(
        tr("شهرستان", "County"), list(counties["geo_code"]), key="co_county", format_func=names.get
    )
    view = st.radio(
        tr("نمایش", "Show"),
        list(profile.VIEWS),
        key="co_view",
        format_func=lambda v: profile.VIEWS[v][0 if FA else 1],
    )
with right:
    chosen = st.multiselect(
        tr("شاخص‌ها", "Indicators"), list(labels), key="co_indicators", format_func=labels.get
    )
if not chosen:
    st.info(tr("دست‌کم یک شاخص را برگزینید.", "Choose at least one indicator."))
    st.stop()

province = profile.province_of(places, county)
frame = series(chosen, [county, province], None, "as_published")
rows = profile.side_by_side(frame, county, province)
province_name = names.get(province, tr("استان", "Province"))
county_name = names[county]
if rows.empty:
    st.info(
        tr(
            f"برای {county_name} در این شاخص‌ها رقمی منتشر نشده است.",
            f"No released figures of {county_name} for these indicators.",
        )
    )
    st.stop()

for indicator_id in chosen:
    one = rows[rows["indicator_id"] == indicator_id]
    if one.empty:
        st.caption(
            tr(
                f"{labels[indicator_id]}: رقمی برای این شهرستان نیست.",
                f"{labels[indicator_id]}: no figures for this county.",
            )
        )
        continue
    first = one.iloc[0]
    shown_view = view if view != "share" or bool(first["additive"]) else "values"
    unit = first["unit_title_fa" if FA else "unit_title_en"]
    title = {"share": tr("درصد", "percent"), "index": tr("شاخص", "index")}.get(shown_view, unit)
    st.markdown(f"**{labels[indicator_id]}** ({unit})")
    if shown_view != view:
        st.caption(
            tr(
                "این شاخص جمع‌پذیر نیست؛ سهم از استان معنا ندارد و خود ارقام آمده‌اند.",
                "This indicator does not add up, so a share means nothing: the figures "
                "are shown instead.",
            )
        )
    drawn = profile.chart_frame(one, shown_view, county_name, province_name, LANG)
    decimals = 1 if shown_view != "values" else int(first["decimals"])
    draw(county_chart, drawn, profile.marks(one, LANG), LANG, title, decimals)

notes = list(dict.fromkeys(rows["break_note_fa" if FA else "break_note_en"].dropna()))
if notes:
    st.markdown("**" + tr("تغییر مرز شهرستان", "Boundary changes of the county") + "**")
    st.markdown("\n".join(f"- {note}" for note in notes))

table = rows.assign(indicator=rows["indicator_id"].map(labels))
row_decimals = list(table["decimals"])
st.dataframe(
    # The figures as text in the reader's digits, whatever the browser's locale.
    grid_frame(
        table[["indicator", "year", "value", "value_province", "share"]],
        LANG,
        {"year": YEAR, "value": row_decimals, "value_province": row_decimals, "share": 1},
    ),
    hide_index=True,
    key="co_table",
    column_config={
        "indicator": tr("شاخص", "Indicator"),
        "year": figure_column(tr("سال", "Year")),
        "value": figure_column(county_name),
        "value_province": figure_column(province_name),
        "share": figure_column(tr("سهم (درصد)", "Share (%)")),
    },
)
page_link("county_map", tr("همه شهرستان‌ها روی نقشه", "Every county on the map"))
