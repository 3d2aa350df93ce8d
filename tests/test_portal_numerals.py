"""One numeral system per language (issue 20, item 3): the pure parts. What the browser
shows is tested in tests/test_portal_numerals_browser.py."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboards import charts, grids
from dashboards.i18n import WIDGET_LOCALES, widget_locale_script
from dashboards.quality_view import heat_chart
from dashboards.review_view import flag_chart

LATIN_DIGIT = re.compile("[0-9]")
PERSIAN_DIGIT = re.compile("[۰-۹]")


def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo_code": ["23", "2301", "2320"],
            "table_number": ["1-2", "1-2", "1-2"],
            "year": [1390, 1395, 1402],
            "value": [19148.0, 13267637.0, float("nan")],
            "decimals": [1, 0, 0],
            "rank": pd.array([1, None, 3], dtype="Int64"),
        }
    )


COLUMNS = {"geo_code": grids.CODE, "table_number": grids.CODE, "year": grids.YEAR, "rank": 0}


def test_persian_grid_figures_have_persian_digits_and_separators():
    frame = sample()
    shown = grids.grid_frame(frame, "fa", {**COLUMNS, "value": frame["decimals"]})
    # The issue's «۱۹,۱۴۸٫۰»: the thousands separator is the Persian ٬, not a Latin comma.
    assert shown["value"].tolist() == ["۱۹٬۱۴۸٫۰", "۱۳٬۲۶۷٬۶۳۷", ""]
    assert shown["year"].tolist() == ["۱۳۹۰", "۱۳۹۵", "۱۴۰۲"]  # a year has no separator
    assert shown["geo_code"].tolist() == ["۲۳", "۲۳۰۱", "۲۳۲۰"]
    assert shown["table_number"].tolist() == ["۱-۲"] * 3
    assert shown["rank"].tolist() == ["۱", "", "۳"]  # a missing rank is an empty cell
    for column in COLUMNS:
        assert not any(LATIN_DIGIT.search(t) for t in shown[column])


def test_english_grid_figures_have_latin_digits_and_separators():
    frame = sample()
    shown = grids.grid_frame(frame, "en", {**COLUMNS, "value": frame["decimals"]})
    assert shown["value"].tolist() == ["19,148.0", "13,267,637", ""]
    assert shown["year"].tolist() == ["1390", "1395", "1402"]
    assert shown["geo_code"].tolist() == ["23", "2301", "2320"]
    assert not any(PERSIAN_DIGIT.search(t) for t in shown.astype(str).stack())


def test_the_grid_gets_a_copy_and_the_frame_keeps_its_numbers():
    """Downloads are made from the frame: it must keep real numbers."""
    frame = sample()
    grids.grid_frame(frame, "fa", {"value": 0, "year": grids.YEAR})
    assert frame["value"].dtype == "float64" and frame["year"].dtype == "int64"


def test_a_query_result_keeps_its_plain_numbers_in_the_readers_digits():
    frame = pd.DataFrame({"n": [1402, 12345], "x": [0.5, 2.0], "ok": [True, False]})
    assert grids.numeric_columns(frame) == ["n", "x"]  # a boolean is no figure
    plain = dict.fromkeys(grids.numeric_columns(frame), grids.PLAIN)
    shown = grids.grid_frame(frame, "fa", plain)
    assert shown["n"].tolist() == ["۱۴۰۲", "۱۲۳۴۵"]  # no separators: codes and years too
    assert shown["x"].tolist() == ["۰٫۵", "۲٫۰"]
    assert grids.grid_frame(frame, "en", plain)["n"].tolist() == ["1402", "12345"]


def test_figure_columns_are_text_aligned_right():
    config = grids.figure_column("رقم")
    assert config["type_config"]["type"] == "text"
    assert config["alignment"] == "right"


def encoding(chart, channel: str) -> dict:
    spec = chart.to_dict()
    layers = spec.get("layer", [spec])
    return layers[0]["encoding"][channel]


def series(years=(1390, 1391, 1392)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": list(years),
            "value": [1000.0, 2000.5, 3000.0],
            "place": ["تهران"] * 3,
            "geo_code": ["2301"] * 3,
            "note": [None] * 3,
            "segment": ["2301#0"] * 3,
        }
    )


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_time_runs_right_to_left_in_persian_and_left_to_right_in_english(kind):
    empty = pd.DataFrame(columns=["year", "place", "note", "geo_code"])
    fa = charts.series_chart(series(), empty, kind, "fa", "نفر", 0)
    en = charts.series_chart(series(), empty, kind, "en", "persons", 0)
    assert encoding(fa, "x")["scale"]["reverse"] is True
    assert encoding(en, "x")["scale"]["reverse"] is False
    # The figures' axis stands where time starts.
    assert encoding(fa, "y")["axis"]["orient"] == "right"
    assert encoding(en, "y")["axis"]["orient"] == "left"


def test_chart_tooltips_and_labels_are_in_the_readers_digits():
    empty = pd.DataFrame(columns=["year", "place", "note", "geo_code"])
    fa = charts.series_chart(series(), empty, "line", "fa", "نفر", 1)
    data = next(iter(fa.to_dict()["datasets"].values()))
    assert [row["value_text"] for row in data] == ["۱٬۰۰۰٫۰", "۲٬۰۰۰٫۵", "۳٬۰۰۰٫۰"]
    assert "'۰'" in encoding(fa, "x")["axis"]["labelExpr"]
    en = charts.series_chart(series(), empty, "line", "en", "persons", 1)
    assert "labelExpr" not in encoding(en, "x")["axis"]


def test_the_reviewers_flag_chart_writes_persian_in_persian():
    frame = series().assign(flagged=True)
    chart = flag_chart(frame, {"year": 1391, "expected_value": 1500.0}, "fa")
    spec = json.dumps(chart.to_dict(), ensure_ascii=False)
    assert "۲٬۰۰۰٫۵" in spec and "۱۳۹۱" in spec  # tooltips: the figure and the year
    assert encoding(chart, "x")["scale"]["reverse"] is True
    assert "'۰'" in encoding(chart, "y")["axis"]["labelExpr"]
    tooltips = [t["field"] for t in encoding(chart, "tooltip")]
    assert tooltips == ["place", "year_text", "value_text"]  # no number Vega would format


def test_the_quality_heat_chart_counts_in_persian_digits():
    frame = pd.DataFrame(
        {"chapter_title": ["جمعیت"] * 12, "place": ["تهران"] * 12, "anomaly_id": range(12)}
    )
    spec = heat_chart(frame, "fa").to_dict()
    data = next(iter(spec["datasets"].values()))
    assert data[0]["flags_text"] == "۱۲"
    assert spec["layer"][1]["encoding"]["text"]["field"] == "flags_text"
    assert heat_chart(frame, "en").to_dict()["layer"][1]["encoding"]["text"]["field"] == (
        "flags_text"
    )


@pytest.mark.parametrize(("lang", "locale"), [("fa", "fa-IR"), ("en", "en-US")])
def test_the_widgets_locale_is_the_portals_language(lang, locale):
    script = widget_locale_script(lang)
    assert WIDGET_LOCALES[lang] == locale
    assert f'window[key] = "{locale}"' in script
    assert 'Symbol.for("react-aria.i18n.locale")' in script
