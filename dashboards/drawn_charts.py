"""Charts drawn from a Vega-Lite spec made once per chart and data.

`st.altair_chart` builds the Altair chart on every run and checks it against Vega-Lite's
schema before sending it. Measured with py-spy on the county profile, building and
checking its one chart took about 160 ms of the server's CPU per visit, half the page's
run: Altair wraps each encoding by looking it up in the schema, and the check walks the
whole spec. The builders in dashboards/charts.py are tested functions of their arguments,
so the spec they give for the same data is the same: it is made once (without the check,
which the tests run on every builder) and kept, and a visitor opening the same view, or
a rerun that changes nothing in the chart, draws it at once.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

# Altair refuses to write more than 5,000 rows inline unless told: the data are ours, and
# the table builder's selection may be larger.
alt.data_transformers.disable_max_rows()


def _frame_key(frame: pd.DataFrame) -> str:
    """What tells a chart's frame apart from another: its columns, types, index and values,
    as JSON at full precision. Streamlit's own hash of a frame goes column by column through
    pandas' hashing, about 1.4 ms a small frame: the county page's four charts spent 48 ms of
    each run keying their specs (py-spy), against about 0.2 ms a frame this way."""
    return f"{frame.dtypes.to_dict()}" + frame.to_json(orient="split", double_precision=15)


@st.cache_data(max_entries=512, show_spinner=False, hash_funcs={pd.DataFrame: _frame_key})
def _specs(name: str, _build: Callable, *args) -> list[dict]:
    """The Vega-Lite specs of the chart or charts `_build(*args)` makes; `name` (the
    builder's) keys the cache, since the builder itself is not hashed."""
    made = _build(*args)
    return [chart.to_dict(validate=False) for chart in (made if isinstance(made, list) else [made])]


def draw(build: Callable, *args, key: str | None = None) -> None:
    """Draw what `build(*args)` makes (an Altair chart or a list of them), full width; each
    chart keyed `{key}_{n}` when `key` is given."""
    for n, spec in enumerate(_specs(f"{build.__module__}.{build.__qualname__}", build, *args)):
        st.vega_lite_chart(spec, width="stretch", key=None if key is None else f"{key}_{n}")
