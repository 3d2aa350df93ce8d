"""A large .xlsx sheet read in two parts: its first rows as cells, the rest as typed columns.

Read whole, a sheet of a million figures becomes a million Python objects, and making
them took half of an ingest's time. Only the top of a sheet needs reading cell by cell
(title, header, the first data rows, where the layout is decided); below it a table is
columns of labels and columns of figures. So a sheet longer than `HEAD_ROWS` is read:

- head: the sheet's XML cut after its first rows, in a copy of the workbook that calamine
  reads as usual, so the head's cells are exactly those a whole read gives;
- body: the rows below, by fastexcel (calamine too) straight into Arrow columns, each
  typed by what it holds: text (labels) or numbers (figures). A text cell among figures
  (a yearbook symbol, a typo) comes back with its text, from fastexcel's error on it.

Anything the typed columns cannot say exactly (a date or an error value, a number among
the labels, figures fastexcel read as text and so rounded) makes `ingestion.layout` give
up on the two parts, and the file is read whole; see `WholeSheetNeeded`.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass

import fastexcel
import numpy as np

from salnameh.persian import PLAIN_DECIMAL

HEAD_ROWS = 500  # covers the header search (60 rows) and the label sample (400) below it
_CHUNK = 1 << 16
_HEAD_MAX_BYTES = 64 * 2**20  # no head of real rows is this long: read such a sheet whole
_ROW_END = b"</row>"
_ROW_NUMBER = re.compile(rb'<row [^>]*?\br="(\d+)"')
_NUMBER_TEXT = re.compile(PLAIN_DECIMAL)


class WholeSheetNeeded(Exception):
    """A sheet read in two parts holds something only a whole read can judge exactly."""


@dataclass
class Body:
    """A sheet's rows from `start` down, as columns keyed by their 0-based sheet column."""

    start: int  # the sheet row of the body's first row (0-based)
    n_rows: int
    texts: dict[int, np.ndarray]  # text columns: object arrays of str, '' where empty
    numbers: dict[int, np.ndarray]  # number columns: float64, NaN where empty or text
    typed: dict[int, dict[int, str]]  # text in number columns: column -> {body row: text}
    clean: bool  # every cell was a number, text or empty (no date, no error cell)

    @property
    def width(self) -> int:
        return max([*self.texts, *self.numbers], default=-1) + 1

    def has_data(self, col: int) -> bool:
        if col in self.numbers:
            numbers = self.numbers[col]
            return bool((~np.isnan(numbers)).any()) or any(self.typed.get(col, {}).values())
        return col in self.texts and bool((self.texts[col] != "").any())

    def text_column(self, col: int) -> np.ndarray:
        """A column of labels; WholeSheetNeeded if it holds numbers, or text that was a
        number in the sheet (a whole read keeps 2301.0 a number, which a label is not)."""
        if col in self.numbers:
            if (~np.isnan(self.numbers[col])).any():
                raise WholeSheetNeeded(f"figures in label column {col}")
            texts = np.full(self.n_rows, "", dtype=object)
            for row, text in self.typed.get(col, {}).items():
                texts[row] = text
        else:
            texts = self.texts.get(col, np.full(self.n_rows, "", dtype=object))
        if any(_NUMBER_TEXT.fullmatch(text) for text in set(texts.tolist())):
            raise WholeSheetNeeded(f"a number among the labels of column {col}")
        return texts

    def figures(self, col: int) -> tuple[np.ndarray, dict[int, str]]:
        """A column of figures: (numbers, NaN where empty or text; {body row: text}).
        WholeSheetNeeded for a column read as text, whose numbers fastexcel rounds."""
        if col in self.numbers:
            return self.numbers[col], self.typed.get(col, {})
        if self.has_data(col):
            raise WholeSheetNeeded(f"figures of column {col} read as text")
        return np.full(self.n_rows, np.nan), {}

    def row(self, index: int, width: int) -> list[object]:
        """Body row `index` (0-based within the body) as a whole read gives it."""
        cells: list[object] = [""] * width
        for col, texts in self.texts.items():
            cells[col] = texts[index]
        for col, numbers in self.numbers.items():
            value = float(numbers[index])
            cells[col] = self.typed.get(col, {}).get(index, "") if np.isnan(value) else value
        return cells


def number_columns(head: list[list[object]], rows: int = 100) -> list[int]:
    """Columns whose cells in the head's last `rows` rows are mostly numbers: the body
    reads these as numbers (the text among them comes back cell by cell)."""
    counts: dict[int, list[int]] = {}
    for row in head[-rows:]:
        for col, cell in enumerate(row):
            kind = type(cell)
            if kind is float or kind is int:
                counts.setdefault(col, [0, 0])[0] += 1
            elif kind is str and cell != "":
                counts.setdefault(col, [0, 0])[1] += 1
    return [col for col, (numbers, texts) in counts.items() if numbers and numbers >= texts]


def head_workbook(data: bytes, sheet_paths: dict[str, str], keep: set[str], rows: int
                  ) -> tuple[bytes, dict[str, int]] | None:  # fmt: skip
    """A copy of the workbook whose sheets stop after `rows` rows, and where each cut
    sheet's body starts (sheet name -> 0-based row); None when no sheet is that long.

    Sheets named in `keep` are copied whole (our form's metadata sheet). The copy is
    stored uncompressed: it is read once, at once.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    by_path = {path: name for name, path in sheet_paths.items() if name not in keep}
    heads: dict[str, bytes] = {}
    starts: dict[str, int] = {}
    for path, name in by_path.items():
        cut = _cut_sheet(source, path, rows)
        if cut is not None:
            heads[path], starts[name] = cut
    if not starts:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in source.infolist():
            content = heads.get(info.filename)
            copy.writestr(info.filename, content if content is not None else source.read(info))
    return out.getvalue(), starts


def _cut_sheet(source: zipfile.ZipFile, path: str, rows: int) -> tuple[bytes, int] | None:
    """(the sheet's XML cut after its `rows`-th row, the next row's 0-based index), or
    None if the sheet has no more rows than that (or rows without numbers, r="...")."""
    try:
        stream = source.open(path)
    except KeyError:
        return None
    text = bytearray()
    ends: list[int] = []  # where each row's XML ends
    searched = 0
    with stream:
        while len(ends) <= rows:
            chunk = stream.read(_CHUNK)
            if not chunk or len(text) > _HEAD_MAX_BYTES:
                return None  # the whole sheet fits in the head, or its rows are not <row>
            text += chunk
            while len(ends) <= rows and (found := text.find(_ROW_END, searched)) >= 0:
                searched = found + len(_ROW_END)
                ends.append(searched)
            searched = max(searched, len(text) - len(_ROW_END) + 1)
    head = bytes(text[: ends[rows - 1]])
    opening = head.rfind(b"<row ")  # the last row kept: its number says where the body starts
    number = _ROW_NUMBER.match(head, opening) if opening >= 0 else None
    if number is None or head.find(b"<row>", opening) >= 0:
        return None
    return head + b"</sheetData></worksheet>", int(number.group(1))


def read_body(data: bytes, sheet: str, start: int, number_cols: list[int]) -> Body:
    """The sheet's rows from `start` down as typed columns (fastexcel, into Arrow).

    `number_cols` are read as numbers; a cell of text among them comes back as an error
    that holds its text. Other columns take the type of their first thousand cells: a
    later number among text is turned into text (which Body.text_column catches), a
    later text among numbers is an error like the others.
    """
    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # "could not determine dtype"
    loaded = fastexcel.read_excel(data).load_sheet(
        sheet, header_row=None, skip_rows=start, dtypes=dict.fromkeys(number_cols, "float")
    )
    table, errors = loaded.to_arrow_with_errors()
    infos = loaded.available_columns()
    texts, numbers, typed = {}, {}, {}
    clean = True
    for info, column in zip(infos, table.columns, strict=True):
        values = column.to_numpy(zero_copy_only=False)
        if info.dtype in ("float", "int"):
            numbers[info.absolute_index] = values.astype(np.float64)
        elif info.dtype == "string":
            blank = values == None  # noqa: E711 (element-wise)
            texts[info.absolute_index] = _blank_spaces(np.where(blank, "", values))
        else:  # dates, booleans, durations: a whole read says what they are
            clean = False
    for cell in errors.errors if errors is not None else []:
        text = _cell_text(cell.detail)
        if text is None:  # a date, an error value (#DIV/0!): a whole read says what
            clean = False
            break
        row, index = cell.offset_position
        typed.setdefault(infos[index].absolute_index, {})[row] = "" if text.isspace() else text
    return Body(start, table.num_rows, texts, numbers, typed, clean)


# fastexcel's error for a text cell in a number column: Rust's Debug form of the cell.
_TEXT_CELL = re.compile(r"Expected float but got 'String\(\"(.*)\"\)'", re.DOTALL)
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|(.))", re.DOTALL)
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "0": "\0"}


def _cell_text(detail: str) -> str | None:
    """The text of a cell from fastexcel's error on it, None if the cell was not text."""
    found = _TEXT_CELL.fullmatch(detail)
    if found is None:
        return None
    unescape = lambda m: chr(int(m[1], 16)) if m[1] else _ESCAPED.get(m[2], m[2])  # noqa: E731
    return _ESCAPE.sub(unescape, found[1])


def _blank_spaces(texts: np.ndarray) -> np.ndarray:
    """'' for a cell of spaces only, as `readers` does for a whole read."""
    spaces = {text for text in set(texts.tolist()) if text and text.isspace()}
    if spaces:
        texts[np.isin(texts, list(spaces))] = ""
    return texts
