"""Map: any county-level indicator for a year, on the county boundaries of that year
(today's OpenStreetMap boundaries dissolved back along the lineage for earlier years), each
county named inside its outline, coloured by classes (natural breaks or quantiles, the
reader's choice, stated in the legend) that run from the lowest figure to the highest.

On SCI's national hub the map opens on Iran by province (any indicator: every table has
province figures there), and choosing a province, in the list or on the map, opens that
province's counties with the same indicator."""

from __future__ import annotations

import streamlit as st

from dashboards import county_map_data as mapdata
from dashboards import figures
from dashboards import province_map_data as iran
from dashboards.charts import CLASS_METHODS, choropleth_spec, class_rule
from dashboards.context import (
    is_national,
    province_choice,
    province_reference,
    reference,
    snapshot_version,
)
from dashboards.explorer_data import FULL_SERIES, default_indicator
from dashboards.grids import CODE, figure_column, grid_frame
from dashboards.links import page_link, wanted
from dashboards.public import query, require_snapshot
from dashboards.session import keep_choices, lang, tr

LANG = lang()
FA = LANG == "fa"
NATIONAL = is_national()

# The choices kept across the language switch (dashboards.session says why).
keep_choices("map_province", "map_breakdowns", "map_indicator", "map_year", "map_classes")
st.title(
    tr("نقشه استان‌ها و شهرستان‌ها", "Map of provinces and counties")
    if NATIONAL
    else tr("نقشه شهرستان‌ها", "County map")
)
require_snapshot()
if NATIONAL:
    provinces = reference().provinces
    choices = [iran.NATION, *provinces]
    asked_province = wanted("province")
    if asked_province in choices:
        st.session_state["map_province"] = asked_province
    picked = st.session_state.pop("map_clicked", None)
    if picked in choices:
        st.session_state["map_province"] = picked
    province = st.selectbox(
        tr("استان", "Province"),
        choices,
        key="map_province",
        format_func=province_choice,
    )
else:
    province = reference().province
whole_country = province == iran.NATION
options = iran.mappable_indicators(query) if whole_country else mapdata.mappable_indicators(query)
labels = {
    r.indicator_id: figures.table_label(
        r.table_number,
        f"{r.title_fa if FA else r.title_en} ({r.unit_title_fa if FA else r.unit_title_en})",
        LANG,
    )
    for r in options.itertuples()
}
asked = wanted("indicator")
if asked in labels:
    st.session_state["map_indicator"] = asked
    st.session_state["map_breakdowns"] = not bool(
        options.loc[options["indicator_id"] == asked, "is_headline"].iloc[0]
    )

breakdowns = st.toggle(
    tr("همه شاخص‌ها (با تفکیک‌ها)", "Every indicator (with breakdowns)"), key="map_breakdowns"
)
listed = options if breakdowns else options[options["is_headline"]]
ids = list(listed["indicator_id"])
if st.session_state.get("map_indicator") not in ids:
    full = set(query(FULL_SERIES)["indicator_id"])
    st.session_state["map_indicator"] = default_indicator(listed, full)
left, right = st.columns([3, 1])
with left:
    indicator_id = st.selectbox(
        tr("شاخص", "Indicator"), ids, key="map_indicator", format_func=labels.get
    )
years = (
    iran.map_years(query, indicator_id)
    if whole_country
    else mapdata.map_years(query, indicator_id, province)
)
if not years:
    st.info(
        tr(
            "از این شاخص رقم استانی منتشر نشده است.",
            "No province figures of this indicator have been released.",
        )
        if whole_country
        else tr(
            "از این شاخص رقم شهرستانی منتشر نشده است.",
            "No county figures of this indicator have been released.",
        )
    )
    st.stop()
if st.session_state.get("map_year") not in years:
    st.session_state["map_year"] = years[0]
with right:
    year = st.selectbox(
        tr("سال", "Year"), years, key="map_year", format_func=lambda y: figures.year(y, LANG)
    )

chosen = options[options["indicator_id"] == indicator_id].iloc[0]
unit = chosen["unit_title_fa" if FA else "unit_title_en"]
method = st.radio(
    tr("طبقه‌بندی رنگ‌ها", "Colour classes"),
    list(CLASS_METHODS),
    key="map_classes",
    horizontal=True,
    format_func=lambda m: CLASS_METHODS[m][0 if FA else 1],
)


def classes_caption() -> None:
    """What the colours mean, under the map: the rule in use, and that each class runs from
    its lowest figure to its highest."""
    st.caption(
        class_rule(method, LANG)
        + tr(
            ". هر رنگ یک طبقه است، از کمترین تا بیشترین رقم آن (راهنمای کنار نقشه). "
            "شکست‌های طبیعی (جنکس) طبقه‌ها را جایی می‌بُرد که رقم‌ها از هم دورترند؛ "
            "چندک‌ها در هر طبقه شمار برابری جای می‌دهد.",
            ". Each colour is a class, from its lowest figure to its highest (the legend "
            "beside the map). Natural breaks (Jenks) cut where the figures lie furthest apart; "
            "quantiles put an equal number of places in each class.",
        )
    )


@st.cache_data(max_entries=64, show_spinner=False)
def iran_spec(
    indicator_id: str, year: int, decimals: int, lang: str, unit: str, method: str, version: float
) -> dict:
    """The map of Iran as a Vega-Lite spec, kept until the next build (`version`): the
    same work for every reader of the same indicator and year."""
    import altair as alt

    frame = iran.province_frame(query, indicator_id, year, decimals, lang)
    coloured, grey = iran.province_features(frame)
    return choropleth_spec(
        coloured,
        lang,
        unit,
        grey,
        place=("استان", "Province"),
        extra_tooltip=(("share_text", "سهم از کشور", "Share of Iran"),),
        pick=alt.selection_point(name="pick", fields=["properties.geo_code"]),
        decimals=decimals,
        method=method,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def county_spec(
    indicator_id: str,
    year: int,
    decimals: int,
    lang: str,
    unit: str,
    method: str,
    province: str,
    version: float,
) -> dict:
    """A province's county map as a Vega-Lite spec, kept until the next build (`version`),
    as iran_spec is: building it took about 55 ms of every visit."""
    lineage = province_reference(province).lineage
    frame = mapdata.map_frame(query, indicator_id, year, decimals, lineage, lang, province)
    features = mapdata.geo_features(frame, year, lineage, province)
    unlabelled = mapdata.uncoded_features(province)
    return choropleth_spec(features, lang, unit, unlabelled, decimals=decimals, method=method)


def iran_map() -> None:
    """The provinces, each with its figure, share of the national total and rank."""
    frame = iran.province_frame(query, indicator_id, year, int(chosen["decimals"]), LANG)
    st.header(figures.joined([labels[indicator_id], figures.year(year, LANG)], LANG))
    nation = iran.nation_row(query, indicator_id, year)
    if nation is not None:
        total = figures.cell(nation["value"], nation["flag"], int(chosen["decimals"]), LANG)
        note = nation["break_note_fa" if FA else "break_note_en"]
        st.markdown(tr(f"کل کشور: **{total}** {unit}", f"Iran: **{total}** {unit}"))
        if isinstance(note, str) and note:
            st.caption(note)
    grey = not frame["delivered"].all()
    spec = iran_spec(
        indicator_id, year, int(chosen["decimals"]), LANG, unit, method, snapshot_version()
    )
    event = st.vega_lite_chart(spec, width="stretch", on_select="rerun", key="iran_map")
    # Vega names the field with its dot escaped ('properties\\.geo_code'): take the value.
    clicked = [next(iter(p.values()), None) for p in event.selection.get("pick", [])]
    if clicked and clicked[0] in provinces:
        st.session_state["map_clicked"] = clicked[0]
        st.rerun()
    classes_caption()
    st.caption(mapdata.ATTRIBUTION)
    if grey:
        st.caption(
            tr(
                "به رنگ خاکستری: استان‌هایی که رقم این سال را هنوز نفرستاده‌اند. "
                "برای دیدن شهرستان‌های یک استان، آن را در فهرست یا روی نقشه برگزینید.",
                "In grey: provinces that have not delivered this year's figure yet. "
                "Choose a province in the list or on the map to see its counties.",
            )
        )
    st.dataframe(
        grid_frame(
            frame[["geo_code", "place", "value", "shown", "share", "rank"]],
            LANG,
            {"geo_code": CODE, "value": int(chosen["decimals"]), "share": 1, "rank": 0},
        ),
        hide_index=True,
        key="map_table",
        column_config={
            "geo_code": tr("کد", "Code"),
            "place": tr("استان", "Province"),
            "value": figure_column(unit),
            "shown": tr("چنان‌که چاپ می‌شود", "As printed"),
            "share": figure_column(tr("سهم از کشور (درصد)", "Share of Iran (%)")),
            "rank": figure_column(tr("رتبه", "Rank")),
        },
    )


if whole_country:
    iran_map()
    st.stop()

lineage = province_reference(province).lineage
frame = mapdata.map_frame(
    query, indicator_id, year, int(chosen["decimals"]), lineage, LANG, province
)
st.header(figures.joined([labels[indicator_id], figures.year(year, LANG)], LANG))
spec = county_spec(
    indicator_id, year, int(chosen["decimals"]), LANG, unit, method, province, snapshot_version()
)
st.vega_lite_chart(spec, width="stretch")
classes_caption()
st.caption(mapdata.ATTRIBUTION)
uncoded = mapdata.uncoded(province)  # drawn grey, unlabelled, by county_spec
if uncoded:
    names = [c["name_fa" if FA else "name_en"] for c in uncoded]
    st.caption(
        tr(
            f"به رنگ خاکستری: شهرستان‌هایی که پس از سرشماری ۱۳۹۵ تشکیل شده‌اند و هنوز کد "
            f"مرکز آمار ندارند ({'، '.join(names)})؛ رقم آن‌ها در شهرستانی است که از آن جدا "
            "شده‌اند.",
            f"In grey: counties formed after the 1395 census that have no SCI code yet "
            f"({', '.join(names)}); their figures are in the county they were part of.",
        )
    )
if frame["merged"].any():
    merged = (
        "، ".join(frame.loc[frame["merged"], "place"])
        if FA
        else "; ".join(frame.loc[frame["merged"], "place"])
    )
    st.caption(
        tr(
            f"شهرستان‌های سال {figures.year(year, LANG)}: مرز امروزِ شهرستان‌هایی که پس از آن "
            f"جدا شده‌اند در شهرستان مادر ادغام شده است: {merged}.",
            f"The counties of {year}: today's boundaries of those that split off later are "
            f"dissolved into the county they split from: {merged}.",
        )
    )

if NATIONAL:
    st.caption(
        tr(
            f"شهرستان‌های استان {provinces[province].short_fa}؛ برای نقشه همه استان‌ها، "
            "«ایران» را در فهرست استان برگزینید.",
            f"The counties of {provinces[province].short_en}; choose Iran in the province "
            "list for the map of every province.",
        )
    )
st.dataframe(
    # The figures as text in the reader's digits, whatever the browser's locale.
    grid_frame(
        frame[["geo_code", "place", "value", "shown", "share"]],
        LANG,
        {"geo_code": CODE, "value": int(chosen["decimals"]), "share": 1},
    ),
    hide_index=True,
    key="map_table",
    column_config={
        "geo_code": tr("کد", "Code"),
        "place": tr("شهرستان", "County"),
        "value": figure_column(unit),
        "shown": tr("چنان‌که چاپ می‌شود", "As printed"),
        "share": figure_column(tr("سهم از استان (درصد)", "Share of province (%)")),
    },
)
page_link("county", tr("نمای یک شهرستان در طول سال‌ها", "One county over the years"))
