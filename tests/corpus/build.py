"""Writers of the reliability corpus, and the registry of what ingesting each file must give.

Every file starts from a correct table-year made with the demo generator's building blocks
(the figures of `CubeBuilder`, the printed shape of `build_grid`, the writers `write_xlsx`
and `write_csv`) and differs from it by one defect, so a verdict can be pinned on that
defect alone. A builder writes one file into a folder and returns its path; its docstring
says what is wrong or awkward in it. `CASES` lists each file with the arguments it is
ingested with, the verdict it must get and every problem code its report must hold.

Files marked `libreoffice` are converted by LibreOffice (`convert_with_libreoffice`) before
they are ingested: the test does that once for all of them.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import itertools
import random
import re
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from app.demo.agency_files import Grid, Habits, build_grid, write_csv, write_xlsx
from app.demo.figures import Cube, CubeBuilder
from salnameh.catalog import Catalog, load_catalog
from salnameh.persian import SYMBOLS, to_persian_digits
from salnameh.reference import Reference

SEED = 1402
EDU = "edu_students_county_level_sex"  # 17-3: county x school level x sex, integers
LIT = "literacy_learners_county_sex"  # 17-2: county x sex, two measures
CPI = "cpi_urban_month"  # 22-3: province, months on rows, one decimal
POP = "pop_county_sex_age"  # 3-2: real census, 1390 and 1395 only, age groups on rows
SPORTS = "sports_facilities_athletes_county"  # 19-3: facilities total = indoor + outdoor

PROVINCE = "کل استان"
DAMAVAND = "دماوند"

# How a careful liaison sends a table: .xlsx, title rows, plain numbers, canonical names.
PLAIN = Habits(
    format="xlsx",
    title_rows=True,
    persian_digits=False,
    thousands_separators=False,
    arabic_letters=False,
    name_variants=False,
    repeat_row_labels=True,
    source_line=True,
    blank_trailing_rows=False,
)
NO_TITLE = replace(PLAIN, title_rows=False)


# ------------------------------------------------------------------------- good tables
@functools.cache
def catalog() -> Catalog:
    return load_catalog()


@functools.cache
def reference() -> Reference:
    return Reference()


@functools.cache
def cube(table_id: str, year: int) -> Cube:
    """The correct figures of a table-year (no symbols, no planted anomalies)."""
    builder = CubeBuilder(reference(), SEED, list(catalog()))
    return builder.build(catalog().table(table_id), year)


def figures(table_id: str, year: int) -> dict[tuple[str, str, str], float]:
    """The correct figures keyed as ingestion stores them: (geo, dim_key, measure)."""
    table = cube(table_id, year)
    names = [d.code_list for d in table.table.dimensions]
    return {
        (geo, ";".join(f"{n}={m}" for n, m in zip(names, members, strict=True)), measure): value
        for (geo, members, measure), value in table.values.items()
    }


def grid(table_id: str, year: int, habits: Habits = PLAIN) -> Grid:
    """A fresh printed table to spoil (each call gives its own copy)."""
    return copy.deepcopy(build_grid(cube(table_id, year), reference(), habits))


def first_row(g: Grid, habits: Habits = PLAIN) -> int:
    """The 1-based sheet row of the first data row, as `write_xlsx` lays the grid out."""
    return (len(g.title) + 2 if habits.title_rows else 1) + len(g.header)


def row_of(g: Grid, label: str) -> int:
    """Index in g.rows of the (first) row labelled so."""
    return next(i for i, row in enumerate(g.rows) if row[0] == label)


def col_of(g: Grid, *labels: str) -> int:
    """Index of the column whose lowest header cells read `labels` (e.g. 'ابتدایی', 'مرد')."""
    for col in range(len(g.header[0])):
        levels = tuple(level[col] for level in g.header)
        if levels[-len(labels) :] == labels:
            return col
    raise KeyError(labels)


def letter(col: int) -> str:
    return get_column_letter(col + 1)


def save_xlsx(g: Grid, path: Path, habits: Habits = PLAIN, edit=None) -> Path:
    """The grid as the demo writes it, then `edit(workbook)` through openpyxl if given."""
    write_xlsx(g, path, habits)
    if edit is not None:
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
    return path


def write_rows(rows: list[list[object]], path: Path, delimiter=",", encoding="utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def csv_text(g: Grid, folder: Path, habits: Habits = PLAIN) -> str:
    """The text `write_csv` writes for the grid (title, one joined header row, data)."""
    scratch = folder / ".scratch.csv"
    write_csv(g, scratch, replace(habits, format="csv_utf8"))
    text = scratch.read_text("utf-8")
    scratch.unlink()
    return text


def csv_rows(g: Grid, folder: Path, habits: Habits = PLAIN) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text(g, folder, habits))))


def edu(habits: Habits = PLAIN) -> Grid:
    return grid(EDU, 1395, habits)


def good_edu(folder: Path) -> Path:
    """No defect: table 17-3 for 1395 as a careful liaison sends it (the control file)."""
    return save_xlsx(edu(), folder / "good_edu.xlsx")


# ------------------------------------------------------------------- unreadable files
def empty_file(folder: Path) -> Path:
    """Zero bytes named .xlsx (an upload that was cut off before it started)."""
    path = folder / "empty_file.xlsx"
    path.write_bytes(b"")
    return path


def blank_lines(folder: Path) -> Path:
    """A CSV holding nothing but line breaks and spaces."""
    path = folder / "blank_lines.csv"
    path.write_bytes(b"\r\n  \r\n\r\n\t\r\n")
    return path


def empty_sheet(folder: Path) -> Path:
    """A real workbook whose only sheet is blank (the liaison saved the empty form)."""
    path = folder / "empty_sheet.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "جدول"
    book.save(path)
    return path


def empty_grid_csv(folder: Path) -> Path:
    """A CSV of delimiters only: rows and columns, but not one filled cell."""
    return write_rows([[""] * 16] * 20, folder / "empty_grid.csv")


def truncated_xlsx(folder: Path) -> Path:
    """The good workbook cut in half (a corrupt zip: its central directory is gone)."""
    data = good_edu(folder).read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def broken_sheet_xml(folder: Path) -> Path:
    """A sound zip whose sheet XML is garbage: the workbook opens, the sheet does not."""
    path = good_edu(folder).rename(folder / "broken_sheet_xml.xlsx")
    return edit_sheet_xml(path, lambda xml: xml[: len(xml) // 3] + b"<row r=<<\x01 garbage")


def binary_junk(folder: Path) -> Path:
    """64 KiB of random bytes named .xlsx."""
    path = folder / "binary_junk.xlsx"
    path.write_bytes(random.Random(7).randbytes(64 * 1024))
    return path


def zip_not_workbook(folder: Path) -> Path:
    """A zip of a text file and a picture, renamed .xlsx."""
    path = folder / "zip_not_workbook.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.txt", "گزارش عملکرد سال ۱۳۹۵\n" * 50)
        archive.writestr("logo.png", random.Random(3).randbytes(2048))
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """The good workbook saved with a password (Excel's 'Encrypt with password')."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = good_edu(folder)
    path = folder / "encrypted.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("1395", target)
    return path


# ------------------------------------------------------------------------- zip bombs
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
)
_SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _bomb_member(expanded: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of a sheet XML `expanded` bytes long, made in milliseconds.

    One 1 MiB block of '0' is compressed once, after a full flush (which resets the
    window, so the block refers to nothing before it), and repeated: the stream is valid
    and really inflates to the full size. Returns (stream, crc32, uncompressed size).
    """
    chunk = b"0" * 2**20
    count = (expanded - len(_SHEET_HEAD) - len(_SHEET_TAIL)) // len(chunk) + 1
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(_SHEET_HEAD) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(_SHEET_TAIL) + packer.flush(zlib.Z_FINISH)
    crc = zlib.crc32(_SHEET_HEAD)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(_SHEET_TAIL, crc)
    size = len(_SHEET_HEAD) + count * len(chunk) + len(_SHEET_TAIL)
    return head + block * count + tail, crc, size


def _zip_raw(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already deflated members (name, stream, crc32, size): zipfile cannot."""
    out, central = io.BytesIO(), []
    for name, stream, crc, size in members:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                              len(stream), size, len(encoded), 0))  # fmt: skip
        out.write(encoded + stream)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                        len(stream), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )  # fmt: skip
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))  # fmt: skip
    return out.getvalue()


def _bomb(path: Path, expanded: int) -> Path:
    """A workbook like openpyxl's, with a sheet XML that inflates to `expanded` bytes."""
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    members = []
    with zipfile.ZipFile(buffer) as source:
        for name in source.namelist():
            if name == "xl/worksheets/sheet1.xml":
                members.append((name, *_bomb_member(expanded)))
            else:
                data = source.read(name)
                members.append((name, _deflated(data), zlib.crc32(data), len(data)))
    path.write_bytes(_zip_raw(members))
    return path


def zip_bomb(folder: Path) -> Path:
    """A valid-looking .xlsx of about 1 MB whose sheet XML inflates to 1.1 GiB."""
    return _bomb(folder / "zip_bomb.xlsx", int(1.1 * 2**30))


def zip_bomb_ratio(folder: Path) -> Path:
    """A smaller bomb: 64 MiB of sheet XML packed 1000 to 1 (real sheets pack 5-50 to 1)."""
    return _bomb(folder / "zip_bomb_ratio.xlsx", 64 * 2**20)


# --------------------------------------------------------------------------- big file
BIG_CSV_BYTES = 50 * 2**20


def huge_csv(folder: Path) -> Path:
    """50 MB of CSV: the good table 17-3, then about 400,000 junk rows with figures.

    An export that ran on past the table (a whole database dump under the header).
    """
    g = edu()
    rows = csv_rows(g, folder)
    width = len(g.header[0])
    path = folder / "huge.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerows(rows)
        n = 0
        while handle.tell() < BIG_CSV_BYTES:
            block = [[f"رکورد {n + i}", *range(n + i, n + i + width - 1)] for i in range(5000)]
            out.writerows(block)
            n += len(block)
    return path


# ---------------------------------------------------------------- identifying the file
def unidentified(folder: Path) -> Path:
    """Table 17-3 without title rows, under a name that says nothing, sent with no details."""
    return save_xlsx(edu(NO_TITLE), folder / "jadval.xlsx", NO_TITLE)


def identified_by_title(folder: Path) -> Path:
    """No details given; the title rows say 'جدول ۱۷-۳' and 'سال ۱۳۹۵-۱۳۹۶' in Persian digits."""
    g = edu()
    g.title = [to_persian_digits(line) for line in g.title]
    return save_xlsx(g, folder / "students.xlsx")


def no_title(folder: Path) -> Path:
    """Table 17-3 without title rows (identified by the uploader's details)."""
    return save_xlsx(edu(NO_TITLE), folder / "no_title.xlsx", NO_TITLE)


def pop_no_title(folder: Path) -> Path:
    """The census table 3-2 of 1395, without title rows."""
    return save_xlsx(grid(POP, 1395, NO_TITLE), folder / "pop_no_title.xlsx", NO_TITLE)


def form(year: int = 1395, agency: str = "education", table_id: str = EDU):
    """Our own form: the table plus the veryHidden sheet `_salnameh` naming table and year."""

    def build(folder: Path) -> Path:
        def add_metadata(book):
            meta = book.create_sheet("_salnameh")
            rows = [("table_id", table_id), ("year", year), ("agency", agency),
                    ("catalog_version", catalog().version)]  # fmt: skip
            for row in rows:
                meta.append(row)
            meta.sheet_state = "veryHidden"

        return save_xlsx(edu(), folder / "form_17-3.xlsx", edit=add_metadata)

    build.__doc__ = form.__doc__
    return build


# --------------------------------------------------------------------- table's shape
def missing_column(folder: Path) -> Path:
    """The last column (upper secondary, female) was deleted."""
    g = edu()
    drop = col_of(g, "متوسطه دوم", "زن")
    for line in [*g.header, *g.rows]:
        del line[drop]
    g.merges = [(lv, a, min(b, drop - 1), s) for lv, a, b, s in g.merges]
    return save_xlsx(g, folder / "missing_column.xlsx")


def extra_column(folder: Path) -> Path:
    """A column 'ملاحظات' (remarks) with figures was added after the last one (column Q)."""
    g = edu()
    g.header[0].append("ملاحظات")
    for level in g.header[1:]:
        level.append("")
    for row in g.rows:
        row.append(7)
    return save_xlsx(g, folder / "extra_column.xlsx")


def duplicate_column(folder: Path) -> Path:
    """The first value column (total, total) was pasted again after the last one (Q)."""
    g = edu()
    for line in [*g.header, *g.rows]:
        line.append(line[1])
    return save_xlsx(g, folder / "duplicate_column.xlsx")


def strange_headers(folder: Path) -> Path:
    """The header row says 'ستون ۱, ستون ۲, ...' instead of the form's headings."""
    g = edu()
    width = len(g.header[0])
    g.header = [["شهرستان"] + [f"ستون {to_persian_digits(str(c))}" for c in range(1, width)]]
    g.merges = []
    return save_xlsx(g, folder / "strange_headers.xlsx")


def cover_letter(folder: Path) -> Path:
    """A sheet of prose (the covering letter) instead of the table."""
    path = folder / "cover_letter.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for line in ("بسمه تعالی", "مدیر کل محترم آمار و اطلاعات", "با سلام",
                 "به پیوست آمار دانش‌آموزان ارسال می‌شود."):  # fmt: skip
        sheet.append([line])
    book.save(path)
    return path


def table_on_second_sheet(folder: Path) -> Path:
    """A cover sheet of prose first; the table is on the second sheet."""

    def cover(book):
        sheet = book.create_sheet("نامه", 0)
        sheet.append(["به پیوست جدول دانش‌آموزان ارسال می‌شود."])

    return save_xlsx(edu(NO_TITLE), folder / "second_sheet.xlsx", NO_TITLE, edit=cover)


# -------------------------------------------------------------------------- the cells
def _set(g: Grid, label: str, col: int, value: object) -> None:
    g.rows[row_of(g, label)][col] = value


def text_in_number(folder: Path) -> Path:
    """Damavand, primary, male holds '۱۰۷۱ نفر' (the unit typed into the cell)."""
    g = edu()
    _set(g, DAMAVAND, col_of(g, "ابتدایی", "مرد"), "۱۰۷۱ نفر")
    return save_xlsx(g, folder / "text_in_number.xlsx")


def missing_value(folder: Path) -> Path:
    """Damavand, primary, male is empty."""
    g = edu()
    _set(g, DAMAVAND, col_of(g, "ابتدایی", "مرد"), "")
    return save_xlsx(g, folder / "missing_value.xlsx")


def _shift_sex(g: Grid, measure: str, label: str, moved: float) -> None:
    """Move `moved` from female to male in a county and in the province: sums still hold."""
    female, male = col_of(g, measure, "زن"), col_of(g, measure, "مرد")
    for place in (label, PROVINCE):
        row = g.rows[row_of(g, place)]
        row[female] -= moved
        row[male] += moved


def lit(year: int = 1395, habits: Habits = PLAIN) -> Grid:
    return grid(LIT, year, habits)


ENROLLED = "ثبت\u200cنام\u200cشدگان"


def negative_count(folder: Path) -> Path:
    """Damavand's enrolled women are -5 (every total still adds up)."""
    g = lit()
    female = g.rows[row_of(g, DAMAVAND)][col_of(g, ENROLLED, "زن")]
    _shift_sex(g, ENROLLED, DAMAVAND, female + 5)
    return save_xlsx(g, folder / "negative_count.xlsx")


def decimal_in_count(folder: Path) -> Path:
    """Half a learner: Damavand's enrolled women end in .5 (every total still adds up)."""
    g = lit()
    _shift_sex(g, ENROLLED, DAMAVAND, 0.5)
    return save_xlsx(g, folder / "decimal_in_count.xlsx")


def unit_slip(folder: Path) -> Path:
    """Every enrolled figure is 1000 times too big (a slip of units: the classic x1000)."""
    g = lit()
    columns = [c for c in range(len(g.header[0])) if g.header[0][c] == ENROLLED]
    for row in g.rows:
        for c in columns:
            row[c] *= 1000
    return save_xlsx(g, folder / "unit_slip.xlsx")


def counties_do_not_add_up(folder: Path) -> Path:
    """Damavand's enrolled (total and men) are 100 more than the province's sum has."""
    g = lit()
    row = g.rows[row_of(g, DAMAVAND)]
    row[col_of(g, ENROLLED, "جمع")] += 100
    row[col_of(g, ENROLLED, "مرد")] += 100
    return save_xlsx(g, folder / "counties_do_not_add_up.xlsx")


def parts_do_not_add_up(folder: Path) -> Path:
    """Damavand's enrolled total is 100 more than its men and women (and so the province's)."""
    g = lit()
    for place in (DAMAVAND, PROVINCE):
        g.rows[row_of(g, place)][col_of(g, ENROLLED, "جمع")] += 100
    return save_xlsx(g, folder / "parts_do_not_add_up.xlsx")


def parts_off_by_one(folder: Path) -> Path:
    """The province's enrolled total is one more than its men and women: a count's total
    has no slack (the rules declare none), so one is a mismatch. Catches a tolerance that
    grew (a 2% slack let the 100 above through only by luck of its size)."""
    g = lit()
    g.rows[row_of(g, PROVINCE)][col_of(g, ENROLLED, "جمع")] += 1
    return save_xlsx(g, folder / "parts_off_by_one.xlsx")


def measures_do_not_add_up(folder: Path) -> Path:
    """Table 19-3: Damavand's facilities total is 10 more than indoor + outdoor."""
    g = grid(SPORTS, 1395)
    total = g.header[0].index("اماکن ورزشی - جمع")
    for place in (DAMAVAND, PROVINCE):
        g.rows[row_of(g, place)][total] += 10
    return save_xlsx(g, folder / "measures_do_not_add_up.xlsx")


def yearbook_symbols(folder: Path) -> Path:
    """Eight county cells hold the yearbook symbols - ـ ... × ×× // * ** instead of figures."""
    g = edu()
    for (label, col), symbol in SYMBOL_CELLS.items():
        _set(g, label, col, symbol)
    return save_xlsx(g, folder / "yearbook_symbols.xlsx")


# (county, column index in table 17-3) -> the symbol typed there; all are leaf cells.
SYMBOL_CELLS = {
    ("تهران", 5): "-",
    ("دماوند", 6): "ـ",
    ("ری", 8): "...",
    ("شمیرانات", 9): "×",
    ("ورامین", 11): "××",
    ("شهریار", 12): "//",
    ("اسلامشهر", 14): "*",
    ("پاکدشت", 15): "**",
}


# ------------------------------------------------------------------------ the rows
def _insert_after(g: Grid, label: str, row: list[object]) -> None:
    g.rows.insert(row_of(g, label) + 1, row)


def pardis_in_1390(folder: Path) -> Path:
    """Table 17-2 for 1390 with a row for Pardis, a county only from 1391."""
    g = lit(1390)
    _insert_after(g, "بهارستان", ["پردیس", 10, 5, 5, 8, 4, 4])
    return save_xlsx(g, folder / "pardis_1390.xlsx")


def karaj_in_1395(folder: Path) -> Path:
    """Table 17-3 for 1395 with a row for Karaj, in Alborz province since 1389."""
    g = edu()
    _insert_after(g, "قرچک", ["کرج", *g.rows[row_of(g, DAMAVAND)][1:]])
    return save_xlsx(g, folder / "karaj_1395.xlsx")


def unknown_county(folder: Path) -> Path:
    """A row for 'هشتگرد', which is no county of Tehran province."""
    g = edu()
    _insert_after(g, "قرچک", ["هشتگرد", *g.rows[row_of(g, DAMAVAND)][1:]])
    return save_xlsx(g, folder / "unknown_county.xlsx")


def duplicate_row(folder: Path) -> Path:
    """Damavand's row was pasted twice."""
    g = edu()
    _insert_after(g, DAMAVAND, list(g.rows[row_of(g, DAMAVAND)]))
    return save_xlsx(g, folder / "duplicate_row.xlsx")


def missing_row(folder: Path) -> Path:
    """Damavand's row was deleted."""
    g = edu()
    del g.rows[row_of(g, DAMAVAND)]
    return save_xlsx(g, folder / "missing_row.xlsx")


def rows_shuffled(folder: Path) -> Path:
    """The counties in reverse order, the province row last."""
    g = edu()
    g.rows.reverse()
    return save_xlsx(g, folder / "rows_shuffled.xlsx")


def subheading_row(folder: Path) -> Path:
    """A subheading line without figures between the counties ('شهرستان‌های جنوبی')."""
    g = edu()
    _insert_after(g, "شهریار", ["شهرستان‌های جنوبی"] + [""] * (len(g.rows[0]) - 1))
    return save_xlsx(g, folder / "subheading_row.xlsx")


def missing_age_label(folder: Path) -> Path:
    """Census table 3-2: Damavand's first row (its total) has no age-group label."""
    g = grid(POP, 1395)
    g.rows[row_of(g, DAMAVAND)][1] = ""
    return save_xlsx(g, folder / "missing_age_label.xlsx")


def cpi(habits: Habits = PLAIN) -> Grid:
    return grid(CPI, 1395, habits)


def unknown_month(folder: Path) -> Path:
    """Table 22-3 with the month 'فروردین' misspelled 'فروردینن'."""
    g = cpi()
    g.rows[1][1] = "فروردینن"
    return save_xlsx(g, folder / "unknown_month.xlsx")


def percent_signs(folder: Path) -> Path:
    """Table 22-3 with the yearly change typed as '27.6%' (text with a percent sign)."""
    g = cpi()
    for row in g.rows:
        row[3] = f"{row[3]}%"
    return save_xlsx(g, folder / "percent_signs.xlsx")


# --------------------------------------------------------------------- the workbook
def _province_formulas(book) -> None:
    """The province row as =SUM() of the county rows below it (what Excel users type)."""
    g = edu()
    sheet = book.active
    top = first_row(g)
    for col in range(2, len(g.header[0]) + 1):
        column = get_column_letter(col)
        sheet.cell(top, col, f"=SUM({column}{top + 1}:{column}{top + len(g.rows) - 1})")


def formula_without_value(folder: Path) -> Path:
    """The province row is =SUM() formulas written by a program: never calculated, no value."""
    return save_xlsx(edu(), folder / "formulas_uncalculated.xlsx", edit=_province_formulas)


def formulas_calculated(folder: Path) -> Path:
    """The province row is =SUM() formulas, calculated and saved by LibreOffice."""
    return save_xlsx(edu(), folder / "formulas_calculated.xlsx", edit=_province_formulas)


HIDDEN_ROW = 10  # Damavand's sheet row in table 17-3


def hidden_rows(folder: Path) -> Path:
    """Damavand's row (10) is hidden (still data: it is read and the liaison is warned)."""
    g = edu()
    assert first_row(g) + row_of(g, DAMAVAND) == HIDDEN_ROW

    def hide(book):
        book.active.row_dimensions[HIDDEN_ROW].hidden = True

    return save_xlsx(g, folder / "hidden_rows.xlsx", edit=hide)


def merged_cells(folder: Path) -> Path:
    """Census table 3-2: each county's name is one cell merged down its 23 age rows."""
    habits = replace(PLAIN, repeat_row_labels=False)
    g = grid(POP, 1395, habits)
    top = first_row(g, habits)
    starts = [i for i, row in enumerate(g.rows) if row[0] != ""] + [len(g.rows)]

    def merge(book):
        sheet = book.active
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
        for start, end in itertools.pairwise(starts):
            sheet.merge_cells(start_row=top + start, start_column=1, end_row=top + end - 1,
                              end_column=1)  # fmt: skip

    return save_xlsx(g, folder / "merged_cells.xlsx", habits, edit=merge)


def trailing_empty_xlsx(folder: Path) -> Path:
    """Formatted but empty cells far to the right and below the table, one holding a space."""
    g = edu()

    def pad(book):
        sheet = book.active
        for r in range(1, 120):
            sheet.cell(r, 40).fill = PatternFill("solid", fgColor="FFFF00")
        for c in range(1, 40):
            sheet.cell(300, c).font = Font(bold=True)

    path = save_xlsx(g, folder / "trailing_empty.xlsx", edit=pad)

    # Cells holding one space at the end of each row, as Excel writes them (openpyxl
    # would drop the space).
    def spaced(match: re.Match) -> bytes:
        cell = b'<c r="AZ%s" t="inlineStr"><is><t xml:space="preserve"> </t></is></c>'
        return match.group(1) + cell % match.group(2) + b"</row>"

    pattern = re.compile(rb'(<row r="(\d+)".*?)</row>', re.DOTALL)
    return edit_sheet_xml(path, lambda xml: pattern.sub(spaced, xml))


def edit_sheet_xml(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite the first sheet's XML of a workbook (what openpyxl cannot write)."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info, content)
    return path


def xls_version(folder: Path) -> Path:
    """The good workbook saved by LibreOffice as Excel 97-2003 (.xls)."""
    return save_xlsx(edu(), folder / "good_as_xls.xlsx")


def ods_version(folder: Path) -> Path:
    """The good workbook saved by LibreOffice as OpenDocument (.ods)."""
    return save_xlsx(edu(), folder / "good_as_ods.xlsx")


# ------------------------------------------------------------------------ text files
def _csv(folder: Path, name: str, fmt: str, g: Grid | None = None, **habits) -> Path:
    chosen = replace(PLAIN, format=fmt, **habits)
    path = folder / name
    write_csv(g or grid(EDU, 1395, chosen), path, chosen)
    return path


def cp1256_csv(folder: Path) -> Path:
    """CSV from an Arabic-Windows system: Windows-1256 bytes, Arabic ي and ك."""
    return _csv(folder, "cp1256.csv", "csv_cp1256")


def utf8_bom_csv(folder: Path) -> Path:
    """CSV in UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')."""
    return _csv(folder, "utf8_bom.csv", "csv_utf8_bom")


def _redelimited(folder: Path, name: str, delimiter: str, encoding: str) -> Path:
    return write_rows(csv_rows(edu(), folder), folder / name, delimiter, encoding)


def semicolon_csv(folder: Path) -> Path:
    """CSV separated by semicolons (a European-locale Excel)."""
    return _redelimited(folder, "semicolon.csv", ";", "utf-8")


def tab_csv(folder: Path) -> Path:
    """Tab-separated text."""
    return _redelimited(folder, "tab.csv", "\t", "utf-8")


def utf16_text(folder: Path) -> Path:
    """Excel's 'Unicode Text': UTF-16 with a byte-order mark, tab-separated."""
    return _redelimited(folder, "unicode_text.txt", "\t", "utf-16")


def broken_byte_csv(folder: Path) -> Path:
    """A UTF-8 CSV with a BOM whose footnote has two bytes that are not UTF-8."""
    path = _csv(folder, "broken_byte.csv", "csv_utf8_bom")
    data = path.read_bytes()
    at = data.index("* شامل".encode()) + 2
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at:])
    return path


def csv_named_xlsx(folder: Path) -> Path:
    """A UTF-8 CSV renamed .xlsx (the format is told by the bytes, not the name)."""
    path = _csv(folder, "csv_named.csv", "csv_utf8")
    return path.rename(folder / "csv_named.xlsx")


def trailing_empty_csv(folder: Path) -> Path:
    """Every row ends in five empty fields, and empty rows follow the table."""
    rows = [row + [""] * 5 for row in csv_rows(edu(), folder)] + [[""] * 21] * 10
    return write_rows(rows, folder / "trailing_empty.csv")


def spaces_in_empty_cells(folder: Path) -> Path:
    """Cells that look empty but hold a space: in two columns right of the table, in the
    value columns beside the source line, and in a row under the table (Excel's CSV gives
    every row the same number of fields)."""
    rows = csv_rows(edu(), folder)
    width = len(edu().header[0]) + 2
    rows = [row + [""] * (width - len(row)) for row in rows]
    for row in rows[4:]:
        row[-1] = " "
    source = next(i for i, row in enumerate(rows) if row[0].startswith("مأخذ"))
    rows[source][3] = " "
    rows.insert(source, [" "] * width)
    return write_rows(rows, folder / "spaces.csv")


def thousands_commas_csv(folder: Path) -> Path:
    """CSV whose figures are quoted text with comma thousands separators ("1,052,018")."""
    return _csv(folder, "commas.csv", "csv_utf8", thousands_separators=True)


def shifted_table(folder: Path) -> Path:
    """The table starts in column C: two empty columns on its right-to-left 'left'."""
    g = edu()
    g.header = [["", "", *level] for level in g.header]
    g.rows = [["", "", *row] for row in g.rows]
    g.merges = [(lv, a + 2, b + 2, span) for lv, a, b, span in g.merges]
    return save_xlsx(g, folder / "shifted.xlsx")


def row_number_column(folder: Path) -> Path:
    """A first column 'ردیف' numbering the rows 1, 2, 3 ... before the county names."""
    g = edu()
    g.header = [["ردیف" if i == 0 else "", *level] for i, level in enumerate(g.header)]
    g.rows = [[n, *row] for n, row in enumerate(g.rows, start=1)]
    g.merges = [(lv, a + 1, b + 1, span) for lv, a, b, span in g.merges]
    g.merges.append((0, 0, 0, len(g.header)))
    return save_xlsx(g, folder / "row_numbers.xlsx")


def persian_digits_xlsx(folder: Path) -> Path:
    """Every figure typed as text in Persian digits with ٬ thousands separators."""
    habits = replace(PLAIN, persian_digits=True, thousands_separators=True)
    return save_xlsx(grid(EDU, 1395, habits), folder / "persian_digits.xlsx", habits)


_ARABIC_INDIC = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")


def arabic_indic_digits(folder: Path) -> Path:
    """Every figure in Arabic-Indic digits (٠-٩, other glyphs for 4-6) with ٬ separators."""
    habits = replace(PLAIN, persian_digits=True, thousands_separators=True)
    g = grid(EDU, 1395, habits)
    g.rows = [[v.translate(_ARABIC_INDIC) if i else v for i, v in enumerate(row)]
              for row in g.rows]  # fmt: skip
    return save_xlsx(g, folder / "arabic_indic_digits.xlsx", habits)


def persian_decimals(folder: Path) -> Path:
    """Table 22-3 (one decimal) in Persian digits with the ٫ decimal separator."""
    habits = replace(PLAIN, persian_digits=True, thousands_separators=True)
    return save_xlsx(cpi(habits), folder / "persian_decimals.xlsx", habits)


def arabic_letters_and_variants(folder: Path) -> Path:
    """Arabic ي and ك everywhere, and names as typed: رباطکریم, شمیران, اسلام‌شهر, 'بهارستان '."""
    habits = replace(PLAIN, arabic_letters=True, name_variants=True)
    return save_xlsx(grid(EDU, 1395, habits), folder / "arabic_letters.xlsx", habits)


def english_labels(folder: Path) -> Path:
    """Headings and county names in English (the form's English version)."""
    ref = reference()
    table = catalog().table(EDU)
    words = {c.label_fa: c.label_en for d in table.dimensions
             for c in ref.members(d.code_list, d.members)}  # fmt: skip
    words |= {g.name_fa: g.name_en for g in ref.geography}
    words |= {"کل استان": "Province total", "شهرستان": "County", "دانش\u200cآموز": "Students"}
    g = grid(EDU, 1395, NO_TITLE)
    g.header = [[words.get(text, text) for text in level] for level in g.header]
    for row in g.rows:
        row[0] = words[row[0]]
    return save_xlsx(g, folder / "english.xlsx", NO_TITLE)


# ------------------------------------------------------------------------ the registry
@dataclass(frozen=True)
class Case:
    """One corpus file and what ingesting it must give."""

    name: str
    build: Callable[[Path], Path]
    kwargs: dict
    verdict: str  # accepted, rejected
    codes: frozenset[str]  # every problem code of the report, whatever its severity
    at: tuple[str, int | None, str | None] | None = None  # (code, row, column) of one problem
    says: tuple[str, str] | None = None  # (code, words its English message must contain)
    inspect: Callable | None = None  # more checks: inspect(outcome, values or None)
    libreoffice: str | None = None  # convert the built file to this format first
    max_python_mib: float | None = None  # peak of Python allocations while ingesting


def case(name, build, verdict, codes="", kwargs=None, **more) -> Case:
    kwargs = {"table_id": EDU, "year": 1395} if kwargs is None else kwargs
    return Case(name, build, kwargs, verdict, frozenset(codes.split()), **more)


def same_figures(table_id: str, year: int):
    """The accepted values are exactly the table's correct figures.

    A cell the figures do not have is written '-' by `build_grid` (the census has no
    'unknown' age group): it must come back flagged not_collected, with no value.
    """

    def inspect(outcome, values) -> None:
        expected = figures(table_id, year)
        got = {(g, d, m): (v, f) for g, d, m, v, f in
               zip(values["geo"], values["dim_key"], values["measure"], values["value"],
                   values["flag"], strict=True)}  # fmt: skip
        assert set(expected) <= set(got)
        wrong = {k: (got[k], v) for k, v in expected.items()
                 if not pd.isna(got[k][1]) or abs(got[k][0] - v) > 1e-9}  # fmt: skip
        assert not wrong, f"{len(wrong)} values differ, e.g. {list(wrong.items())[:3]}"
        dashes = [got[k] for k in set(got) - set(expected)]
        assert all(v != v and f == "not_collected" for v, f in dashes), dashes[:3]

    return inspect


def identified_by(source: str, also=None):
    def inspect(outcome, values) -> None:
        assert outcome.identity.source == source
        if also is not None:
            also(outcome, values)

    return inspect


def symbols_kept(outcome, values) -> None:
    """Each symbol is the cell's flag, its value NaN (never 0); every other figure is right."""
    g = edu()
    expected = figures(EDU, 1395)
    geo = {row[0]: code for row, code in zip(g.rows, [x.code for x in cube(EDU, 1395).geos],
                                             strict=True)}  # fmt: skip
    flagged = values[values["flag"].notna()]
    assert len(flagged) == len(SYMBOL_CELLS)
    assert flagged["value"].isna().all()
    for (label, col), symbol in SYMBOL_CELLS.items():
        column = letter(col)
        hit = flagged[(flagged["geo"] == geo[label]) & (flagged["column"] == column)]
        assert list(hit["flag"]) == [SYMBOLS[symbol] if symbol != "ـ" else "not_collected"]
    numbers = values[values["flag"].isna()]
    assert (numbers["value"].notna()).all()
    for g_, d, m, v in zip(numbers["geo"], numbers["dim_key"], numbers["measure"],
                           numbers["value"], strict=True):  # fmt: skip
        assert v == expected[(g_, d, m)]


def formulas_kept(outcome, values) -> None:
    """LibreOffice saved the =SUM() formulas with their values; the values were taken."""
    with zipfile.ZipFile(outcome.path) as workbook:
        xml = workbook.read("xl/worksheets/sheet1.xml")
    assert xml.count(b"SUM(") == len(edu().header[0]) - 1
    same_figures(EDU, 1395)(outcome, values)


def report_bounded(outcome, values) -> None:
    """A file with 400,000 bad rows gets a readable report: 200 problems, not 400,000."""
    assert len(outcome.problems) <= 200


def places_found(*codes: str):
    def inspect(outcome, values) -> None:
        assert set(codes) <= set(values["geo"])
        same_figures(EDU, 1395)(outcome, values)

    return inspect


LIT_1395 = {"table_id": LIT, "year": 1395}
CPI_1395 = {"table_id": CPI, "year": 1395}
NONE: dict = {}

# fmt: off
CASES: list[Case] = [
    case("good_edu", good_edu, "accepted", inspect=same_figures(EDU, 1395)),
    # Files that cannot be read at all.
    case("empty_file", empty_file, "rejected", "empty_file", says=("empty_file", "upload")),
    case("blank_lines", blank_lines, "rejected", "empty_file"),
    case("empty_sheet", empty_sheet, "rejected", "empty_sheet", says=("empty_sheet", "fill in")),
    case("empty_grid_csv", empty_grid_csv, "rejected", "empty_sheet"),
    case("truncated_xlsx", truncated_xlsx, "rejected", "damaged_file",
         says=("damaged_file", "save it again")),
    case("broken_sheet_xml", broken_sheet_xml, "rejected", "damaged_file"),
    case("binary_junk", binary_junk, "rejected", "not_a_spreadsheet",
         says=("not_a_spreadsheet", ".xlsx or .csv")),
    case("zip_not_workbook", zip_not_workbook, "rejected", "not_a_spreadsheet"),
    case("encrypted_xlsx", encrypted_xlsx, "rejected", "encrypted_workbook",
         says=("encrypted_workbook", "without a password")),
    case("zip_bomb", zip_bomb, "rejected", "zip_bomb", max_python_mib=64),
    case("zip_bomb_ratio", zip_bomb_ratio, "rejected", "zip_bomb", max_python_mib=64),
    case("huge_csv", huge_csv, "rejected", "unknown_place too_many_problems",
         inspect=report_bounded),
    # Which table, year and agency.
    case("unidentified", unidentified, "rejected", "unidentified", kwargs=NONE,
         says=("unidentified", "--table and --year")),
    case("identified_by_title", identified_by_title, "accepted", kwargs=NONE,
         inspect=identified_by("title", same_figures(EDU, 1395))),
    case("unknown_table", no_title, "rejected", "unknown_table",
         kwargs={"table_id": "edu_teachers_county", "year": 1395}),
    case("unknown_agency", no_title, "rejected", "unknown_agency",
         kwargs={"table_id": EDU, "year": 1395, "agency": "ministry_of_magic"}),
    case("wrong_agency", no_title, "rejected", "wrong_agency",
         kwargs={"table_id": EDU, "year": 1395, "agency": "tums"}),
    case("year_out_of_range", no_title, "rejected", "year_out_of_range",
         kwargs={"table_id": EDU, "year": 1299}),
    case("year_not_collected", pop_no_title, "rejected", "year_not_collected",
         kwargs={"table_id": POP, "year": 1396}, says=("year_not_collected", "1390, 1395")),
    case("wrong_table", good_edu, "rejected", "wrong_table", kwargs=LIT_1395,
         says=("wrong_table", "right table")),
    case("sent_as_next_year", good_edu, "rejected", "wrong_year",
         kwargs={"table_id": EDU, "year": 1396},
         says=("wrong_year", "upload this file for 1395")),
    case("form", form(), "accepted", kwargs=NONE,
         inspect=identified_by("form", same_figures(EDU, 1395))),
    case("form_other_year", form(), "rejected", "wrong_year", kwargs={"year": 1396},
         says=("wrong_year", "Download the 1396 form")),
    case("form_other_agency", form(), "rejected", "wrong_agency", kwargs={"agency": "tums"},
         says=("wrong_agency", "Tehran University of Medical Sciences cannot submit")),
    case("form_other_table", form(), "rejected", "wrong_table", kwargs={"table_id": LIT}),
    # The table's shape.
    case("missing_column", missing_column, "rejected", "missing_column",
         says=("missing_column", "add it")),
    case("extra_column", extra_column, "rejected", "unknown_column",
         at=("unknown_column", None, "Q"), says=("unknown_column", "delete it")),
    case("duplicate_column", duplicate_column, "rejected", "duplicate_column",
         at=("duplicate_column", None, "Q"), says=("duplicate_column", "keep one")),
    case("strange_headers", strange_headers, "rejected", "header_not_found"),
    case("cover_letter", cover_letter, "rejected", "no_table_found"),
    case("table_on_second_sheet", table_on_second_sheet, "accepted",
         inspect=same_figures(EDU, 1395)),
    case("shifted_table", shifted_table, "accepted", inspect=same_figures(EDU, 1395)),
    case("row_number_column", row_number_column, "accepted", inspect=same_figures(EDU, 1395)),
    # Cells.
    case("text_in_number", text_in_number, "rejected", "not_a_number",
         at=("not_a_number", 10, "I"), says=("not_a_number", "type the figure")),
    case("missing_value", missing_value, "rejected", "missing_value",
         at=("missing_value", 10, "I"), says=("missing_value", "type the figure")),
    case("negative_count", negative_count, "rejected", "below_min", kwargs=LIT_1395,
         at=("below_min", 9, "D"), says=("below_min", "cannot be negative")),
    case("decimal_in_count", decimal_in_count, "rejected", "not_integer", kwargs=LIT_1395,
         at=("not_integer", 9, "D"), says=("not_integer", "whole number")),
    case("unit_slip", unit_slip, "rejected", "above_max", kwargs=LIT_1395,
         says=("above_max", "check the unit")),
    case("counties_do_not_add_up", counties_do_not_add_up, "rejected", "counties_sum_mismatch",
         kwargs=LIT_1395, at=("counties_sum_mismatch", 7, "B"),
         says=("counties_sum_mismatch", "Correct the figures")),
    case("parts_do_not_add_up", parts_do_not_add_up, "rejected", "parts_sum_mismatch",
         kwargs=LIT_1395, at=("parts_sum_mismatch", 9, "B")),
    case("parts_off_by_one", parts_off_by_one, "rejected",
         "parts_sum_mismatch counties_sum_mismatch", kwargs=LIT_1395,
         says=("parts_sum_mismatch", "(difference 1)")),
    case("measures_do_not_add_up", measures_do_not_add_up, "rejected", "measures_sum_mismatch",
         kwargs={"table_id": SPORTS, "year": 1395}, at=("measures_sum_mismatch", 7, "B")),
    case("yearbook_symbols", yearbook_symbols, "accepted", inspect=symbols_kept),
    # Rows.
    case("pardis_in_1390", pardis_in_1390, "rejected", "place_not_valid",
         kwargs={"table_id": LIT, "year": 1390}, at=("place_not_valid", 22, "A"),
         says=("place_not_valid", "exists from 1391")),
    case("karaj_in_1395", karaj_in_1395, "rejected", "place_not_valid",
         says=("place_not_valid", "Alborz")),
    case("unknown_county", unknown_county, "rejected", "unknown_place",
         at=("unknown_place", 25, "A")),
    case("duplicate_row", duplicate_row, "rejected", "duplicate_row",
         at=("duplicate_row", 11, None), says=("duplicate_row", "keep one")),
    case("missing_row", missing_row, "rejected", "missing_row",
         says=("missing_row", "Damavand")),
    case("rows_shuffled", rows_shuffled, "accepted", inspect=same_figures(EDU, 1395)),
    case("subheading_row", subheading_row, "accepted", "ignored_line",
         inspect=same_figures(EDU, 1395)),
    case("missing_age_label", missing_age_label, "rejected", "missing_row_label missing_row",
         kwargs={"table_id": POP, "year": 1395}, at=("missing_row_label", 53, None)),
    case("unknown_month", unknown_month, "rejected", "unknown_row_label missing_row",
         kwargs=CPI_1395, at=("unknown_row_label", 6, "B")),
    case("percent_signs", percent_signs, "accepted", "percent_sign", kwargs=CPI_1395,
         inspect=same_figures(CPI, 1395)),
    # The workbook.
    case("formula_without_value", formula_without_value, "rejected", "formula_without_value",
         at=("formula_without_value", 8, "B"),
         says=("formula_without_value", "let it calculate")),
    case("formulas_calculated", formulas_calculated, "accepted", libreoffice="xlsx",
         inspect=formulas_kept),
    case("hidden_rows", hidden_rows, "accepted", "hidden_rows",
         says=("hidden_rows", str(HIDDEN_ROW)), inspect=same_figures(EDU, 1395)),
    case("merged_cells", merged_cells, "accepted", kwargs={"table_id": POP, "year": 1395},
         inspect=same_figures(POP, 1395)),
    case("trailing_empty_xlsx", trailing_empty_xlsx, "accepted",
         inspect=same_figures(EDU, 1395)),
    case("xls", xls_version, "accepted", libreoffice="xls", inspect=same_figures(EDU, 1395)),
    case("ods", ods_version, "accepted", libreoffice="ods", inspect=same_figures(EDU, 1395)),
    # Text files and Persian text.
    case("cp1256_csv", cp1256_csv, "accepted", "encoding_cp1256",
         inspect=same_figures(EDU, 1395)),
    case("utf8_bom_csv", utf8_bom_csv, "accepted", inspect=same_figures(EDU, 1395)),
    case("semicolon_csv", semicolon_csv, "accepted", inspect=same_figures(EDU, 1395)),
    case("tab_csv", tab_csv, "accepted", inspect=same_figures(EDU, 1395)),
    case("utf16_text", utf16_text, "accepted", inspect=same_figures(EDU, 1395)),
    case("broken_byte_csv", broken_byte_csv, "accepted", "undecodable_characters",
         inspect=same_figures(EDU, 1395)),
    case("csv_named_xlsx", csv_named_xlsx, "accepted", inspect=same_figures(EDU, 1395)),
    case("trailing_empty_csv", trailing_empty_csv, "accepted", inspect=same_figures(EDU, 1395)),
    case("spaces_in_empty_cells", spaces_in_empty_cells, "accepted",
         inspect=same_figures(EDU, 1395)),
    case("thousands_commas_csv", thousands_commas_csv, "accepted",
         inspect=same_figures(EDU, 1395)),
    case("persian_digits", persian_digits_xlsx, "accepted", inspect=same_figures(EDU, 1395)),
    case("arabic_indic_digits", arabic_indic_digits, "accepted",
         inspect=same_figures(EDU, 1395)),
    case("persian_decimals", persian_decimals, "accepted", kwargs=CPI_1395,
         inspect=same_figures(CPI, 1395)),
    case("arabic_letters_and_variants", arabic_letters_and_variants, "accepted",
         inspect=places_found("2312", "2304", "2310", "2319")),
    case("english_labels", english_labels, "accepted", inspect=same_figures(EDU, 1395)),
]
# fmt: on


# ------------------------------------------------------------------------ LibreOffice
def convert_with_libreoffice(soffice: str, jobs: list[tuple[Path, str]], outdir: Path,
                             profile: Path) -> dict[Path, Path]:  # fmt: skip
    """Each (file, format) converted by LibreOffice: one soffice run per target format.

    LibreOffice honours only the last --convert-to of a command line, so files going to
    the same format share one run. Returns source -> converted file.
    """
    converted = {}
    for fmt in sorted({f for _p, f in jobs}):
        sources = [p for p, f in jobs if f == fmt]
        target = outdir / fmt
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", fmt, "--outdir", str(target), *map(str, sources)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        for source in sources:
            out = target / f"{source.stem}.{fmt}"
            if not out.exists():
                raise FileNotFoundError(f"LibreOffice did not convert {source.name} to {fmt}")
            converted[source] = out
    return converted
