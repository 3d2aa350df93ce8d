"""Reading an uploaded file into sheets of cells, whatever its format and however damaged.

The format is told by the file's bytes, never by its name: a CSV renamed .xlsx is read as
CSV, binary junk named .xlsx is refused as such. Excel (.xlsx, .xls) and OpenDocument
(.ods) go through calamine, which takes the value Excel last computed for a formula;
CSVs are decoded here (UTF-8 with or without BOM, UTF-16, Windows-1256), since neither
DuckDB nor calamine reads Windows-1256. Guards come first, so a zip bomb or an encrypted
workbook is refused before any reader touches it.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import python_calamine as calamine

from ingestion.large_sheets import Body, head_workbook, number_columns, read_body
from ingestion.problems import Problem, Rejected, error, note, warning

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # what a workbook may expand to when unzipped
MAX_RATIO = 200  # real sheets compress 5-50x; zip bombs 1000x and more
FORM_METADATA_SHEET = "_salnameh"  # the hidden sheet of our own forms (table, year, agency)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Sheet:
    name: str
    cells: list[list[object]]  # rows of values; '' for an empty cell
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    hidden_rows: set[int] = field(default_factory=set)  # 0-based row indexes
    uncomputed_formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, col)
    # A large sheet's rows below its head, as typed columns (ingestion.large_sheets),
    # `cells` then holding the rows above them only. Read on another thread: `body`
    # waits for them, so the table can be identified meanwhile.
    pending_body: Future | Body | None = field(default=None, repr=False)

    @property
    def in_parts(self) -> bool:
        return self.pending_body is not None

    @property
    def body(self) -> Body | None:
        if isinstance(self.pending_body, Future):
            self.pending_body = self.pending_body.result()
        return self.pending_body

    @property
    def n_rows(self) -> int:
        return len(self.cells) if self.body is None else self.body.start + self.body.n_rows

    @property
    def width(self) -> int:
        head = max(map(len, self.cells), default=0)
        return head if self.body is None else max(head, self.body.width)

    def rows(self, start: int, stop: int | None = None) -> list[list[object]]:
        """Rows start..stop as lists of cells, all of the sheet's width for a sheet in two
        parts (as a whole read gives them); a slice of `cells` otherwise."""
        if self.body is None:
            return self.cells[start:stop]
        stop = self.n_rows if stop is None else min(stop, self.n_rows)
        width, head = self.width, self.body.start
        found = [[*row, *[""] * (width - len(row))] for row in self.cells[start : min(stop, head)]]
        found += [self.body.row(r - head, width) for r in range(max(start, head), stop)]
        return found


@dataclass
class Book:
    format: str  # xlsx, xls, ods, csv
    sheets: list[Sheet]  # the visible sheets, in workbook order
    metadata: dict[str, str] | None = None  # our form's identity, if the file is our form
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[Problem] = field(default_factory=list)


def read_book(data: bytes, filename: str, head_rows: int | None = None) -> Book:
    """The file's sheets; raises Rejected with the reason if it cannot be read at all.

    With `head_rows`, an .xlsx sheet longer than that is read in two parts: its first
    rows as cells, the rest as typed columns (Sheet.body, see ingestion.large_sheets).
    """
    if not data.strip():
        raise Rejected(
            [error("empty_file", "فایل خالی است؛ فایل پرشده را دوباره بارگذاری کنید.",
                   "The file is empty; upload the filled-in file again.")]
        )  # fmt: skip
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(
            [error("file_too_large",
                   f"حجم فایل ({len(data) // 2**20} مگابایت) بیش از حد مجاز است.",
                   f"The file is {len(data) // 2**20} MB, above the "
                   f"{MAX_FILE_BYTES // 2**20} MB limit; send one table per file.")]
        )  # fmt: skip
    if data.startswith(b"PK\x03\x04"):
        return _read_zip_based(data, head_rows)
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise Rejected([_encrypted()])
        return _read_calamine(data, "xls")
    if data.startswith(b"PK"):
        raise Rejected([_damaged(filename, "the zip container is cut short or damaged")])
    return read_csv(data, filename)


def _encrypted() -> Problem:
    return error(
        "encrypted_workbook",
        "فایل رمزگذاری شده است. رمز را از فایل بردارید (ذخیره بدون گذرواژه) و دوباره بفرستید.",
        "The workbook is password-protected. Save it without a password and upload it again.",
    )


def _damaged(filename: str, why: str) -> Problem:
    return error(
        "damaged_file",
        "فایل آسیب دیده است و باز نمی‌شود. آن را در اکسل باز و دوباره ذخیره کنید.",
        f"{filename} is damaged and cannot be opened ({why}). Open it in Excel or "
        "LibreOffice, save it again and upload the saved copy.",
    )


def _not_a_table(filename: str) -> Problem:
    return error(
        "not_a_spreadsheet",
        "این فایل اکسل یا CSV نیست. جدول را با قالب xlsx یا csv ذخیره و بارگذاری کنید.",
        f"{filename} is not an Excel, OpenDocument or CSV file. Save the table as .xlsx "
        "or .csv and upload that.",
    )


def _read_zip_based(data: bytes, head_rows: int | None = None) -> Book:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        names = {m.filename for m in members}
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise Rejected([_damaged("the file", str(exc))]) from None
    _refuse_zip_bomb(members)
    if "EncryptionInfo" in names:
        raise Rejected([_encrypted()])
    if "xl/workbook.xml" in names:
        # calamine parses the sheets without holding the GIL, so their XML is searched for
        # hidden rows, formulas and merged cells at the same time, on the other core.
        paths = _sheet_paths(archive)
        pool = ThreadPoolExecutor(max_workers=2)
        try:
            marks = pool.submit(_sheet_marks, archive, paths)
            if head_rows is not None:
                book = _read_xlsx_in_parts(data, paths, head_rows, pool)
            else:
                book = _read_calamine(data, "xlsx")
            _mark_hidden_rows_and_formulas(book, marks.result())
        finally:
            pool.shutdown(wait=False)  # a long sheet's body may still be being read
        return book
    if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
        return _read_calamine(data, "ods")
    raise Rejected([_not_a_table("the file")])


def _body_or_failure(data: bytes, sheet: str, start: int, number_cols: list[int]) -> Body:
    try:
        return read_body(data, sheet, start, number_cols)
    except Exception:  # what fastexcel cannot read, the whole read reports
        return Body(start, 0, {}, {}, {}, clean=False)


def _read_xlsx_in_parts(data: bytes, paths: dict[str, str], head_rows: int, pool) -> Book:
    """The workbook with each sheet longer than `head_rows` read as head cells plus a typed
    body; the bodies are read on the pool meanwhile. A workbook with no such sheet is
    read as usual."""
    try:
        parts = head_workbook(data, paths, {FORM_METADATA_SHEET}, head_rows)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        parts = None  # let the whole read say what is wrong with the file
    if parts is None:
        return _read_calamine(data, "xlsx")
    head, starts = parts
    book = _read_calamine(head, "xlsx")
    for sheet in book.sheets:
        if sheet.name in starts:
            start = starts[sheet.name]
            sheet.pending_body = pool.submit(
                _body_or_failure, data, sheet.name, start, number_columns(sheet.cells)
            )
            width = max(map(len, sheet.cells), default=0)
            sheet.cells += [[""] * width for _ in range(start - len(sheet.cells))]
            sheet.merges = []  # the head has none: they follow the rows (set by the marks)
    return book


def _refuse_zip_bomb(members: list[zipfile.ZipInfo]) -> None:
    total = sum(m.file_size for m in members)
    worst = max(members, key=lambda m: m.file_size / max(m.compress_size, 1), default=None)
    ratio = worst.file_size / max(worst.compress_size, 1) if worst else 0
    if total > MAX_UNCOMPRESSED_BYTES or (ratio > MAX_RATIO and worst.file_size > 10 * 2**20):
        raise Rejected(
            [error("zip_bomb",
                   "فایل پس از بازشدن بیش از حد بزرگ می‌شود و پذیرفته نیست.",
                   f"The workbook expands to {total // 2**20} MB when unpacked (up to "
                   f"{ratio:.0f} times its size); this is not a real table and was refused.")]
        )  # fmt: skip


def _read_calamine(data: bytes, kind: str) -> Book:
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets, metadata = [], None
        for info in workbook.sheets_metadata:
            sheet = workbook.get_sheet_by_name(info.name)
            if info.name == FORM_METADATA_SHEET:
                metadata = _form_metadata(sheet.to_python(skip_empty_area=False))
                continue
            if info.visible != calamine.SheetVisibleEnum.Visible:
                continue
            rows = _blank_spaces(sheet.to_python(skip_empty_area=False))
            merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(info.name, rows, merges))
    except calamine.PasswordError:
        raise Rejected([_encrypted()]) from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError) as exc:
        raise Rejected([_damaged("the workbook", str(exc).splitlines()[0][:200])]) from None
    except Exception as exc:  # calamine raises plain errors for some malformed files
        raise Rejected([_damaged("the workbook", f"{type(exc).__name__}: {exc}"[:200])]) from None
    return Book(kind, sheets, metadata)


def _blank_spaces(rows: list[list[object]]) -> list[list[object]]:
    """A cell holding only spaces looks empty, so it is empty ('' like any empty cell).

    Found by the reliability corpus: a space typed in a column right of the table made
    an 'unknown column' with no heading, and one beside the source line under the table
    made that line a data row (an 'unknown county').
    """
    for row in rows:
        for i, value in enumerate(row):
            # type() rather than isinstance(): twice as fast over a million cells, and
            # calamine and the csv module give plain str, never a subclass.
            if type(value) is str and value.isspace():
                row[i] = ""
    return rows


def _form_metadata(rows: list[list[object]]) -> dict[str, str]:
    """Key/value rows of our form's hidden sheet: table_id, year, agency, catalog_version."""
    found = {}
    for row in rows:
        if len(row) >= 2 and str(row[0]).strip():
            value = row[1]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            found[str(row[0]).strip()] = str(value).strip()
    return found


_HIDDEN_ROW = re.compile(rb'<row [^>]*?r="(\d+)"[^>]*?hidden="(?:1|true)"')
_HIDDEN_ROW_REVERSED = re.compile(rb'<row [^>]*?hidden="(?:1|true)"[^>]*?r="(\d+)"')
# A formula cell whose <f> is not followed by a cached <v>: Excel never computed it.
# openpyxl (and other programs that write formulas) leave an empty <v /> or <v></v> in
# place of the value: that is no value either (found by the reliability corpus).
_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


_MERGE = re.compile(rb'<mergeCell [^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _mark_hidden_rows_and_formulas(book: Book, marks: dict) -> None:
    """Hidden rows and never-computed formulas, which calamine does not report, and the
    merged cells of a sheet read in two parts (its head was cut before them).

    Hidden rows are still read (a hidden county is still data) and reported, so nothing
    typed is silently dropped; a formula without a cached value has no number to take.
    """
    for sheet in book.sheets:
        found = marks.get(sheet.name)
        if isinstance(found, Exception):
            raise found  # the sheet's XML could not be read: as if it had been read here
        if found is not None:
            sheet.hidden_rows |= found[0]
            sheet.uncomputed_formulas.extend(found[1])
            if sheet.in_parts:
                sheet.merges = found[2]


def _sheet_marks(archive: zipfile.ZipFile, paths: dict[str, str]) -> dict:
    """Sheet name -> (hidden rows, never-computed formula cells, merged cells) of every
    sheet in the workbook, or the error its XML gave: that is raised only for a sheet
    that is read."""
    marks: dict = {}
    stored = set(archive.namelist())
    for name, path in paths.items():
        if path not in stored:
            continue
        try:
            marks[name] = _marks_in(archive.read(path))
        except Exception as exc:  # kept for the sheet it belongs to, if that is read
            marks[name] = exc
    return marks


Marks = tuple[set[int], list[tuple[int, int]], list[tuple[int, int, int, int]]]


def _marks_in(xml: bytes) -> Marks:
    hidden: set[int] = set()
    formulas: list[tuple[int, int]] = []
    if b'hidden="' in xml:
        for pattern in (_HIDDEN_ROW, _HIDDEN_ROW_REVERSED):
            hidden |= {int(m.group(1)) - 1 for m in pattern.finditer(xml)}
    if b"<f>" in xml or b"<f " in xml:
        for match in _FORMULA_NO_VALUE.finditer(xml):
            formulas.append((int(match.group(2)) - 1, _column_index(match.group(1).decode())))
    merges = []  # in the order calamine gives them: the sheet's, after its rows
    for match in _MERGE.finditer(xml, max(xml.rfind(b"</sheetData>"), 0)):
        c0, r0, c1, r1 = (g.decode() if g else None for g in match.groups())
        first = (int(r0) - 1, _column_index(c0))
        last = (int(r1) - 1, _column_index(c1)) if c1 else first
        merges.append((*first, *last))
    return hidden, formulas, merges


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the XML part that holds it, from the workbook and its relationships."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    try:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
    paths = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


# ---------------------------------------------------------------------------------- CSV

_DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: BOMs first, then UTF-8, then Windows-1256."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Windows-1256 maps almost every byte, so it is the fallback, never the first guess.
        return data.decode("cp1256", errors="replace"), "cp1256"


def choose_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number (>1) of fields."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(r)]
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        score = (wide.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, filename: str) -> Book:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Rejected([_not_a_table(filename)])
    text, encoding = decode_text(data)
    if _looks_binary(text):
        raise Rejected([_not_a_table(filename)])
    lines = text.splitlines()
    delimiter = choose_delimiter(lines[:200])
    rows = _blank_spaces(list(csv.reader(lines, delimiter=delimiter)))
    notes = []
    if encoding == "cp1256":
        notes.append(
            note("encoding_cp1256", "فایل با کدگذاری ویندوز-۱۲۵۶ خوانده شد.",
                 "The file was read as Windows-1256 (Arabic Windows) text.")
        )  # fmt: skip
    if "\ufffd" in text:
        notes.append(
            warning("undecodable_characters",
                    "برخی نویسه‌ها خوانا نبودند؛ فایل را با UTF-8 ذخیره کنید.",
                    "Some characters could not be decoded; save the file as UTF-8 CSV.")
        )  # fmt: skip
    return Book("csv", [Sheet("csv", rows)], None, encoding, delimiter, notes)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > len(sample) * 0.05 or sample.count("\ufffd") > len(sample) * 0.2
