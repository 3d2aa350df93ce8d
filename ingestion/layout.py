"""Where a table sits in a sheet: its header, its label columns, its value columns and rows.

Liaisons put title rows above the header, merge header cells, repeat or leave out row
labels, add a source line below. The declaration says what the table must hold, so the
layout is found by matching against it, not by fixed positions:

- the first data row is the first row that names a place or a row member and has a
  number (or a yearbook symbol) to its right;
- the header is the block of rows just above it whose column texts (merged cells spread
  over their span) best match the declared measure x column-member combinations;
- each data row is read as place + row members, carried down where left blank.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingestion.large_sheets import WholeSheetNeeded
from ingestion.places import Places, bare_names
from ingestion.problems import Problem, column_letter, error, note, warning
from ingestion.readers import Sheet
from salnameh.declarations import TableDecl
from salnameh.persian import NumberFormatError, canonical_text, name_key, parse_cell
from salnameh.reference import Reference

MAX_HEADER_ROWS = 5
SEARCH_ROWS = 60  # the first data row is looked for this far down
LABEL_COLUMNS = 5  # labels (place, row members, a row number) sit in the first columns
MAX_ROW_PROBLEMS = 150  # past this a file is wrong throughout; more lines help nobody
FOOTER_PREFIXES = tuple(name_key(p) for p in ("مأخذ", "ماخذ", "منبع", "توضیح", "source", "note"))


@dataclass(frozen=True)
class ValueColumn:
    index: int
    measure: str
    members: tuple[str, ...]  # codes of the column dimensions, in declared order


@dataclass(frozen=True)
class DataRows:
    """The data rows, as columns: a large table has tens of thousands of them, and three
    lists are built (and read by the values step) far faster than an object per row."""

    index: list[int]  # 0-based sheet rows
    geo: list[str]
    members: list[tuple[str, ...]]  # codes of the row dimensions, in declared order

    def __len__(self) -> int:
        return len(self.index)


NO_ROWS = DataRows([], [], [])


@dataclass
class Layout:
    sheet: Sheet
    columns: list[ValueColumn]
    rows: DataRows
    problems: list[Problem] = field(default_factory=list)
    # The cells of `columns` in every row of the sheet (rows x columns, '' past a row's
    # end), gathered once while finding the rows, so the values are not read cell by cell
    # again. None for a layout made by hand: the values step then gathers them itself.
    value_cells: np.ndarray | None = None


class TableShape:
    """What the declaration expects a sheet to hold, with every accepted spelling."""

    def __init__(self, table: TableDecl, reference: Reference, year: int) -> None:
        self.table = table
        self.places = Places(reference, table.geography, year)
        # Messages name a dimension by its title, never its list id.
        self.list_titles = reference.code_list_titles
        self.row_dims = table.row_dimensions
        self.col_dims = table.column_dimensions
        self.row_members = [reference.members(d.code_list, d.members) for d in self.row_dims]
        col_members = [reference.members(d.code_list, d.members) for d in self.col_dims]
        self.row_keys = [label_index(codes) for codes in self.row_members]
        # Every measure x column-member combination, keyed by its joined header text.
        self.columns: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.column_titles: dict[tuple[str, tuple[str, ...]], str] = {}
        single = len(table.measures) == 1
        for measure in table.measures:
            for combo in itertools.product(*col_members):
                target = (measure.id, tuple(c.code for c in combo))
                fa = [measure.title.fa, *(c.label_fa for c in combo)]
                en = [measure.title.en, *(c.label_en for c in combo)]
                self.column_titles[target] = " - ".join(fa)
                spellings = [fa, en]
                if single and combo:  # one measure: its title row is often left out
                    spellings += [fa[1:], en[1:]]
                for parts in spellings:
                    self.columns.setdefault(name_key("".join(parts)), target)
        self.known_geos = {g.code for g in self.places.expected}
        member_codes = [[c.code for c in codes] for codes in self.row_members]
        self.member_combos = list(itertools.product(*member_codes))  # in form order

    def missing_rows(self, seen) -> list[tuple[str, tuple[str, ...]]]:
        """The expected (place, members) keys not among the distinct keys `seen`, in form
        order. Counted first, as nearly every file has them all: the list of every expected
        key (places x member combinations, 55,000 tuples for a large table) is then never
        built, nor left for the garbage collector to walk through."""
        combos = frozenset(self.member_combos)
        geos = self.known_geos
        found = sum(1 for geo, members in seen if geo in geos and members in combos)
        if found == len(geos) * len(combos):
            return []
        return [
            (geo.code, combo)
            for geo in self.places.expected
            for combo in self.member_combos
            if (geo.code, combo) not in seen
        ]

    def row_label(self, members: tuple[str, ...]) -> tuple[str, str]:
        fa, en = [], []
        for codes, code in zip(self.row_members, members, strict=True):
            found = next(c for c in codes if c.code == code)
            fa.append(found.label_fa)
            en.append(found.label_en)
        return " - ".join(fa), " - ".join(en)


def label_index(codes) -> dict[str, str]:
    """name_key of each code's Persian and English labels and of the code -> the code."""
    index = {}
    for code in codes:
        for text in (code.label_fa, code.label_en, code.code):
            index.setdefault(name_key(text), code.code)
    return index


@functools.lru_cache(maxsize=65536)
def _cached_key(text: str) -> str:
    return name_key(text)


def _label_key(value: object) -> str:
    """name_key of a row label; labels repeat down a sheet, so keys are computed once."""
    return _cached_key(str(value))


def is_number_or_symbol(value: object) -> bool:
    """A figure or a yearbook symbol: what a value cell holds."""
    if value == "" or value is None:
        return False
    try:
        number, flag = parse_cell(value)
    except NumberFormatError:
        return False
    return number is not None or flag is not None


def _cell(row: list[object], col: int) -> object:
    return row[col] if col < len(row) else ""


def _row(sheet: Sheet, index: int) -> list[object]:
    """One row of the sheet ([] below its last row)."""
    if not sheet.in_parts:
        return sheet.cells[index] if index < len(sheet.cells) else []
    found = sheet.rows(index, index + 1)
    return found[0] if found else []


def _column_has_data(sheet: Sheet, col: int, first: int) -> bool:
    if any(_cell(row, col) != "" for row in sheet.cells[first:]):
        return True
    return sheet.in_parts and sheet.body.has_data(col)


def find_layout(sheet: Sheet, shape: TableShape) -> Layout | list[Problem]:
    """The table's layout in the sheet, or the problems that say why none was found.

    A sheet read in two parts (Sheet.body) gives a layout only if it reads cleanly, and
    raises WholeSheetNeeded otherwise: its problems are told from a whole read.
    """
    if sheet.in_parts and (sheet.uncomputed_formulas or not sheet.body.clean):
        raise WholeSheetNeeded("formulas without values, or cells of mixed types")
    last_formula: dict[int, int] = {}  # row -> rightmost never-calculated formula in it
    for r, c in sheet.uncomputed_formulas:
        last_formula[r] = max(c, last_formula.get(r, -1))
    first = _first_data_row(sheet.rows(0, SEARCH_ROWS), shape, last_formula)
    if first is None:
        if sheet.in_parts:
            raise WholeSheetNeeded("no table in the head")
        return [
            error(
                "no_table_found",
                "ردیف داده‌ای با نام شهرستان یا «کل استان» و عدد پیدا نشد. ستون اول هر ردیف "
                "باید نام شهرستان (یا کل استان) باشد.",
                f"No data row was found: no row within the first {SEARCH_ROWS} names a "
                "county (or the province total) with figures beside it. The first column "
                "of each row should hold the county name or 'کل استان'.",
                sheet=sheet.name,
            )
        ]
    first_row, label_cols = first
    columns, header_problems = _match_header(sheet, first_row, label_cols, shape)
    if sheet.in_parts and header_problems:
        raise WholeSheetNeeded("the header has problems")
    if not columns:
        return header_problems
    value_start = min(c.index for c in columns)
    roles = _label_roles(sheet.rows(first_row, first_row + 400), value_start, shape)
    if sheet.in_parts:
        return _layout_in_parts(sheet, first_row, roles, columns, shape)
    cells = sheet.cells
    # Label and value cells are gathered together, once: the rows are read from these.
    block = cell_block(cells, [*roles, *(c.index for c in columns)])
    labels, value_cells = block[first_row:, : len(roles)], block[:, len(roles) :]
    has_values = (value_cells[first_row:] != "").any(axis=1)
    rows, row_problems = _data_rows(sheet, first_row, roles, shape, labels, has_values)
    return Layout(sheet, columns, rows, header_problems + row_problems, value_cells)


def _layout_in_parts(sheet: Sheet, first: int, roles: dict[int, int],
                     columns: list[ValueColumn], shape: TableShape) -> Layout:  # fmt: skip
    """The rows of a sheet read in two parts, from the head's cells and the body's typed
    columns. Figures that are all numbers stay float64 from the reader to the values;
    text among them (a symbol, a typo) makes them cells like a whole read's."""
    body, head = sheet.body, sheet.body.start
    label_cols, value_cols = list(roles), [c.index for c in columns]
    head_block = _block(sheet.cells[first:head], [*label_cols, *value_cols])
    head_cells = head_block[:, len(label_cols) :]
    labels = np.vstack([
        head_block[:, : len(label_cols)],
        _columns([body.text_column(c) for c in label_cols], body.n_rows)[max(first - head, 0):],
    ])  # fmt: skip
    figures = [body.figures(c) for c in value_cols]
    numbers = _columns([numbers for numbers, _texts in figures], body.n_rows)
    above = min(first, head)  # rows above the table: no figures
    head_numbers = _figures(head_cells)
    if head_numbers is not None and not any(texts for _numbers, texts in figures):
        value_cells = np.vstack([np.full((above, len(value_cols)), np.nan), head_numbers,
                                 numbers])  # fmt: skip
        has_values = ~np.isnan(value_cells[first:]).all(axis=1)
    else:
        cells = numbers.astype(object)
        cells[np.isnan(numbers)] = ""
        for k, (_numbers, texts) in enumerate(figures):
            for row, text in texts.items():
                cells[row, k] = text
        value_cells = np.vstack([np.full((above, len(value_cols)), "", dtype=object),
                                 head_cells, cells])  # fmt: skip
        has_values = (value_cells[first:] != "").any(axis=1)
    rows, problems = _data_rows(sheet, first, roles, shape, labels, has_values)
    return Layout(sheet, columns, rows, problems, value_cells)


def _block(rows: list[list[object]], cols: list[int]) -> np.ndarray:
    return cell_block(rows, cols) if rows else np.empty((0, len(cols)), dtype=object)


def _columns(arrays: list[np.ndarray], n_rows: int) -> np.ndarray:
    return np.column_stack(arrays) if arrays else np.empty((n_rows, 0), dtype=object)


def _figures(block: np.ndarray) -> np.ndarray | None:
    """The cells as float64, NaN where empty; None if any is text, a date or True."""
    cells = block.ravel().tolist()
    found = np.empty(len(cells))
    for i, cell in enumerate(cells):
        kind = type(cell)
        if kind is float or kind is int:
            found[i] = cell
        elif kind is str and cell == "":
            found[i] = np.nan
        else:
            return None
    return found.reshape(block.shape)


def cell_block(cells: list[list[object]], cols: list[int]) -> np.ndarray:
    """The cells of these columns in every row, as a rows x columns object array ('' where
    a row is too short). Taken by numpy from rows of one length (calamine gives those),
    else row by row with itemgetter, which takes a row's cells in one call."""
    if not cols:
        return np.empty((len(cells), 0), dtype=object)
    width = max(cols) + 1
    lengths = set(map(len, cells))
    if len(lengths) == 1 and min(lengths) >= width:
        return np.array(cells, dtype=object)[:, cols]
    pick = operator.itemgetter(*cols)
    picked = [
        pick(row) if len(row) >= width else pick([*row, *[""] * (width - len(row))])
        for row in cells
    ]
    if len(cols) == 1:  # itemgetter of one index gives the cell, not a tuple
        picked = [(cell,) for cell in picked]
    return np.array(picked, dtype=object).reshape(len(cells), len(cols))


def _first_data_row(rows, shape: TableShape, last_formula=None) -> tuple[int, int] | None:
    """(row index, last label column) of the first row that names a place or member.

    A never-calculated formula counts as a figure here: its row is a data row (reported
    as formula_without_value), not a header row, nor a missing row. Found by the
    reliability corpus: a province row of uncalculated =SUM() formulas was otherwise
    taken into the header and reported as 'Province total is missing'.
    """
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        for col in range(min(LABEL_COLUMNS, len(row))):
            value = row[col]
            if value == "" or not _is_label(value, shape):
                continue
            if any(is_number_or_symbol(v) for v in row[col + 1 :]):
                return index, col
            if last_formula and last_formula.get(index, -1) > col:
                return index, col
    return None


def _is_label(value: object, shape: TableShape) -> bool:
    if isinstance(value, float) and not shape.places.match(value).known:
        return False
    if shape.places.match(value).known:
        return True
    key = name_key(str(value))
    return any(key in keys for keys in shape.row_keys)


def _header_texts(sheet: Sheet, rows: list[int], width: int) -> list[str]:
    """Each column's header text: its cells top to bottom, merged cells spread out."""
    row_of = {r: _row(sheet, r) for r in rows}  # each row taken once (a body row is built)
    grid = {(r, c): _cell(row_of[r], c) for r in rows for c in range(width)}
    for r0, c0, r1, c1 in sheet.merges:
        top_left = _cell(_row(sheet, r0), c0)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) in grid and grid[(r, c)] == "":
                    grid[(r, c)] = top_left
    if not sheet.merges:
        # No merge information (CSV, or centred by hand): a parent header cell covers the
        # empty cells to its right, on every header row but the last.
        for r in rows[:-1]:
            carried = ""
            for c in range(width):
                if grid[(r, c)] != "":
                    carried = grid[(r, c)]
                elif any(grid[(r2, c)] != "" for r2 in rows if r2 > r):
                    grid[(r, c)] = carried
    texts = []
    for c in range(width):
        parts = [str(grid[(r, c)]) for r in rows if str(grid[(r, c)]).strip()]
        texts.append(" - ".join(canonical_text(p) for p in parts))
    return texts


def _match_column(text: str, shape: TableShape):
    key = name_key(text)
    if key in shape.columns:
        return shape.columns[key]
    # Our forms print the English under the Persian, in brackets: "دانش‌آموز (Students)".
    glossless = name_key(" - ".join(_without_gloss(part) for part in text.split(" - ")))
    if glossless in shape.columns:
        return shape.columns[glossless]
    # "دانش‌آموز (نفر)": a unit in brackets is not part of the title.
    stripped = name_key(re.sub(r"\([^)]*\)", "", text))
    return shape.columns.get(stripped)


def _without_gloss(part: str) -> str:
    """The header text without a final bracketed group holding no Persian letter (an
    English gloss), brackets inside it included: 'CNG (Compressed natural gas (CNG))'."""
    part = part.rstrip()
    if not part.endswith(")"):
        return part
    depth = 0
    for i in range(len(part) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(part[i], 0)
        if depth == 0:
            gloss = part[i:]
            return part[:i] if not any("\u0600" <= ch <= "\u06ff" for ch in gloss) else part
    return part


def _match_header(sheet: Sheet, first: int, label_col: int, shape: TableShape):
    width = max((len(r) for r in sheet.rows(first, first + 50)), default=0)
    rows_above = sheet.rows(0, first)
    above = [r for r in range(first - 1, -1, -1) if any(v != "" for v in rows_above[r])]
    best: tuple[int, list[ValueColumn], list[str]] | None = None
    for depth in range(1, min(MAX_HEADER_ROWS, len(above)) + 1):
        rows = sorted(above[:depth])
        texts = _header_texts(sheet, rows, width)
        found = []
        for col in range(label_col + 1, width):
            target = _match_column(texts[col], shape)
            if target:
                found.append(ValueColumn(col, target[0], target[1]))
        if best is None or len(found) > len(best[1]):
            best = (depth, found, texts)
    if best is None or not best[1]:
        expected = "، ".join(list(shape.column_titles.values())[:4])
        return [], [
            error(
                "header_not_found",
                f"سطر عنوان ستون‌ها شناخته نشد. عنوان ستون‌ها باید مانند فرم باشد، مثلاً: {expected}",
                "The column headings were not recognised. They must be those of the form, "
                f"for example: {' | '.join(list(shape.column_titles.values())[:4])}",
                sheet=sheet.name,
                row=first,
            )
        ]
    _depth, columns, texts = best
    problems = []
    seen: dict[tuple, int] = {}
    kept = []
    for column in columns:
        target = (column.measure, column.members)
        if target in seen:
            problems.append(
                error(
                    "duplicate_column",
                    f"ستون «{texts[column.index]}» دو بار آمده است (ستون‌های "
                    f"{column_letter(seen[target])} و {column_letter(column.index)}).",
                    f"The column '{texts[column.index]}' appears twice (columns "
                    f"{column_letter(seen[target])} and {column_letter(column.index)}); "
                    "keep one.",
                    sheet=sheet.name,
                    column=column_letter(column.index),
                )
            )
            continue
        seen[target] = column.index
        kept.append(column)
    matched = {c.index for c in columns}
    first_value = min(matched)
    for col in range(first_value, width):
        if col in matched:
            continue
        if texts[col] or _column_has_data(sheet, col, first):
            problems.append(
                error(
                    "unknown_column",
                    f"ستون {column_letter(col)} («{texts[col] or 'بدون عنوان'}») در این جدول "
                    "تعریف نشده است؛ ستون اضافه را حذف یا عنوان آن را مطابق فرم کنید.",
                    f"Column {column_letter(col)} ('{texts[col] or 'no heading'}') is not a "
                    "column of this table; delete it or give it the form's heading.",
                    sheet=sheet.name,
                    column=column_letter(col),
                )
            )
    for target, title in shape.column_titles.items():
        if target not in seen:
            problems.append(
                error(
                    "missing_column",
                    f"ستون «{title}» در فایل نیست؛ آن را مطابق فرم اضافه کنید.",
                    f"The column '{title}' is missing; add it as in the form.",
                    sheet=sheet.name,
                )
            )
    return kept, problems


def _label_roles(sample, value_start: int, shape: TableShape) -> dict[int, int]:
    """Label column -> role: -1 for the place, i for the i-th row dimension.

    Decided by which kind of label most of the column's cells (of the first 400 data
    rows, `sample`) are.
    """
    roles: dict[int, int] = {}
    for col in range(value_start):
        votes = {-1: 0, **{i: 0 for i in range(len(shape.row_keys))}}
        for row in sample:
            value = _cell(row, col)
            if value == "":
                continue
            if shape.places.match(value).known:
                votes[-1] += 1
            key = name_key(str(value))
            for i, keys in enumerate(shape.row_keys):
                if key in keys:
                    votes[i] += 1
        role, count = max(votes.items(), key=lambda item: item[1])
        if count and role not in roles.values():
            roles[col] = role
    return roles


def _data_rows(sheet: Sheet, first: int, roles: dict[int, int], shape: TableShape,
               labels: np.ndarray, has_values: np.ndarray):  # fmt: skip
    """The data rows from `first` down; `labels` holds the cells of the `roles` columns of
    those rows, `has_values` whether each of them has a figure (or text) to read."""
    place_col = next((c for c, role in roles.items() if role == -1), None)
    if place_col is None and shape.table.geography == "county":
        return NO_ROWS, [
            error(
                "no_place_column",
                "ستون نام شهرستان پیدا نشد.",
                "No column of county names was found; the first column must name the county.",
                sheet=sheet.name,
            )
        ]
    dim_cols = {role: c for c, role in roles.items() if role >= 0}
    for i in range(len(shape.row_dims)):
        if i not in dim_cols:
            list_id = shape.row_dims[i].code_list
            title_fa, title_en = shape.list_titles.get(list_id, (list_id, list_id))
            return NO_ROWS, [
                error(
                    "no_row_label_column",
                    f"ستون «{title_fa}» پیدا نشد.",
                    f"No column holds the row labels of '{title_en}'.",
                    sheet=sheet.name,
                )
            ]
    below = _RowsBelow(
        has_values=has_values,
        labels=labels,
        label_cols=list(roles),
        place_col=place_col,
        dim_cols=dim_cols,
    )
    found = _rows_in_bulk(sheet, first, below, shape)
    if found is not None:
        rows, seen = found
        problems: list[Problem] = []
    elif sheet.in_parts:
        raise WholeSheetNeeded("a row that must be read on its own")
    else:
        rows, seen, problems = _rows_one_by_one(sheet, first, below, shape)
    for key in shape.missing_rows(seen):
        name_fa, name_en = _row_names(key, shape)
        problems.append(
            error(
                "missing_row",
                f"ردیف «{name_fa}» در فایل نیست؛ همه شهرستان‌ها و ردیف‌های فرم باید باشند "
                "(اگر رقمی ندارد، علامت - یا ... بگذارید).",
                f"The row for '{name_en}' is missing. Every row of the form must be "
                "present; where there is no figure, type - (not collected) or ... "
                "(not available).",
                sheet=sheet.name,
            )
        )
    hidden = sorted(r + 1 for r in sheet.hidden_rows if r >= first)
    if hidden:
        problems.append(
            warning(
                "hidden_rows",
                f"ردیف‌های پنهان ({', '.join(map(str, hidden[:10]))}) هم خوانده شدند.",
                f"Hidden rows ({', '.join(map(str, hidden[:10]))}) were read like the others; "
                "unhide them to check their figures.",
                sheet=sheet.name,
            )
        )
    return rows, problems


@dataclass
class _RowsBelow:
    """The rows from the first data row down, as the row readers need them."""

    has_values: np.ndarray  # per row: a figure (or any text) in a value column
    labels: np.ndarray  # per row, the cells of the label columns (rows x label_cols)
    label_cols: list[int]  # sheet columns of `labels`, in order
    place_col: int | None
    dim_cols: dict[int, int]  # row dimension -> its sheet column

    def label_column(self, col: int) -> np.ndarray:
        return self.labels[:, self.label_cols.index(col)]


_RESTART = object()  # a new place: the row members carried down so far no longer apply


def _rows_in_bulk(sheet: Sheet, first: int, below: _RowsBelow, shape: TableShape):
    """(rows, the (place, members) keys seen) of a sheet that reads cleanly, worked out a
    column at a time; None when some row needs `_rows_one_by_one`, which also says what is
    wrong with it.

    Clean means: every row is blank, a source line or footnote, or has figures; every label
    names a place of that year or a member of its column; every data row ends up with a
    place and all its members (carried down from above where left blank) and no two share
    them. For such a sheet the row-by-row reading reports nothing and gives exactly these
    rows, in sheet order. Most files are clean, and a million-value one has tens of
    thousands of rows.
    """
    blank = (below.labels == "").all(axis=1)
    for k in np.flatnonzero(~below.has_values & ~blank):  # labels without figures
        first_text = next((str(v) for v in _row(sheet, first + k) if v != ""), "")
        if not _is_footer(first_text):
            return None  # a subheading or a stray line: the row reader decides
    data = np.flatnonzero(below.has_values)
    if below.place_col is None:
        geos = np.full(len(data), shape.places.province_code, dtype=object)
        new_place = np.zeros(len(data), dtype=bool)
    else:
        cells = below.label_column(below.place_col)[data]
        new_place = cells != ""
        named = _each_distinct(cells, lambda label: shape.places.match(label).code)
        if pd.isna(named[new_place]).any():
            return None  # not a place of that year
        geos = _carried_down(np.where(new_place, named, None))
        if geos is None:
            return None
    members: dict[int, np.ndarray] = {}  # row dimension -> its code in each data row
    for i, col in below.dim_cols.items():
        keys = shape.row_keys[i]
        cells = below.label_column(col)[data]
        given = cells != ""
        codes = _each_distinct(cells, lambda label, keys=keys: keys.get(_label_key(label)))
        if pd.isna(codes[given]).any():
            return None  # not a member of this column
        # Members restart under a new place: a blank member there takes nothing from above.
        carried = _carried_down(np.where(given, codes, np.where(new_place, _RESTART, None)))
        if carried is None or (carried == _RESTART).any():
            return None
        members[i] = carried
    ordered = [members[i].tolist() for i in range(len(shape.row_dims))]  # declared order
    row_members = list(zip(*ordered, strict=True)) if ordered else [()] * len(data)
    geo_list = geos.tolist()
    seen = set(zip(geo_list, row_members, strict=True))
    if len(seen) != len(data):
        return None  # a duplicate row
    return DataRows((data + first).tolist(), geo_list, row_members), seen


def _each_distinct(cells: np.ndarray, resolve) -> np.ndarray:
    """resolve(cell) for every cell, called once per distinct cell (labels repeat down a
    sheet). Text only: pd.factorize would take True, 1 and 1.0 for the same value."""
    if pd.api.types.infer_dtype(cells, skipna=False) != "string":
        return np.array([resolve(cell) for cell in cells], dtype=object)
    codes, distinct = pd.factorize(cells)
    return np.array([resolve(cell) for cell in distinct], dtype=object)[codes]


def _carried_down(codes: np.ndarray) -> np.ndarray | None:
    """Each None replaced by the code above it; None if a row has nothing above to take."""
    carried = pd.Series(codes, dtype=object).ffill()
    if carried.isna().any():
        return None
    return carried.to_numpy()


def _rows_one_by_one(sheet: Sheet, first: int, below: _RowsBelow, shape: TableShape):
    """(rows, keys seen, problems): each row read in turn, with every problem it has."""
    problems: list[Problem] = []
    indexes: list[int] = []
    geos: list[str] = []
    members: list[tuple[str, ...]] = []
    place_col, dim_cols = below.place_col, below.dim_cols
    has_values_of = below.has_values.tolist()
    labels_of = below.labels.tolist()
    place_at = below.label_cols.index(place_col) if place_col is not None else None
    dims_at = {i: (col, below.label_cols.index(col)) for i, col in dim_cols.items()}
    current_geo = None if place_col is not None else shape.places.province_code
    current = [None] * len(shape.row_dims)
    seen: dict[tuple, int] = {}
    for index in range(first, len(sheet.cells)):
        if len(problems) >= MAX_ROW_PROBLEMS:
            problems.append(_stopped_early(sheet, index, len(sheet.cells)))
            break
        has_values = has_values_of[index - first]
        labels = labels_of[index - first]
        if not has_values and all(v == "" for v in labels):
            continue
        first_text = ""
        if not has_values:  # only a row without figures can be a footer or a stray line
            first_text = next((str(v) for v in sheet.cells[index] if v != ""), "")
            if _is_footer(first_text):
                continue  # source line or footnote under the table
        where = {"sheet": sheet.name, "row": index + 1}
        bad = False
        if place_at is not None and labels[place_at] != "":
            label = labels[place_at]
            match = shape.places.match(label)
            if match.code is None:
                bad = True
                if not has_values and not match.known:
                    problems.append(_ignored_line(first_text, where))
                    continue
                problems.append(_bad_place(label, match, place_col, where, shape))
            current_geo = match.code
            current = [None] * len(shape.row_dims)  # members restart under a new place
        for i, (col, at) in dims_at.items():
            value = labels[at]
            if value == "":
                continue
            code = shape.row_keys[i].get(_label_key(value))
            if code is None:
                bad = True
                if not has_values:
                    problems.append(_ignored_line(first_text, where))
                    break
                problems.append(_unknown_member(value, shape, i, col, where))
            current[i] = code
        if bad:
            continue
        if current_geo is None or any(c is None for c in current):
            problems.append(
                error(
                    "missing_row_label",
                    "این ردیف نام شهرستان یا برچسب ردیف ندارد.",
                    "This row has figures but no county name or row label; fill in the label.",
                    **where,
                )
            )
            continue
        key = (current_geo, tuple(current))
        if key in seen:
            name_fa, name_en = _row_names(key, shape)
            problems.append(
                error(
                    "duplicate_row",
                    f"ردیف «{name_fa}» دو بار آمده است (ردیف‌های {seen[key] + 1} و {index + 1}).",
                    f"The row '{name_en}' appears twice (rows {seen[key] + 1} and "
                    f"{index + 1}); keep one.",
                    **where,
                )
            )
            continue
        seen[key] = index
        indexes.append(index)
        geos.append(current_geo)
        members.append(tuple(current))
    return DataRows(indexes, geos, members), seen, problems


def _is_footer(text: str) -> bool:
    return name_key(text).startswith(FOOTER_PREFIXES) or text.strip().startswith("*")


def _stopped_early(sheet: Sheet, index: int, total: int) -> Problem:
    return error(
        "too_many_problems",
        f"بیش از {MAX_ROW_PROBLEMS} ردیف مشکل دارد؛ بررسی از ردیف {index + 1} به بعد "
        f"({total - index} ردیف) متوقف شد. آیا فایل درست است؟",
        f"More than {MAX_ROW_PROBLEMS} rows have problems, so checking stopped at row "
        f"{index + 1} ({total - index} rows left unchecked). Is this the right file for "
        "this table?",
        sheet=sheet.name,
        row=index + 1,
    )


def _row_names(key: tuple[str, tuple[str, ...]], shape: TableShape) -> tuple[str, str]:
    geo_fa, geo_en = shape.places.names(key[0])
    if not key[1]:
        return geo_fa, geo_en
    fa, en = shape.row_label(key[1])
    return f"{geo_fa} - {fa}", f"{geo_en} - {en}"


def _bad_place(label, match, col: int, where: dict, shape: TableShape) -> Problem:
    text = canonical_text(str(label))
    if match.known:
        return error("place_not_valid", match.fa, match.en, column=column_letter(col),
                     value=text, **where)  # fmt: skip
    province_fa, province_en = bare_names(shape.places.province)
    return error(
        "unknown_place",
        f"«{text}» نام یا کد شهرستانی از استان {province_fa} نیست.",
        f"'{text}' is not the name or SCI code of a county of {province_en} province.",
        column=column_letter(col),
        value=text,
        **where,
    )


def _unknown_member(value, shape: TableShape, i: int, col: int, where: dict) -> Problem:
    text = canonical_text(str(value))
    allowed = "، ".join(c.label_fa for c in shape.row_members[i])
    return error(
        "unknown_row_label",
        f"«{text}» از برچسب‌های مجاز این ستون نیست: {allowed}",
        f"'{text}' is not one of this column's labels: "
        f"{', '.join(c.label_en for c in shape.row_members[i])}",
        column=column_letter(col),
        value=text,
        **where,
    )


def _ignored_line(text: str, where: dict) -> Problem:
    return note(
        "ignored_line",
        f"سطر «{text[:60]}» بدون عدد است و کنار گذاشته شد.",
        f"The line '{text[:60]}' has no figures and was left out.",
        **where,
    )
