"""A sheet read in two parts (head cells, typed body) says exactly what a whole read says.

`ingestion.large_sheets` reads a sheet longer than HEAD_ROWS as its first rows in cells
and the rest as typed columns, and hands the file to a whole read wherever the typed
columns cannot be exact. Here the head is cut after a few rows, so that the table runs
on into the body, for every .xlsx of the reliability corpus and for the census table in
each liaison habit: the identity, every problem (code, place, words) and every value must
be those of the whole read, whether the two-part read kept the file or handed it back.
Files that read cleanly must really be kept (or the test would prove nothing).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingestion.ingest import Checked, Ingestor
from ingestion.large_sheets import HEAD_ROWS, WholeSheetNeeded, head_workbook
from ingestion.problems import Rejected
from ingestion.readers import _sheet_paths, read_book
from salnameh.reference import Reference
from salnameh.settings import home
from tests.corpus.build import CASES, PLAIN, POP, grid, save_xlsx
from tests.test_ingest_corpus import corpus_file, libreoffice_files  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


HEADS = (3, 6, 11, 19)  # title and header rows are 2-5 rows; tables run 17 rows and more


def is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as book:
            return "xl/workbook.xml" in book.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def two_part_check(ingestor: Ingestor, path: Path, kwargs: dict, head_rows: int):
    """The check on a head of `head_rows` rows, or None if it handed the file back."""
    said = (kwargs.get("table_id"), kwargs.get("year"), kwargs.get("agency"))
    try:
        return ingestor._check(path.read_bytes(), path, said, head_rows)
    except WholeSheetNeeded as handed_back:
        # Handed back on purpose, or for a file a whole read rejects; never for a crash,
        # which the fallback would hide.
        cause = handed_back.__cause__
        assert cause is None or isinstance(cause, Rejected), f"two-part read failed: {cause!r}"
        return None


def whole_check(ingestor: Ingestor, path: Path, kwargs: dict) -> Checked:
    said = (kwargs.get("table_id"), kwargs.get("year"), kwargs.get("agency"))
    return ingestor._check(path.read_bytes(), path, said, None)


def assert_same(parts: Checked, whole: Checked, what: str) -> None:
    assert parts.identity == whole.identity, what
    said = [p.as_dict() for p in parts.report.problems]
    assert said == [p.as_dict() for p in whole.report.problems], what
    if whole.values is None:
        assert parts.values is None, what
    else:
        pd.testing.assert_frame_equal(parts.values, whole.values, obj=what)


def in_parts(path: Path, head_rows: int) -> bool:
    book = read_book(path.read_bytes(), path.name, head_rows)
    return any(sheet.body is not None for sheet in book.sheets)


def _builds_an_xlsx(case) -> bool:
    """Whether the case's file is an .xlsx workbook (others are always read whole): decided
    at collection by building it, so no case is generated only to be skipped."""
    if case.libreoffice is not None:
        return case.libreoffice == "xlsx"
    with tempfile.TemporaryDirectory() as folder:
        return is_xlsx(case.build(Path(folder)))


XLSX_CASES = [c for c in CASES if c.name != "huge_csv" and _builds_an_xlsx(c)]
# Files the two-part read must keep for most head sizes: clean ones, and ones whose
# problems are in their figures (text, sums, bounds) or in rows it reads in bulk.
KEPT = {
    "good_edu", "form", "table_on_second_sheet", "row_number_column", "hidden_rows",
    "merged_cells", "text_in_number", "yearbook_symbols", "counties_do_not_add_up",
    "parts_do_not_add_up", "negative_count", "missing_row", "rows_shuffled",
    "arabic_letters_and_variants", "english_labels",
}  # fmt: skip


@pytest.mark.parametrize("case", XLSX_CASES, ids=[c.name for c in XLSX_CASES])
def test_corpus_file_reads_the_same_in_two_parts(case, tmp_path, catalog, reference, request):
    path = corpus_file(case, tmp_path, request)
    assert is_xlsx(path), case.name
    ingestor = Ingestor(home(tmp_path / "home"), catalog, reference)
    whole = whole_check(ingestor, path, case.kwargs)
    kept = 0
    for head_rows in HEADS:
        parts = two_part_check(ingestor, path, case.kwargs, head_rows)
        if parts is not None:
            assert_same(parts, whole, f"{case.name}, head of {head_rows} rows")
            kept += in_parts(path, head_rows)
        # What the ingestor does (two parts, or whole when handed back) is the whole read.
        ingestor.head_rows = head_rows
        said = ingestor.check(path.read_bytes(), path, **case.kwargs)
        assert_same(said, whole, f"{case.name} through check(), head of {head_rows} rows")
    if case.name in KEPT:
        assert kept >= 2, f"{case.name} should be read in two parts for most head sizes"


# The census table (391 data rows) in the ways liaisons lay it out; None: handed back.
HABITS = {
    "plain": (PLAIN, True),
    "labels_not_repeated": (replace(PLAIN, repeat_row_labels=False), True),
    "source_line": (replace(PLAIN, source_line=True, blank_trailing_rows=True), True),
    "no_title": (replace(PLAIN, title_rows=False), True),
    "name_variants": (replace(PLAIN, name_variants=True, arabic_letters=True), True),
    # Every figure typed as text: nothing for typed columns to take.
    "persian_digits": (replace(PLAIN, persian_digits=True, thousands_separators=True), False),
}


@pytest.mark.parametrize("name", HABITS)
def test_a_long_table_reads_the_same_in_two_parts(name, tmp_path, catalog, reference):
    habits, kept_in_parts = HABITS[name]
    path = save_xlsx(grid(POP, 1395, habits), tmp_path / f"{name}.xlsx", habits)
    ingestor = Ingestor(home(tmp_path / "home"), catalog, reference)
    kwargs = {"table_id": POP, "year": 1395}
    whole = whole_check(ingestor, path, kwargs)
    assert whole.values is not None and len(whole.values) > 1000, whole.report.problems[:3]
    for head_rows in (40, 150):
        parts = two_part_check(ingestor, path, kwargs, head_rows)
        assert (parts is not None) == kept_in_parts, f"{name}, head of {head_rows} rows"
        if parts is not None:
            assert_same(parts, whole, f"{name}, head of {head_rows} rows")
            assert parts.values["value"].dtype == np.float64


def test_a_typo_deep_in_a_long_table_is_reported_as_by_a_whole_read(tmp_path, catalog,
                                                                      reference):  # fmt: skip
    """Text among the body's figures comes back cell by cell, with its row and column."""
    g = grid(POP, 1395, PLAIN)
    g.rows[300][4] = "۱۲x"
    g.rows[301][3] = "\u200c- "  # a symbol with a ZWNJ and a space typed around it
    path = save_xlsx(g, tmp_path / "typo.xlsx", PLAIN)
    ingestor = Ingestor(home(tmp_path / "home"), catalog, reference)
    kwargs = {"table_id": POP, "year": 1395}
    parts = two_part_check(ingestor, path, kwargs, 40)
    assert parts is not None, "text among figures is read from the body, not handed back"
    assert_same(parts, whole_check(ingestor, path, kwargs), "typo in the body")
    typos = [p for p in parts.report.problems if p.code == "not_a_number"]
    assert [p.value for p in typos] == ["۱۲x"] and typos[0].row > 40


@pytest.mark.parametrize("cell", [dt.datetime(2017, 3, 20), True])
def test_a_date_or_true_in_the_body_is_judged_by_a_whole_read(cell, tmp_path, catalog,
                                                               reference):  # fmt: skip
    """fastexcel would read a date as an error and True as 1.0; the whole read decides."""
    g = grid(POP, 1395, PLAIN)
    g.rows[250][3] = cell
    path = save_xlsx(g, tmp_path / "odd_cell.xlsx", PLAIN)
    ingestor = Ingestor(home(tmp_path / "home"), catalog, reference)
    kwargs = {"table_id": POP, "year": 1395}
    parts = two_part_check(ingestor, path, kwargs, 40)
    whole = whole_check(ingestor, path, kwargs)
    if parts is not None:
        assert_same(parts, whole, f"{cell!r} in the body")
    ingestor.head_rows = 40
    assert_same(ingestor.check(path.read_bytes(), path, **kwargs), whole, f"{cell!r}")


def test_the_head_is_cut_after_whole_rows(tmp_path):
    """The head copy holds the first rows exactly; the body starts at the next row's
    number, even where row numbers skip (empty rows are not written)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r in (1, 2, 3, 7, 8, 30, 31):
        sheet.cell(r, 1, f"row {r}")
        sheet.cell(r, 2, float(r))
    path = tmp_path / "gaps.xlsx"
    book.save(path)
    data = path.read_bytes()
    paths = _sheet_paths(zipfile.ZipFile(path))
    _head, starts = head_workbook(data, paths, set(), 4)
    assert starts == {sheet.title: 7}  # the 4th row written is sheet row 7 (0-based 6)
    whole = read_book(data, path.name).sheets[0]
    parts = read_book(data, path.name, head_rows=4).sheets[0]
    assert parts.body is not None and parts.body.start == 7
    assert parts.rows(0) == whole.cells
    assert head_workbook(data, paths, set(), 7) is None  # no row beyond the 7th


def test_the_default_head_covers_the_header_search_and_the_label_sample():
    from ingestion.layout import SEARCH_ROWS

    assert HEAD_ROWS >= SEARCH_ROWS + 400
