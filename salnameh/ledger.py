"""The ledger: the transactional record of the cycle, in SQLite (WAL) by default, or in
PostgreSQL when SALNAMEH_LEDGER_URL names one (salnameh.ledger_db: the SQL here runs on both).

Many writers share it (uploads, reviewers, the pipeline), so each change is one short
transaction and waits for others instead of failing. History is append-only: a
submission row never changes; what happens to it is an event (received, rejected,
loading, loaded, superseded, unchanged), and its current state is its latest event.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from salnameh.access import Actor, require
from salnameh.ledger_db import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id   INTEGER PRIMARY KEY,
    sha256          TEXT NOT NULL,
    filename        TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    table_id        TEXT,            -- NULL when the file could not be identified
    year            INTEGER,
    agency          TEXT,
    identified_by   TEXT,
    uploader        TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    received_at     TEXT NOT NULL,   -- UTC, ISO 8601
    verdict         TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
    n_values        INTEGER NOT NULL DEFAULT 0,
    n_errors        INTEGER NOT NULL DEFAULT 0,
    n_warnings      INTEGER NOT NULL DEFAULT 0,
    report          TEXT NOT NULL    -- JSON list of problems
);
CREATE INDEX IF NOT EXISTS submissions_by_file ON submissions (sha256);
CREATE INDEX IF NOT EXISTS submissions_by_table_year ON submissions (table_id, year);
CREATE TABLE IF NOT EXISTS submission_events (
    event_id      INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    state         TEXT NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_submission ON submission_events (submission_id, event_id);
-- An expert's decision on a loaded submission; the latest one counts.
CREATE TABLE IF NOT EXISTS reviews (
    review_id     INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    decision      TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),
    reviewer      TEXT NOT NULL,
    at            TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT ''
);
-- A submission's decisions, latest first: the collection status asks for them once per
-- submission of a year; without it each question read every review (the editions page's
-- run on the demo, 1,922 reviews: 0.82 s, and 0.24 s with it).
CREATE INDEX IF NOT EXISTS reviews_by_submission ON reviews (submission_id, review_id);
-- An edition freezes the approved submissions of a yearbook year when it is released.
CREATE TABLE IF NOT EXISTS editions (
    edition_id  INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    released_at TEXT NOT NULL,
    released_by TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    UNIQUE (year, number)
);
CREATE TABLE IF NOT EXISTS edition_submissions (
    edition_id    INTEGER NOT NULL REFERENCES editions (edition_id),
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    PRIMARY KEY (edition_id, submission_id)
);
-- The tables of the year an edition was released without, and why: the print edition
-- says so, and the publisher confirmed it (`publish --allow-incomplete`).
CREATE TABLE IF NOT EXISTS edition_gaps (
    edition_id INTEGER NOT NULL REFERENCES editions (edition_id),
    table_id   TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('not_received', 'not_approved')),
    PRIMARY KEY (edition_id, table_id)
);
-- An expert's verdict on an anomaly flag: 'real' keeps the figure (and suppresses the
-- same flag on the series next year), 'error' sends it back to the agency.
CREATE TABLE IF NOT EXISTS anomaly_verdicts (
    verdict_id INTEGER PRIMARY KEY,
    table_id   TEXT NOT NULL,
    year       INTEGER NOT NULL,
    geo_code   TEXT NOT NULL,
    measure    TEXT NOT NULL,
    dim_key    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    verdict    TEXT NOT NULL CHECK (verdict IN ('real', 'error')),
    note       TEXT NOT NULL DEFAULT '',
    expert     TEXT NOT NULL,
    at         TEXT NOT NULL
);
-- People and their roles; a liaison is bound to one agency. Never deleted: disabled.
CREATE TABLE IF NOT EXISTS users (
    user_id       TEXT PRIMARY KEY,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('coordinator', 'expert', 'liaison', 'analyst')),
    agency        TEXT,
    password_hash TEXT NOT NULL,   -- argon2id; the password itself is never stored
    email         TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    disabled_at   TEXT,
    disabled_by   TEXT,
    CHECK ((role = 'liaison') = (agency IS NOT NULL))
);
-- Every sign-in attempt, so repeated failures lock a user out for a while (rate limit).
CREATE TABLE IF NOT EXISTS login_attempts (
    user_id TEXT NOT NULL,
    ok      INTEGER NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_user ON login_attempts (user_id, at);
-- A collection year: each table assigned to its agency with a deadline.
CREATE TABLE IF NOT EXISTS assignments (
    year        INTEGER NOT NULL,
    table_id    TEXT NOT NULL,
    agency      TEXT NOT NULL,
    deadline    TEXT NOT NULL,   -- Gregorian ISO date (the Jalali date is derived for letters)
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    PRIMARY KEY (year, table_id)
);
-- The secretariat's register of outgoing letters (referrals, returns, reminders), each
-- numbered within the Jalali year it is issued in (salnameh.letters); a ledger made before
-- the register keeps its old `letters` table, unread.
CREATE TABLE IF NOT EXISTS letter_register (
    letter_id  INTEGER PRIMARY KEY,
    issue_year INTEGER NOT NULL,   -- Jalali year of issue: the numbering restarts each year
    serial     INTEGER NOT NULL,   -- 1, 2, ... within the issue year
    number     TEXT NOT NULL,      -- '1405/12/ص' (ASCII digits; Persian when shown)
    year       INTEGER NOT NULL,   -- the yearbook's reference year the letter is about
    agency     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('referral', 'return', 'reminder')),
    sent_on    TEXT NOT NULL,      -- the day in Tehran, ISO
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,      -- the letter's text as sent
    delivery   TEXT NOT NULL,      -- where it went: an .eml path or 'smtp:<message id>'
    pdf        TEXT NOT NULL,      -- the printable letter
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    UNIQUE (issue_year, serial)
);
-- At most one reminder a day to an agency for a year.
CREATE UNIQUE INDEX IF NOT EXISTS one_reminder_a_day ON letter_register (year, agency, sent_on)
    WHERE kind = 'reminder';
-- The tables each letter is about (a referral's are then referred: a table added to an
-- open year later gets a referral of its own).
CREATE TABLE IF NOT EXISTS letter_tables (
    letter_id INTEGER NOT NULL REFERENCES letter_register (letter_id),
    table_id  TEXT NOT NULL,
    PRIMARY KEY (letter_id, table_id)
);
-- A coordinator moving one table-year's deadline; the latest extension counts.
CREATE TABLE IF NOT EXISTS deadline_extensions (
    extension_id INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    table_id     TEXT NOT NULL,
    until        TEXT NOT NULL,    -- Gregorian ISO date
    reason       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL
);
-- A coordinator reopening an approved table-year so the agency may send it again.
CREATE TABLE IF NOT EXISTS reopenings (
    reopening_id INTEGER PRIMARY KEY,
    table_id     TEXT NOT NULL,
    year         INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL
);
-- A submission's state is its latest event; 'unchanged' (the same file sent again) is
-- history only and does not change it. The view is derived, so it is always recreated.
DROP VIEW IF EXISTS submission_state;
CREATE VIEW submission_state AS
SELECT s.*, e.state, e.at AS state_at
FROM submissions s
JOIN submission_events e ON e.event_id = (
    SELECT max(event_id) FROM submission_events
    WHERE submission_id = s.submission_id AND state <> 'unchanged'
);
"""

# Raised whenever SCHEMA changes, so existing ledgers get the new tables and view once.
SCHEMA_VERSION = 6  # 4 was two branches at once (letters, edition gaps): 5 holds both

# Each table-year's current version: its latest loaded submission.
CURRENT = """
SELECT * FROM submission_state
WHERE state = 'loaded' AND table_id = ? AND year = ?
ORDER BY submission_id DESC LIMIT 1
"""


def now() -> str:
    # Milliseconds: decisions taken in the same second must still order (approve, reopen).
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class IncompleteEdition(ValueError):
    """Publishing would leave tables of the year out and the publisher has not confirmed it."""

    def __init__(self, year: int, lacking: dict[str, str], approved: int) -> None:
        self.year, self.lacking, self.approved = year, lacking, approved
        names = ", ".join(f"{t} ({s.replace('_', ' ')})" for t, s in lacking.items())
        super().__init__(
            f"{year} has {approved} approved table(s) and lacks {len(lacking)}: {names}. "
            "Publish without them only on purpose (`publish --allow-incomplete`); the edition "
            "will say what it lacks."
        )


@dataclass(frozen=True)
class Submission:
    submission_id: int
    sha256: str
    filename: str
    table_id: str | None
    year: int | None
    agency: str | None
    verdict: str
    state: str
    received_at: str
    n_values: int
    report: list[dict]


class Ledger:
    """The ledger at a path (SQLite) or a URL (sqlite:///..., postgresql://...)."""

    def __init__(self, where: str | os.PathLike[str]) -> None:
        self.database = open_database(where)
        self.path = getattr(self.database, "path", None)  # the SQLite file, if it is one
        # Opening an up-to-date ledger only reads its version: every CLI command, page
        # and sensor tick opens one, and must not queue behind writers for nothing.
        self.database.apply_schema("ledger", SCHEMA_VERSION, SCHEMA)

    def connect(self) -> AbstractContextManager:
        """A connection for reads (each statement on its own) and single appends."""
        return self.database.connect()

    def transaction(self) -> AbstractContextManager:
        """One write transaction, taken at once so concurrent writers queue, not deadlock."""
        return self.database.transaction()

    def record(
        self,
        *,
        sha256: str,
        filename: str,
        size_bytes: int,
        table_id: str | None,
        year: int | None,
        agency: str | None,
        identified_by: str | None,
        uploader: str,
        catalog_version: str,
        verdict: str,
        n_values: int,
        n_errors: int,
        n_warnings: int,
        report: list[dict],
    ) -> int:
        """A new submission and its first states, in one transaction; returns its id."""
        at = now()
        with self.transaction() as con:
            cursor = con.execute(
                "INSERT INTO submissions (sha256, filename, size_bytes, table_id, year, agency,"
                " identified_by, uploader, catalog_version, received_at, verdict, n_values,"
                " n_errors, n_warnings, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sha256, filename, size_bytes, table_id, year, agency, identified_by, uploader,
                 catalog_version, at, verdict, n_values, n_errors, n_warnings,
                 json.dumps(report, ensure_ascii=False)),
            )  # fmt: skip
            submission_id = cursor.lastrowid
            self._event(con, submission_id, "received", uploader, at=at)
            state = "loading" if verdict == "accepted" else "rejected"
            self._event(con, submission_id, state, uploader, at=at)
        return submission_id

    def _event(self, con, submission_id: int, state: str, actor: str, note: str = "", at=None):
        con.execute(
            "INSERT INTO submission_events (submission_id, state, at, actor, note)"
            " VALUES (?,?,?,?,?)",
            (submission_id, state, at or now(), actor, note),
        )

    def add_event(self, submission_id: int, state: str, actor: str, note: str = "") -> None:
        with self.transaction() as con:
            self._event(con, submission_id, state, actor, note)

    def mark_loaded(self, submission_id: int, actor: str) -> list[int]:
        """The submission is in the warehouse: it becomes current; returns those it supersedes."""
        with self.transaction() as con:
            row = con.execute(
                "SELECT table_id, year FROM submissions WHERE submission_id = ?", (submission_id,)
            ).fetchone()
            older = [
                r["submission_id"]
                for r in con.execute(
                    "SELECT submission_id FROM submission_state WHERE table_id = ? AND year = ?"
                    " AND state = 'loaded' AND submission_id <> ?",
                    (row["table_id"], row["year"], submission_id),
                )
            ]
            self._event(con, submission_id, "loaded", actor)
            for old in older:
                self._event(con, old, "superseded", actor, f"by submission {submission_id}")
        return older

    def find_same(
        self, sha256: str, table_id: str, year: int, agency: str, catalog_version: str
    ) -> Submission | None:
        """An earlier submission of the same bytes as the same table-year, if any."""
        with self.connect() as con:
            row = con.execute(
                "SELECT * FROM submission_state WHERE sha256 = ? AND table_id = ? AND year = ?"
                " AND agency = ? AND catalog_version = ? ORDER BY submission_id DESC LIMIT 1",
                (sha256, table_id, year, agency, catalog_version),
            ).fetchone()
        return _submission(row) if row else None

    def get(self, submission_id: int) -> Submission:
        with self.connect() as con:
            row = con.execute(
                "SELECT * FROM submission_state WHERE submission_id = ?", (submission_id,)
            ).fetchone()
        if row is None:
            raise KeyError(f"no submission {submission_id}")
        return _submission(row)

    def current(self, table_id: str, year: int) -> Submission | None:
        with self.connect() as con:
            row = con.execute(CURRENT, (table_id, year)).fetchone()
        return _submission(row) if row else None

    def submissions(self) -> list[Submission]:
        with self.connect() as con:
            rows = con.execute("SELECT * FROM submission_state ORDER BY submission_id").fetchall()
        return [_submission(r) for r in rows]

    def interrupted(self) -> list[Submission]:
        """Accepted submissions whose load never finished (the process died)."""
        return [s for s in self.submissions() if s.state == "loading"]

    def review(self, submission_id: int, decision: str, actor: Actor, comment: str = "",
               judged_flags: Iterable[dict] = ()) -> None:  # fmt: skip
        """An expert approves a loaded submission or returns it to the agency (with why).

        `judged_flags` (a return only: the submission's anomaly flags no one has judged,
        keyed as salnameh.anomaly_flags.FLAG_KEY) are judged errors in the same
        transaction, with the return's comment: the table goes back for correction, so
        its flags are decided with it, not left waiting as if never looked at."""
        require(actor, "review")
        judged_flags = list(judged_flags)
        if judged_flags and decision != "returned":
            raise ValueError("only a return judges a submission's flags with it")
        if decision not in ("approved", "returned"):
            raise ValueError(f"a review decision is 'approved' or 'returned', not {decision!r}")
        if decision == "returned" and not comment.strip():
            raise ValueError("returning a table to its agency needs a comment saying why")
        state = self.get(submission_id).state
        if state != "loaded":
            raise ValueError(
                f"submission {submission_id} is {state}; only the current (loaded) version "
                "of a table-year can be reviewed"
            )
        at = now()
        note = f"returned with submission {submission_id}: {comment}"  # anomaly_flags' words
        with self.transaction() as con:
            con.execute(
                "INSERT INTO reviews (submission_id, decision, reviewer, at, comment)"
                " VALUES (?,?,?,?,?)",
                (submission_id, decision, actor.user_id, at, comment),
            )
            con.executemany(
                "INSERT INTO anomaly_verdicts (table_id, year, geo_code, measure, dim_key, kind,"
                " verdict, note, expert, at) VALUES (?,?,?,?,?,?,'error',?,?,?)",
                [(f["table_id"], int(f["year"]), f["geo_code"], f["measure_id"], f["dim_key"],
                  f["kind"], note, actor.user_id, at) for f in judged_flags],
            )  # fmt: skip

    def lock_reason(self, table_id: str, year: int) -> str | None:
        """When the table-year's current version was approved, if it takes no new file (not
        reopened since), or None when it is open. The time only: the reviewer's user id is
        not for the liaison who is refused."""
        with self.connect() as con:
            row = con.execute(
                "SELECT r.reviewer, r.at FROM submission_state s"
                " JOIN reviews r ON r.review_id = (SELECT max(review_id) FROM reviews"
                "   WHERE submission_id = s.submission_id)"
                " WHERE s.table_id = ? AND s.year = ? AND s.state = 'loaded'"
                "   AND r.decision = 'approved'"
                "   AND r.at > coalesce((SELECT max(at) FROM reopenings"
                "                         WHERE table_id = ? AND year = ?), '')",
                (table_id, year, table_id, year),
            ).fetchone()
        return row["at"] if row else None

    def reopen(self, table_id: str, year: int, actor: Actor, reason: str) -> None:
        """A coordinator lets the agency send an approved table-year again, saying why."""
        require(actor, "reopen")
        if not reason.strip():
            raise ValueError("reopening an approved table needs a reason")
        if self.lock_reason(table_id, year) is None:
            raise ValueError(f"{table_id} {year} is not approved and closed; nothing to reopen")
        with self.transaction() as con:
            con.execute(
                "INSERT INTO reopenings (table_id, year, reason, actor, at) VALUES (?,?,?,?,?)",
                (table_id, year, reason, actor.user_id, now()),
            )

    def release(self, year: int, actor: Actor, note: str = "", *, expected: Iterable[str],
                allow_incomplete: bool = False) -> tuple[int, list[int]]:  # fmt: skip
        """A new edition of a year's yearbook: every current approved submission of it.

        `expected` is every table the year's yearbook has (the catalog's tables published
        that year). When some of them are not approved, the edition is refused with
        IncompleteEdition naming them, unless the publisher confirmed (`allow_incomplete`);
        then the edition records what it lacks. Returns the edition's number and the
        submissions it holds. An edition with nothing approved is refused: it would
        publish nothing.
        """
        require(actor, "publish")
        with self.transaction() as con:
            approved = con.execute(
                "SELECT s.submission_id, s.table_id FROM submission_state s"
                " JOIN reviews r ON r.review_id = (SELECT max(review_id) FROM reviews"
                "   WHERE submission_id = s.submission_id)"
                " WHERE s.state = 'loaded' AND s.year = ? AND r.decision = 'approved'"
                " ORDER BY s.submission_id",
                (year,),
            ).fetchall()
            if not approved:
                raise ValueError(f"nothing of {year} is approved yet; there is nothing to release")
            lacking = self._lacking(con, year, set(expected) - {r["table_id"] for r in approved})
            if lacking and not allow_incomplete:
                raise IncompleteEdition(year, lacking, len(approved))
            number = con.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM editions WHERE year = ?", (year,)
            ).fetchone()[0]
            edition_id = con.execute(
                "INSERT INTO editions (year, number, released_at, released_by, note)"
                " VALUES (?,?,?,?,?)",
                (year, number, now(), actor.user_id, note),
            ).lastrowid
            con.executemany(
                "INSERT INTO edition_submissions (edition_id, submission_id) VALUES (?, ?)",
                [(edition_id, r["submission_id"]) for r in approved],
            )
            con.executemany(
                "INSERT INTO edition_gaps (edition_id, table_id, status) VALUES (?, ?, ?)",
                [(edition_id, table_id, status) for table_id, status in lacking.items()],
            )
        return number, [r["submission_id"] for r in approved]

    @staticmethod
    def _lacking(con, year: int, table_ids: set[str]) -> dict[str, str]:
        """Why each table is not approved: a current version awaits review or was
        returned ('not_approved'), or none was received or loaded ('not_received')."""
        received = {
            r["table_id"]
            for r in con.execute(
                "SELECT DISTINCT table_id FROM submission_state"
                " WHERE year = ? AND state = 'loaded'",
                (year,),
            )
        }
        return {t: "not_approved" if t in received else "not_received" for t in sorted(table_ids)}

    def edition_gaps(self, year: int, number: int) -> dict[str, str]:
        """The tables an edition was released without (table id -> 'not_received' or
        'not_approved'); empty for a complete edition."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT g.table_id, g.status FROM edition_gaps g"
                " JOIN editions e ON e.edition_id = g.edition_id"
                " WHERE e.year = ? AND e.number = ? ORDER BY g.table_id",
                (year, number),
            ).fetchall()
        return {r["table_id"]: r["status"] for r in rows}

    def review_queue(self, year: int | None = None) -> list[dict]:
        """The current version of each table-year with its latest review decision."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT s.submission_id, s.table_id, s.year, s.agency, s.filename,"
                " coalesce(r.decision, 'in_review') AS review_state,"
                " coalesce(r.comment, '') AS comment, r.reviewer"
                " FROM submission_state s LEFT JOIN reviews r ON r.review_id ="
                "   (SELECT max(review_id) FROM reviews WHERE submission_id = s.submission_id)"
                " WHERE s.state = 'loaded' AND (? IS NULL OR s.year = ?)"
                " ORDER BY s.year, s.table_id",
                (year, year),
            ).fetchall()
        return [dict(r) for r in rows]

    def reviews(self, submission_id: int) -> list[dict]:
        with self.connect() as con:
            rows = con.execute(
                "SELECT * FROM reviews WHERE submission_id = ? ORDER BY review_id",
                (submission_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def reviewed_submissions(self) -> set[int]:
        with self.connect() as con:
            return {r[0] for r in con.execute("SELECT DISTINCT submission_id FROM reviews")}

    def released_years(self) -> set[int]:
        with self.connect() as con:
            return {r[0] for r in con.execute("SELECT DISTINCT year FROM editions")}

    def editions(self, year: int | None = None) -> list[dict]:
        """Every edition released (of one year, if given), newest first, each with the
        submissions it holds (`submission_ids`)."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT * FROM editions WHERE (? IS NULL OR year = ?)"
                " ORDER BY released_at DESC, edition_id DESC",
                (year, year),
            ).fetchall()
            held = con.execute(
                "SELECT es.edition_id, es.submission_id FROM edition_submissions es"
                " JOIN editions e ON e.edition_id = es.edition_id WHERE (? IS NULL OR e.year = ?)"
                " ORDER BY es.submission_id",
                (year, year),
            ).fetchall()
        found = []
        for row in rows:
            edition = dict(row)
            edition["submission_ids"] = [h[1] for h in held if h[0] == edition["edition_id"]]
            found.append(edition)
        return found

    def judge_anomaly(
        self, *, table_id: str, year: int, geo_code: str, measure: str, dim_key: str,
        kind: str, verdict: str, expert: Actor, note: str = "",
    ) -> None:  # fmt: skip
        """Keep an expert's verdict on one anomaly flag."""
        require(expert, "judge_anomaly")
        if verdict not in ("real", "error"):
            raise ValueError(f"an anomaly verdict is 'real' or 'error', not {verdict!r}")
        with self.transaction() as con:
            con.execute(
                "INSERT INTO anomaly_verdicts (table_id, year, geo_code, measure, dim_key, kind,"
                " verdict, note, expert, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    table_id,
                    year,
                    geo_code,
                    measure,
                    dim_key,
                    kind,
                    verdict,
                    note,
                    expert.user_id,
                    now(),
                ),
            )

    def anomaly_verdicts(self) -> list[dict]:
        """Every verdict on an anomaly flag, oldest first (for a flag, the latest counts).

        The warehouse's fct_anomalies carries them too, but only as of its last build; a
        reviewer must see a verdict the moment it is recorded."""
        with self.connect() as con:
            rows = con.execute("SELECT * FROM anomaly_verdicts ORDER BY verdict_id").fetchall()
        return [dict(r) for r in rows]

    def change_mark(self) -> str:
        """A short text that changes whenever anything is added to the ledger."""
        with self.connect() as con:
            row = con.execute(
                "SELECT (SELECT coalesce(max(event_id), 0) FROM submission_events),"
                " (SELECT coalesce(max(review_id), 0) FROM reviews),"
                " (SELECT coalesce(max(edition_id), 0) FROM editions),"
                " (SELECT coalesce(max(verdict_id), 0) FROM anomaly_verdicts)"
            ).fetchone()
        return "-".join(str(n) for n in row)

    def export_tables(self) -> dict[str, tuple[list[str], list[tuple]]]:
        """The ledger's tables as (columns, rows), for the warehouse's copy of them."""
        queries = {
            "submissions": "SELECT submission_id, sha256, filename, size_bytes, table_id, year,"
            " agency, identified_by, uploader, catalog_version, received_at, verdict, n_values,"
            " n_errors, n_warnings, state, state_at FROM submission_state",
            "submission_events": "SELECT * FROM submission_events",
            "reviews": "SELECT * FROM reviews",
            "editions": "SELECT * FROM editions",
            "edition_submissions": "SELECT * FROM edition_submissions",
            "anomaly_verdicts": "SELECT * FROM anomaly_verdicts",
            "reopenings": "SELECT * FROM reopenings",
        }
        tables = {}
        with self.connect() as con:
            con.execute("BEGIN")  # one consistent read of all of them
            for name, sql in queries.items():
                cursor = con.execute(sql)
                columns = [d[0] for d in cursor.description]
                tables[name] = (columns, [tuple(r) for r in cursor.fetchall()])
            con.execute("COMMIT")
        return tables

    def events(self, submission_id: int) -> list[tuple[str, str, str]]:
        with self.connect() as con:
            rows = con.execute(
                "SELECT state, at, note FROM submission_events WHERE submission_id = ?"
                " ORDER BY event_id",
                (submission_id,),
            ).fetchall()
        return [(r["state"], r["at"], r["note"]) for r in rows]


def _submission(row) -> Submission:
    return Submission(
        submission_id=row["submission_id"],
        sha256=row["sha256"],
        filename=row["filename"],
        table_id=row["table_id"],
        year=row["year"],
        agency=row["agency"],
        verdict=row["verdict"],
        state=row["state"],
        received_at=row["received_at"],
        n_values=row["n_values"],
        report=json.loads(row["report"]),
    )
