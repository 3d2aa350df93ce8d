"""The portal's charts (Altair, drawn by Vega in the browser; no tiles, nothing fetched).

Axis labels follow the reader's digits: Vega formats numbers with ASCII digits, so in
Persian a label expression swaps them for Persian ones; tooltips show text written by
figures.py. Time runs in the reading direction: right to left in Persian. Breaks in a
series (a boundary change between two years) are a dashed rule with a marker whose tooltip
is the note.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboards import figures

BREAK_COLOUR = "#c0392b"
_PERSIAN = "۰۱۲۳۴۵۶۷۸۹"


def label_digits(lang: str, expression: str = "datum.label") -> str | None:
    """A Vega label expression writing `expression` in Persian digits and separators."""
    if lang != "fa":
        return None
    text = f"replace({expression}, regexp(',', 'g'), '٬')"
    text = f"replace({text}, regexp('\\\\.', 'g'), '٫')"
    for ascii_digit, persian in zip("0123456789", _PERSIAN, strict=True):
        text = f"replace({text}, regexp('{ascii_digit}', 'g'), '{persian}')"
    return f"isValid({expression}) ? {text} : ''"


def time_scale(lang: str, **options) -> alt.Scale:
    """The time axis in the reading direction: in Persian the first year on the right, as
    the year slider above the chart runs (the page is right to left)."""
    return alt.Scale(reverse=lang == "fa", **options)


def value_axis_side(lang: str) -> str:
    """The figures' axis where the time axis starts: on the right in Persian."""
    return "right" if lang == "fa" else "left"


def _year_axis(lang: str, title: str) -> alt.Axis:
    kwargs = {"format": "d", "tickMinStep": 1, "title": title, "labelAngle": 0}
    expression = label_digits(lang)
    if expression:
        kwargs["labelExpr"] = expression
    return alt.Axis(**kwargs)


def _value_axis(lang: str, title: str) -> alt.Axis:
    kwargs = {"format": ",~r", "title": title, "orient": value_axis_side(lang)}
    expression = label_digits(lang)
    if expression:
        kwargs["labelExpr"] = expression
    return alt.Axis(**kwargs)


def with_text(frame: pd.DataFrame, lang: str, decimals: int) -> pd.DataFrame:
    """The frame plus what tooltips show: the year and the figure as the reader writes them."""
    out = frame.copy()
    out["year_text"] = [figures.year(y, lang) for y in out["year"]]
    if "value" in out:
        # A missing figure has no point; its symbol is in the table below the chart.
        out["value_text"] = [figures.cell(v, None, decimals, lang) for v in out["value"]]
    out["note"] = out["note"].fillna("") if "note" in out else ""
    return out


def series_chart(
    shown: pd.DataFrame, marks: pd.DataFrame, kind: str, lang: str, unit: str, decimals: int
) -> alt.LayerChart:
    """One indicator over the years, a line or bars per place, with breaks marked.

    `shown` has year, value, place and note (explorer_data.shown_frame); `marks` the rows
    (year, place, note) where a break or comparability note applies.
    """
    fa = lang == "fa"
    data = with_text(shown, lang, decimals)
    place_title = "مکان" if fa else "Place"
    year_title = "سال" if fa else "Year"
    tooltip = [
        alt.Tooltip("place:N", title=place_title),
        alt.Tooltip("year_text:N", title=year_title),
        alt.Tooltip("value_text:N", title=unit),
        alt.Tooltip("note:N", title="یادداشت" if fa else "Note"),
    ]
    colour = alt.Color("place:N", title=place_title, legend=alt.Legend(orient="bottom"))
    base = alt.Chart(data)
    if kind == "bar":
        x = alt.X("year:O", axis=_ordinal_year_axis(lang, year_title), scale=time_scale(lang))
        drawn = base.mark_bar().encode(
            x=x,
            xOffset="place:N",
            y=alt.Y("value:Q", axis=_value_axis(lang, unit)),
            color=colour,
            tooltip=tooltip,
        )
        mark_x = alt.X("year:O")
    else:
        x = alt.X("year:Q", axis=_year_axis(lang, year_title), scale=time_scale(lang, zero=False))
        drawn = base.mark_line(point=True).encode(
            x=x,
            y=alt.Y("value:Q", axis=_value_axis(lang, unit), scale=alt.Scale(zero=False)),
            color=colour,
            detail="segment:N",
            tooltip=tooltip,
        )
        mark_x = alt.X("year:Q")
    layers = [drawn]
    if not marks.empty:
        noted = with_text(marks, lang, decimals)
        mark_tooltip = [
            alt.Tooltip("place:N", title=place_title),
            alt.Tooltip("year_text:N", title=year_title),
            alt.Tooltip("note:N", title="یادداشت" if fa else "Note"),
        ]
        rule = (
            alt.Chart(noted)
            .mark_rule(strokeDash=[4, 4], color=BREAK_COLOUR)
            .encode(x=mark_x, tooltip=mark_tooltip)
        )
        flag = (
            alt.Chart(noted)
            .mark_point(shape="triangle-down", size=140, filled=True, color=BREAK_COLOUR, opacity=1)
            .encode(x=mark_x, y=alt.value(6), tooltip=mark_tooltip)
        )
        layers += [rule, flag]
    return alt.layer(*layers).properties(height=320)


def _ordinal_year_axis(lang: str, title: str) -> alt.Axis:
    kwargs = {"title": title, "labelAngle": 0}
    expression = label_digits(lang)
    if expression:
        kwargs["labelExpr"] = expression
    return alt.Axis(**kwargs)


def segments(shown: pd.DataFrame, marks: pd.DataFrame) -> pd.Series:
    """A segment number per row that changes at each break of its place's series, so a line
    is not drawn across a boundary change."""
    breaks = set(zip(marks.get("geo_code", []), marks.get("year", []), strict=False))
    ordered = shown.sort_values(["geo_code", "year"])
    starts = pd.Series(
        [(g, y) in breaks for g, y in zip(ordered["geo_code"], ordered["year"], strict=True)],
        index=ordered.index,
    )
    number = starts.groupby(ordered["geo_code"]).cumsum().astype(int)
    return (ordered["geo_code"] + "#" + number.astype(str)).reindex(shown.index)


def county_chart(
    frame: pd.DataFrame, marks: pd.DataFrame, lang: str, measure_title: str, decimals: int
) -> alt.LayerChart:
    """A county against the province: `frame` has year, series (the line's name), value,
    segment and note; breaks in the county's boundary are marked."""
    fa = lang == "fa"
    data = with_text(frame, lang, decimals)
    year_title = "سال" if fa else "Year"
    tooltip = [
        alt.Tooltip("series:N", title=""),
        alt.Tooltip("year_text:N", title=year_title),
        alt.Tooltip("value_text:N", title=measure_title),
        alt.Tooltip("note:N", title="یادداشت" if fa else "Note"),
    ]
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "year:Q", axis=_year_axis(lang, year_title), scale=time_scale(lang, zero=False)
            ),
            y=alt.Y("value:Q", axis=_value_axis(lang, measure_title), scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title="", legend=alt.Legend(orient="bottom")),
            detail="segment:N",
            tooltip=tooltip,
        )
    )
    layers = [line]
    if not marks.empty:
        noted = with_text(marks, lang, decimals)
        mark_tooltip = [
            alt.Tooltip("year_text:N", title=year_title),
            alt.Tooltip("note:N", title="یادداشت" if fa else "Note"),
        ]
        layers.append(
            alt.Chart(noted)
            .mark_rule(strokeDash=[4, 4], color=BREAK_COLOUR)
            .encode(x="year:Q", tooltip=mark_tooltip)
        )
        layers.append(
            alt.Chart(noted)
            .mark_point(shape="triangle-down", size=140, filled=True, color=BREAK_COLOUR, opacity=1)
            .encode(x="year:Q", y=alt.value(6), tooltip=mark_tooltip)
        )
    return alt.layer(*layers).properties(height=300)


BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


def class_breaks(values: list[float], classes: int = len(BLUES)) -> list[float]:
    """Quantile class limits (a few counties hold most of the province, so equal steps
    would paint every other county the same pale colour), rounded to 2 significant digits
    so the legend reads cleanly."""
    found = sorted(v for v in values if v is not None and v == v)
    if len(set(found)) < 2:
        return []
    limits = []
    for n in range(1, classes):
        exact = found[min(len(found) - 1, round(n * len(found) / classes))]
        rounded = float(f"{exact:.2g}")
        if (not limits or rounded > limits[-1]) and found[0] < rounded <= found[-1]:
            limits.append(rounded)
    return limits


UNLABELLED_GREY = "#d9d9d9"  # a county on the map with no figure of its own


def choropleth(
    features: list[dict],
    lang: str,
    unit: str,
    unlabelled=(),
    place: tuple[str, str] = ("شهرستان", "County"),
    extra_tooltip: tuple[tuple[str, str, str], ...] = (),
    pick: alt.Parameter | None = None,
) -> alt.Chart:
    """Places (counties, or a hub's provinces: `place` names them) filled by the class of
    their figure, over the `unlabelled` ones in grey (no figure, no tooltip); no background
    tiles, so it draws offline. `extra_tooltip`: (property, Persian, English) shown too;
    `pick`: a selection the coloured places take (a click on one)."""
    fa = lang == "fa"
    tooltip = [
        alt.Tooltip("properties.place:N", title=place[0] if fa else place[1]),
        alt.Tooltip("properties.shown:N", title=unit),
        *(
            alt.Tooltip(f"properties.{name}:N", title=title_fa if fa else title_en)
            for name, title_fa, title_en in extra_tooltip
        ),
    ]
    limits = class_breaks([f["properties"].get("value") for f in features])
    scale = (
        alt.Scale(type="threshold", domain=limits, range=BLUES[-(len(limits) + 1) :])
        if limits
        else alt.Scale(range=[BLUES[2]])
    )
    legend = alt.Legend(orient="left", format=",~r", labelExpr=label_digits(lang) or "datum.label")
    counties = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color("properties.value:Q", title=unit, scale=scale, legend=legend),
            tooltip=tooltip,
        )
    )
    if pick is not None:
        counties = counties.add_params(pick)
    if unlabelled:
        grey = alt.Chart(alt.Data(values=list(unlabelled))).mark_geoshape(
            fill=UNLABELLED_GREY, stroke="white", strokeWidth=1
        )
        counties = alt.layer(grey, counties)
    return counties.project(type="mercator").properties(height=480)


# A panel's whole height: Streamlit fits a stretched chart's decorations (axes, title)
# inside it, so the plot gets what is left.
PANEL_HEIGHT = 240


def panel_charts(
    shown: pd.DataFrame, marks: pd.DataFrame, kind: str, lang: str, unit: str, decimals: int
) -> list[alt.LayerChart]:
    """Small multiples: `series_chart` once per place, titled with it, each on a value
    scale of its own (a county is not flattened by its province). Separate charts rather
    than one concatenated spec: Vega cannot fit a concatenation to the page's width, and
    a panel that overflows hides the last years."""
    panels = []
    for place, rows in shown.groupby("place", sort=False):
        own_marks = marks[marks["place"] == place] if "place" in marks else marks
        panel = series_chart(rows, own_marks, kind, lang, unit, decimals)
        # The title names the place, so a one-entry legend would only repeat it (and
        # take the plot's height).
        panel.layer[0].encoding.color.legend = None
        # Titled where the reader starts a line: the right in Persian.
        title = alt.TitleParams(str(place), anchor="end" if lang == "fa" else "start")
        panels.append(panel.properties(title=title, height=PANEL_HEIGHT))
    return panels


def second_axis_chart(
    shown: pd.DataFrame,
    marks: pd.DataFrame,
    lang: str,
    unit: str,
    decimals: int,
    right: list[str],
) -> alt.LayerChart:
    """Lines on two value axes: the `right` places (a province beside its counties) on a
    scale of their own on the second axis (the right in English, the left in Persian,
    facing the first axis), the others on the first; one legend for both."""
    on_right = shown["place"].isin(right)
    left_marks = marks[~marks["place"].isin(right)] if "place" in marks else marks
    left = series_chart(shown[~on_right], left_marks, "line", lang, unit, decimals)
    data = with_text(shown[on_right], lang, decimals)
    fa = lang == "fa"
    # The right axis is titled with its places (the unit is the left axis's title).
    axis = _value_axis(lang, figures.joined(right, lang))
    # The second axis faces the first: on the left in Persian, where time ends.
    axis.orient = "left" if value_axis_side(lang) == "right" else "right"
    line = (
        alt.Chart(data)
        .mark_line(point=True, strokeDash=[6, 3])
        .encode(
            x=alt.X("year:Q"),
            y=alt.Y("value:Q", axis=axis, scale=alt.Scale(zero=False)),
            color=alt.Color("place:N"),
            detail="segment:N",
            tooltip=[
                alt.Tooltip("place:N", title="مکان" if fa else "Place"),
                alt.Tooltip("year_text:N", title="سال" if fa else "Year"),
                alt.Tooltip("value_text:N", title=unit),
                alt.Tooltip("note:N", title="یادداشت" if fa else "Note"),
            ],
        )
    )
    return alt.layer(left, line).resolve_scale(y="independent").properties(height=320)
