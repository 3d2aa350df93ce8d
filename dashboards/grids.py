"""Figures in the portal's data grids (st.dataframe), in the reader's digits.

The grid draws a number column with the browser's locale ("localized") or with Latin
digits (a printf format), never with the portal's language: a Persian page in an en-US
browser would show Latin digits, the English page in an fa-IR browser Persian ones. So the
grid is handed the figures as text, written by dashboards/figures.py as everywhere else on
the page, and right-aligned as numbers are. The downloads keep the machine numbers: only
what is shown goes through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

from dashboards import figures

# How one column is written: a number of decimals (an int), a per-row sequence of them
# (the explorer mixes indicators), None (as many decimals as the figure has), YEAR, or
# PLAIN: as the machine wrote it, without thousands separators (a query's codes and years
# are numbers too, and «۱٬۴۰۲» would misread them), or CODE: a code or table number kept
# as it is but in the reader's digits (the yearbook prints «جدول ۲-۵», place code «۲۳»).
YEAR, PLAIN, CODE = "year", "plain", "code"
Decimals = int | None | Iterable[int] | str


def grid_frame(frame: pd.DataFrame, lang: str, columns: Mapping[str, Decimals]) -> pd.DataFrame:
    """A copy of `frame` with the named columns as text in the reader's digits and
    separators (figures.number, figures.year); a missing figure is an empty cell."""
    shown = frame.copy()
    for column, decimals in columns.items():
        values = list(shown[column])
        if isinstance(decimals, str) and decimals == YEAR:
            texts = ["" if _missing(v) else figures.year(int(v), lang) for v in values]
        elif isinstance(decimals, str) and decimals == CODE:
            texts = ["" if _missing(v) else figures.digits(v, lang) for v in values]
        elif isinstance(decimals, str) and decimals == PLAIN:
            texts = ["" if _missing(v) else _plain(v, lang) for v in values]
        else:
            places = (
                list(decimals)
                if isinstance(decimals, Iterable) and not isinstance(decimals, str)
                else [decimals] * len(values)
            )
            texts = [
                "" if _missing(v) else figures.number(float(v), _places(d), lang)
                for v, d in zip(values, places, strict=True)
            ]
        shown[column] = pd.Series(texts, index=shown.index, dtype="object")
    return shown


def figure_column(label: str, **options) -> st.column_config.Column:
    """The column of a grid that holds figures written by grid_frame: right-aligned, as
    figures are in the printed yearbook, whatever the page's direction."""
    return st.column_config.TextColumn(label, alignment="right", **options)


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of `frame` that hold numbers (not booleans)."""
    return [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]


def _plain(value: object, lang: str) -> str:
    text = str(value)
    return figures.digits(text.replace(".", "٫"), lang) if lang == "fa" else text


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _places(decimals: object) -> int | None:
    return None if _missing(decimals) else int(decimals)
