"""One sheet of a published yearbook workbook, taken apart the way a reader sees it.

A printed table has title lines, a header block (merged cells spanning levels), label
columns on the right (place, then row members), value columns, and lines below it: the
source («مأخذ») and notes. Nothing here knows the catalog: the parts are found by what
the cells hold (text labels beside figures), so `ingestion.drafting` can match them
against the reference seeds afterwards. Every part keeps its cell so a report can say
where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingestion.layout import is_number_or_symbol
from ingestion.problems import Rejected, column_letter
from ingestion.readers import Sheet, read_book
from salnameh.persian import NumberFormatError, canonical_text, name_key, parse_cell

SEARCH_ROWS = 60  # the first data row is looked for this far down
LABEL_COLUMNS = 5  # labels (place, row members) sit in the first columns
MAX_HEADER_ROWS = 6
FOOTER_PREFIXES = tuple(
    name_key(p) for p in ("مأخذ", "ماخذ", "منبع", "توضیح", "یادداشت", "source", "note")
)


class DraftInputError(Exception):
    """The file, the sheet or the table in it cannot be drafted from; says why, twice."""

    def __init__(self, fa: str, en: str) -> None:
        self.fa = fa
        self.en = en
        super().__init__(en)


@dataclass(frozen=True)
class Line:
    """A line of text outside the grid (title or footer) and the cell it was typed in."""

    text: str
    row: int  # 0-based
    col: int


@dataclass
class PrintedTable:
    sheet: str
    title_lines: list[Line]
    header_rows: list[int]
    header: dict[tuple[int, int], str]  # (row, col) -> text, merged cells spread out
    label_cols: list[int]
    value_cols: list[int]
    data_rows: list[int]
    labels: dict[int, list[str]]  # label column -> each data row's label, carried down
    figures: dict[int, list[float | None]]  # value column -> each data row's number
    flags: int  # cells holding a yearbook symbol instead of a number
    footer_lines: list[Line] = field(default_factory=list)

    def address(self, row: int, col: int) -> str:
        return f"{column_letter(col)}{row + 1}"

    def header_text(self, col: int) -> str:
        """A label column's heading: its first header cell with text."""
        return next((self.header[(r, col)] for r in self.header_rows if self.header[(r, col)]), "")


def read_sheet(path: Path, sheet_name: str) -> Sheet:
    """The sheet's cells and merges, read as ingestion reads an upload."""
    if not path.is_file():
        raise DraftInputError(f"فایل {path} پیدا نشد.", f"{path}: no such file.")
    try:
        book = read_book(path.read_bytes(), path.name)
    except Rejected as rejected:
        first = rejected.problems[0]
        raise DraftInputError(first.fa, f"{path.name}: {first.en}") from None
    for sheet in book.sheets:
        if sheet.name == sheet_name or canonical_text(sheet.name) == canonical_text(sheet_name):
            return sheet
    names = ", ".join(repr(s.name) for s in book.sheets)
    raise DraftInputError(
        f"برگه «{sheet_name}» در فایل نیست؛ برگه‌های فایل: {names}",
        f"{path.name} has no sheet {sheet_name!r}; its sheets are: {names}",
    )


def _text(value: object) -> str:
    return canonical_text(value) if isinstance(value, str) else ""


def is_figure(value: object) -> bool:
    """A number or a yearbook symbol, as a form's value cell is judged; a printed table's
    True/False is a label, never a figure."""
    return not isinstance(value, bool) and is_number_or_symbol(value)


def _is_label(value: object) -> bool:
    return bool(_text(value)) and not is_figure(value)


def _cell(rows: list[list[object]], r: int, c: int) -> object:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""


def _blank(row: list[object]) -> bool:
    return all(v == "" or v is None for v in row)


def _first_data_row(rows: list[list[object]]) -> tuple[int, int] | None:
    """(row, first value column) of the first row with a label and a figure right of it."""
    for r, row in enumerate(rows[:SEARCH_ROWS]):
        labels = [c for c, v in enumerate(row[:LABEL_COLUMNS]) if _is_label(v)]
        if not labels:
            continue
        figures = [c for c, v in enumerate(row) if c > labels[0] and is_figure(v)]
        if figures:
            return r, figures[0]
    return None


def _is_footer(text: str) -> bool:
    return name_key(text).startswith(FOOTER_PREFIXES) or text.startswith("*")


def _data_rows(rows: list[list[object]], first: int, value_start: int) -> list[int]:
    found = []
    for r in range(first, len(rows)):
        row = rows[r]
        if _blank(row):
            break
        has_figure = any(is_figure(v) for v in row[value_start:])
        first_text = next((_text(v) for v in row if _text(v)), "")
        if not has_figure and _is_footer(first_text):
            break
        found.append(r)
    return found


def _header_rows(rows: list[list[object]], first: int) -> list[int]:
    """The rows just above the data that hold headings beyond the first column; a title
    line (text in the first column only, maybe merged across) ends the block."""
    found: list[int] = []
    for r in range(first - 1, max(first - 1 - MAX_HEADER_ROWS, -1), -1):
        row = rows[r]
        if _blank(row) or not any(_text(v) or is_figure(v) for v in row[1:]):
            break
        found.insert(0, r)
    return found


def _spread_header(sheet: Sheet, header_rows: list[int], width: int) -> dict:
    rows = sheet.cells
    grid = {(r, c): _text(_cell(rows, r, c)) for r in header_rows for c in range(width)}
    if not header_rows:
        return grid
    for r0, c0, r1, c1 in sheet.merges:
        top_left = _text(_cell(rows, r0, c0))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) in grid and not grid[(r, c)]:
                    grid[(r, c)] = top_left
    if not sheet.merges:
        # No merge information (a CSV, or centred by hand): a heading covers the empty
        # cells to its right, on every header row but the last.
        for r in header_rows[:-1]:
            carried = ""
            for c in range(width):
                if grid[(r, c)]:
                    carried = grid[(r, c)]
                elif any(grid[(r2, c)] for r2 in header_rows if r2 > r):
                    grid[(r, c)] = carried
    return grid


def _carried_labels(rows, data_rows: list[int], label_cols: list[int]) -> dict[int, list[str]]:
    """Each label column's label on every data row; a blank repeats the label above, and a
    new label in an outer column starts the inner ones afresh."""
    labels: dict[int, list[str]] = {c: [] for c in label_cols}
    current = dict.fromkeys(label_cols, "")
    for r in data_rows:
        for i, c in enumerate(label_cols):
            text = _text(_cell(rows, r, c)) or ("" if is_figure(_cell(rows, r, c)) else current[c])
            if text != current[c]:
                for inner in label_cols[i + 1 :]:
                    current[inner] = ""
            current[c] = text
        for c in label_cols:
            labels[c].append(current[c])
    return labels


def _number(value: object) -> tuple[float | None, bool]:
    """A value cell's number, and whether it held a yearbook symbol instead."""
    try:
        number, flag = parse_cell(value)
    except NumberFormatError:
        return None, False
    return number, flag is not None


def _lines(rows, indexes) -> list[Line]:
    found = []
    for r in indexes:
        row = rows[r] if r < len(rows) else []
        texts = [(c, _text(v)) for c, v in enumerate(row) if _text(v)]
        if texts:
            found.append(Line(" ".join(t for _c, t in texts), r, texts[0][0]))
    return found


def printed_table(sheet: Sheet) -> PrintedTable:
    """The parts of the table on a sheet; raises DraftInputError if there is no table."""
    rows = sheet.cells
    start = _first_data_row(rows)
    if start is None:
        raise DraftInputError(
            f"در برگه «{sheet.name}» جدولی (برچسب ردیف با رقم در کنار آن) پیدا نشد.",
            f"sheet {sheet.name!r} holds no table: no row with a label and a figure beside it "
            f"in its first {SEARCH_ROWS} rows.",
        )
    first, value_start = start
    data_rows = _data_rows(rows, first, value_start)
    header_rows = _header_rows(rows, first)
    width = max(len(rows[r]) for r in [*header_rows, *data_rows])
    value_cols = [
        c for c in range(value_start, width) if any(is_figure(_cell(rows, r, c)) for r in data_rows)
    ]
    label_cols = [
        c
        for c in range(value_start)
        if any(_text(_cell(rows, r, c)) for r in [*header_rows, *data_rows])
    ]
    header = _spread_header(sheet, header_rows, width)
    figures: dict[int, list[float | None]] = {c: [] for c in value_cols}
    flags = 0
    for r in data_rows:
        for c in value_cols:
            number, flagged = _number(_cell(rows, r, c))
            figures[c].append(number)
            flags += flagged
    title_end = header_rows[0] if header_rows else first
    footer_start = data_rows[-1] + 1
    return PrintedTable(
        sheet=sheet.name,
        title_lines=_lines(rows, range(title_end)),
        header_rows=header_rows,
        header=header,
        label_cols=label_cols,
        value_cols=value_cols,
        data_rows=data_rows,
        labels=_carried_labels(rows, data_rows, label_cols),
        figures=figures,
        flags=flags,
        footer_lines=_lines(rows, range(footer_start, len(rows))),
    )
