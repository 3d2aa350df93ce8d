"""The warehouse built from the demo: census anchors, comparable series, anomalies, snapshots.

All tests read one demo home built once per session (tests/conftest.py `demo_home`): real
agency files ingested, reviewed and built with dbt, every dbt test included. Tests that
change a home work on a copy.
"""

import csv
import json
import re
import shutil
import sqlite3
import subprocess
import threading
from contextlib import closing

import duckdb
import pytest

from salnameh.access import Actor
from salnameh.catalog import load_catalog
from salnameh.ledger import Ledger
from salnameh.settings import DBT_PROJECT_DIR, home
from salnameh.snapshots import PUBLIC, open_snapshot, snapshot_path
from salnameh.warehouse import BuildError, build_warehouse, run_dbt
from tests.conftest import copy_home, run_salnameh

EXPERT = Actor("test-expert", "expert")
COORDINATOR = Actor("test-coordinator", "coordinator")

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CENSUS = DBT_PROJECT_DIR.parent / "app" / "demo" / "census"
POPULATION = "pop_county_sex_age.population[age_group_5y=total;sex=total]"


def internal(demo_home):
    return duckdb.connect(str(snapshot_path(home(demo_home.root), "internal")), read_only=True)


def published_population(con, year):
    rows = con.execute(
        "SELECT geo_code, value FROM marts.fct_observations WHERE indicator_id = ?"
        " AND year = ? AND is_current",
        [POPULATION, year],
    ).fetchall()
    return {geo: value for geo, value in rows}


def test_the_build_reports_its_tests_and_publishes(demo_home):
    out = demo_home.build.stdout
    assert "warehouse built:" in out and "snapshots published" in out
    results = json.loads((demo_home.root / "dbt" / "target" / "run_results.json").read_text())
    kinds = {r["unique_id"].split(".")[0] for r in results["results"]}
    assert {"seed", "model", "test"} <= kinds
    assert "unit_test" not in kinds  # they check the SQL, not the data: make test runs them
    assert all(r["status"] in ("success", "pass") for r in results["results"])


def test_the_models_sql_passes_dbt_unit_tests(demo_home, tmp_path):
    """The unit tests (fixed rows in, rows out) are out of the installations' builds and
    run here, on the demo's warehouse (dbt reads its parents' columns from it)."""
    root = copy_home(demo_home.root, tmp_path / "home")
    result = run_dbt(home(root), "test", "--select", "test_type:unit")  # raises on a failure
    assert result.passed >= 7 and not result.failed


@pytest.mark.parametrize(("year", "province"), [(1390, 12_183_391), (1395, 13_267_637)])
def test_census_anchors_come_out_exactly(demo_home, year, province):
    with internal(demo_home) as con:
        figures = published_population(con, year)
    assert figures["23"] == province
    with (CENSUS / "tehran_prov_county_population_totals_1390_1395.csv").open() as handle:
        counties = {r["county_code_1395"]: r[f"pop_{year}_total"] for r in csv.DictReader(handle)}
    # The file's last row is the province; Pardis and Qarchak have figures from 1395 only.
    expected = {code: int(n) for code, n in counties.items() if n and code != "23"}
    assert len(expected) == (14 if year == 1390 else 16)
    assert {g: v for g, v in figures.items() if g != "23"} == expected


def test_comparable_units_join_pardis_and_qarchak_and_note_the_break(demo_home):
    with internal(demo_home) as con:
        rows = con.execute(
            "SELECT basis, year, geo_code, value, break_note_en FROM marts.fct_indicator_series"
            " WHERE indicator_id = ? AND version = 'latest' AND year IN (1390, 1395)",
            [POPULATION],
        ).fetchall()
    series = {(basis, year, geo): (value, note) for basis, year, geo, value, note in rows}
    # As published, 1390 Tehran is what the census printed, Pardis included.
    assert series[("as_published", 1390, "2301")] == (8_293_140, None)
    tehran_1395, note = series[("as_published", 1395, "2301")]
    assert tehran_1395 == 8_737_510 and "1391" in note and "Pardis" in note
    # On comparable units both years cover the same ground.
    assert series[("comparable", 1390, "2301+2320")][0] == 8_293_140
    assert series[("comparable", 1395, "2301+2320")][0] == 8_737_510 + 169_060
    assert series[("comparable", 1390, "2306+2321")][0] == 526_294
    assert series[("comparable", 1395, "2306+2321")][0] == 283_742 + 269_138
    assert "added up for comparability" in series[("comparable", 1395, "2306+2321")][1]
    assert ("comparable", 1395, "2301") not in series


def test_every_planted_collapse_is_flagged_and_little_else(demo_home):
    planted = {}
    with (demo_home.root / "demo" / "anomalies.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            planted[(row["table_id"], int(row["year"]), row["geo_code"])] = row["kind"]
    collapses = {key for key, kind in planted.items() if kind == "collapse"}
    with internal(demo_home) as con:
        flags = con.execute(
            "SELECT DISTINCT table_id, year, geo_code FROM marts.fct_anomalies"
            " WHERE severity = 'warning'"
        ).fetchall()
        explained = con.execute(
            "SELECT explanation_fa, explanation_en, history_years FROM marts.fct_anomalies"
            " WHERE kind = 'sharp_drop' LIMIT 1"
        ).fetchone()
    flagged = set(flags)
    assert collapses <= flagged  # recall on what passed ingestion
    # The other planted kinds never reach the warehouse: ingestion rejected those files.
    false_alarms = flagged - collapses
    assert len(false_alarms) <= len(flagged) // 10, false_alarms
    fa, en, history = explained
    assert "درصد" in fa and "% of the" in en and len(history) >= 5


def test_each_trend_is_the_median_of_the_slopes_between_every_two_years(demo_home):
    """Issue 22: the anomaly trends are computed inside each series' list of points, not by
    joining every point with every other. Whatever the SQL, a trend must still be
    Theil-Sen's: here recomputed in Python from the points (y = residual + the line) for
    every series of the demo that was judged."""
    from statistics import median

    with internal(demo_home) as con:  # a copy of the warehouse, its views included
        rows = con.execute(
            "SELECT table_id, measure_id, dim_key, geo_code, geo_valid_from, year,"
            " residual + trend_intercept + trend_slope * year, trend_slope"
            " FROM intermediate.int_anomaly__features WHERE residual IS NOT NULL"
        ).fetchall()
    series: dict[tuple, list[tuple[int, float]]] = {}
    slopes: dict[tuple, float] = {}
    for *key, year, y, slope in rows:
        series.setdefault(tuple(key), []).append((year, y))
        slopes[tuple(key)] = slope
    assert len(series) > 1000
    for key, points in series.items():
        points.sort()
        pairwise = [(yb - ya) / (b - a) for i, (a, ya) in enumerate(points)
                    for b, yb in points[i + 1 :]]  # fmt: skip
        assert median(pairwise) == pytest.approx(slopes[key], rel=1e-9, abs=1e-12), key


def test_public_snapshot_holds_only_released_figures(demo_home):
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        years = {
            y for (y,) in con.execute("SELECT DISTINCT year FROM marts.fct_observations").fetchall()
        }
        unreleased = con.execute(
            "SELECT count(*) FROM marts.fct_observations WHERE NOT is_released"
        ).fetchone()[0]
        versions = con.execute("SELECT DISTINCT version FROM marts.fct_indicator_series").fetchall()
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        documented = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'fct_observations'"
            " AND column_name = 'source_row'"
        ).fetchone()[0]
        # Not even a note may tell that figures of the unreleased year exist.
        told = con.execute(
            "SELECT count(*) FROM marts.fct_indicator_series WHERE break_note_en LIKE '%1402%'"
        ).fetchone()[0]
    assert years == set(range(1390, 1402))  # 1402 is still in review in the demo
    assert told == 0
    assert unreleased == 0 and versions == [("released",)]
    assert "fct_anomalies" not in tables and "values" not in tables
    assert "Row of the cell" in documented
    with internal(demo_home) as con:
        assert con.execute("SELECT max(year) FROM marts.fct_observations").fetchone()[0] == 1402


def staff_and_files(demo_home) -> tuple[set[str], set[str]]:
    """Every staff user id and every uploaded file's name the demo's ledger holds."""
    path = home(demo_home.root).ledger_path
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        users = {u for (u,) in con.execute("SELECT user_id FROM users")}
        files = {f for (f,) in con.execute("SELECT DISTINCT filename FROM submissions")}
    return users, files


def test_the_public_snapshot_names_agency_and_edition_never_staff_or_files(demo_home):
    """A public list of staff ids would let anyone lock the staff out (five wrong passwords
    lock an account), so no public table holds a user id or an uploaded file's name, in
    any column, under any name; staff keep them in the internal snapshot. The public side
    still says which agency and which edition every figure comes from."""
    users, files = staff_and_files(demo_home)
    assert len(users) > 30 and len(files) > 100
    public = snapshot_path(home(demo_home.root), PUBLIC)
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH ? AS pub (READ_ONLY)", [str(public)])
        con.execute("CREATE TABLE staff AS SELECT unnest(?::VARCHAR[]) AS id", [sorted(users)])
        con.execute("CREATE TABLE files AS SELECT unnest(?::VARCHAR[]) AS name", [sorted(files)])
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns()"
            " WHERE database_name = 'pub' AND data_type = 'VARCHAR'"
        ).fetchall()
        names = {c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'pub'"
        ).fetchall()}  # fmt: skip
        found = []
        for schema, table, column in columns:
            where = f'pub."{schema}"."{table}"'
            hits = con.execute(
                f'SELECT count(*) FROM {where} AS t, staff WHERE contains(t."{column}", staff.id)'
            ).fetchone()[0]
            hits += con.execute(
                f'SELECT count(*) FROM {where} AS t JOIN files ON t."{column}" = files.name'
            ).fetchone()[0]
            if hits:
                found.append((schema, table, column, hits))
        unsourced = con.execute(
            "SELECT count(*) FROM pub.marts.fct_observations"
            " WHERE agency_id IS NULL OR agency_id = '' OR first_edition IS NULL"
        ).fetchone()[0]
        observations = con.execute("SELECT count(*) FROM pub.marts.fct_observations").fetchone()
    assert not found, found
    assert not names & {"uploader", "reviewer", "filename"}
    assert {"agency_id", "first_edition", "edition_number"} <= names
    assert observations[0] > 50_000 and unsourced == 0
    with internal(demo_home) as con:  # staff keep the provenance
        kept = con.execute(
            "SELECT count(DISTINCT uploader), count(DISTINCT filename), count(reviewer)"
            " FROM marts.fct_observations"
        ).fetchone()
    assert kept[0] > 30 and kept[1] > 100 and kept[2] > 0


def test_a_returned_table_stays_out_of_the_public_snapshot(demo_home):
    ledger = Ledger(home(demo_home.root).ledger_path)
    returned = {(s.table_id, s.year) for s in ledger.submissions() if s.state == "loaded"} & {
        ("social_security_insured_county", 1401)
    }
    assert returned  # the demo experts returned this collapse to its agency
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        n = con.execute(
            "SELECT count(*) FROM marts.fct_observations WHERE table_id = ? AND year = ?",
            ["social_security_insured_county", 1401],
        ).fetchone()[0]
    assert n == 0


def test_readers_never_block_a_build_and_see_whole_files(demo_home, tmp_path):
    root = copy_home(demo_home.root, tmp_path / "home")
    salnameh_home = home(root)
    ledger = Ledger(salnameh_home.ledger_path)
    for s in ledger.submissions():
        if (
            s.state == "loaded"
            and s.year == 1402
            and s.submission_id not in (ledger.reviewed_submissions())
        ):
            ledger.review(s.submission_id, "approved", EXPERT)
    ledger.release(1402, COORDINATOR, expected=load_catalog().tables_of(1402),
                   allow_incomplete=True)  # fmt: skip
    counts = []
    stop = threading.Event()

    def read_while_building():
        while not stop.is_set():
            with open_snapshot(salnameh_home, PUBLIC) as con:
                counts.append(
                    con.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0]
                )

    reader = threading.Thread(target=read_while_building)
    # Each snapshot is a new file swapped in, never the old one written over: a plain copy
    # onto the path (the issue 21 mutant) keeps the inode, and a reader holding the file
    # would read blocks of two builds.
    inodes = {k: snapshot_path(salnameh_home, k).stat().st_ino for k in (PUBLIC, "internal")}
    with open_snapshot(salnameh_home, PUBLIC) as held:  # a reader that stays connected
        before = held.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0]
        reader.start()
        try:
            result = build_warehouse(salnameh_home)
        finally:
            stop.set()
            reader.join()
        assert held.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0] == before
    after = result.published["marts.fct_observations"]
    assert after > before
    assert counts and set(counts) <= {before, after}  # old or new, never half
    for kind, inode in inodes.items():
        assert snapshot_path(salnameh_home, kind).stat().st_ino != inode, kind


def test_a_failed_build_keeps_the_last_good_snapshots(demo_home, tmp_path, monkeypatch):
    import shutil

    import salnameh.warehouse as warehouse

    root = copy_home(demo_home.root, tmp_path / "home")
    before = snapshot_path(home(root), PUBLIC).stat().st_mtime_ns
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(
        DBT_PROJECT_DIR.parent / "seeds" / "reference", tmp_path / "seeds" / "reference"
    )
    # A county total no longer adding up in the warehouse must fail the integrity tests.
    (project / "models" / "staging" / "stg_raw__values.sql").write_text(
        (project / "models" / "staging" / "stg_raw__values.sql")
        .read_text()
        .replace(
            "    value,", "    case when geo = '2302' then value * 2 else value end as value,"
        ),
    )
    monkeypatch.setattr(warehouse, "DBT_PROJECT_DIR", project)
    with pytest.raises(BuildError, match="assert_counties_sum_to_province_holds"):
        build_warehouse(home(root))
    assert snapshot_path(home(root), PUBLIC).stat().st_mtime_ns == before


def test_dbt_docs_generate_works(demo_home, tmp_path):
    root = copy_home(demo_home.root, tmp_path / "home")
    run_dbt(home(root), "docs", "generate")
    catalog = json.loads((root / "dbt" / "target" / "catalog.json").read_text())
    assert "model.salnameh.fct_indicator_series" in catalog["nodes"]


def test_query_is_read_only_and_limited(demo_home, monkeypatch):
    ok = run_salnameh(
        "query", "SELECT count(*) AS n FROM marts.dim_table", "--format", "json",
        home=demo_home.root,
    )  # fmt: skip
    assert ok.returncode == 0 and json.loads(ok.stdout) == [{"n": 163}]
    files = run_salnameh("query", "SELECT * FROM read_csv('/etc/passwd')", home=demo_home.root)
    assert files.returncode == 1 and "disabled" in files.stderr
    write = run_salnameh("query", "DROP TABLE marts.dim_table", home=demo_home.root)
    assert write.returncode == 1
    many = run_salnameh("query", "SELECT * FROM range(50)", "--max-rows", "5", "--format",
                        "csv", home=demo_home.root)  # fmt: skip
    assert many.stdout.splitlines() == ["range", "0", "1", "2", "3", "4"]
    assert "only the first 5 rows" in many.stderr
    slow = run_salnameh("query", "SELECT count(*) FROM range(10000000000) a, range(10) b",
                        "--timeout", "1", home=demo_home.root)  # fmt: skip
    assert slow.returncode == 1 and "stopped" in slow.stderr
    analyst = next(line.split(",") for line in (demo_home.root / "demo-staff.csv")
                   .read_text(encoding="utf-8").splitlines() if ",analyst," in line)  # fmt: skip
    monkeypatch.setenv("SALNAMEH_PASSWORD", analyst[3])
    staff = run_salnameh("query", "SELECT count(*) FROM marts.fct_anomalies", "--internal",
                         "--as", analyst[0], "--format", "csv", home=demo_home.root)  # fmt: skip
    assert staff.returncode == 0 and int(staff.stdout.splitlines()[1]) > 0


def test_series_api_for_notebooks(demo_home):
    from salnameh.series import UnknownIndicator, indicator_series, indicators

    salnameh_home = home(demo_home.root)
    found = indicators("population", headline_only=True, salnameh_home=salnameh_home)
    assert POPULATION in set(found["indicator_id"])
    frame = indicator_series("pop_county_sex_age.population", geography="2320",
                             basis="comparable", salnameh_home=salnameh_home)  # fmt: skip
    assert list(frame["year"]) == [1390, 1395]
    assert list(frame["value"]) == [8_293_140, 8_737_510 + 169_060]
    assert frame.attrs["indicator_id"] == POPULATION
    with pytest.raises(UnknownIndicator, match="did you mean"):
        indicator_series("pop_county_sex_age.populaton", salnameh_home=salnameh_home)


def test_a_second_edition_lists_its_revisions_with_the_reason(demo_home, tmp_path):
    from app.demo.generate import generate_demo
    from ingestion.ingest import Ingestor
    from salnameh.reference import Reference

    root = copy_home(demo_home.root, tmp_path / "home")
    salnameh_home = home(root)
    ledger = Ledger(salnameh_home.ledger_path)
    table = "hotels_rooms_beds_grade"
    reason = "The hotel association corrected its 1401 counts"
    ledger.reopen(table, 1401, COORDINATOR, reason)
    generate_demo(load_catalog(), tmp_path / "corrected", years=[1401], seed=7, table_ids=[table])
    corrected = next((tmp_path / "corrected" / "files").rglob(f"{table}.*"))
    outcome = Ingestor(salnameh_home, load_catalog(), Reference()).ingest(corrected)
    assert outcome.verdict == "accepted"
    ledger.review(outcome.submission_id, "approved", EXPERT)
    number, _held = ledger.release(1401, COORDINATOR, expected=load_catalog().tables_of(1401),
                                   allow_incomplete=True)  # fmt: skip
    assert number == 2
    result = build_warehouse(salnameh_home)
    assert result.published["marts.fct_revisions"] > 0
    with open_snapshot(salnameh_home, PUBLIC) as con:
        rows = con.execute(
            "SELECT DISTINCT table_id, previous_edition, change, reason FROM marts.fct_revisions"
            " WHERE year = 1401 AND edition_number = 2"
        ).fetchall()
        changed = con.execute(
            "SELECT count(*) FROM marts.fct_revisions WHERE table_id = ?"
            " AND old_value <> new_value",
            [table],
        ).fetchone()[0]
        released = con.execute(
            "SELECT DISTINCT submission_id FROM marts.fct_observations WHERE table_id = ?"
            " AND year = 1401",
            [table],
        ).fetchall()
    assert rows == [(table, 1, "revised", reason)]
    assert changed > 0
    assert released == [(outcome.submission_id,)]  # the public sees the revision now
    from publishing.export import export_edition

    written = export_edition(salnameh_home, 1401, ("xlsx", "pdf"), out=tmp_path / "x")
    workbook = written["xlsx"][0]
    if shutil.which("pdftotext"):
        printed = subprocess.run(["pdftotext", str(written["pdf"][0]), "-"], check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
        # pdftotext marks each Latin run in a Persian page (U+202A-U+202C): a reason wrapped
        # over lines reads back in pieces.
        printed = re.sub("[\u202a-\u202e]", "", printed)
        assert "تجدیدنظرها".replace("\u200c", "") in printed.replace("\u200c", "")
        assert reason in " ".join(printed.split())  # the cell wraps it over lines
        # The revisions page names tables, places and measures in words, not by their ids,
        # and prints counts (rooms, beds) as counts: «۱۹٬۴۰۸», never «۱۹٬۴۰۸٫۰».
        revised = printed[printed.rfind("تجدیدنظرها") :]
        assert table not in revised and "rooms" not in revised
        assert "٫۰" not in revised and re.search("[۰-۹]٬[۰-۹]{3}", revised)
    import openpyxl

    listed = openpyxl.load_workbook(workbook)["تجدیدنظرها"]
    assert listed.max_row > 1 and listed.cell(2, 1).value == table
    assert listed.cell(2, 7).value == reason


def _marts(path) -> dict[str, list[tuple]]:
    """Every mart's rows, sorted, from a warehouse file read on its own."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [n for (n,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall()]  # fmt: skip
        return {n: sorted(con.execute(f"SELECT * FROM marts.{n}").fetchall(), key=repr)
                for n in names}  # fmt: skip


def test_a_replayed_build_gives_the_marts_a_full_build_gives(demo_home, tmp_path, monkeypatch):
    """Issue 22: where only data changed, `build` replays the last full build's compiled SQL
    in process instead of running dbt; a full rebuild of the same inputs must give the same
    marts, row for row. The change here is a liaison's corrected file sent again (a new
    version superseding the current one) and an expert's approval of another table."""
    from ingestion.ingest import Ingestor
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference

    root = copy_home(demo_home.root, tmp_path / "home")
    salnameh_home = home(root)
    first = build_warehouse(salnameh_home)
    assert first.how == "dbt build"  # a copied home has no full build of its own yet

    ledger = Ledger(salnameh_home.ledger_path)
    queue = ledger.review_queue(1402)
    resent, approved = queue[0], next(r for r in queue[1:] if r["review_state"] == "in_review")
    source = next((root / "demo" / "files" / "1402").rglob(f"{resent['table_id']}.*"))
    again = tmp_path / "again" / "1402" / resent["agency"] / source.name
    again.parent.mkdir(parents=True)
    again.write_bytes(source.read_bytes() + (b"\n" if source.suffix == ".csv" else b""))
    if source.suffix != ".csv":  # a saved-again workbook: same figures, other bytes
        import openpyxl

        book = openpyxl.load_workbook(source)
        book.properties.title = "sent again"
        book.save(again)
    catalog = load_catalog().in_words_of(Reference.for_home(salnameh_home))
    outcome = Ingestor(salnameh_home, catalog, Reference.for_home(salnameh_home)).ingest(again)
    assert outcome.verdict == "accepted", [p.en for p in outcome.problems]
    ledger.review(approved["submission_id"], "approved", EXPERT)
    # And a table another table's totals must equal, sent again with every figure doubled
    # (its own sums still hold): the other table's identity flags change with it, so a
    # build that recomputes only the changed tables must recompute that one too.
    doubled = tmp_path / "doubled" / "1402" / "admin_recruitment" / "gov_employees_type_sex.csv"
    doubled.parent.mkdir(parents=True)
    sent = (root / "demo" / "files" / "1402" / "admin_recruitment" / doubled.name).read_text(
        encoding="utf-8-sig"
    )
    doubled.write_text(
        re.sub(r"(?<=,)(\d+)(?=,|$)", lambda m: str(2 * int(m.group(1))), sent, flags=re.M),
        encoding="utf-8-sig",
    )
    outcome_doubled = Ingestor(
        salnameh_home, catalog, Reference.for_home(salnameh_home)
    ).ingest(doubled)
    assert outcome_doubled.verdict == "accepted", [p.en for p in outcome_doubled.problems]

    from salnameh import snapshots

    copies, copyfile = [], shutil.copyfile
    monkeypatch.setattr(snapshots.shutil, "copyfile", lambda a, b, **kw: copies.append(a) or
                        copyfile(a, b, **kw))  # fmt: skip
    replayed = build_warehouse(salnameh_home)
    assert replayed.how == "replayed" and replayed.published
    # The public snapshot was the last one with the recomputed tables' rows replaced.
    assert snapshot_path(salnameh_home, PUBLIC) in copies
    # Only the changed tables and the one reading the doubled table were recomputed.
    assert replayed.tables_recomputed is not None and 3 <= replayed.tables_recomputed <= 6
    with open_snapshot(salnameh_home, "internal") as con:
        identity_flags = con.execute(
            "SELECT count(*) FROM marts.fct_anomalies WHERE table_id = ? AND year = 1402"
            " AND kind = 'broken_identity'", ["gov_employees_education_sex"],
        ).fetchone()[0]  # fmt: skip
    assert identity_flags > 0
    with open_snapshot(salnameh_home, "internal") as con:
        current = con.execute(
            "SELECT DISTINCT submission_id FROM marts.fct_observations"
            " WHERE table_id = ? AND year = 1402 AND is_current", [resent["table_id"]],
        ).fetchall()  # fmt: skip
    assert current == [(outcome.submission_id,)]  # the new version is in the snapshot
    after_replay = {k: _marts(snapshot_path(salnameh_home, k)) for k in ("internal", PUBLIC)}

    full = build_warehouse(salnameh_home, full=True)
    assert full.how == "dbt build"
    for kind, marts in after_replay.items():
        after_full = _marts(snapshot_path(salnameh_home, kind))
        assert marts.keys() == after_full.keys()
        for name in after_full:
            assert marts[name] == after_full[name], (kind, name)

    # The replay key covers what compiled SQL depends on: other vars (as a changed model or
    # seed file would) make the last manifest unusable, and so does a dbt invocation that
    # compiles less than everything.
    from salnameh import model_replay
    from salnameh.warehouse import dbt_target_dir, dbt_vars

    manifest = dbt_target_dir(salnameh_home) / "manifest.json"
    key = model_replay.replay_key(salnameh_home, dbt_vars(salnameh_home))
    assert model_replay.plan(salnameh_home, manifest, key) is not None
    # A mart reading the scoped values that does not say how its rows are replaced would
    # lose the other tables' rows in a narrowed build: such a replay recomputes everything.
    assert model_replay.plan(salnameh_home, manifest, key).scoped
    unsaid = json.loads(manifest.read_text(encoding="utf-8"))
    for node in unsaid["nodes"].values():
        if node["name"] == "fct_anomalies":
            node["config"]["meta"].pop("rebuilt_by")
    (tmp_path / "unsaid.json").write_text(json.dumps(unsaid), encoding="utf-8")
    assert not model_replay.plan(salnameh_home, tmp_path / "unsaid.json", key).scoped
    other = model_replay.replay_key(salnameh_home, {"province": "01"})
    assert other != key and model_replay.plan(salnameh_home, manifest, other) is None
    run_dbt(salnameh_home, "run", "--select", "dim_chapter")
    assert model_replay.plan(salnameh_home, manifest, key) is None


def test_a_homes_first_build_keeps_its_states_so_the_next_build_is_narrowed(demo_home, tmp_path):
    """`make demo`'s first build is a dbt build on a home whose views do not exist yet, so
    the tables' states cannot be read before dbt; they are read after it, when nothing was
    staged meanwhile. The next build with nothing new then recomputes no table (it used to
    recompute every one)."""
    from salnameh.warehouse import connect_warehouse

    root = copy_home(demo_home.root, tmp_path / "home")
    salnameh_home = home(root)
    con = connect_warehouse(salnameh_home)
    try:  # as before a home's first dbt run: no views, no states kept
        con.execute("DROP VIEW intermediate.int_submissions__versions")
        con.execute("DELETE FROM build.table_states")
    finally:
        con.close()
    first = build_warehouse(salnameh_home, full=True)
    assert first.how == "dbt build"
    with closing(connect_warehouse(salnameh_home)) as con:
        kept = con.execute("SELECT count(*) FROM build.table_states").fetchone()[0]
    assert kept > 100  # every table of the demo, and the catalog's ''
    second = build_warehouse(salnameh_home)
    assert second.how == "replayed" and second.tables_recomputed == 0


def test_a_failing_data_test_rolls_the_whole_replay_back(demo_home, tmp_path):
    """A replayed build whose data test fails leaves every mart as it was (one transaction),
    as a failed dbt build publishes nothing: here the raw values of the demo are emptied,
    which the replayed models would carry into the marts, and a test that always fails is
    added to the replay."""
    from salnameh import model_replay
    from salnameh.warehouse import dbt_target_dir, dbt_vars

    root = copy_home(demo_home.root, tmp_path / "home")
    shutil.copytree(demo_home.root / "dbt", root / "dbt", ignore=shutil.ignore_patterns("*.lock"))
    salnameh_home = home(root)
    key = model_replay.replay_key(salnameh_home, dbt_vars(salnameh_home))
    model_replay.remember_full_build(salnameh_home, key)
    replay = model_replay.plan(salnameh_home, dbt_target_dir(salnameh_home) / "manifest.json", key)
    assert replay is not None and replay.models and replay.tests
    failing = {"name": "always_fails", "config": {"severity": "ERROR"}, "compiled_code": "select 1"}
    with duckdb.connect(str(salnameh_home.warehouse_path)) as con:
        before = con.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0]
        con.execute("DELETE FROM raw.submission_values")
        with pytest.raises(model_replay.ReplayFailed) as failed:
            model_replay.run(
                con, model_replay.Replay(replay.models, [*replay.tests, failing]), narrow=False
            )
        after = con.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0]
        passed = model_replay.run(con, replay, narrow=False).passed  # without it
        emptied = con.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0]
    assert failed.value.failed == ["always_fails"]
    assert before > 0 and after == before and emptied == 0 and passed > 0
