"""The staff's cycle in the core, on both kinds of ledger: a return judges the submission's
open flags, clean submissions are approved at once (and only they), a thread of messages
between the expert and the agency, and one status for the CLI, the liaison and the
coordinator."""

import datetime as dt

import duckdb
import pytest

from salnameh.access import Actor, Forbidden
from salnameh.approval import approve_clean, candidates
from salnameh.collection import open_year, return_submission, status
from salnameh.comments import CommentRefused, add_comment, thread
from salnameh.ledger import Ledger
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.snapshots import INTERNAL, snapshot_path
from salnameh.users import Users
from tests.conftest import run_salnameh

pytestmark = pytest.mark.integration

COORDINATOR = Actor("coord", "coordinator")
EXPERT = Actor("expert", "expert")
ANALYST = Actor("analyst", "analyst")
POST = Actor("post-liaison", "liaison", "post")
TUMS = Actor("tums-liaison", "liaison", "tums")
TABLES = ("post_units_county", "post_items_type", "rural_ict_county")
YEAR = 1392


@pytest.fixture
def cycle(tmp_path, catalog, ledger_backend):
    """A home with 1392 open and three post tables received and loaded, each its own
    submission, recorded in the ledger as ingestion records them (the values themselves
    play no part in these decisions)."""
    salnameh_home = home(tmp_path / "home").create()
    ledger = Ledger(salnameh_home.ledger_url)
    users = Users(ledger)
    users.add(None, "coord", "C", "coordinator", "a long password")
    users.add(COORDINATOR, "expert", "E", "expert", "a long password")
    users.add(COORDINATOR, "post-liaison", "P", "liaison", "a long password", "post")
    reference = Reference()
    open_year(salnameh_home, ledger, catalog, reference, YEAR, COORDINATOR, letters=False)
    ids = {table_id: received(ledger, table_id) for table_id in TABLES}
    return salnameh_home, ledger, catalog, reference, ids


def received(ledger: Ledger, table_id: str, report: list | None = None) -> int:
    """A file of the table accepted and loaded: the table-year's current version."""
    report = report or []
    sid = ledger.record(
        sha256=f"sha-{table_id}-{len(ledger.submissions())}", filename=f"{table_id}.xlsx",
        size_bytes=1, table_id=table_id, year=YEAR, agency="post", identified_by="name",
        uploader=POST.user_id, catalog_version="v", verdict="accepted", n_values=1,
        n_errors=0, n_warnings=sum(p["severity"] == "warning" for p in report), report=report,
    )  # fmt: skip
    ledger.mark_loaded(sid, POST.user_id)
    return sid


def flag(submission_id: int, table_id: str, geo: str, kind: str = "jump", **extra) -> dict:
    return {"submission_id": submission_id, "table_id": table_id, "year": YEAR,
            "geo_code": geo, "measure_id": "m", "dim_key": "", "kind": kind,
            "severity": "warning", "is_suppressed": False, **extra}  # fmt: skip


def publish_snapshot(salnameh_home, built: list[int], flags: list[dict]) -> None:
    """An internal snapshot as a build publishes it, holding only what these decisions
    read: which submissions are current in it, and their anomaly flags."""
    path = snapshot_path(salnameh_home, INTERNAL)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.fct_observations (submission_id BIGINT, is_current BOOL)")
        for sid in built:
            con.execute("INSERT INTO marts.fct_observations VALUES (?, true)", [sid])
        con.execute(
            "CREATE TABLE marts.fct_anomalies (submission_id BIGINT, table_id VARCHAR,"
            " year INTEGER, geo_code VARCHAR, measure_id VARCHAR, dim_key VARCHAR,"
            " kind VARCHAR, severity VARCHAR, is_suppressed BOOL)"
        )
        columns = ["submission_id", "table_id", "year", "geo_code", "measure_id", "dim_key",
                   "kind", "severity", "is_suppressed"]  # fmt: skip
        for f in flags:
            con.execute("INSERT INTO marts.fct_anomalies VALUES (?,?,?,?,?,?,?,?,?)",
                        [f[c] for c in columns])  # fmt: skip


def test_a_return_judges_the_open_flags_of_the_submission_with_it(cycle):
    salnameh_home, ledger, catalog, reference, ids = cycle
    units = ids["post_units_county"]
    publish_snapshot(salnameh_home, [units], [
        flag(units, "post_units_county", "2301"),
        flag(units, "post_units_county", "2302"),
        flag(units, "post_units_county", "2303", severity="info"),  # not a warning
        flag(ids["post_items_type"], "post_items_type", "2301"),  # another submission's
    ])  # fmt: skip
    # One flag an expert already judged real keeps that verdict.
    ledger.judge_anomaly(table_id="post_units_county", year=YEAR, geo_code="2302", measure="m",
                         dim_key="", kind="jump", verdict="real", expert=EXPERT)  # fmt: skip
    return_submission(salnameh_home, ledger, catalog, reference, units, "Rey is too low",
                      EXPERT, dt.date(2014, 8, 1))  # fmt: skip
    verdicts = {(v["table_id"], v["geo_code"]): v for v in ledger.anomaly_verdicts()}
    assert verdicts[("post_units_county", "2301")]["verdict"] == "error"
    assert verdicts[("post_units_county", "2301")]["note"] == (
        f"returned with submission {units}: Rey is too low"
    )
    assert verdicts[("post_units_county", "2302")]["verdict"] == "real"
    assert ("post_units_county", "2303") not in verdicts
    assert ("post_items_type", "2301") not in verdicts
    assert len(ledger.anomaly_verdicts()) == 2  # the real one, then the one error
    # An approval judges nothing; only a return takes flags with it.
    with pytest.raises(ValueError, match="only a return"):
        ledger.review(ids["post_items_type"], "approved", EXPERT, judged_flags=[flag(1, "x", "y")])


def test_only_clean_submissions_are_approved_at_once_each_as_one_approval(cycle):
    salnameh_home, ledger, _catalog, _reference, ids = cycle
    units, items, ict = (ids[t] for t in TABLES)
    for who in (POST, ANALYST):
        with pytest.raises(Forbidden):
            approve_clean(salnameh_home, ledger, who)
    # Before any build no flag is known: nothing is clean.
    assert {c.reason for c in candidates(salnameh_home, ledger, EXPERT)} == {"no_build"}
    assert approve_clean(salnameh_home, ledger, EXPERT).approved == []
    # units has a standing flag, items none, ict is not in the build.
    publish_snapshot(salnameh_home, [units, items], [flag(units, "post_units_county", "2301")])
    reasons = {c.submission_id: c.reason for c in candidates(salnameh_home, ledger, EXPERT)}
    assert reasons == {units: "flags", items: None, ict: "not_built"}
    done = approve_clean(salnameh_home, ledger, EXPERT, submission_ids=[items, units, 999])
    assert done.approved == [items]
    assert done.skipped == {units: "flags", 999: "decided"}
    # Recorded as a single approval is: one review, by the expert, and the table is closed.
    assert [(r["decision"], r["reviewer"]) for r in ledger.reviews(items)] == [
        ("approved", "expert")]  # fmt: skip
    assert ledger.lock_reason("post_items_type", YEAR) is not None
    assert ledger.reviews(units) == []
    # A flag judged real no longer stands: units is clean now.
    ledger.judge_anomaly(table_id="post_units_county", year=YEAR, geo_code="2301", measure="m",
                         dim_key="", kind="jump", verdict="real", expert=EXPERT)  # fmt: skip
    assert approve_clean(salnameh_home, ledger, EXPERT).approved == [units]
    post = status(ledger, YEAR, "post")["agencies"][0]["table_status"]
    state = {t["table_id"]: t["state"] for t in post}
    assert state["post_units_county"] == state["post_items_type"] == "approved"
    assert state["rural_ict_county"] == "in_review"
    # A file whose validation report warns is never clean, flags or not.
    warned = received(ledger, "rural_ict_county", [{"severity": "warning", "en": "odd"}])
    publish_snapshot(salnameh_home, [warned], [])
    assert approve_clean(salnameh_home, ledger, EXPERT).skipped == {warned: "report"}


def test_expert_and_liaison_share_one_thread_on_a_submission(cycle):
    _home, ledger, _catalog, _reference, ids = cycle
    units = ids["post_units_county"]
    add_comment(ledger, units, "  Which county is Rey's figure for?  ", EXPERT)
    add_comment(ledger, units, "ری و شهرری با هم آمده است", POST)
    for reader in (EXPERT, POST, COORDINATOR):
        messages = thread(ledger, units, reader)
        assert [(m.author, m.role, m.body) for m in messages] == [
            ("expert", "expert", "Which county is Rey's figure for?"),
            ("post-liaison", "liaison", "ری و شهرری با هم آمده است"),
        ]
    assert thread(ledger, ids["post_items_type"], POST) == []
    for outsider in (TUMS, ANALYST):
        with pytest.raises(Forbidden):
            thread(ledger, units, outsider)
        with pytest.raises(Forbidden):
            add_comment(ledger, units, "hello", outsider)
    with pytest.raises(CommentRefused, match="empty"):
        add_comment(ledger, units, "   ", POST)
    with pytest.raises(CommentRefused, match="no submission 999"):
        add_comment(ledger, 999, "hello", EXPERT)
    assert len(thread(ledger, units, EXPERT)) == 2  # nothing half-kept by the refusals


def test_a_ledger_made_before_threads_gets_the_table_when_opened(tmp_path):
    salnameh_home = home(tmp_path / "home").create()
    ledger = Ledger(salnameh_home.ledger_url)
    with ledger.transaction() as con:  # as a ledger made before this version
        con.execute("DROP TABLE IF EXISTS submission_comments")
        con.execute("DELETE FROM schema_versions WHERE component = 'comments'")
    sid = ledger.record(sha256="x", filename="f.xlsx", size_bytes=1, table_id="t", year=YEAR,
                        agency="post", identified_by="name", uploader="post-liaison",
                        catalog_version="v", verdict="accepted", n_values=1, n_errors=0,
                        n_warnings=0, report=[])  # fmt: skip
    add_comment(Ledger(salnameh_home.ledger_url), sid, "hello", EXPERT)
    assert [m.body for m in thread(ledger, sid, POST)] == ["hello"]


def test_a_returned_table_is_overdue_alike_for_the_coordinator_and_the_liaison(cycle):
    salnameh_home, ledger, catalog, reference, ids = cycle
    units = ids["post_units_county"]
    today = dt.date(2014, 8, 1)  # 10 days after 1392's records deadline (31 Tir 1393)
    return_submission(salnameh_home, ledger, catalog, reference, units, "Rey", EXPERT, today)
    coordinator = status(ledger, YEAR, "post", today=today, actor=COORDINATOR)
    liaison = status(ledger, YEAR, today=today, actor=POST)
    for report in (coordinator, liaison):
        entry = next(t for t in report["agencies"][0]["table_status"]
                     if t["table_id"] == "post_units_county")  # fmt: skip
        assert (entry["state"], entry["overdue_days"]) == ("returned", 10)
        assert entry["submission_id"] == units


def test_the_cli_approves_clean_submissions_and_keeps_the_thread(cycle, monkeypatch):
    salnameh_home, ledger, _catalog, _reference, ids = cycle
    units, items, ict = (ids[t] for t in TABLES)
    publish_snapshot(salnameh_home, [units, items], [flag(units, "post_units_county", "2301")])
    monkeypatch.setenv("SALNAMEH_PASSWORD", "a long password")
    root = salnameh_home.root
    refused = run_salnameh("review", "approve-clean", "--as", "post-liaison", home=root)
    assert refused.returncode == 3 and "cannot approve clean submissions" in refused.stderr
    listed = run_salnameh("review", "approve-clean", "--dry-run", "--as", "expert", home=root)
    assert listed.returncode == 0, listed.stderr
    assert f"{items:6} {YEAR} post_items_type" in listed.stdout
    assert "not clean: it has anomaly flags" in listed.stdout
    assert ledger.reviews(items) == []  # a dry run approves nothing
    done = run_salnameh("review", "approve-clean", "--as", "expert", home=root)
    assert done.returncode == 0, done.stderr
    assert f"submission {items}: approved" in done.stdout and "1 clean submission(s)" in done.stdout
    assert [r["decision"] for r in ledger.reviews(items)] == ["approved"]
    assert ledger.reviews(units) == ledger.reviews(ict) == []
    asked = run_salnameh("review", "comment", str(units), "کدام شهرستان؟", "--as", "expert",
                         home=root)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    read = run_salnameh("review", "thread", str(units), "--as", "post-liaison", home=root)
    assert read.returncode == 0 and "expert (expert): کدام شهرستان؟" in read.stdout


def test_a_thread_moves_with_the_ledger_to_postgresql(tmp_path):
    from salnameh.ledger_migration import migrate
    from tests.conftest import fresh_postgres_database

    source = Ledger(tmp_path / "ledger.sqlite")
    sid = source.record(sha256="x", filename="f.xlsx", size_bytes=1, table_id="t", year=YEAR,
                        agency="post", identified_by="name", uploader="post-liaison",
                        catalog_version="v", verdict="accepted", n_values=1, n_errors=0,
                        n_warnings=0, report=[])  # fmt: skip
    add_comment(source, sid, "کدام شهرستان؟", EXPERT)
    add_comment(source, sid, "ری", POST)
    with fresh_postgres_database() as url:
        copied = {c.table: c.rows for c in migrate(tmp_path / "ledger.sqlite", url)}
        assert copied["submission_comments"] == 2
        moved = Ledger(url)
        assert thread(moved, sid, POST) == thread(source, sid, POST)
        assert add_comment(moved, sid, "ممنون", EXPERT).comment_id == 3  # ids continue
