"""An edition as the yearbook workbook: a contents sheet, one sheet per table in its
printed layout (the same layout as the form), and the revisions against the previous
edition. Right to left, A4, header rows repeated on every printed page, fit to width."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink

from publishing.edition import Edition
from publishing.safe import neutralize
from salnameh.catalog import Catalog
from salnameh.forms import write_table_layout
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS, to_persian_digits
from salnameh.reference import Reference

CONTENTS = "فهرست"
REVISIONS = "تجدیدنظرها"


def sheet_name(table_number: str) -> str:
    return f"جدول {table_number}"  # Excel allows 31 characters; a number always fits


def write_workbook(values: pd.DataFrame, edition: Edition, catalog: Catalog,
                   reference: Reference, path: Path, revisions: pd.DataFrame | None = None,
                   chapter: int | None = None) -> Path:  # fmt: skip
    book = Workbook()
    contents = book.active
    contents.title = CONTENTS
    contents.sheet_view.rightToLeft = True
    year = to_persian_digits(str(edition.year))
    contents.append([f"سالنامه آماری {reference.province_names.title_fa} {year} - ویرایش "
                     f"{to_persian_digits(str(edition.number))}"])  # fmt: skip
    contents["A1"].font = Font(bold=True, size=14)
    contents.append([])
    contents.append(["شماره", "عنوان جدول", "Table", "دستگاه"])
    for cell in contents[3]:
        cell.font = Font(bold=True)
    by_table = dict(tuple(values.groupby("table_id", sort=False)))
    for table_id in edition.tables:
        table = catalog.table(table_id)
        if chapter is not None and table.chapter != chapter:
            continue
        sheet = book.create_sheet(sheet_name(table.number))
        cells, header_end = write_table_layout(sheet, table, edition.year, reference)
        _fill(sheet, cells, by_table[table_id])
        _footer(sheet, table, reference)
        _print_setup(sheet, header_end)
        contents.append([table.number, table.title.fa, table.title.en,
                         reference.agencies[table.agency].name_fa])  # fmt: skip
        link = contents.cell(contents.max_row, 2)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet.title}'!A1")
    _symbols(contents)
    if revisions is not None and not revisions.empty:
        _revisions(book, revisions)
    contents.column_dimensions["B"].width = 70
    contents.column_dimensions["C"].width = 55
    contents.column_dimensions["D"].width = 40
    book.save(path)
    return path


def _fill(sheet, cells: dict, rows: pd.DataFrame) -> None:
    for row in rows.itertuples():
        members = tuple(p.split("=", 1)[1] for p in row.dim_key.split(";")) if row.dim_key else ()
        place = cells.get((row.geo_code, members, row.measure_id))
        if place is None:
            continue
        cell = sheet.cell(*place)
        if isinstance(row.flag, str):
            cell.value = FLAG_SYMBOL[row.flag]
        elif not pd.isna(row.value):
            cell.value = float(row.value)
            cell.number_format = "#,##0" if row.decimals == 0 else "#,##0." + "0" * row.decimals


def _footer(sheet, table, reference: Reference) -> None:
    line = sheet.max_row + 2
    agency = reference.agencies[table.agency]
    sheet.cell(line, 1, neutralize(f"مأخذ: {agency.name_fa}"))
    for note in table.footnotes:
        line += 1
        sheet.cell(line, 1, neutralize(f"* {note.fa}"))


def _print_setup(sheet, header_end: int) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header_end}"


def _symbols(contents) -> None:
    contents.append([])
    contents.append(["نشانه‌ها", "", "Symbols"])
    contents.cell(contents.max_row, 1).font = Font(bold=True)
    for flag, symbol in sorted(FLAG_SYMBOL.items(), key=lambda kv: kv[1]):
        fa, en = SYMBOL_MEANINGS[flag]
        contents.append([symbol, fa, en])


def _revisions(book: Workbook, revisions: pd.DataFrame) -> None:
    sheet = book.create_sheet(REVISIONS)
    sheet.sheet_view.rightToLeft = True
    sheet.append(["جدول", "مکان", "اعضا", "سنجه", "رقم پیشین", "رقم جدید", "دلیل"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in revisions.itertuples():
        old = r.old_value if not pd.isna(r.old_value) else FLAG_SYMBOL.get(r.old_flag, "")
        new = r.new_value if not pd.isna(r.new_value) else FLAG_SYMBOL.get(r.new_flag, "")
        sheet.append([r.table_id, r.geo_code, r.dim_key, r.measure_id, old, new,
                      neutralize(r.reason or "")])  # fmt: skip
