"""Users, roles and the review decisions: every refusal is made by the core itself."""

import multiprocessing
import os
import sqlite3

import pytest

from app.demo.generate import generate_demo
from ingestion.ingest import Ingestor
from salnameh.access import Actor, Forbidden, can
from salnameh.catalog import load_catalog
from salnameh.ledger import Ledger
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.users import MAX_FAILURES, AuthenticationFailed, TooManyAttempts, UserError, Users
from salnameh.warehouse import raw_counts
from tests.conftest import run_salnameh

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
COORDINATOR = Actor("coord", "coordinator")
EXPERT = Actor("expert", "expert")
ANALYST = Actor("analyst", "analyst")
POST_LIAISON = Actor("post-liaison", "liaison", "post")
HEALTH_LIAISON = Actor("health-liaison", "liaison", "tums")


@pytest.fixture
def ledger(tmp_path, ledger_backend):
    return Ledger(home(tmp_path / "home").ledger_url)


def stored_text(ledger: Ledger) -> str:
    """Every value of every table of the ledger, as text."""
    with ledger.connect() as con:
        return "\n".join(
            repr(tuple(row))
            for table in ledger.database.tables(con)
            for row in con.execute(f"SELECT * FROM {table}")  # names from the database itself
        )


@pytest.fixture
def users(ledger):
    registry = Users(ledger, set(Reference().agencies))
    registry.add(None, "coord", "Coordinator", "coordinator", PASSWORD)
    return registry


def test_users_are_added_by_a_coordinator_and_passwords_never_kept(users, ledger):
    users.add(COORDINATOR, "post-liaison", "Post liaison", "liaison", PASSWORD, agency="post")
    with pytest.raises(UserError, match="first user"):
        users.add(None, "x", "X", "coordinator", PASSWORD)
    with pytest.raises(Forbidden):
        users.add(EXPERT, "y", "Y", "analyst", PASSWORD)
    with pytest.raises(UserError, match="needs --agency"):
        users.add(COORDINATOR, "z", "Z", "liaison", PASSWORD)
    with pytest.raises(UserError, match="no agency"):
        users.add(COORDINATOR, "z", "Z", "liaison", PASSWORD, agency="nowhere")
    with pytest.raises(UserError, match="at least"):
        users.add(COORDINATOR, "z", "Z", "analyst", "short")
    assert PASSWORD not in stored_text(ledger)
    if ledger.path is not None:  # nor in the SQLite file's bytes (or its write-ahead log)
        wal = ledger.path.with_name("ledger.sqlite-wal")
        stored = ledger.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert PASSWORD.encode() not in stored
    with ledger.connect() as con:
        hashes = con.execute("SELECT password_hash FROM users").fetchall()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for (h,) in hashes)
    assert users.authenticate("post-liaison", PASSWORD) == POST_LIAISON
    with pytest.raises(AuthenticationFailed):
        users.authenticate("post-liaison", PASSWORD + "!")
    users.disable(COORDINATOR, "post-liaison")
    with pytest.raises(AuthenticationFailed):
        users.authenticate("post-liaison", PASSWORD)
    assert users.get("post-liaison").disabled_at is not None  # kept, not deleted


def test_repeated_failed_sign_ins_lock_the_user_out_for_a_while(users, ledger):
    users.add(COORDINATOR, "expert", "Expert", "expert", PASSWORD)
    users.authenticate("expert", PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            users.authenticate("expert", "guess " * 3)
    # Locked: even the right password is refused, with a message saying for how long.
    with pytest.raises(TooManyAttempts) as locked:
        users.authenticate("expert", PASSWORD)
    assert "15" in locked.value.en and "۱۵" not in locked.value.en and locked.value.fa
    # Another user is not affected; an unknown name is limited the same way.
    assert users.authenticate("coord", PASSWORD) == COORDINATOR
    with ledger.connect() as con:  # the window passes
        con.execute("UPDATE login_attempts SET at = '2000-01-01T00:00:00.000+00:00'")
    assert users.authenticate("expert", PASSWORD) == EXPERT


@pytest.mark.parametrize(
    ("actor", "action", "agency", "allowed"),
    [
        (ANALYST, "review", None, False),
        (POST_LIAISON, "review", None, False),
        (EXPERT, "review", None, True),
        (EXPERT, "publish", None, False),
        (EXPERT, "reopen", None, False),
        (EXPERT, "manage_users", None, False),
        (ANALYST, "read_internal", None, True),
        (POST_LIAISON, "read_internal", None, False),
        (POST_LIAISON, "upload", "post", True),
        (POST_LIAISON, "upload", "tums", False),
        (POST_LIAISON, "see_agency", "tums", False),
        (EXPERT, "upload", "post", False),
        (COORDINATOR, "publish", None, True),
    ],
)
def test_each_role_may_do_only_its_part(actor, action, agency, allowed):
    assert can(actor, action, agency) is allowed


@pytest.fixture
def post_file(tmp_path):
    generate_demo(load_catalog(), tmp_path / "demo", years=[1392], table_ids=["post_units_county"])
    return next((tmp_path / "demo" / "files").rglob("post_units_county.*"))


@pytest.fixture
def ingestor(tmp_path, ledger_backend):
    return Ingestor(home(tmp_path / "home"), load_catalog(), Reference())


def test_a_liaison_cannot_upload_another_agencys_table_and_nothing_is_kept(ingestor, post_file):
    with pytest.raises(Forbidden) as refused:
        ingestor.ingest(post_file, actor=HEALTH_LIAISON)
    assert "tums" in refused.value.en and "post" in refused.value.en and refused.value.fa
    assert ingestor.ledger.submissions() == [] and raw_counts(ingestor.home) == {}
    accepted = ingestor.ingest(post_file, actor=POST_LIAISON)
    assert accepted.verdict == "accepted"
    assert ingestor.ledger.get(accepted.submission_id).state == "loaded"


def test_approval_closes_a_table_year_until_a_coordinator_reopens_it(ingestor, post_file, tmp_path):
    first = ingestor.ingest(post_file)
    ledger = ingestor.ledger
    with pytest.raises(Forbidden):
        ledger.review(first.submission_id, "approved", ANALYST)
    with pytest.raises(ValueError, match="needs a comment"):
        ledger.review(first.submission_id, "returned", EXPERT)
    ledger.review(first.submission_id, "approved", EXPERT)
    # The agency's corrected file: other figures, so other bytes.
    generate_demo(load_catalog(), tmp_path / "other", years=[1392], seed=5,
                  table_ids=["post_units_county"])  # fmt: skip
    corrected = next((tmp_path / "other" / "files").rglob("post_units_county.*"))
    refused = ingestor.ingest(corrected)
    assert refused.verdict == "rejected"
    assert [p.code for p in refused.errors] == ["table_year_approved"]
    assert "reopen" in refused.errors[0].en and "بازگشایی" in refused.errors[0].fa
    with pytest.raises(Forbidden):
        ledger.reopen("post_units_county", 1392, EXPERT, "a wrong figure")
    ledger.reopen("post_units_county", 1392, COORDINATOR, "Rey's offices were miscounted")
    again = ingestor.ingest(corrected)
    assert again.verdict == "accepted" and again.supersedes == [first.submission_id]


def test_a_liaison_cannot_review_even_through_the_ledger(ingestor, post_file):
    """The core refuses a liaison's review (only a portal test caught the mutant that let
    one through ledger.review): even of the liaison's own agency's table."""
    first = ingestor.ingest(post_file, actor=POST_LIAISON)
    for decision, comment in (("approved", ""), ("returned", "check")):
        with pytest.raises(Forbidden):
            ingestor.ledger.review(first.submission_id, decision, POST_LIAISON, comment)
    assert ingestor.ledger.reviews(first.submission_id) == []


def test_the_latest_review_decides_and_a_return_after_approval_reopens(ingestor, post_file):
    """A submission reviewed twice takes its latest decision everywhere the ledger answers
    (the mutant "first review wins" passed: no fixture reviewed twice)."""
    first = ingestor.ingest(post_file)
    ledger = ingestor.ledger
    ledger.review(first.submission_id, "returned", EXPERT, "Rey is short")
    ledger.review(first.submission_id, "approved", EXPERT)
    queued = {r["submission_id"]: r["review_state"] for r in ledger.review_queue(1392)}
    assert queued[first.submission_id] == "approved"
    assert ledger.lock_reason("post_units_county", 1392) is not None
    ledger.review(first.submission_id, "returned", EXPERT, "a unit slip after all")
    queued = {r["submission_id"]: r["review_state"] for r in ledger.review_queue(1392)}
    assert queued[first.submission_id] == "returned"
    assert ledger.lock_reason("post_units_county", 1392) is None


def test_publishing_is_for_coordinators_and_needs_an_approval(ledger):
    with pytest.raises(Forbidden):
        ledger.release(1392, EXPERT)
    with pytest.raises(ValueError, match="nothing of 1392 is approved"):
        ledger.release(1392, COORDINATOR)


WRITERS = 50


def _concurrent_writer(where: str, n: int) -> None:
    """One user's session of real ledger work, racing the others on shared rows."""
    ledger = Ledger(where)
    sid = ledger.record(
        sha256=f"{n:064d}", filename=f"f{n}.csv", size_bytes=1, table_id=f"t{n}", year=1400,
        agency="post", identified_by="args", uploader=f"u{n}", catalog_version="v",
        verdict="accepted", n_values=1, n_errors=0, n_warnings=0, report=[],
    )  # fmt: skip
    ledger.mark_loaded(sid, f"u{n}")
    ledger.review(sid, "approved" if n % 2 else "returned", EXPERT, "" if n % 2 else "check")
    ledger.judge_anomaly(table_id=f"t{n}", year=1400, geo_code="23", measure="m", dim_key="",
                         kind="sharp_drop", verdict="real", expert=EXPERT)  # fmt: skip
    # Everyone sends a version of one shared table-year: each load supersedes the one before
    # (a read, then writes), so a lost update would leave two versions current.
    shared = ledger.record(
        sha256=f"{n + 1000:064d}", filename=f"s{n}.csv", size_bytes=1, table_id="shared",
        year=1400, agency="post", identified_by="args", uploader=f"u{n}",
        catalog_version="v", verdict="accepted", n_values=1, n_errors=0, n_warnings=0,
        report=[],
    )  # fmt: skip
    ledger.mark_loaded(shared, f"u{n}")
    if n % 2:  # each release numbers itself after the last: the numbers must not repeat
        ledger.release(1400, COORDINATOR, f"by writer {n}")


def test_fifty_concurrent_writers_lose_nothing(ledger, ledger_backend):
    where = ledger.database.url if ledger_backend == "postgresql" else str(ledger.path)
    workers = [
        multiprocessing.Process(target=_concurrent_writer, args=(where, n)) for n in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * WRITERS  # no writer saw an error
    submissions = ledger.submissions()
    assert len(submissions) == 2 * WRITERS
    own = [s for s in submissions if s.table_id != "shared"]
    assert all(s.state == "loaded" for s in own)
    shared = sorted(s.state for s in submissions if s.table_id == "shared")
    assert shared == ["loaded"] + ["superseded"] * (WRITERS - 1)
    queue = [r for r in ledger.review_queue(1400) if r["table_id"] != "shared"]
    half = WRITERS // 2
    assert sorted(r["review_state"] for r in queue) == ["approved"] * half + ["returned"] * half
    assert len(ledger.anomaly_verdicts()) == WRITERS
    editions = ledger.editions(1400)
    assert sorted(e["number"] for e in editions) == list(range(1, half + 1))
    # Each edition holds every table approved before it: never fewer than the one before.
    held = [len(e["submission_ids"]) for e in sorted(editions, key=lambda e: e["number"])]
    assert held == sorted(held) and held[-1] == half
    if ledger.path is not None:
        con = sqlite3.connect(ledger.path)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_cli_signs_users_in_and_refuses_with_exit_3(tmp_path, ledger_backend):
    root = tmp_path / "home"
    env = {"NEW_PASSWORD": PASSWORD, "SALNAMEH_PASSWORD": PASSWORD}
    os.environ.update(env)
    try:
        first = run_salnameh("users", "add", "coord", "--role", "coordinator", "--name", "C",
                             home=root)  # fmt: skip
        assert first.returncode == 0, first.stderr
        added = run_salnameh("users", "add", "ana", "--role", "analyst", "--name", "A",
                             "--as", "coord", home=root)  # fmt: skip
        assert added.returncode == 0, added.stderr
        listed = run_salnameh("users", "list", "--json", home=root)
        assert PASSWORD not in listed.stdout and '"role": "analyst"' in listed.stdout
        refused = run_salnameh("publish", "--year", "1400", "--as", "ana", home=root)
        assert refused.returncode == 3 and "cannot publish" in refused.stderr
        os.environ["SALNAMEH_PASSWORD"] = "wrong password!"
        wrong = run_salnameh("review", "approve", "1", "--as", "coord", home=root)
        assert wrong.returncode == 3 and "wrong password" in wrong.stderr
    finally:
        for key in env:
            os.environ.pop(key, None)


def test_a_session_is_kept_in_the_ledger_and_signing_out_ends_it_everywhere(
    users, ledger, tmp_path
):
    from salnameh.sessions import Sessions

    users.add(COORDINATOR, "expert", "Expert", "expert", PASSWORD)
    sessions = Sessions(ledger)
    office, laptop = sessions.begin(EXPERT), sessions.begin(EXPERT)
    theirs = sessions.begin(COORDINATOR)
    # Any process holding the ledger finds the session from the token alone.
    elsewhere = Sessions(Ledger(home(tmp_path / "home").ledger_url))  # another portal
    assert elsewhere.actor(office) == EXPERT
    assert sessions.actor("a guessed token") is None and sessions.actor(None) is None
    assert office not in stored_text(ledger)  # only its hash is kept
    assert sessions.end_everywhere("expert") == 2
    assert sessions.actor(office) is None and sessions.actor(laptop) is None
    assert sessions.actor(theirs) == COORDINATOR  # another user's session goes on
    # Idle too long, or past its lifetime: ended, as is every session of a disabled user.
    idle, old = sessions.begin(COORDINATOR), sessions.begin(COORDINATOR)
    with ledger.connect() as con:
        long_ago = "2000-01-01T00:00:00.000+00:00"
        con.execute("UPDATE sessions SET seen_at = ? WHERE user_id = 'coord'", (long_ago,))
    assert sessions.actor(idle) is None and sessions.actor(theirs) is None
    with ledger.connect() as con:
        con.execute("UPDATE sessions SET seen_at = expires_at, expires_at = ?", (long_ago,))
    assert sessions.actor(old) is None
    users.add(COORDINATOR, "analyst", "Analyst", "analyst", PASSWORD)
    reader = sessions.begin(ANALYST)
    assert sessions.actor(reader) == ANALYST
    users.disable(COORDINATOR, "analyst")
    assert sessions.actor(reader) is None
