"""The portal's charts (Altair, drawn by Vega in the browser; no tiles, nothing fetched).

Axis labels follow the reader's digits: Vega formats numbers with ASCII digits, so in
Persian a label expression swaps them for Persian ones; tooltips show text written by
figures.py. Time runs in the reading direction: right to left in Persian. Breaks in a
series (a boundary change between two years) are a dashed rule with a marker whose tooltip
is the note.
"""

from __future__ import annotations

from dataclasses import dataclass

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

# How the figures of a map are put into classes, stated in its legend. Natural breaks by
# default: a few counties (Tehran: 9.4 M of 14 M) hold most of a province, and Jenks gives
# them a class of their own while the small ones keep distinct shades.
CLASS_METHODS = {
    "jenks": ("شکست‌های طبیعی (جنکس)", "natural breaks (Jenks)"),
    "quantile": ("چندک‌ها (شمار برابر در هر طبقه)", "quantiles (equal counts)"),
}


@dataclass(frozen=True)
class Classes:
    """A map's classes: `bounds` are each class's lowest and highest figure, ascending, taken
    from the figures themselves, so every figure is inside one class and the top class ends
    at the maximum."""

    method: str
    bounds: tuple[tuple[float, float], ...]

    def of(self, value: float | None) -> int | None:
        """The class a figure falls in (0 = lowest), None for no figure."""
        if value is None or value != value:
            return None
        return next((n for n, (low, high) in enumerate(self.bounds) if low <= value <= high), None)


def class_breaks(
    values: list[float | None], classes: int = len(BLUES), method: str = "jenks"
) -> Classes:
    """The figures put into at most `classes` classes by `method` (CLASS_METHODS); equal
    figures always share a class, so there are no more classes than distinct figures."""
    if method not in CLASS_METHODS:
        raise ValueError(f"class method {method!r}: use one of {sorted(CLASS_METHODS)}")
    found = sorted(float(v) for v in values if v is not None and v == v)
    wanted = min(classes, len(set(found)))
    if wanted == 0:
        return Classes(method, ())
    starts = _jenks_starts(found, wanted) if method == "jenks" else _quantile_starts(found, wanted)
    ends = [*starts[1:], len(found)]
    return Classes(
        method, tuple((found[a], found[b - 1]) for a, b in zip(starts, ends, strict=True))
    )


def _quantile_starts(found: list[float], classes: int) -> list[int]:
    """Where each class starts in the sorted figures: equal counts, a run of equal figures
    kept in the class where it begins (the next class then starts after it)."""
    starts = [0]
    for n in range(1, classes):
        start = max(n * len(found) // classes, starts[-1] + 1)
        while start < len(found) and found[start] == found[start - 1]:
            start += 1
        if starts[-1] < start < len(found):
            starts.append(start)
    return starts


def _jenks_starts(found: list[float], classes: int) -> list[int]:
    """Where each class starts in the sorted figures, by Fisher's exact optimisation (what
    Jenks's natural breaks approximate): the split into `classes` runs with the least sum of
    squared deviations from each run's mean. A class never starts inside a run of equal
    figures. O(classes x n^2): a province has at most a few dozen counties, Iran 31."""
    n = len(found)
    total, squares = [0.0], [0.0]
    for value in found:
        total.append(total[-1] + value)
        squares.append(squares[-1] + value * value)

    def spread(a: int, b: int) -> float:  # sum of squared deviations of found[a:b]
        part = total[b] - total[a]
        return squares[b] - squares[a] - part * part / (b - a)

    may_start = [a == 0 or found[a] != found[a - 1] for a in range(n)]
    cost = [[float("inf")] * (n + 1) for _ in range(classes + 1)]
    begin = [[0] * (n + 1) for _ in range(classes + 1)]
    cost[0][0] = 0.0
    for k in range(1, classes + 1):
        for b in range(k, n + 1):
            if b < n and not may_start[b]:
                continue  # a class must end where a run of equal figures ends
            for a in range(k - 1, b):
                if not may_start[a] or cost[k - 1][a] == float("inf"):
                    continue
                candidate = cost[k - 1][a] + spread(a, b)
                if candidate < cost[k][b]:
                    cost[k][b], begin[k][b] = candidate, a
    starts, end = [], n
    for k in range(classes, 0, -1):
        end = begin[k][end]
        starts.append(end)
    return starts[::-1]


# Vega draws a legend left to right; Chromium then puts «۳۸٬۷۱۲ تا ۱۰۰٬۶۹۰» as
# «۳۸٬۷۱۲ ۱۰۰٬۶۹۰ تا». A right-to-left mark at each end makes it read as written.
RLM = "\u200f"


def rtl(text: str, lang: str) -> str:
    """Persian text kept right to left in a chart drawn left to right."""
    return f"{RLM}{text}{RLM}" if lang == "fa" else text


def class_labels(classes: Classes, decimals: int, lang: str) -> list[str]:
    """Each class as the legend writes it: '۱٬۲۳۴ تا ۵۶٬۷۸۹' (fa), '1,234 – 56,789' (en)."""
    joiner = " تا " if lang == "fa" else " – "
    return [
        rtl(
            figures.number(low, decimals, lang)
            if low == high
            else figures.number(low, decimals, lang)
            + joiner
            + figures.number(high, decimals, lang),
            lang,
        )
        for low, high in classes.bounds
    ]


def class_rule(method: str, lang: str) -> str:
    """The statement of how the classes were made (the legend's and the page's)."""
    fa, en = CLASS_METHODS[method]
    return f"طبقه‌ها: {fa}" if lang == "fa" else f"Classes: {en}"


MAP_HEIGHT = 560  # the map and its legend below it, in pixels
UNLABELLED_GREY = "#d9d9d9"  # a place on the map with no figure of its own
LABEL_INK = "#1a1a1a"


def choropleth(
    features: list[dict],
    lang: str,
    unit: str,
    unlabelled=(),
    place: tuple[str, str] = ("شهرستان", "County"),
    extra_tooltip: tuple[tuple[str, str, str], ...] = (),
    pick: alt.Parameter | None = None,
    decimals: int = 0,
    method: str = "jenks",
    datasets: dict[str, list] | None = None,
) -> alt.LayerChart:
    """Places (counties, or a hub's provinces: `place` names them) filled by the class of
    their figure (`method`, stated in the legend with each class's lowest and highest figure)
    over the `unlabelled` ones in grey (no figure, no tooltip), with each place's name
    written inside it; no background tiles, so it draws offline.

    A feature's properties: value, place, shown, and `label` at (`label_lon`, `label_lat`)
    in `label_size` pixels for its name (a grey feature with a label is named too).
    `extra_tooltip`: (property, Persian, English) shown too; `pick`: a selection the
    coloured places take (a click).
    `datasets`: given, the layers name their data and it is put there (choropleth_spec)."""
    fa = lang == "fa"
    tooltip = [
        alt.Tooltip("properties.place:N", title=place[0] if fa else place[1]),
        alt.Tooltip("properties.shown:N", title=unit),
        *(
            alt.Tooltip(f"properties.{name}:N", title=title_fa if fa else title_en)
            for name, title_fa, title_en in extra_tooltip
        ),
    ]
    classes = class_breaks([f["properties"].get("value") for f in features], method=method)
    names = class_labels(classes, decimals, lang)
    coloured, no_figure = [], []
    for feature in features:
        n = classes.of(feature["properties"].get("value"))
        if n is None:
            no_figure.append(feature)  # a unit with no figure this year: grey, still drawn
        else:
            properties = {**feature["properties"], "class_label": names[n]}
            coloured.append({**feature, "properties": properties})
    shades = BLUES if len(names) == len(BLUES) else _shades(len(names))
    if fa:  # the legend runs left to right: Persian reads its lowest class on the right
        names, shades = names[::-1], shades[::-1]
    # Below the map, so the map has the page's whole width for its names.
    legend = alt.Legend(
        orient="bottom",
        direction="horizontal",
        labelLimit=0,
        title=[rtl(unit, lang), rtl(class_rule(method, lang), lang)],
        titleLimit=0,
        symbolType="square",
    )
    places = (
        alt.Chart(_data("places", coloured, datasets))
        .mark_geoshape(stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color(
                "properties.class_label:N",
                scale=alt.Scale(domain=names, range=shades),
                legend=legend,
                sort=names,
            ),
            tooltip=tooltip,
        )
    )
    if pick is not None:
        places = places.add_params(pick)
    grey_places = [*unlabelled, *no_figure]
    layers = []
    if grey_places:
        # Nothing encoded, so Vega draws the layer as one image: it needs a name for a
        # screen reader (axe's svg-img-alt); the places' names are the names layer's.
        no_figure_text = "جاهای بی‌رقم (خاکستری)" if fa else "Places without a figure (grey)"
        layers.append(
            alt.Chart(_data("grey", grey_places, datasets)).mark_geoshape(
                fill=UNLABELLED_GREY, stroke="white", strokeWidth=1, description=no_figure_text
            )
        )
    layers.append(places)
    layers += name_layers([*features, *unlabelled], datasets)
    return alt.layer(*layers).project(type="mercator").properties(height=MAP_HEIGHT)


def choropleth_spec(*args, **kwargs) -> dict:
    """choropleth() as a Vega-Lite spec, its data put in by name after Altair has built the
    rest: Altair walks every boundary point when it writes inline data (a second for
    Tehran's counties, four for Khuzestan's), for nothing, since the data is ours."""
    datasets: dict[str, list] = {}
    spec = choropleth(*args, datasets=datasets, **kwargs).to_dict()
    spec.setdefault("datasets", {}).update(datasets)
    return spec


def _data(name: str, values: list, datasets: dict[str, list] | None) -> alt.Data:
    if datasets is None:
        return alt.Data(values=values)
    datasets[name] = values
    return alt.Data(name=name)


def _shades(count: int) -> list[str]:
    """`count` of the five blues, spread from light to dark (fewer classes than five)."""
    if count <= 1:
        return [BLUES[2]]
    return [BLUES[round(n * (len(BLUES) - 1) / (count - 1))] for n in range(count)]


def name_layers(features: list[dict], datasets: dict[str, list] | None = None) -> list[alt.Chart]:
    """Each place's name at its label point: a white halo under dark ink, so the name reads
    on the darkest blue as on the palest."""
    rows = [
        {
            "name": f["properties"]["label"],
            "lon": f["properties"]["label_lon"],
            "lat": f["properties"]["label_lat"],
            "size": f["properties"].get("label_size", 11),
        }
        for f in features
        if f["properties"].get("label")
    ]
    if not rows:
        return []
    text = alt.Chart(_data("names", rows, datasets)).encode(
        longitude="lon:Q",
        latitude="lat:Q",
        text="name:N",
        size=alt.Size("size:Q", scale=None, legend=None),  # a text mark's size: its font's
    )
    style = {"fontWeight": "bold", "align": "center", "baseline": "middle"}
    halo = text.mark_text(
        **style, stroke="white", strokeWidth=3, strokeOpacity=0.85, strokeJoin="round"
    )
    ink = text.mark_text(**style, fill=LABEL_INK)
    return [halo, ink]


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
