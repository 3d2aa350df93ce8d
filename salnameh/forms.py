"""The Excel forms agencies fill in: one workbook per table, year and agency.

A form is the printed yearbook table left empty: right to left, Persian headers with the
English beneath (in brackets, which ingestion ignores when it matches a header), the rows
of the geography valid in that year (no Pardis before 1391), row dimensions down and
column dimensions with the measures across. Value cells are the only unlocked cells, and
each accepts a number within the declaration's bounds or a yearbook symbol. A cover sheet
gives the instructions and the symbols; a hidden sheet `_salnameh` names the table, year,
agency and catalog version, which ingestion reads first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.jalali import period_label
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS, format_number
from salnameh.reference import Reference
from salnameh.table_grid import Key, table_grid

METADATA_SHEET = "_salnameh"  # read by ingestion.readers (FORM_METADATA_SHEET)
DATA_SHEET = "جدول"
COVER_SHEET = "راهنما"
FIRST_HEADER_ROW = 5  # after three title lines and a blank row
SYMBOLS = sorted(set(FLAG_SYMBOL.values()) | {"ـ"})
_thin = Side(style="thin", color="999999")
_box = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_editable = PatternFill("solid", fgColor="FFFDE7")


@dataclass
class Form:
    """Where each value goes: the cell (row, column, 1-based) of every key."""

    table: TableDecl
    year: int
    agency: str
    cells: dict[Key, tuple[int, int]] = field(default_factory=dict)


def form_filename(table: TableDecl) -> str:
    return f"{table.id}.xlsx"


def build_form(
    table: TableDecl, year: int, reference: Reference, catalog_version: str
) -> tuple[Workbook, Form]:
    """The workbook of one table's form for one reference year."""
    form = Form(table, year, table.agency)
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    form.cells, _header_end = write_table_layout(sheet, table, year, reference)
    for row, column in form.cells.values():
        cell = sheet.cell(row, column)
        cell.protection = Protection(locked=False)
        cell.fill = _editable
    _validate(sheet, form)
    sheet.protection.sheet = True  # structure fixed; value cells stay editable
    _cover(book, table, year, reference)
    _metadata(book, table, year, catalog_version)
    return book, form


def write_table_layout(
    sheet, table: TableDecl, year: int, reference: Reference
) -> tuple[dict[Key, tuple[int, int]], int]:
    """A table's printed layout on a right-to-left sheet, without figures: titles, headers
    (Persian, English beneath), and the row labels of the year's geography. Returns the
    cell of every value and the number of the last header row. Forms and the published
    yearbook share it, so a form looks like the table it will become."""
    sheet.sheet_view.rightToLeft = True
    _title(sheet, table, year, reference)
    grid = table_grid(table, year, reference)
    cells: dict[Key, tuple[int, int]] = {}
    depth, top = grid.header_depth, FIRST_HEADER_ROW
    for col, (fa, en) in enumerate(grid.label_headers, start=1):
        _header(sheet, top, col, fa, en)
        if depth > 1:
            sheet.merge_cells(start_row=top, start_column=col, end_row=top + depth - 1,
                              end_column=col)  # fmt: skip
    first_value = len(grid.label_headers) + 1
    for col, column in enumerate(grid.columns, start=first_value):
        _header(sheet, top, col, column.measure.title.fa, column.measure.title.en)
        for level, code in enumerate(column.members, start=1):
            _header(sheet, top + level, col, code.label_fa, code.label_en)
    per_measure = len(grid.columns) // len(table.measures)
    if per_measure > 1:  # one merged measure title over its column members
        for start in range(first_value, first_value + len(grid.columns), per_measure):
            sheet.merge_cells(start_row=top, start_column=start, end_row=top,
                              end_column=start + per_measure - 1)  # fmt: skip
    for row, grid_row in enumerate(grid.rows, start=top + depth):
        sheet.cell(row, 1, grid_row.place_label if grid_row.first_of_place else "").border = _box
        for offset, code in enumerate(grid_row.members, start=2):
            sheet.cell(row, offset, code.label_fa).border = _box
        for col, column in enumerate(grid.columns, start=first_value):
            cells[grid.key(grid_row, column)] = (row, col)
            sheet.cell(row, col).border = _box
    sheet.freeze_panes = sheet.cell(top + depth, first_value)
    sheet.column_dimensions["A"].width = 18
    for column in range(2, first_value + len(grid.columns)):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    return cells, top + depth - 1


def _title(sheet, table: TableDecl, year: int, reference: Reference) -> None:
    units = {reference.units[m.unit] for m in table.measures}
    period = period_label(year, table.period)
    lines = [f"جدول {table.number} - {table.title.fa}", table.title.en,
             f"سال {period} (Year {period})"]  # fmt: skip
    if len(units) == 1:
        unit = units.pop()
        lines[2] += f" - واحد: {unit.title_fa} ({unit.title_en})"
    for n, text in enumerate(lines, start=1):
        sheet.cell(n, 1, text).font = Font(bold=n == 1)


def _header(sheet, row: int, col: int, fa: str, en: str) -> None:
    cell = sheet.cell(row, col, f"{fa}\n({en})")
    cell.font = Font(bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = _box


def _validate(sheet, form: Form) -> None:
    """Each value cell takes a number within the measure's bounds, or a yearbook symbol."""
    by_measure: dict[str, list[tuple[int, int]]] = {}
    for (_geo, _members, measure), place in form.cells.items():
        by_measure.setdefault(measure, []).append(place)
    symbols = ",".join(f'X="{s}"' for s in SYMBOLS)
    for measure_id, places in by_measure.items():
        measure = form.table.measure(measure_id)
        checks = ["ISNUMBER(X)"]
        if measure.min is not None:
            checks.append(f"X>={_literal(measure.min)}")
        if measure.max is not None:
            checks.append(f"X<={_literal(measure.max)}")
        if measure.type == "integer":
            checks.append("X=INT(X)")
        # Excel evaluates the formula for the range's top-left cell, shifted for the others.
        first = min(places)
        ref = f"{get_column_letter(first[1])}{first[0]}"
        formula = f"OR(AND({','.join(checks)}),{symbols})".replace("X", ref)
        rule = DataValidation(type="custom", formula1=formula, allow_blank=True,
                              showErrorMessage=True)  # fmt: skip
        whole = "عدد صحیح " if measure.type == "integer" else "عدد "
        rule.errorTitle = "مقدار نادرست / Invalid value"
        rule.error = (f"{whole}بین {_bound(measure.min)} و {_bound(measure.max)} یا یکی از نشانه‌ها "
                      f"({' '.join(SYMBOLS)}).\nA {'whole ' if measure.type == 'integer' else ''}"
                      f"number from {format_number(measure.min, None, 'en')} to "
                      f"{format_number(measure.max, None, 'en')}, or a yearbook symbol."
                      if measure.min is not None and measure.max is not None else
                      "A number or a yearbook symbol / عدد یا نشانه")  # fmt: skip
        sheet.add_data_validation(rule)
        for r, c in places:
            rule.add(sheet.cell(r, c))


def _bound(value: float | None) -> str:
    return "-" if value is None else format_number(value, None, "fa")


def _literal(value: float) -> str:
    """A bound in an Excel formula: plain digits (3000000, not 3e+06)."""
    return format_number(value, None, "en").replace(",", "")


def _cover(book: Workbook, table: TableDecl, year: int, reference: Reference) -> None:
    sheet = book.create_sheet(COVER_SHEET)
    sheet.sheet_view.rightToLeft = True
    agency = reference.agencies[table.agency]
    period = period_label(year, table.period)
    lines = [
        (f"فرم جدول {table.number}: {table.title.fa}",
         f"Form of table {table.number}: {table.title.en}"),
        (f"سال مرجع: {period}", f"Reference year: {period}"),
        (f"دستگاه: {agency.name_fa}", f"Agency: {agency.name_en}"),
        ("", ""),
        ("راهنما", "Instructions"),
        ("فقط خانه‌های زرد برگه «جدول» را پر کنید؛ ردیف و ستون اضافه یا حذف نکنید.",
         "Fill only the yellow cells of the sheet 'جدول'; do not add or remove rows or columns."),
        ("عدد را بدون واحد بنویسید؛ جمع‌ها باید با اجزا برابر باشند.",
         "Type numbers without units; totals must equal the sum of their parts."),
        ("جایی که رقمی نیست، یکی از نشانه‌های زیر را بگذارید و خانه را خالی نگذارید.",
         "Where there is no figure, type one of the symbols below; leave no cell empty."),
        ("فایل را با همین نام و قالب بارگذاری کنید.", "Upload the file with this name and format."),
        ("", ""),
        ("نشانه‌ها", "Symbols"),
    ]  # fmt: skip
    for flag, symbol in sorted(FLAG_SYMBOL.items(), key=lambda kv: kv[1]):
        fa, en = SYMBOL_MEANINGS[flag]
        lines.append((f"{symbol}   {fa}", f"{symbol}   {en}"))
    for n, (fa, en) in enumerate(lines, start=1):
        sheet.cell(n, 1, fa).font = Font(bold=n in (1, 5, 11))
        sheet.cell(n, 2, en).font = Font(bold=n in (1, 5, 11))
    sheet.column_dimensions["A"].width = 70
    sheet.column_dimensions["B"].width = 70
    sheet.protection.sheet = True


def _metadata(book: Workbook, table: TableDecl, year: int, catalog_version: str) -> None:
    sheet = book.create_sheet(METADATA_SHEET)
    for n, (key, value) in enumerate((("table_id", table.id), ("year", year),
                                      ("agency", table.agency),
                                      ("catalog_version", catalog_version)), start=1):  # fmt: skip
        sheet.cell(n, 1, key)
        sheet.cell(n, 2, value)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def write_forms(
    catalog: Catalog,
    reference: Reference,
    year: int,
    out: Path,
    agency: str | None = None,
    table_ids: set[str] | None = None,
) -> list[Path]:
    """Every form of a year (or of one agency, or of these tables), as
    out/<agency>/<table_id>.xlsx."""
    written = []
    for table in catalog:
        if not table.published_in(year) or (agency is not None and table.agency != agency):
            continue
        if table_ids is not None and table.id not in table_ids:
            continue
        book, _form = build_form(table, year, reference, catalog.version)
        path = out / table.agency / form_filename(table)
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        written.append(path)
    return written
