"""From a located table to one row per value: place, members, measure, number, flag.

Most cells of a real file are already numbers, so they go through numpy in one vector
step; only text cells (Persian digits, ٬ separators, yearbook symbols, typos) go through
`salnameh.persian.parse_cell`, once per distinct text.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.layout import Layout, TableShape, cell_block
from ingestion.problems import Problem, column_letter, error, note
from salnameh.persian import PLAIN_DECIMAL, SYMBOLS, NumberFormatError, parse_cell

# A value's flag: one of the yearbook symbols' meanings, or none (a categorical, since a
# million values hold a handful of flags at most).
FLAGS = pd.CategoricalDtype(sorted(set(SYMBOLS.values())))
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
    cells = layout.value_cells
    if cells is None:
        cells = cell_block(layout.sheet.cells, [c.index for c in layout.columns])
    row_index = np.array(layout.rows.index, dtype=np.int64)
    n_rows, n_cols = len(layout.rows), len(layout.columns)

    raw = cells.T[:, row_index].ravel()  # column after column, as the frame is laid out
    values, flags, problems = parse_values(raw, layout, row_index)

    # Labels repeat over a million cells but take few values: categoricals, built from
    # the per-row and per-column parts, keep the frame small and the grouping fast.
    by_row = lambda labels: _categorical(labels, lambda codes: np.tile(codes, n_cols))  # noqa: E731
    by_col = lambda labels: _categorical(labels, lambda codes: np.repeat(codes, n_rows))  # noqa: E731
    columns = {
        "geo": by_row(layout.rows.geo),
        "measure": by_col([c.measure for c in layout.columns]),
        "value": values,
        "flag": flags,
        "sheet": by_row([layout.sheet.name] * n_rows),
        "row": np.tile((row_index + 1).astype(np.int32), n_cols),
        "column": by_col([column_letter(c.index) for c in layout.columns]),
    }
    # One column per dimension (for the rules) and the joined series key (for storage).
    for i, name in enumerate(row_names):
        columns[name] = by_row([members[i] for members in layout.rows.members])
    for i, name in enumerate(col_names):
        columns[name] = by_col([c.members[i] for c in layout.columns])
    row_keys, row_codes = _part_keys(row_names, layout.rows.members)
    col_keys, col_codes = _part_keys(col_names, [c.members for c in layout.columns])
    keys = _series_keys(order, row_keys, col_keys)
    combined = np.tile(_smallest(row_codes * len(col_keys), len(keys)), n_cols)
    combined += np.repeat(_smallest(col_codes, len(keys)), n_rows)
    columns["dim_key"] = pd.Categorical.from_codes(combined, categories=pd.Index(keys, dtype=str))
    frame = pd.DataFrame(columns, copy=False)  # the arrays are new: no need to copy them
    return frame, problems


def _series_keys(order: list[str], row_keys: list[str], col_keys: list[str]) -> list[str]:
    """The dim_key of every (row part, column part) pair, row parts outer.

    When the declaration lists row dimensions before column ones (nearly every table),
    a key is the row part's key and the column part's joined, which is ten times faster
    than merging the members of each of a large table's ten thousand pairs.
    """
    row_parts = [_unpack(k) for k in row_keys]
    col_parts = [_unpack(k) for k in col_keys]
    names = [n for n, _c in row_parts[0]] + [n for n, _c in col_parts[0]]
    if names == order:
        rows = [dim_key([n for n, _c in p], tuple(c for _n, c in p)) for p in row_parts]
        cols = [dim_key([n for n, _c in p], tuple(c for _n, c in p)) for p in col_parts]
        return [f"{r};{c}" if r and c else r or c for r in rows for c in cols]
    return [
        dim_key(order, tuple({**dict(rp), **dict(cp)}[n] for n in order))
        for rp in row_parts for cp in col_parts
    ]  # fmt: skip


def _categorical(labels: list[str], spread) -> pd.Categorical:
    codes, uniques = pd.factorize(np.array(labels, dtype=object))
    codes = _smallest(codes, len(uniques))  # spread to a million rows: int8 is 1 MB, not 8
    return pd.Categorical.from_codes(spread(codes), categories=pd.Index(uniques, dtype=str))


def _smallest(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """The codes in the integer type pandas would store them in for that many categories."""
    for kind in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(kind).max:
            return codes.astype(kind, copy=False)
    return codes


def _part_keys(names: list[str], members: list[tuple[str, ...]]):
    """(sorted distinct part keys, each item's index among them), like np.unique with
    return_inverse, but keying each distinct member combination once, not every row."""
    key_of = {m: _part_key(dict(zip(names, m, strict=True))) for m in dict.fromkeys(members)}
    keys = sorted(set(key_of.values()))
    position = {key: i for i, key in enumerate(keys)}
    codes = np.array([position[key_of[m]] for m in members], dtype=np.int64)
    return keys, codes


def _part_key(part: dict[str, str]) -> str:
    return "\x1f".join(f"{k}\x1e{v}" for k, v in part.items())


def _unpack(key: str) -> list[tuple[str, str]]:
    return [tuple(item.split("\x1e")) for item in key.split("\x1f")] if key else []


_NUMBERS_ONLY = ("floating", "integer", "mixed-integer-float")  # pandas' infer_dtype


def _as_numbers(raw: np.ndarray) -> np.ndarray:
    """The cells as float64, NaN where they are not plain numbers (the caller reads those
    one distinct text at a time, with parse_cell).

    A block holding only numbers (most .xlsx files) is converted directly, which gives the
    same floats as pd.to_numeric at a fraction of the cost; a block of text only (a CSV)
    is parsed by Arrow; a mix of both goes through pd.to_numeric.
    """
    raw = np.asarray(raw, dtype=object)
    kind = pd.api.types.infer_dtype(raw, skipna=False)
    if kind in _NUMBERS_ONLY:
        return raw.astype(np.float64)
    if kind == "string":
        with contextlib.suppress(pa.ArrowException, UnicodeError):  # e.g. a lone surrogate
            return _text_as_numbers(raw)
    series = pd.Series(raw, dtype=object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, copy=True)


# A decimal number as pandas reads one, with the ASCII white space it skips around it.
_PLAIN_NUMBER = f"^{PLAIN_DECIMAL}$"
_ASCII_SPACE = " \t\n\v\f\r"


def _text_as_numbers(texts: np.ndarray) -> np.ndarray:
    """Text cells as float64 where each is a plain decimal number, else NaN: the cells
    pd.to_numeric(errors="coerce") reads, each the float nearest its text (pandas is a unit
    in the last place off on some long numbers written with a '+'). On the 7.8 million
    cells of a 50 MB CSV: 0.9 s and 250 MB at most, against 3.3 s and 500 MB."""
    text = pc.utf8_trim(pa.array(texts, type=pa.string()), characters=_ASCII_SPACE)
    plain = pc.match_substring_regex(text, _PLAIN_NUMBER)
    numbers = pc.cast(pc.if_else(plain, text, pa.scalar(None, pa.string())), pa.float64())
    return numbers.to_numpy(zero_copy_only=False, writable=True)  # the caller fills it in


def not_a_number(cell: object, sheet: str, row: int, column: str) -> Problem:
    """A cell that is neither a figure nor a yearbook symbol, where the liaison sees it."""
    return error(
        "not_a_number",
        f"«{cell}» عدد یا علامت مجاز سالنامه نیست؛ عدد یا یکی از علامت‌های - ... × "
        "×× // * ** را بنویسید.",
        f"'{cell}' is not a number or a yearbook symbol; type the figure, or one "
        "of - ... × ×× // * ** if there is none.",
        sheet=sheet,
        row=row,
        column=column,
        value=str(cell),
    )


def parse_values(raw: np.ndarray, layout: Layout, row_index: np.ndarray):
    """Numbers and flags of the raw cells; text that is neither is reported with its cell."""
    if raw.dtype == np.float64:  # typed already (a large sheet): NaN is an empty cell
        no_flags = np.full(len(raw), -1, dtype=np.int8)  # codes in FLAGS; -1: no flag
        return raw.copy(), pd.Categorical.from_codes(no_flags, dtype=FLAGS), []
    flags = np.full(len(raw), None, dtype=object)
    numbers = _as_numbers(raw)
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
            row = int(row_index[position % n_rows]) + 1
            problems.append(not_a_number(cell, layout.sheet.name, row, column_letter(column.index)))
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
    return numbers, pd.Categorical(flags, dtype=FLAGS), problems
