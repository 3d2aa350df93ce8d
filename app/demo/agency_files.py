"""Writing a table-year the way an agency liaison would send it.

The same figures come out in different habits: an .xlsx with title rows and merged
headers, or a CSV in UTF-8 with BOM or in Windows-1256 (which cannot hold Persian ی or
Persian digits, so those files carry Arabic ي and ASCII digits, as real ones do); numbers
typed as text with Persian digits and ٬ separators; Arabic ي/ك and spacing variants in
county names; yearbook symbols; a source line under the table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from app.demo.census import province_extras
from app.demo.figures import Cube
from salnameh.jalali import period_label
from salnameh.persian import FLAG_SYMBOL, to_persian_digits
from salnameh.reference import GeoVersion, Reference


@dataclass(frozen=True)
class Habits:
    """How one liaison prepares files: chosen once per agency and year."""

    format: str
    title_rows: bool
    persian_digits: bool
    thousands_separators: bool
    arabic_letters: bool
    name_variants: bool
    repeat_row_labels: bool
    source_line: bool
    blank_trailing_rows: bool

    @property
    def extension(self) -> str:
        return "xlsx" if self.format == "xlsx" else "csv"


@dataclass
class Grid:
    """The printed shape of a table: header rows, data rows, merged header ranges."""

    title: list[str]
    header: list[list[str]]
    merges: list[tuple[int, int, int, int]]  # (header row, first col, last col, span rows)
    rows: list[list[object]]  # labels as text, values as float, symbols as text
    footer: list[str]


VARIANTS_BY_RULE = 4  # how many counties get a spelling of their own, at most


def spelling(geo: GeoVersion, reference: Reference) -> str:
    """The county's name as a liaison types it (DOMAIN.md section 4): the province's own
    spellings (provinces.yaml), else by rule: a few names of two words joined or with a
    half-space, and one with a trailing space."""
    own = province_extras(reference.province).get("name_variants")
    if own is not None:
        return own.get(geo.code, geo.name_fa)
    style = _spelling_styles(reference.province).get(geo.code)
    if style == "trailing_space":
        return geo.name_fa + " "
    return geo.name_fa.replace(" ", style) if style else geo.name_fa


@cache
def _spelling_styles(province: str) -> dict[str, str]:
    """County code -> how its name is respelled: the space joined or a half-space, or a
    trailing space, for the first counties by code with names of two words."""
    names = {g.code: g.name_fa for g in Reference(province=province).geography
             if g.level == "county"}  # fmt: skip
    two_words = [code for code in sorted(names) if " " in names[code]]
    styles = {
        code: ("\u200c", "")[n % 2] for n, code in enumerate(two_words[: VARIANTS_BY_RULE - 1])
    }
    plain = [code for code in sorted(names) if code not in styles]
    if plain:
        styles[plain[-1]] = "trailing_space"
    return styles


def province_label() -> str:
    return "کل استان"


def build_grid(cube: Cube, reference: Reference, habits: Habits) -> Grid:
    table = cube.table
    agency = reference.agencies[table.agency]
    unit_titles = {reference.units[m.unit].title_fa for m in table.measures}
    title = [
        f"جدول {table.number} - {table.title.fa}",
        f"سال {period_label(cube.year, table.period)}",
    ]
    if len(unit_titles) == 1:
        title.append(f"واحد: {unit_titles.pop()}")

    row_dims = [(i, d) for i, d in enumerate(table.dimensions) if d.axis == "row"]
    col_dims = [(i, d) for i, d in enumerate(table.dimensions) if d.axis == "column"]
    label_headers = ["شهرستان" if table.geography == "county" else "استان"]
    label_headers += [reference.code_list_titles[d.code_list][0] for _i, d in row_dims]

    # Column header: measures outermost, then each column dimension's members.
    col_combos = list(itertools.product(*(cube.members[i] for i, _d in col_dims)))
    depth = 1 + len(col_dims)
    header = [[""] * len(label_headers) for _ in range(depth)]
    header[0][: len(label_headers)] = label_headers
    merges = []
    for measure in table.measures:
        start = len(header[0])
        for combo in col_combos:
            header[0].append(measure.title.fa)
            for level, code in enumerate(combo, start=1):
                header[level].append(code.label_fa)
        if len(col_combos) > 1:
            merges.append((0, start, start + len(col_combos) - 1, 1))
    # Middle levels: merge runs of one member within each measure's block of columns.
    block = len(col_combos)
    for level in range(1, depth - 1):
        for index in range(len(table.measures)):
            first = len(label_headers) + index * block
            run = first
            for col in range(first + 1, first + block + 1):
                if col == first + block or header[level][col] != header[level][run]:
                    if col - 1 > run:
                        merges.append((level, run, col - 1, 1))
                    run = col
    for col in range(len(label_headers)):
        if depth > 1:
            merges.append((0, col, col, depth))

    rows = []
    for geo in cube.geos:
        name = province_label() if geo.level == "province" else geo.name_fa
        if habits.name_variants and geo.level == "county":
            name = spelling(geo, reference)
        first = True
        for row_combo in itertools.product(*(cube.members[i] for i, _d in row_dims)):
            labels = [name if first or habits.repeat_row_labels else ""]
            labels += [c.label_fa for c in row_combo]
            first = False
            values = []
            for measure in table.measures:
                for col_combo in col_combos:
                    members = {i: c.code for (i, _d), c in zip(row_dims, row_combo, strict=True)}
                    members |= {i: c.code for (i, _d), c in zip(col_dims, col_combo, strict=True)}
                    key = (geo.code, tuple(members[i] for i in range(len(cube.members))),
                           measure.id)  # fmt: skip
                    if key in cube.flags:
                        values.append(FLAG_SYMBOL[cube.flags[key]])
                    elif key in cube.values:
                        values.append(render_number(cube.values[key], measure.decimals, habits))
                    else:
                        values.append("-")
            rows.append(labels + values)
    footer = [f"مأخذ: {agency.name_fa}"] + [f"* {note.fa}" for note in table.footnotes]
    return Grid(title, header, merges, rows, footer)


def render_number(value: float, decimals: int, habits: Habits) -> object:
    """A number as the liaison types it: a real number, or text with their separators."""
    if not (habits.persian_digits or habits.thousands_separators):
        return int(value) if decimals == 0 else value
    text = f"{value:,.{decimals}f}" if habits.thousands_separators else f"{value:.{decimals}f}"
    if habits.persian_digits:
        text = to_persian_digits(text).replace(",", "٬").replace(".", "٫")
    return text


def arabize(text: str) -> str:
    return text.replace("ی", "ي").replace("ک", "ك")


def _text(value: object, habits: Habits) -> object:
    if isinstance(value, str) and habits.arabic_letters:
        return arabize(value)
    return value


def write_xlsx(grid: Grid, path: Path, habits: Habits) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "جدول"
    sheet.sheet_view.rightToLeft = True
    line = 1
    if habits.title_rows:
        for text in grid.title:
            sheet.cell(line, 1, _text(text, habits)).font = Font(bold=True)
            line += 1
        line += 1  # a blank row between title and header, as typed by hand
    header_top = line
    for level in grid.header:
        for col, text in enumerate(level, start=1):
            if text:
                cell = sheet.cell(line, col, _text(text, habits))
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        line += 1
    for level, first, last, span in grid.merges:
        top = header_top + level
        if last > first or span > 1:
            sheet.merge_cells(start_row=top, start_column=first + 1, end_row=top + span - 1,
                              end_column=last + 1)  # fmt: skip
    for row in grid.rows:
        for col, value in enumerate(row, start=1):
            if value != "" and value is not None:
                sheet.cell(line, col, _text(value, habits))
        line += 1
    if habits.source_line:
        line += 1
        for text in grid.footer:
            sheet.cell(line, 1, _text(text, habits))
            line += 1
    sheet.column_dimensions["A"].width = 18
    for column in range(2, len(grid.header[0]) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    path.write_bytes(_reproducible_xlsx(book))


# The same figures must give the same bytes, so a regenerated file is recognised as the
# one already archived: fixed document dates and fixed zip entry times.
_FIXED_TIME = dt.datetime(2024, 3, 20)


def _reproducible_xlsx(book: Workbook) -> bytes:
    book.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()  # openpyxl's save() would stamp 'now'
    stamped = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(stamped, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-03-20T00:00:00Z", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 3, 20, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    return stamped.getvalue()


def write_csv(grid: Grid, path: Path, habits: Habits) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    if habits.title_rows:
        for text in grid.title:
            out.writerow([text])
    # A CSV has one header row: the levels are joined, as Excel's 'save as CSV' users do.
    width = len(grid.header[0])
    filled = [list(level) for level in grid.header]
    for level, first, last, _span in grid.merges:
        for col in range(first + 1, last + 1):
            filled[level][col] = filled[level][first]
    joined = [" - ".join(t for t in (lv[c] for lv in filled) if t) for c in range(width)]
    out.writerow(joined)
    out.writerows(grid.rows)
    if habits.blank_trailing_rows:
        out.writerows([[""] * width] * 2)
    if habits.source_line:
        for text in grid.footer:
            out.writerow([text])
    text = buffer.getvalue()
    if habits.arabic_letters:
        text = arabize(text)
    if habits.format == "csv_cp1256":
        # Windows-1256 has no Persian ی, ۴-style digits or ٬: liaisons' files carry ي and ASCII.
        text = arabize(text).translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٬٫", "0123456789,."))
        path.write_bytes(text.encode("cp1256"))
    elif habits.format == "csv_utf8_bom":
        path.write_bytes(text.encode("utf-8-sig"))
    else:
        path.write_bytes(text.encode("utf-8"))


def write_agency_file(cube: Cube, reference: Reference, habits: Habits, path: Path) -> None:
    grid = build_grid(cube, reference, habits)
    path.parent.mkdir(parents=True, exist_ok=True)
    if habits.format == "xlsx":
        write_xlsx(grid, path, habits)
    else:
        write_csv(grid, path, habits)
