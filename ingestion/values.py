"""From a located table to one row per value: place, members, measure, number, flag.

Most cells of a real file are already numbers, so they go through pandas in one vector
step; only text cells (Persian digits, ٬ separators, yearbook symbols, typos) go through
`salnameh.persian.parse_cell`, once per distinct text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingestion.layout import Layout, TableShape
from ingestion.problems import Problem, column_letter, error, note
from salnameh.persian import NumberFormatError, parse_cell

LONG_COLUMNS = ["geo", "dim_key", "measure", "value", "flag", "sheet", "row", "column"]


def dim_key(names: list[str], codes: tuple[str, ...]) -> str:
    """The series key of a cell's dimension members, SDMX-like: 'sex=1;age=15-19'."""
    return ";".join(f"{n}={c}" for n, c in zip(names, codes, strict=True))


def long_values(layout: Layout, shape: TableShape) -> tuple[pd.DataFrame, list[Problem]]:
    """Every value cell of the table as a row, with its place in the sheet."""
    table = shape.table
    row_names = [d.code_list for d in shape.row_dims]
    col_names = [d.code_list for d in shape.col_dims]
    order = [d.code_list for d in table.dimensions]
    cells = layout.sheet.cells
    row_index = np.array([r.index for r in layout.rows], dtype=np.int64)
    n_rows, n_cols = len(layout.rows), len(layout.columns)

    raw: list[object] = []
    for column in layout.columns:
        c = column.index
        raw.extend(cells[r.index][c] if c < len(cells[r.index]) else "" for r in layout.rows)
    values, flags, problems = parse_values(raw, layout, row_index)

    frame = pd.DataFrame(
        {
            "geo": np.tile(np.array([r.geo for r in layout.rows], dtype=object), n_cols),
            "measure": np.repeat(
                np.array([c.measure for c in layout.columns], dtype=object), n_rows
            ),
            "value": values,
            "flag": flags,
            "sheet": layout.sheet.name,
            "row": np.tile(row_index + 1, n_cols),
            "column": np.repeat(
                np.array([column_letter(c.index) for c in layout.columns], dtype=object), n_rows
            ),
        }
    )
    # One column per dimension (for the rules) and the joined series key (for storage).
    for i, name in enumerate(row_names):
        frame[name] = np.tile(np.array([r.members[i] for r in layout.rows], dtype=object), n_cols)
    for i, name in enumerate(col_names):
        frame[name] = np.repeat(
            np.array([c.members[i] for c in layout.columns], dtype=object), n_rows
        )
    if order:
        frame["dim_key"] = frame[order[0]].radd(f"{order[0]}=")
        for name in order[1:]:
            frame["dim_key"] = frame["dim_key"] + f";{name}=" + frame[name]
    else:
        frame["dim_key"] = ""
    for column in ("geo", "measure", "sheet", "column", "dim_key", *order):
        frame[column] = frame[column].astype("str")
    return frame, problems


def parse_values(raw: list[object], layout: Layout, row_index: np.ndarray):
    """Numbers and flags of the raw cells; text that is neither is reported with its cell."""
    series = pd.Series(raw, dtype=object)
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    flags = np.full(len(raw), None, dtype=object)
    slow = ~np.isfinite(numbers)  # text pandas could not read, and 'nan'/'inf' typed as text
    numbers[slow] = np.nan
    problems: list[Problem] = []
    parsed: dict[object, tuple[float | None, str | None] | str] = {}
    n_rows = len(row_index)
    percent_seen = False
    for position in np.flatnonzero(slow):
        cell = raw[position]
        if cell == "" or cell is None:
            continue
        if not isinstance(cell, str | int | float):
            cell = str(cell)
        if cell not in parsed:
            try:
                parsed[cell] = parse_cell(cell)
            except NumberFormatError as exc:
                parsed[cell] = str(exc)
        result = parsed[cell]
        if isinstance(result, str):
            numbers[position] = np.nan
            column = layout.columns[position // n_rows]
            problems.append(
                error(
                    "not_a_number",
                    f"«{cell}» عدد یا علامت مجاز سالنامه نیست؛ عدد یا یکی از علامت‌های - ... × "
                    "×× // * ** را بنویسید.",
                    f"'{cell}' is not a number or a yearbook symbol; type the figure, or one "
                    "of - ... × ×× // * ** if there is none.",
                    sheet=layout.sheet.name,
                    row=int(row_index[position % n_rows]) + 1,
                    column=column_letter(column.index),
                    value=str(cell),
                )
            )
            continue
        number, flag = result
        numbers[position] = np.nan if number is None else number
        flags[position] = flag
        if isinstance(cell, str) and ("%" in cell or "٪" in cell):
            percent_seen = True
    if percent_seen:
        problems.append(
            note(
                "percent_sign",
                "علامت درصد از اعداد برداشته شد.",
                "Percent signs were removed from the figures.",
                sheet=layout.sheet.name,
            )
        )
    return numbers, flags, problems
