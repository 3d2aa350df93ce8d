"""Archive, ledger and warehouse together: idempotence, versions, crashes, concurrency."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from app.demo.generate import generate_demo
from ingestion.ingest import Ingestor, inconsistencies
from salnameh import archive
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.warehouse import RawLoader, raw_counts
from tests.conftest import copy_ledger

pytestmark = pytest.mark.integration

TABLES = [
    "edu_students_county_level_sex", "literacy_learners_county_sex", "post_units_county",
    "health_hospitals_beds_county", "cpi_urban_month", "telecom_lines_ports_county",
    "mines_active_county", "road_length_type_county", "culture_cinemas_county",
]  # fmt: skip
SALNAMEH = str(Path(sys.executable).with_name("salnameh"))


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory, catalog) -> dict[str, Path]:
    """One clean 1392 file per table (anomalies are planted from 1393 on)."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    generate_demo(catalog, folder, years=[1392], table_ids=TABLES)
    return {p.stem: p for p in (folder / "files").rglob("*.*")}


@pytest.fixture
def ingestor(tmp_path, catalog, ledger_backend) -> Ingestor:
    """An installation whose ledger is, in turn, its SQLite file and a PostgreSQL database."""
    return Ingestor(home(tmp_path / "home"), catalog, Reference())


@pytest.fixture
def warehouse_ingestor(tmp_path, catalog) -> Ingestor:
    """For tests of the warehouse alone: the ledger stays the embedded one."""
    return Ingestor(home(tmp_path / "home"), catalog, Reference())


def test_accepted_file_is_archived_recorded_and_loaded(ingestor, demo_files):
    path = demo_files["edu_students_county_level_sex"]
    outcome = ingestor.ingest(path)
    assert outcome.verdict == "accepted", [p.line() for p in outcome.errors]
    sha = archive.digest(path.read_bytes())
    assert archive.read(ingestor.home.archive_dir, sha) == path.read_bytes()
    assert raw_counts(ingestor.home) == {outcome.submission_id: outcome.n_values}
    # 17 places x (5 school levels, total included, x 3 sexes) in 1392.
    assert outcome.n_values == 17 * 5 * 3
    states = [s for s, _at, _note in ingestor.ledger.events(outcome.submission_id)]
    assert states == ["received", "loading", "loaded"]
    assert inconsistencies(ingestor) == []


def test_same_bytes_again_is_a_noop_that_says_so(ingestor, demo_files):
    path = demo_files["literacy_learners_county_sex"]
    first = ingestor.ingest(path)
    again = ingestor.ingest(path)
    assert again.verdict == "unchanged"
    assert again.submission_id == first.submission_id
    assert f"submission {first.submission_id}" in again.message_en
    assert len(ingestor.ledger.submissions()) == 1
    assert raw_counts(ingestor.home) == {first.submission_id: first.n_values}
    assert [s for s, *_ in ingestor.ledger.events(first.submission_id)][-1] == "unchanged"
    # Sending the same file again is history only: the first stays the current version.
    current = ingestor.ledger.current("literacy_learners_county_sex", 1392)
    assert current is not None and current.submission_id == first.submission_id


def test_a_new_file_supersedes_without_erasing(ingestor, demo_files, tmp_path):
    path = demo_files["post_units_county"]
    first = ingestor.ingest(path)
    # The liaison corrects one figure: a CSV or xlsx changed by one character is new bytes.
    changed = tmp_path / "1392" / "post" / path.name
    changed.parent.mkdir(parents=True)
    changed.write_bytes(path.read_bytes() + (b"\r\n" if path.suffix == ".csv" else b""))
    if path.suffix != ".csv":
        shutil.copy(path, changed)
        with changed.open("ab") as handle:  # a zip tolerates trailing bytes
            handle.write(b"\0")
    second = ingestor.ingest(changed)
    assert second.verdict == "accepted", [p.line() for p in second.problems]
    assert second.supersedes == [first.submission_id]
    assert ingestor.ledger.current("post_units_county", 1392).submission_id == (
        second.submission_id
    )
    assert ingestor.ledger.get(first.submission_id).state == "superseded"
    counts = raw_counts(ingestor.home)
    assert counts[first.submission_id] == first.n_values  # kept, not erased
    assert counts[second.submission_id] == second.n_values
    assert inconsistencies(ingestor) == []


def test_a_rejected_file_is_recorded_with_its_report_and_not_loaded(ingestor, demo_files,
                                                                     tmp_path):  # fmt: skip
    bad = tmp_path / "wrong.csv"
    text = demo_files["cpi_urban_month"].read_bytes()
    bad.write_bytes(text)
    outcome = ingestor.ingest(bad, table_id="edu_students_county_level_sex", year=1392)
    assert outcome.verdict == "rejected"
    submission = ingestor.ledger.get(outcome.submission_id)
    assert submission.verdict == "rejected" and submission.report
    assert all(p["fa"] and p["en"] for p in submission.report)
    assert raw_counts(ingestor.home).get(outcome.submission_id, 0) == 0
    assert archive.read(ingestor.home.archive_dir, submission.sha256) == text


def _ingest_process(home_root: Path, path: Path, fault: str | None = None):
    env = {**os.environ, "SALNAMEH_HOME": str(home_root)}
    if fault:
        env["SALNAMEH_FAULT"] = fault
    return subprocess.Popen([SALNAMEH, "ingest", str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


@pytest.mark.faults
@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_sigkill_mid_load_leaves_stores_consistent_and_file_ingestible(
    tmp_path, catalog, demo_files, point, ledger_backend
):
    home_root = tmp_path / "home"
    path = demo_files["health_hospitals_beds_county"]
    process = _ingest_process(home_root, path, point)
    marker = home_root / f"fault-{point}"
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.stdout.read().decode()
        assert time.monotonic() < deadline, "the load never reached the fault point"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    ingestor = Ingestor(home(home_root), catalog, Reference())
    (stuck,) = ingestor.ledger.submissions()
    assert stuck.state == "loading"
    held = raw_counts(ingestor.home).get(stuck.submission_id, 0)
    # Killed inside the transaction: nothing; killed after commit: everything. Never part.
    assert held == (0 if point == "before_commit" else stuck.n_values)
    assert inconsistencies(ingestor) == []

    again = ingestor.ingest(path)
    assert again.verdict == "accepted"
    assert again.submission_id == stuck.submission_id
    assert raw_counts(ingestor.home) == {stuck.submission_id: stuck.n_values}
    assert ingestor.ledger.get(stuck.submission_id).state == "loaded"
    assert inconsistencies(ingestor) == []


@pytest.mark.faults
# SQLite only: 35-45 s a run, and PostgreSQL's concurrent writers are tested directly
# (tests/test_roles.py, 50 writers on each ledger).
@pytest.mark.parametrize("ledger_backend", ["sqlite"], indirect=True)
def test_eight_parallel_ingests_all_land(tmp_path, catalog, demo_files, ledger_backend):
    home_root = tmp_path / "home"
    files = [demo_files[t] for t in TABLES[1:]]
    assert len(files) >= 8
    processes = [_ingest_process(home_root, path) for path in files]
    for process in processes:
        output = process.communicate(timeout=180)[0].decode()
        assert process.returncode == 0, output
    ingestor = Ingestor(home(home_root), catalog, Reference())
    submissions = ingestor.ledger.submissions()
    assert sorted(s.table_id for s in submissions) == sorted(TABLES[1:])
    assert all(s.state == "loaded" for s in submissions)
    assert inconsistencies(ingestor) == []


def _long_table(salnameh_home) -> list[tuple]:
    with duckdb.connect(str(salnameh_home.warehouse_path), read_only=True) as con:
        return con.execute('SELECT * FROM raw."values" ORDER BY ALL').fetchall()


def test_raw_values_is_the_long_table_with_each_values_submission(warehouse_ingestor, demo_files):
    """Table, period and sheet are stored once per submission; raw."values" gives them on
    every value, as the issue's long table has them."""
    path = demo_files["post_units_county"]
    outcome = warehouse_ingestor.ingest(path)
    assert outcome.verdict == "accepted", [p.line() for p in outcome.errors]
    with duckdb.connect(str(warehouse_ingestor.home.warehouse_path), read_only=True) as con:
        columns = [c[0] for c in con.execute('DESCRIBE raw."values"').fetchall()]
        assert columns == ["submission_id", "table_id", "period", "geo", "dim_key", "measure",
                           "value", "flag", "sheet", "source_row", "source_column"]  # fmt: skip
        kept = con.execute(
            'SELECT DISTINCT submission_id, table_id, period, sheet FROM raw."values"'
        ).fetchall()
    sheet = warehouse_ingestor.check(path.read_bytes(), path).values["sheet"].iloc[0]
    assert kept == [(outcome.submission_id, "post_units_county", 1392, sheet)]
    assert len(_long_table(warehouse_ingestor.home)) == outcome.n_values


OLD_RAW_LAYOUT = """
CREATE SCHEMA raw;
CREATE TABLE raw.submissions (
    submission_id BIGINT PRIMARY KEY, sha256 VARCHAR NOT NULL, filename VARCHAR NOT NULL,
    table_id VARCHAR NOT NULL, period INTEGER NOT NULL, agency VARCHAR NOT NULL,
    uploader VARCHAR NOT NULL, catalog_version VARCHAR NOT NULL,
    received_at VARCHAR NOT NULL, n_values BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
CREATE TABLE raw."values" (
    submission_id BIGINT NOT NULL, table_id VARCHAR NOT NULL, period INTEGER NOT NULL,
    geo VARCHAR NOT NULL, dim_key VARCHAR NOT NULL, measure VARCHAR NOT NULL, value DOUBLE,
    flag VARCHAR, sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    source_column VARCHAR NOT NULL);
"""


def test_a_warehouse_of_the_old_raw_layout_is_migrated_without_losing_a_value(
    warehouse_ingestor, demo_files, tmp_path
):
    ingestor = warehouse_ingestor
    """Before values and submissions were split, raw."values" was a table holding table,
    period and sheet on every row; opening such a warehouse moves every row over."""
    first, second = demo_files["post_units_county"], demo_files["mines_active_county"]
    assert ingestor.ingest(first).verdict == "accepted"
    expected = _long_table(ingestor.home)
    old = home(tmp_path / "old").create()
    with duckdb.connect(str(old.warehouse_path)) as con:
        con.execute(OLD_RAW_LAYOUT)
        con.execute("ATTACH ? AS new (READ_ONLY)", [str(ingestor.home.warehouse_path)])
        con.execute('INSERT INTO raw."values" SELECT * FROM new.raw."values"')
        con.execute(
            "INSERT INTO raw.submissions"
            " SELECT * EXCLUDE (sheet, province) FROM new.raw.submissions"
        )
    with RawLoader(old):  # what opens the warehouse to write migrates it
        pass
    assert _long_table(old) == expected
    with duckdb.connect(str(old.warehouse_path), read_only=True) as con:
        kinds = dict(con.execute(
            "SELECT table_name, table_type FROM information_schema.tables"
            " WHERE table_schema = 'raw'"
        ).fetchall())  # fmt: skip
    assert kinds == {"submissions": "BASE TABLE", "submission_values": "BASE TABLE",
                     "values": "VIEW"}  # fmt: skip
    # and it takes new files as before
    shutil.copytree(ingestor.home.root / "archive", old.root / "archive", dirs_exist_ok=True)
    copy_ledger(ingestor.home.ledger_path, old.ledger_path)
    later = Ingestor(old, ingestor.catalog, ingestor.reference).ingest(second)
    assert later.verdict == "accepted", [p.line() for p in later.errors]
    assert len(_long_table(old)) == len(expected) + later.n_values
