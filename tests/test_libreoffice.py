"""Generated agency files open in LibreOffice as a liaison's files would."""

import csv
import shutil
import subprocess

import openpyxl
import pytest

from app.demo.generate import generate_demo
from tests.conftest import in_ci

pytestmark = pytest.mark.integration

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def soffice():
    if SOFFICE is None:
        if in_ci():
            pytest.fail("LibreOffice must be installed in CI (.ci/run installs it)")
        pytest.skip("LibreOffice is not installed here")
    return SOFFICE


def test_agency_files_open_in_libreoffice_with_the_same_figures(soffice, catalog, tmp_path):
    demo = generate_demo(catalog, tmp_path / "demo", range(1390, 1403),
                         table_ids=["pop_county_sex_estimate"])  # fmt: skip
    sources = sorted((demo.folder / "files").rglob("*.xlsx"))
    assert sources, "the demo should hold .xlsx files"
    source = sources[0]
    out = tmp_path / "converted"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with (out / f"{source.stem}.csv").open(encoding="utf-8") as handle:
        seen_by_libreoffice = [[c for c in row if c] for row in csv.reader(handle)]
    sheet = openpyxl.load_workbook(source, read_only=True).active
    written = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    seen = [row for row in seen_by_libreoffice if row]
    assert [normal(r) for r in seen] == [normal(r) for r in written if r]
    assert any("جمعیت" in cell for row in seen[:8] for cell in row)


def normal(row: list[str]) -> list[str]:
    """Cells as text, without the thousands separators LibreOffice may format in."""
    return [cell.replace(",", "").removesuffix(".0") for cell in row]
