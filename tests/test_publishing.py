"""An edition in every format, checked by independent readers against the public snapshot."""

import json
import subprocess

import duckdb
import pandas as pd
import pytest
from pyjstat import pyjstat

from publishing.export import export_edition
from publishing.safe import neutralize
from publishing.sdmx import OBS_STATUS, OBS_STATUS_NAMES, members_of, sdmx_id
from salnameh.catalog import load_catalog
from salnameh.persian import SYMBOL_MEANINGS
from salnameh.settings import home
from salnameh.snapshots import PUBLIC, open_snapshot
from tests.conftest import run_salnameh
from tests.test_libreoffice import soffice  # noqa: F401 (the fixture)
from tests.test_warehouse_build import staff_and_files

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


def cells(public: pd.DataFrame, table_id: str) -> dict[tuple, float]:
    """The public figures of a table by cell: (place, each dimension's member in the
    table's order, measure) -> value; cells holding a symbol left out."""
    table = load_catalog().table(table_id)
    rows = public[(public["table_id"] == table_id) & public["value"].notna()]
    found = {}
    for row in rows.itertuples():
        members = members_of(row.dim_key)
        key = (row.geo_code, *(members[d.code_list] for d in table.dimensions), row.measure_id)
        found[key] = float(row.value)
    return found


def test_jsonstat_has_roles_and_units_and_every_value_in_its_cell(exported):
    """Read back by pyjstat, every figure is in its own cell: the place, members and
    measure the public snapshot gives it. Mutant caught: a writer that computes a cell's
    position with two dimensions swapped, or files one member's figure under another,
    keeps the same multiset of values, which the earlier comparison of sorted values
    passed; here the cell's key differs and the test fails."""
    written, demo_home = exported
    table_id = "edu_students_county_level_sex"
    text = next(p for p in written["jsonstat"] if p.stem == table_id).read_text(encoding="utf-8")
    dataset = json.loads(text)
    assert dataset["version"] == "2.0" and dataset["id"][0] == "geo"
    assert dataset["role"] == {"geo": ["geo"], "time": ["year"], "metric": ["measure"]}
    table = load_catalog().table(table_id)
    units = dataset["dimension"]["measure"]["category"]["unit"]
    assert set(units) == {m.id for m in table.measures}
    assert all(u["label"] == "نفر" and u["decimals"] == 0 for u in units.values())
    assert dataset["dimension"]["year"]["category"]["index"] == {"1401": 0}
    assert dataset["extension"]["agency_id"] == table.agency
    assert dataset["extension"]["edition"] == 1
    frame = pyjstat.Dataset.read(text).write("dataframe", naming="id")
    lists = [d.code_list for d in table.dimensions]
    got = {
        (r["geo"], *(r[c] for c in lists), r["measure"]): float(r["value"])
        for r in frame.to_dict("records")
        if pd.notna(r["value"])
    }
    assert got == cells(public_1401(demo_home), table_id) and got


def test_every_jsonstat_dataset_validates_against_json_stat_2(exported):
    """jsonstat-validator (JSON-stat 2.0's rules: sizes, indices, roles that name
    dimensions, units with their decimals) accepts every dataset of the edition."""
    from jsonstat_validator import validate_jsonstat

    written, _demo_home = exported
    assert len(written["jsonstat"]) > 100
    for path in written["jsonstat"]:
        dataset = json.loads(path.read_text(encoding="utf-8"))
        assert validate_jsonstat(dataset), path
        assert dataset["role"]["metric"] == ["measure"], path
        assert dataset["dimension"]["measure"]["category"]["unit"], path


def sdmx_files(written, table_id: str):
    by_name = {p.name: p for p in written["sdmx"]}
    return by_name[f"{table_id}.csv"], by_name[f"{table_id}.xml"]


def test_every_sdmx_structure_message_validates_against_sdmx_schemas(exported):
    """Each table's SDMX-ML 3.0 message, read by pysdmx with SDMX's XSD validation on,
    holds the dataflow, its DSD, the concept scheme and the code lists the DSD names."""
    from pysdmx.io import read_sdmx
    from pysdmx.model import Codelist, ConceptScheme, Dataflow, DataStructureDefinition

    written, _demo_home = exported
    structures = sorted(p for p in written["sdmx"] if p.suffix == ".xml")
    data = sorted(p for p in written["sdmx"] if p.suffix == ".csv")
    assert [p.stem for p in structures] == [p.stem for p in data] and len(data) > 100
    for path in structures:
        message = read_sdmx(path, validate=True)
        kinds = {type(s) for s in message.structures}
        assert kinds == {Codelist, ConceptScheme, DataStructureDefinition, Dataflow}, path
        (flow,) = [s for s in message.structures if isinstance(s, Dataflow)]
        assert flow.id == f"YB_{path.stem.upper()}" and flow.agency == "IR_TEHRAN_MPO"


# Two dimensions; one with symbols («-», «...»); one with symbols and no dimension.
@pytest.mark.parametrize(
    "table_id",
    ["edu_students_county_level_sex", "industrial_licences_isic", "health_network_units_county"],
)
def test_sdmx_data_reads_back_with_its_structure_cell_by_cell(exported, table_id):
    """pysdmx reads each SDMX-CSV 2.0 file with its structure message; every coded column
    holds codes of its code list, the dataset names its agency and edition, and every figure
    is in its cell with SDMX's status for its symbol."""
    from pysdmx.io import get_datasets

    written, demo_home = exported
    data, structure = sdmx_files(written, table_id)
    assert data.read_text(encoding="utf-8").startswith("STRUCTURE,STRUCTURE_ID,ACTION,")
    (dataset,) = get_datasets(data, structure)
    frame = dataset.data
    components = dataset.structure.components
    table = load_catalog().table(table_id)
    assert dataset.attributes["EDITION"] == "1" and dataset.attributes["REF_YEAR_SH"] == "1401"
    assert dataset.attributes["SOURCE_AGENCY"] == table.agency
    assert set(frame["TIME_PERIOD"]) == {"2022-03-21/P365D"}  # Jalali 1401, day for day
    for component in components:
        if component.local_codes is None or component.id not in frame:
            continue
        used = set(frame[component.id]) - {"", "NaN"}  # YB_SYMBOL is empty for a figure
        codes = {code.id for code in component.local_codes}
        assert used <= codes, (component.id, used - codes)
        assert used or component.id == "YB_SYMBOL", component.id
    public = public_1401(demo_home)
    lists = [d.code_list for d in table.dimensions]
    got, symbols = {}, 0
    for row in frame.to_dict("records"):
        key = (row["REF_AREA"], *(row[c.upper()] for c in lists), row["MEASURE"])
        if row["OBS_STATUS"] == "A":
            got[key] = float(row["OBS_VALUE"])
        else:  # a symbol: no figure, its own code beside SDMX's
            assert row["OBS_VALUE"] in ("", "NaN", None)
            assert OBS_STATUS[row["YB_SYMBOL"]] == row["OBS_STATUS"]
            symbols += 1
    want = {
        (geo, *(sdmx_id(m) for m in members), measure): value
        for (geo, *members, measure), value in cells(public, table_id).items()
    }
    assert got == want and got
    flagged = public[(public["table_id"] == table_id) & public["flag"].notna()]
    assert symbols == len(flagged) and (symbols or table_id == "edu_students_county_level_sex")


def test_the_symbols_map_to_sdmx_status_once_and_the_message_says_how(exported):
    """Every yearbook symbol has an SDMX status from SDMX's own list, and each table's
    message carries the mapping as YB_SYMBOL's annotations; the demo's symbols come out as
    L (-) and O (...)."""
    from pysdmx.io import read_sdmx

    written, _demo_home = exported
    assert set(OBS_STATUS) == set(SYMBOL_MEANINGS)
    assert set(OBS_STATUS.values()) <= set(OBS_STATUS_NAMES)
    _data, structure = sdmx_files(written, "edu_students_county_level_sex")
    lists = {s.id: s for s in read_sdmx(structure, validate=True).structures if s.id[:3] == "CL_"}
    symbols = lists["CL_YB_SYMBOL"]
    mapped = {code.id: code.annotations[0].title for code in symbols}
    assert mapped == OBS_STATUS
    assert lists["CL_OBS_STATUS"].agency == "SDMX"
    statuses = pd.concat(
        [pd.read_csv(p, usecols=["OBS_STATUS"], dtype=str) for p in written["sdmx"]
         if p.suffix == ".csv"]
    )["OBS_STATUS"]  # fmt: skip
    assert {"A", "L", "O"} <= set(statuses) <= set(OBS_STATUS_NAMES)


def test_the_exports_name_agency_and_edition_never_staff_or_files(exported):
    """No machine-readable export holds a staff user id or an uploaded file's name; each
    says which agency the figures come from and which edition they are."""
    written, demo_home = exported
    users, files = staff_and_files(demo_home)
    texts = [p for paths in written.values() for p in paths
             if p.suffix in (".csv", ".json", ".xml")]  # fmt: skip
    assert len(texts) > 300
    for path in texts:
        text = path.read_text(encoding="utf-8-sig")
        assert not [u for u in users if u in text], path
        assert not [f for f in files if f in text], path
    frame = pd.read_parquet(written["parquet"][0])
    assert {"agency_id", "edition"} <= set(frame.columns)
    assert not {"uploader", "filename", "reviewer", "submission_id"} & set(frame.columns)
    assert frame["agency_id"].notna().all() and set(frame["edition"]) == {1}


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
