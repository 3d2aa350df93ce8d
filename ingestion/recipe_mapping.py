"""A workbook in a foreign layout read through its recipe into the long values of a table.

Two steps, each saying where it stops:

1. `read_cube`: every taken sheet is read as the recipe declares it (the place from the
   sheet's name or title or a column; the header found by its first label, its rows
   giving column members; row labels matched to code-list members through the code list's
   own labels, the recipe's spellings and the product's Persian normalisation). The result
   is a cube of cells, each with the sheet, row and column it came from. Anything the
   recipe does not account for (a header text it does not know, a row label that is
   neither a member nor a declared skip, figures in a column without heading) is an error
   naming the sheet and cell: the layout drifted, and nothing is loaded.
2. `table_values`: the cube becomes one catalog table: dimensions the table does not have
   are held at the member the recipe keeps, county sheets are summed to the province
   where the table is the province's, and the frame has the columns a form's values have,
   so the same validation, ledger and load follow.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingestion.layout import TableShape
from ingestion.places import Places
from ingestion.problems import Problem, Rejected, column_letter, error, note
from ingestion.readers import Book, Sheet
from ingestion.values import FLAGS, LONG_COLUMNS, dim_key, not_a_number
from salnameh.persian import (
    NumberFormatError,
    canonical_text,
    name_key,
    parse_cell,
    to_ascii_digits,
)
from salnameh.recipes import Labels, Recipe, Target

# The title and header of a layout sit in its first rows. They are read from `Sheet.cells`,
# which always holds a sheet's head: `Sheet.rows` would wait for a long sheet's body, read
# on another thread while the file is identified.
FINGERPRINT_ROWS = 12
HEADER_SEARCH_ROWS = 30
MAX_PROBLEMS = 150
SUMMED = ""  # the sheet and column of a figure that is a sum, not a cell of the workbook


# ------------------------------------------------------------------- choosing a recipe
def fingerprint_holds(recipe: Recipe, book: Book) -> bool:
    """Whether the book looks like the recipe's layout: every fingerprint text in the
    first rows of its first taken sheet, and every sheet name of the declared form."""
    sheets = taken_sheets(recipe, book)
    if not sheets:
        return False
    names = recipe.fingerprint.sheet_names
    if names is not None and not all(re.search(names, s.name) for s in sheets):
        return False
    head = " ".join(
        name_key(str(cell)) for row in sheets[0].cells[:FINGERPRINT_ROWS] for cell in row
    )
    return all(name_key(text) in head for text in recipe.fingerprint.texts)


def choose_recipe(book: Book, recipes: Iterable[Recipe]) -> Recipe | None:
    """The one recipe whose fingerprint the book has; None if none has. Two at once is
    refused, naming both: which mapping is right cannot be guessed."""
    if book.metadata:  # one of our own forms
        return None
    found = [recipe for recipe in recipes if fingerprint_holds(recipe, book)]
    if len(found) > 1:
        names = ", ".join(f"{r.id} ({r.path.name})" for r in found)
        raise Rejected([error(
            "several_recipes",
            f"چند دستورِ نگاشت با این فایل جور است ({names})؛ یکی را با --recipe انتخاب کنید "
            "یا دستورها را از هم جدا کنید.",
            f"Several recipes fit this file ({names}); choose one with --recipe, or make "
            "their fingerprints tell the layouts apart.")])  # fmt: skip
    return found[0] if found else None


def near_miss(book: Book, recipes: Iterable[Recipe]) -> Problem | None:
    """A refusal for a book that has most of a recipe's fingerprint but not all of it: its
    layout drifted (a header renamed), and a liaison should hear that rather than that
    the file cannot be identified."""
    if book.metadata:
        return None
    for recipe in recipes:
        sheets = taken_sheets(recipe, book)
        if not sheets:
            continue
        head = " ".join(name_key(str(cell)) for row in sheets[0].cells[:FINGERPRINT_ROWS]
                        for cell in row)  # fmt: skip
        missing = [t for t in recipe.fingerprint.texts if name_key(t) not in head]
        if missing and len(missing) * 2 < len(recipe.fingerprint.texts):
            shown = "، ".join(missing)
            return error(
                "recipe_layout_drifted",
                f"این فایل به قالب «{recipe.title.fa}» می‌ماند ولی «{shown}» در "
                f"{FINGERPRINT_ROWS} ردیف اول برگه نیست؛ قالب تغییر کرده است. فایل یا دستور "
                "نگاشت را اصلاح کنید، یا دستور را با --recipe برگزینید.",
                f"This file looks like the layout of recipe '{recipe.id}', but "
                f"'{', '.join(missing)}' is not in the first {FINGERPRINT_ROWS} rows of the "
                "sheet: the layout drifted. Correct the file or the recipe, or force the "
                "recipe with --recipe.",
                sheet=sheets[0].name)  # fmt: skip
    return None


def taken_sheets(recipe: Recipe, book: Book) -> list[Sheet]:
    if recipe.sheets is None:
        return list(book.sheets)
    return [s for s in book.sheets if re.search(recipe.sheets, s.name)]


def target_for(recipe: Recipe, table_id: str | None) -> Target:
    """The recipe's mapping onto the table asked for; the only one when none is asked."""
    if table_id is not None and table_id in recipe.targets:
        return recipe.targets[table_id]
    tables = ", ".join(recipe.targets)
    if table_id is None and len(recipe.targets) == 1:
        return next(iter(recipe.targets.values()))
    if table_id is None:
        raise Rejected([error(
            "recipe_table_unsaid",
            f"این فایل با دستور «{recipe.title.fa}» به چند جدول نگاشته می‌شود ({tables})؛ "
            "جدول را با --table بگویید.",
            f"The recipe '{recipe.id}' maps this file onto several tables ({tables}); say "
            "which with --table.")])  # fmt: skip
    raise Rejected([error(
        "recipe_wrong_table",
        f"دستور «{recipe.title.fa}» این فایل را به جدول {table_id} نمی‌نگارد؛ جدول‌های آن: "
        f"{tables}.",
        f"The recipe '{recipe.id}' does not map this file onto {table_id}; it maps onto "
        f"{tables}.")])  # fmt: skip


# ------------------------------------------------------------------ reading the cube
@dataclass
class Cube:
    """The cells a recipe read, one entry per cell, in sheet order."""

    dimensions: list[str]  # code lists: the rows' first, then each header level's
    geo: list[str]
    members: list[tuple[str, ...]]
    raw: list[object]
    sheet: list[str]
    row: list[int]  # 1-based, as the spreadsheet shows it
    column: list[str]

    def __len__(self) -> int:
        return len(self.raw)


class LabelIndex:
    """Label -> code of one dimension: the code list's labels and the recipe's spellings,
    each compared after the recipe's words are stripped and Persian is normalised."""

    def __init__(self, labels: Labels, codes, strip: tuple[str, ...] = ()) -> None:
        self.strip = tuple(canonical_text(word) for word in strip)
        self.index: dict[str, str] = {}
        self._cleaned: dict[object, str] = {}
        for code in codes:
            for text in (code.label_fa, code.label_en, code.code):
                self.index.setdefault(self.key(text), code.code)
        for code, spellings in labels.spellings.items():
            for text in spellings:
                self.index[self.key(text)] = code

    def clean(self, text: object) -> str:
        """The label as compared with patterns: canonical letters, ASCII digits, the
        recipe's words dropped."""
        cleaned = to_ascii_digits(canonical_text(str(text)))
        for word in self.strip:
            cleaned = cleaned.replace(word, " ")
        return " ".join(cleaned.split())

    def key(self, text: object) -> str:
        return name_key(self.clean(text))

    def code(self, text: object) -> str | None:
        return self.index.get(self.key(text))

    def cleaned(self, text: object) -> str:
        """`clean`, once per distinct label: the same labels come down every sheet."""
        found = self._cleaned.get(text)
        if found is None:
            found = self._cleaned[text] = self.clean(text)
        return found


def read_cube(book: Book, recipe: Recipe, places: Places, reference) -> Cube:
    """Every cell the recipe accounts for; Rejected with every drift found otherwise."""
    sheets = taken_sheets(recipe, book)
    rows_index = LabelIndex(recipe.rows.labels,
                            reference.code_lists[recipe.rows.labels.dimension],
                            recipe.rows.strip)  # fmt: skip
    level_indexes = [LabelIndex(level, reference.code_lists[level.dimension])
                     for level in recipe.levels]  # fmt: skip
    cube = Cube(recipe.dimensions, [], [], [], [], [], [])
    problems: list[Problem] = []
    for sheet in sheets:
        problems += _read_sheet(sheet, recipe, places, rows_index, level_indexes, cube)
        if len(problems) >= MAX_PROBLEMS:
            break
    if not sheets:
        problems.append(_nothing_mapped(recipe, "no sheet of the file is one the recipe takes"))
    elif not problems and not len(cube):
        problems.append(_nothing_mapped(recipe, "no cell of the file fits the recipe"))
    if problems:
        raise Rejected(problems[:MAX_PROBLEMS])
    return cube


def _read_sheet(sheet: Sheet, recipe: Recipe, places: Places, rows_index: LabelIndex,
                level_indexes: list[LabelIndex], cube: Cube) -> list[Problem]:  # fmt: skip
    cells = sheet.rows(0)
    header = _find_header(cells, recipe.header_first)
    if header is None:
        return [error(
            "recipe_header_not_found",
            f"سرستون جدول (خانه‌ای با «{recipe.header_first}») در {HEADER_SEARCH_ROWS} ردیف اول "
            "برگه پیدا نشد؛ قالب فایل با دستور نگاشت نمی‌خواند.",
            f"The table's header (a cell reading '{recipe.header_first}') is not in the first "
            f"{HEADER_SEARCH_ROWS} rows of the sheet; the layout does not fit the recipe "
            f"'{recipe.id}'.", sheet=sheet.name)]  # fmt: skip
    top, label_col = header
    columns, spacers, problems = _value_columns(sheet, cells, top, label_col, recipe,
                                                level_indexes)  # fmt: skip
    place_col = recipe.place.column if recipe.place.source == "column" else None
    geo = None if place_col is not None else _sheet_place(sheet, cells, recipe, places)
    if isinstance(geo, Problem):
        return [geo, *problems]
    first = top + len(recipe.levels)
    previous: tuple[str | None, list[object]] = (None, [])  # the last row read: member, cells
    for r in range(first, len(cells)):
        row = cells[r]
        label = _cell(row, label_col)
        if _blank(label) and all(_blank(_cell(row, c)) for c, _m in columns):
            continue
        if place_col is not None and not _blank(_cell(row, place_col)):
            found = places.match(_cell(row, place_col))
            if found.code is None:
                where = {"row": r + 1, "column": column_letter(place_col)}
                problems.append(_unknown_place(sheet, _cell(row, place_col), found, **where))
                continue
            geo = found.code
        cleaned = rows_index.cleaned(label)
        if cleaned and any(re.search(p, cleaned) for p in recipe.rows.skip):
            continue
        member = rows_index.index.get(name_key(cleaned))
        if member is None:
            problems.append(_unknown_row(sheet, label, r, label_col, recipe))
            continue
        figures = [_cell(row, c) for c, _m in columns]
        if previous == (member, figures):
            # A group with no finer rows is repeated as its own detail (SCI writes «صد ساله
            # و بیشتر» twice): the same label with the same figures adds nothing.
            continue
        previous = (member, figures)
        if geo is None:
            continue
        for c, members in columns:
            cube.geo.append(geo)
            cube.members.append((member, *members))
            cube.raw.append(_cell(row, c))
            cube.sheet.append(sheet.name)
            cube.row.append(r + 1)
            cube.column.append(column_letter(c))
        for c in spacers:
            if not _blank(_cell(row, c)):
                problems.append(_figure_without_heading(sheet, r, c))
        if member == recipe.rows.last:
            break
    return problems


def _find_header(cells: list[list[object]], first: str) -> tuple[int, int] | None:
    """(row, column) of the cell that opens the header: its column holds the row labels."""
    wanted = name_key(first)
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        for c, value in enumerate(row):
            if not _blank(value) and name_key(str(value)) == wanted:
                return r, c
    return None


def _value_columns(sheet: Sheet, cells, top: int, label_col: int, recipe: Recipe,
                   indexes: list[LabelIndex]):  # fmt: skip
    """The columns right of the labels as (column, members per header level); the blank
    spacer columns between groups; an error for each header text the recipe does not know.

    An upper level's text spans to its right until the next one (merged cells are read
    as a value in their first cell only); the last level names every value column.
    """
    levels = len(recipe.levels)
    rows = [cells[top + i] if top + i < len(cells) else [] for i in range(levels)]
    width = max((len(row) for row in rows), default=0)
    carried: list[str | None] = [None] * levels
    columns, spacers, problems = [], [], []
    for c in range(label_col + 1, width):
        members: list[str] = []
        for i in range(levels):
            text = _cell(rows[i], c)
            if _blank(text):
                members.append(carried[i] if i < levels - 1 else None)
                continue
            code = indexes[i].code(text)
            if code is None:
                problems.append(_unknown_header(sheet, text, top + i, c, recipe.levels[i]))
            carried[i] = code
            members.append(code)
        if members[-1] is None and all(_blank(_cell(rows[i], c)) for i in range(levels)):
            spacers.append(c)
        elif None not in members:
            columns.append((c, tuple(members)))
    return columns, spacers, problems


def _sheet_place(sheet: Sheet, cells, recipe: Recipe, places: Places) -> str | Problem:
    """The code of the place a sheet is about, from its name or its title."""
    if recipe.place.source == "sheet_name":
        text = sheet.name
    else:
        text = next((str(v) for row in cells[:FINGERPRINT_ROWS] for v in row if not _blank(v)),
                    "")  # fmt: skip
    candidates = []
    if recipe.place.pattern and (found := re.search(recipe.place.pattern, text)):
        candidates.append(found.group("place"))
    candidates.append(text)
    # A code inside the name («2303 ری»): the code is as good as the name.
    candidates += re.findall(r"\d{2,4}", to_ascii_digits(text))
    match = None
    for candidate in candidates:
        match = places.match(candidate.strip())
        if match.code is not None:
            return match.code
    return _unknown_place(sheet, text, match)


def _cell(row: list[object], col: int) -> object:
    return row[col] if col < len(row) else ""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------ the table's values
def table_values(cube: Cube, recipe: Recipe, target: Target, shape: TableShape
                 ) -> tuple[pd.DataFrame, list[Problem]]:  # fmt: skip
    """The cube as the long values of the target table, with the table's own columns."""
    table = shape.table
    problems: list[Problem] = []
    numbers, flags = _parse(cube, recipe, problems)
    if problems:
        raise Rejected(problems[:MAX_PROBLEMS])
    order = [d.code_list for d in table.dimensions]
    positions = [cube.dimensions.index(name) for name in order]
    kept = _kept(cube, target, table)
    frame = pd.DataFrame({
        "geo": np.array(cube.geo, dtype=object)[kept],
        "value": numbers[kept],
        "flag": flags[kept],
        "sheet": np.array(cube.sheet, dtype=object)[kept],
        "row": np.array(cube.row, dtype=np.int32)[kept],
        "column": np.array(cube.column, dtype=object)[kept],
    })  # fmt: skip
    members = [cube.members[i] for i in np.flatnonzero(kept)]
    for name, position in zip(order, positions, strict=True):
        frame[name] = [m[position] for m in members]
    if target.places == "sum_to_province":
        frame = _summed(frame, order, shape.places.province_code)
    elif target.province_total:
        frame = pd.concat([_summed(frame, order, shape.places.province_code), frame],
                          ignore_index=True)  # fmt: skip
        problems.append(_province_summed(frame, shape))
    frame["measure"] = target.measure or table.measures[0].id
    labels = zip(*(frame[n] for n in order), strict=True)
    frame["dim_key"] = [dim_key(order, tuple(codes)) for codes in labels]
    problems += _missing(frame, shape, order)
    return _typed(frame, order), problems


def _parse(cube: Cube, recipe: Recipe, problems: list[Problem]):
    """Numbers and yearbook flags of the cube's cells (scaled); a cell that is neither is
    reported with its sheet and cell, as a form's would be."""
    numbers = np.full(len(cube), np.nan)
    flags = np.full(len(cube), None, dtype=object)
    for i, raw in enumerate(cube.raw):
        if _blank(raw):
            if recipe.empty == "zero":
                numbers[i] = 0.0
            continue
        try:
            number, flag = parse_cell(raw)
        except NumberFormatError:
            problems.append(not_a_number(raw, cube.sheet[i], cube.row[i], cube.column[i]))
            continue
        numbers[i] = np.nan if number is None else number * recipe.scale
        flags[i] = flag
    return numbers, flags


def _kept(cube: Cube, target: Target, table) -> np.ndarray:
    """Cells of the table's members, with every other dimension at its kept member."""
    wanted = {d.code_list: set(d.members) for d in table.dimensions if d.members}
    keep = np.ones(len(cube), dtype=bool)
    for position, name in enumerate(cube.dimensions):
        if name in target.keep:
            member = target.keep[name]
            keep &= np.array([m[position] == member for m in cube.members], dtype=bool)
        elif name in wanted:
            keep &= np.array([m[position] in wanted[name] for m in cube.members], dtype=bool)
    return keep


def _summed(frame: pd.DataFrame, order: list[str], province: str) -> pd.DataFrame:
    """The places' figures summed to the province. A sum of figures is a figure; where a
    part is a symbol (no figure), the sum is not available («...»)."""
    grouped = frame.groupby(order, sort=False, observed=True)
    sums = grouped["value"].sum(min_count=1)
    complete = grouped["value"].apply(lambda v: v.notna().all())
    summed = sums.reset_index()
    summed.loc[~complete.to_numpy(), "value"] = np.nan
    summed["flag"] = np.where(complete.to_numpy(), None, "not_available")
    summed["geo"] = province
    summed["sheet"], summed["row"], summed["column"] = SUMMED, 0, SUMMED
    return summed[frame.columns]


def _missing(frame: pd.DataFrame, shape: TableShape, order: list[str]) -> list[Problem]:
    """Every cell the table needs that the workbook did not give: a place without its
    sheet, a member without its row or column."""
    table = shape.table
    have = set(zip(frame["geo"], *(frame[n] for n in order), strict=True))
    codes = {d.code_list: [c.code for c in shape_members(shape, d)] for d in table.dimensions}
    problems = []
    for geo in shape.places.expected:
        missing = [combo for combo in itertools.product(*(codes[n] for n in order))
                   if (geo.code, *combo) not in have]  # fmt: skip
        if not missing:
            continue
        name_fa, name_en = shape.places.names(geo.code)
        whole = len(missing) == np.prod([len(codes[n]) for n in order])
        shown = ", ".join("/".join(combo) for combo in missing[:5])
        problems.append(error(
            "recipe_missing_cells",
            f"برای «{name_fa}» " + ("برگه یا ردیفی در فایل نیست." if whole else
                                   f"{len(missing)} خانه در فایل نیست ({shown})."),
            f"The file gives no figures for {name_en}" + (
                "." if whole else f" in {len(missing)} cell(s) ({shown}).")
            + " Every place and member of the table must be in the workbook.",
        ))  # fmt: skip
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def shape_members(shape: TableShape, dimension):
    return shape.places.reference.members(dimension.code_list, dimension.members)


def _typed(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """The frame with a form's column types: labels as categoricals, flags as FLAGS."""
    for name in ("geo", "measure", "sheet", "column", "dim_key", *order):
        frame[name] = pd.Categorical(frame[name].astype(str))
    frame["flag"] = pd.Categorical(frame["flag"], dtype=FLAGS)
    frame["row"] = frame["row"].astype(np.int32)
    frame["value"] = frame["value"].astype(np.float64)
    return frame[[*LONG_COLUMNS, *order]].reset_index(drop=True)


# ------------------------------------------------------------------------- problems
def _nothing_mapped(recipe: Recipe, why: str) -> Problem:
    return error(
        "recipe_mapped_nothing",
        f"دستور نگاشت «{recipe.title.fa}» هیچ رقمی از این فایل برنداشت.",
        f"The recipe '{recipe.id}' mapped nothing from this file: {why}.",
    )


def _unknown_row(sheet: Sheet, label, r: int, c: int, recipe: Recipe) -> Problem:
    dimension = recipe.rows.labels.dimension
    return error(
        "recipe_unknown_row",
        f"برچسب ردیف «{label}» در دستور نگاشت «{recipe.title.fa}» نیامده است؛ قالب فایل تغییر "
        "کرده یا دستور باید این برچسب را بشناسد.",
        f"The row label '{label}' is neither a member of {dimension} nor a row the recipe "
        f"'{recipe.id}' skips: the layout drifted, or the recipe needs this spelling.",
        sheet=sheet.name, row=r + 1, column=column_letter(c), value=str(label))  # fmt: skip


def _unknown_header(sheet: Sheet, text, r: int, c: int, level: Labels) -> Problem:
    return error(
        "recipe_unknown_column",
        f"سرستون «{text}» در دستور نگاشت نیامده است؛ ستونی به فایل افزوده یا نام آن عوض شده است.",
        f"The heading '{text}' is not a member of {level.dimension} the recipe knows: a "
        "column was added or renamed. Correct the file or the recipe.",
        sheet=sheet.name, row=r + 1, column=column_letter(c), value=str(text))  # fmt: skip


def _figure_without_heading(sheet: Sheet, r: int, c: int) -> Problem:
    return error(
        "recipe_figure_without_heading",
        "در ستونی بی‌سرستون رقم آمده است؛ قالب فایل با دستور نگاشت نمی‌خواند.",
        "A figure stands in a column without heading: the layout drifted from the recipe.",
        sheet=sheet.name, row=r + 1, column=column_letter(c))  # fmt: skip


def _unknown_place(sheet: Sheet, text, found, **where) -> Problem:
    if found is not None and found.known and found.en:
        return error("recipe_wrong_place", found.fa, found.en, sheet=sheet.name,
                     value=str(text), **where)  # fmt: skip
    return error(
        "recipe_unknown_place",
        f"«{text}» نام یا کد شهرستانی از این استان در آن سال نیست.",
        f"'{text}' is not the name or code of a county of this province in that year.",
        sheet=sheet.name, value=str(text), **where)  # fmt: skip


def _province_summed(frame: pd.DataFrame, shape: TableShape) -> Problem:
    sheets = frame.loc[frame["sheet"] != SUMMED, "sheet"].nunique()
    return note(
        "recipe_province_summed",
        f"ارقام کل استان جمع {sheets} برگه شهرستان‌های فایل است.",
        f"The province's figures are the sums of the file's {sheets} county sheets.",
    )
