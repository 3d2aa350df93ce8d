"""The key a chart's spec is kept under (dashboards/drawn_charts.py): frames that differ in
anything a chart draws get different specs, equal frames share one."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards.drawn_charts import _frame_key

pytestmark = pytest.mark.unit


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [1390, 1395, 1400],
            "series": ["شمیرانات", "شمیرانات", "شمیرانات"],
            "value": [41_000.0, 44_000.0, 48_123.456789012345],
            "note": [None, "مرز تغییر کرد", None],
        }
    )


def test_equal_frames_share_a_key() -> None:
    assert _frame_key(frame()) == _frame_key(frame().copy())


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(value=f["value"] + [0, 0, 1e-9]),  # the 15th digit of a figure
        lambda f: f.assign(series=["شمیرانات", "شمیرانات", "تهران"]),
        lambda f: f.assign(note=[None, None, None]),
        lambda f: f.rename(columns={"value": "share"}),
        lambda f: f.astype({"year": "float64"}),
        lambda f: f.set_axis([1, 2, 3]),
        lambda f: f.iloc[:2],
    ],
    ids=["figure", "place", "note", "column", "type", "index", "rows"],
)
def test_a_frame_that_differs_gets_another_key(change) -> None:
    assert _frame_key(change(frame())) != _frame_key(frame())
