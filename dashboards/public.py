"""What the public pages read: the public snapshot only, through cached queries.

No login guards these pages, so they never name another snapshot: `query` here is
`context.query` on the public snapshot, and `series` runs `salnameh.series.series_frame`
on it, cached like every query until the next build swaps in a new file. `derived` does
the same for what a page computes from its queries alone (labels, headline figures), so
a visitor's run does not rebuild it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from dashboards.context import query as _query
from dashboards.context import salnameh_home, snapshot_version
from dashboards.session import tr
from salnameh.series import series_frame
from salnameh.settings import home
from salnameh.snapshots import PUBLIC, open_snapshot, snapshot_path


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    return _query(sql, params, kind=PUBLIC)


T = TypeVar("T")


def derived(build: Callable[..., T], *args) -> T:
    """`build(query, *args)` on the public snapshot, computed once per server process and
    snapshot file, then shared by every visitor until the next build.

    Only for a `build` whose result depends on nothing but the snapshot and `args` (never
    on the session: its language, its user), so one visitor's result is right for all;
    each call gets its own copy (st.cache_data). Keyed like `query`: the home and the
    snapshot file's modification time, so a newly published snapshot is read at once."""
    name = f"{build.__module__}.{build.__qualname__}"
    where = str(salnameh_home().root)
    return _derived(name, args, where, snapshot_version(PUBLIC), build)


@st.cache_data(max_entries=64, show_spinner=False)
def _derived(name: str, args: tuple, where: str, version: float, _build: Callable):
    # `_build` is left out of the key (a leading underscore); `name` stands for it.
    return _build(query, *args)


def require_snapshot() -> None:
    """Stop the page with an explanation when nothing has been published yet."""
    if not snapshot_path(salnameh_home(), PUBLIC).exists():
        st.info(
            tr(
                "هنوز داده‌ای منتشر نشده است. پس از ساخت انبار داده (salnameh build) "
                "ارقام منتشرشده اینجا دیده می‌شوند.",
                "Nothing has been published yet. The released figures appear here after "
                "the warehouse is built (salnameh build).",
            )
        )
        st.stop()


def series(
    indicators: list[str], geographies: list[str] | None, years: tuple[int, int] | None, basis: str
) -> pd.DataFrame:
    """`series_frame` on the public snapshot, cached until the next build."""
    where = str(salnameh_home().root)
    frame = _series(
        where,
        snapshot_version(PUBLIC),
        tuple(indicators),
        tuple(geographies) if geographies else None,
        years,
        basis,
    )
    return frame.copy()


@st.cache_data(max_entries=128, show_spinner=False)
def _series(
    where: str,
    version: float,
    indicators: tuple,
    geographies: tuple | None,
    years: tuple[int, int] | None,
    basis: str,
) -> pd.DataFrame:
    with open_snapshot(home(where), PUBLIC) as con:
        return series_frame(
            con, list(indicators), list(geographies) if geographies else None, years, basis
        )
