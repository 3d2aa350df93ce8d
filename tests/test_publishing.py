"""An edition in every format, checked by independent readers against the public snapshot."""

import json
import subprocess

import duckdb
import pandas as pd
import pytest
from pyjstat import pyjstat

from publishing.export import export_edition
from publishing.safe import neutralize
from salnameh.settings import home
from salnameh.snapshots import PUBLIC, open_snapshot
from tests.conftest import run_salnameh
from tests.test_libreoffice import soffice  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = ["table_id", "geo_code", "dim_key", "measure_id"]


@pytest.fixture(scope="module")
def exported(demo_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    return export_edition(home(demo_home.root), 1401, out=out), demo_home


def public_1401(demo_home) -> pd.DataFrame:
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        return con.execute(
            "SELECT table_id, geo_code, dim_key, measure_id, value, flag"
            " FROM marts.fct_observations WHERE year = 1401"
        ).df()


def same_values(frame: pd.DataFrame, public: pd.DataFrame) -> None:
    frame = frame.assign(dim_key=frame["dim_key"].fillna(""))  # CSV: empty key, no key
    got = frame[[*KEY, "value"]].sort_values(KEY).reset_index(drop=True)
    want = public[[*KEY, "value"]].sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_csv_and_parquet_hold_the_public_figures(exported):
    written, demo_home = exported
    public = public_1401(demo_home)
    csv_path = written["csv"][0]
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    from_pandas = pd.read_csv(csv_path, encoding="utf-8-sig", dtype={"geo_code": str},
                              keep_default_na=False, na_values=[""])  # fmt: skip
    same_values(from_pandas, public)
    from_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{written['parquet'][0]}')").df()
    same_values(from_duckdb, public)
    symbols = from_pandas[from_pandas["flag"].notna()]
    assert symbols["value"].isna().all() and set(symbols["symbol"]) <= {"-", "..."}


def test_jsonstat_reads_back_with_an_independent_reader(exported):
    written, demo_home = exported
    path = next(p for p in written["jsonstat"] if p.stem == "edu_students_county_level_sex")
    dataset = json.loads(path.read_text(encoding="utf-8"))
    assert dataset["version"] == "2.0" and dataset["id"][0] == "geo"
    frame = pyjstat.Dataset.read(path.read_text(encoding="utf-8")).write("dataframe")
    public = public_1401(demo_home)
    expected = public[public["table_id"] == "edu_students_county_level_sex"]["value"]
    assert sorted(frame["value"].dropna()) == sorted(expected.dropna())


def test_sdmx_names_its_dimensions_and_code_lists(exported):
    written, _demo_home = exported
    structure = json.loads(next(p for p in written["sdmx"] if p.name == "structure.json")
                           .read_text(encoding="utf-8"))  # fmt: skip
    students = structure["edu_students_county_level_sex"]
    assert students["dimensions"] == ["REF_AREA", "SCHOOL_LEVEL", "SEX", "MEASURE", "TIME_PERIOD"]
    assert students["codelists"]["SEX"]["female"] == {"fa": "زن", "en": "Female"}
    data = pd.read_csv(
        next(p for p in written["sdmx"] if p.stem == "edu_students_county_level_sex")
    )
    assert list(data.columns)[:3] == ["DATAFLOW", "REF_AREA", "SCHOOL_LEVEL"]


def test_the_workbook_opens_in_libreoffice_and_prints(exported, soffice, tmp_path):  # noqa: F811
    written, _demo_home = exported
    workbook = written["xlsx"][0]
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames[0] == "فهرست" and "جدول 17-3" in book.sheetnames
    sheet = book["جدول 17-3"]
    assert sheet.sheet_view.rightToLeft and sheet.print_title_rows
    assert any(c.value == "کل استان" for c in sheet["A"])
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / f"{workbook.stem}.pdf"
    assert pdf.stat().st_size > 10_000


def test_agency_text_cannot_run_as_a_formula():
    assert neutralize("=1+1") == "'=1+1"
    assert neutralize("@SUM(A1)") == "'@SUM(A1)" and neutralize("+98") == "'+98"
    assert neutralize("-") == "-" and neutralize("...") == "..."  # yearbook symbols stay
    assert neutralize("مأخذ: سازمان") == "مأخذ: سازمان" and neutralize(12.5) == 12.5


def test_export_command_and_a_missing_edition(demo_home, tmp_path):
    done = run_salnameh("export", "--year", "1401", "--format", "csv", "--out", str(tmp_path),
                        home=demo_home.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "1401" / "edition-1" / "observations.csv").exists()
    missing = run_salnameh("export", "--year", "1402", "--out", str(tmp_path),
                           home=demo_home.root)  # fmt: skip
    assert missing.returncode == 2 and "no edition of 1402" in missing.stderr


def test_the_print_edition_renders_and_its_persian_text_extracts(exported, tmp_path):
    import shutil

    from tests.conftest import in_ci

    if shutil.which("pdftoppm") is None:
        if in_ci():
            pytest.fail("poppler-utils must be installed in CI (.ci/run installs it)")
        pytest.skip("poppler-utils is not installed here")
    written, _demo_home = exported
    pdf = written["pdf"][0]
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "6", "-png", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=120)  # fmt: skip
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 6 and all(p.stat().st_size > 2_000 for p in pages)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout  # fmt: skip
    # A ZWNJ has no glyph, so text extraction drops it: compare without it.
    text = text.replace("\u200c", "")
    for words in ("سالنامه آماری استان تهران", "فهرست", "نشانه‌ها", "کل استان", "دانش‌آموز"):
        assert words.replace("\u200c", "") in text, words
    assert "۱۴۰۱" in text  # Persian digits
    # Table 18-3 (chapter 18, table 3) reads right to left in Persian: chapter first, on
    # the right. pdftotext writes a line's digits left to right as they stand on the
    # page, so the chapter must come out last: "۳-۱۸". An LTR-isolated number ("۱۸-۳" on
    # the page, read "table 3 of ... 18" backwards by a Persian reader) fails here.
    assert "۳-۱۸" in text and "۱۸-۳" not in text
    if in_ci():  # .ci/run installs the print edition's typeface
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "Noto-Sans-Arabic" in fonts


def test_the_booklet_and_a_chapters_workbook(demo_home, tmp_path):
    import openpyxl

    written = export_edition(home(demo_home.root), 1401, ("booklet", "xlsx"), out=tmp_path,
                             chapter=17)  # fmt: skip
    sheets = openpyxl.load_workbook(written["xlsx"][0]).sheetnames
    # 17-2 (literacy learners) of 1401 holds a planted missing county: rejected, so not
    # in the edition.
    assert sheets == ["فهرست", "جدول 17-1", *(f"جدول 17-{n}" for n in range(3, 9))]
    text = subprocess.run(["pdftotext", str(written["booklet"][0]), "-"], capture_output=True,
                          text=True, check=True).stdout.replace("\u200c", "")  # fmt: skip
    assert "گزیده شاخصهای استان تهران" in text and "۱۴۰۰" in text
