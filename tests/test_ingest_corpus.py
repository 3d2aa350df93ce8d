"""The reliability corpus: every bad or awkward file gets its own verdict, and nothing breaks.

Each file of `tests.corpus.build.CASES` goes through the real Ingestor in a home of its
own. Whatever the file, the process must not crash (no internal_error), the verdict and
the problem codes must be the expected ones, and a rejected file must leave nothing in
the warehouse's raw layer; an accepted one must have all its values there.
"""

from __future__ import annotations

import re
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from ingestion.ingest import Ingestor
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.warehouse import raw_counts
from tests.conftest import in_ci
from tests.corpus.build import CASES, Case, convert_with_libreoffice

pytestmark = pytest.mark.integration

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="session")
def libreoffice_files(tmp_path_factory) -> dict[str, Path]:
    """The corpus files that LibreOffice saves, converted once for the session: name -> file."""
    if SOFFICE is None:
        if in_ci():
            pytest.fail("LibreOffice must be installed in CI (.ci/run installs it)")
        pytest.skip("LibreOffice is not installed here")
    root = tmp_path_factory.mktemp("libreoffice")
    jobs = {}
    for case in CASES:
        if case.libreoffice:
            folder = root / "sources" / case.name
            folder.mkdir(parents=True)
            jobs[case.name] = (case.build(folder), case.libreoffice)
    converted = convert_with_libreoffice(SOFFICE, list(jobs.values()), root / "converted",
                                         root / "profile")  # fmt: skip
    return {name: converted[source] for name, (source, _fmt) in jobs.items()}


def corpus_file(case: Case, folder: Path, request) -> Path:
    if case.libreoffice:
        return request.getfixturevalue("libreoffice_files")[case.name]
    return case.build(folder)


def describe(outcome) -> str:
    return f"{outcome.verdict}: " + "; ".join(p.line() for p in outcome.problems[:8])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file_gets_its_verdict(case: Case, tmp_path, catalog, reference, request):
    folder = tmp_path / "corpus"
    folder.mkdir()
    path = corpus_file(case, folder, request)
    salnameh_home = home(tmp_path / "home")
    ingestor = Ingestor(salnameh_home, catalog, reference)

    if case.max_python_mib:
        tracemalloc.start()
    try:
        outcome = ingestor.ingest(path, **case.kwargs)
        peak_mib = tracemalloc.get_traced_memory()[1] / 2**20 if case.max_python_mib else 0
    finally:
        tracemalloc.stop()

    codes = {p.code for p in outcome.problems}
    assert "internal_error" not in codes, describe(outcome)
    assert outcome.verdict == case.verdict, describe(outcome)
    assert codes == case.codes, describe(outcome)
    for problem in outcome.problems:
        assert problem.fa and problem.en, problem
        assert_reads_as_a_liaison_would(problem)

    loaded = raw_counts(salnameh_home)
    if case.verdict == "rejected":
        assert outcome.errors and outcome.n_values == 0
        assert outcome.submission_id not in loaded, "a rejected file must load nothing"
        values = None
    else:
        assert not outcome.errors, describe(outcome)
        assert loaded[outcome.submission_id] == outcome.n_values > 0
        checked = ingestor.check(path.read_bytes(), path, **case.kwargs)
        values = checked.values
        assert values is not None and len(values) == outcome.n_values

    if case.at is not None:
        code, row, column = case.at
        places = [(p.row, p.column) for p in outcome.problems if p.code == code]
        assert (row, column) in places, f"{code} should name row {row} column {column}: {places}"
    if case.says is not None:
        code, words = case.says
        messages = [p.en for p in outcome.problems if p.code == code]
        assert any(words in m for m in messages), f"{code} should say {words!r}: {messages}"
    if case.max_python_mib is not None:
        assert peak_mib < case.max_python_mib, f"used {peak_mib:.0f} MiB"
    if case.inspect is not None:
        case.inspect(outcome, values)


def test_the_corpus_covers_the_issue():
    """At least 30 files, every required defect among them, names unique."""
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) and len(names) >= 30
    required = {
        "empty_file", "empty_sheet", "wrong_table", "missing_column", "unknown_column",
        "not_a_number", "below_min", "counties_sum_mismatch", "parts_sum_mismatch",
        "place_not_valid", "duplicate_row", "damaged_file", "encrypted_workbook", "zip_bomb",
        "not_a_spreadsheet", "formula_without_value", "wrong_year", "wrong_agency",
        "unidentified", "hidden_rows", "unknown_place", "missing_value", "not_integer",
    }  # fmt: skip
    assert required <= set().union(*(c.codes for c in CASES))


def test_the_zip_bombs_are_real(tmp_path):
    """The bombs are sound zips whose sheet really inflates to what the header says."""
    from tests.corpus.build import zip_bomb, zip_bomb_ratio

    with zipfile.ZipFile(zip_bomb(tmp_path)) as bomb:
        sheet = bomb.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > 2**30 and sheet.compress_size < 2 * 2**20
        with bomb.open(sheet) as stream:
            assert stream.read(2**20).startswith(b"<?xml")
    with zipfile.ZipFile(zip_bomb_ratio(tmp_path)) as bomb:
        assert bomb.testzip() is None  # inflates whole, with the right CRC
        sheet = bomb.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size / sheet.compress_size > 500


# An identifier in a message: a code list, table or agency id (snake_case) or a number in
# scientific notation. Values quoted back from the file («...» or '...') are the liaison's own.
_ID = re.compile(r"\b[a-z]+_[a-z0-9_]+\b(?![.\w])|\d[eE][+-]\d")  # file.xlsx is no id
_LIST_IDS = set(Reference().code_lists)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")  # UTF-8, B12: Latin, digits and all
_QUOTED = re.compile(r"«[^»]*»|'[^']*'|\"[^\"]*\"")


def assert_reads_as_a_liaison_would(problem) -> None:
    """Issue 19 (messages users understand): code lists, tables and places by their
    titles, never ids; Persian messages in Persian digits. A message quoting the file's
    own text is judged without the quotation."""
    fa, en = _QUOTED.sub("", problem.fa), _QUOTED.sub("", problem.en)
    assert not _ID.search(fa) and not _ID.search(en), (problem.code, problem.fa, problem.en)
    # A Persian message names no code list at all, not even one spelled as a word (sex).
    latin = set(re.findall(r"[a-z_0-9]+", fa))
    assert not latin & _LIST_IDS, (problem.code, problem.fa)
    assert not re.search(r"[0-9]", _LATIN_WORD.sub("", fa)), (problem.code, problem.fa)
