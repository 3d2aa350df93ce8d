"""Indicator explorer: several indicators, places and years at once, as published or on
comparable units, as levels, per 1,000 people, an index, growth or a share of the
province; places whose scales differ drawn each on a scale of its own; breaks marked; the
frame shown downloadable as CSV.

Every choice is kept by stable ids (indicator ids, place codes, option keys) across the
language switch, as dashboards.session.keep_choices says why."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboards import explorer_data as data
from dashboards import figures
from dashboards.charts import panel_charts, second_axis_chart, segments, series_chart
from dashboards.context import is_national
from dashboards.drawn_charts import draw
from dashboards.grids import CODE, YEAR, figure_column, grid_frame
from dashboards.links import wanted
from dashboards.public import derived, query, require_snapshot, series
from dashboards.session import keep_choices, lang, tr

LANG = lang()
FA = LANG == "fa"
NATIONAL = is_national()
BASES = {
    "as_published": ("به همان صورت منتشرشده", "As published"),
    "comparable": ("واحدهای مقایسه‌پذیر", "Comparable units"),
}
KINDS = {"line": ("خطی", "Line"), "bar": ("ستونی", "Bars")}
# The widgets' keys whose choices the language switch must keep (the years' range slider
# takes its span as its value instead: see keep_choices).
CHOICES = ("ex_breakdowns", "ex_indicators", "ex_places", "ex_basis", "ex_kind",
           "ex_transform", "ex_layout", "ex_base_year")  # fmt: skip


def kept(key: str, default, allowed=None):
    """The reader's choice behind widget `key`, set before the widget is drawn: `default`
    when there is none yet, or when it is no longer `allowed`."""
    if key not in st.session_state or (allowed is not None and not allowed(st.session_state[key])):
        st.session_state[key] = default
    return st.session_state[key]


def label(pair: tuple[str, str]) -> str:
    return pair[0 if FA else 1]


keep_choices(*CHOICES)
st.title(tr("کاوش شاخص‌ها", "Indicator explorer"))
require_snapshot()
options = derived(data.indicator_options)
labels = dict(zip(options["indicator_id"], options["label_fa" if FA else "label_en"], strict=True))
places = data.place_options(query, NATIONAL)
place_names = dict(zip(places["geo_code"], places["name_fa" if FA else "name_en"], strict=True))
parents = {
    code: parent
    for code, parent in zip(places["geo_code"], places["parent_code"], strict=True)
    if isinstance(parent, str)
}
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

kept("ex_breakdowns", False)

breakdowns = st.toggle(
    tr(
        "همه شاخص‌ها (با تفکیک‌ها)، نه فقط جمع‌ها",
        "Every indicator (with breakdowns), not only totals",
    ),
    key="ex_breakdowns",
)
listed = options if breakdowns else options[options["is_headline"]]
allowed = set(listed["indicator_id"])
st.session_state["ex_indicators"] = [i for i in kept("ex_indicators", []) if i in allowed]
st.session_state["ex_places"] = [p for p in kept("ex_places", []) if p in place_names]
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
        # The slider's own value, else the copy of another page's visit (the slider's
        # state goes when the page is left), else every year.
        span = st.session_state.get("ex_years", st.session_state.get("ex_span"))
        if not (span and len(span) == 2 and first_year <= min(span) <= max(span) <= last_year):
            span = (first_year, last_year)
        years = st.select_slider(
            tr("سال‌ها", "Years"),
            options=list(range(first_year, last_year + 1)),
            value=tuple(span),
            key="ex_years",
            format_func=lambda y: figures.year(y, LANG),
        )
        st.session_state["ex_span"] = tuple(years)
kept("ex_basis", "as_published", lambda v: v in BASES)
kept("ex_kind", "line", lambda v: v in KINDS)
kept("ex_transform", "level", lambda v: v in data.TRANSFORMS)
kept("ex_layout", "auto", lambda v: v in data.LAYOUTS)
how = st.radio(
    tr("نمایش ارقام", "Show figures as"),
    list(data.TRANSFORMS),
    key="ex_transform",
    horizontal=True,
    format_func=lambda t: label(data.TRANSFORMS[t]),
)
base_year = None
if how == "index":
    in_span = list(range(int(years[0]), int(years[1]) + 1))
    kept("ex_base_year", in_span[0], lambda v: v in in_span)
    base_year = st.columns([1, 3])[0].selectbox(
        tr("سال پایه", "Base year"),
        in_span,
        key="ex_base_year",
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
asked_layout = st.radio(
    tr("وقتی مقیاس مکان‌ها فرق دارد", "When the places' scales differ"),
    list(data.LAYOUTS),
    key="ex_layout",
    horizontal=True,
    format_func=lambda k: label(data.LAYOUTS[k]),
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

needed = data.places_to_fetch(chosen_places, parents, how)
fetched = series(indicators, needed, tuple(years), basis)
marks = data.of_places(data.break_marks(fetched, basis), chosen_places)
starts = data.break_starts(marks) if basis == "as_published" else set()
people = None
if how == "per_capita":
    census_id, estimate_id = data.population_indicators(query)
    found = series([i for i in (census_id, estimate_id) if i], needed, tuple(years), basis)
    people = data.population(
        found[found["indicator_id"] == census_id], found[found["indicator_id"] == estimate_id]
    )
turned = data.transform(
    fetched, how, people=people, base_year=base_year, starts=starts, parents=parents
)
frame = data.relabel(data.of_places(turned, chosen_places), how, base_year)
shown = data.shown_frame(frame, LANG, NATIONAL)
if how == "per_capita":
    shown = data.with_population_source(shown, frame, LANG)
if shown.empty:
    st.info(tr("برای این انتخاب رقمی منتشر نشده است.", "No released figures for this choice."))
    st.stop()

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
    st.markdown(f"**{labels[indicator_id]}**")
    one = shown[rows].copy()
    one["geo_level"] = frame.loc[rows, "geo_level"]
    if how != "level" and one["value"].isna().all():
        st.caption(data.nothing_to_draw(how, LANG))
        continue
    one_marks = data.shown_frame(marks[marks["indicator_id"] == indicator_id], LANG)
    one["segment"] = segments(one, one_marks) if basis == "as_published" else one["geo_code"]
    first = frame[rows].iloc[0]
    unit = first["unit_title_fa" if FA else "unit_title_en"]
    decimals = int(first["decimals"])
    layout = data.chosen_layout(one, asked_layout)
    key = f"ex_chart_{indicator_id}"
    if layout == "panels":
        draw(panel_charts, one, one_marks, kind, LANG, unit, decimals, key=key)
    elif layout == "second_axis" and data.second_axis_places(one):
        right = data.second_axis_places(one)
        draw(second_axis_chart, one, one_marks, LANG, unit, decimals, right, key=key)
    else:
        draw(series_chart, one, one_marks, kind, LANG, unit, decimals, key=key)
    said = data.layout_note(one, asked_layout, layout, LANG)
    if said:
        st.caption(said)
    if how == "per_capita":
        st.caption(data.population_note(frame[rows], LANG))

notes = data.notes_listed(frame, LANG)
if notes:
    st.markdown("**" + tr("یادداشت‌های پیوستگی سری", "Series break notes") + "**")
    st.markdown("\n".join(f"- {note}" for note in notes))
meanings = data.flag_meanings(frame, LANG)
if meanings:
    st.caption(tr("نشانه‌ها: ", "Symbols: ") + figures.joined(meanings, LANG))

SHOWN_AS = {"table_number": CODE, "year": YEAR, "value": frame["decimals"]}
st.dataframe(
    # The figures as text in the reader's digits (the download below keeps the numbers).
    grid_frame(
        data.grid_frame(shown),
        LANG,
        {**SHOWN_AS, "share": 1, "rank": 0} if NATIONAL else SHOWN_AS,
    ),
    hide_index=True,
    key="ex_table",
    column_config={
        "indicator": tr("شاخص", "Indicator"),
        "table_number": tr("جدول", "Table"),
        "unit": tr("واحد", "Unit"),
        "place": tr("مکان", "Place"),
        "year": figure_column(tr("سال", "Year")),
        "value": figure_column(tr("رقم", "Figure")),
        "symbol": tr("نشانه", "Symbol"),
        "note": tr("یادداشت", "Note"),
        "population_source": tr("جمعیت تقسیم‌شده بر آن", "Population divided by"),
        "share": figure_column(tr("سهم از کشور (درصد)", "Share of Iran (%)")),
        "rank": figure_column(tr("رتبه در میان استان‌ها", "Rank")),
    },
)
st.download_button(
    tr("دریافت همین جدول (CSV)", "Download this table (CSV)"),
    # Written when clicked: made on every run, the file was also fetched back by the
    # browser on every run (Streamlit's button checks its file's address when drawn).
    data=partial(data.csv_bytes, shown),
    file_name=f"salnameh-series-{basis}-{years[0]}-{years[1]}.csv",
    mime="text/csv",
    key="ex_csv",
    on_click="ignore",
)
