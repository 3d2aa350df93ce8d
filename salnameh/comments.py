"""A conversation on one submission between the experts and the agency's liaison.

A return letter carries one comment; a correction often needs a few words back and forth
("which county?", "the 1400 figure was revised"). Each message is kept in the ledger
against the submission, append-only, and both sides read the same thread: the expert on
the review page, the liaison on their submissions page. Who may write or read is decided
here: experts and coordinators on any submission, a liaison on their own agency's only.

The thread is its own component of the ledger's schema (salnameh.ledger_db.apply_schema),
so an existing ledger gets the table the first time it is opened by this code.
"""

from __future__ import annotations

from dataclasses import dataclass

from salnameh.access import Actor, require
from salnameh.ledger import Ledger, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS submission_comments (
    comment_id    INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    author        TEXT NOT NULL,
    role          TEXT NOT NULL,   -- the author's role when writing: expert, liaison, ...
    body          TEXT NOT NULL,
    at            TEXT NOT NULL    -- UTC, ISO 8601
);
CREATE INDEX IF NOT EXISTS comments_by_submission
    ON submission_comments (submission_id, comment_id);
"""

# Raised whenever SCHEMA changes (see salnameh.ledger_db.Database.apply_schema).
SCHEMA_VERSION = 1

# Long enough for a paragraph, short enough that a pasted workbook is refused.
MAX_LENGTH = 4000


class CommentRefused(ValueError):
    """A message that cannot be kept; fa and en say why and what to do."""

    def __init__(self, fa: str, en: str) -> None:
        self.fa, self.en = fa, en
        super().__init__(en)


@dataclass(frozen=True)
class Comment:
    comment_id: int
    submission_id: int
    author: str
    role: str
    body: str
    at: str


def _ready(ledger: Ledger) -> None:
    ledger.database.apply_schema("comments", SCHEMA_VERSION, SCHEMA)


def _agency_of(ledger: Ledger, submission_id: int) -> str | None:
    try:
        return ledger.get(submission_id).agency
    except KeyError:
        raise CommentRefused(
            f"ارسالی با شماره {submission_id} نیست.",
            f"There is no submission {submission_id}; check its number.",
        ) from None


def add_comment(ledger: Ledger, submission_id: int, body: str, actor: Actor) -> Comment:
    """Keep one message on a submission's thread, as the actor wrote it."""
    _ready(ledger)
    require(actor, "comment", _agency_of(ledger, submission_id))
    text = body.strip()
    if not text:
        raise CommentRefused("متن پیام خالی است؛ چیزی بنویسید.", "The message is empty.")
    if len(text) > MAX_LENGTH:
        raise CommentRefused(
            f"پیام بیش از {MAX_LENGTH} نویسه است؛ کوتاه‌تر بنویسید یا فایل را بار دیگر بفرستید.",
            f"The message is longer than {MAX_LENGTH} characters; shorten it.",
        )
    at = now()
    with ledger.transaction() as con:
        comment_id = con.execute(
            "INSERT INTO submission_comments (submission_id, author, role, body, at)"
            " VALUES (?,?,?,?,?)",
            (submission_id, actor.user_id, actor.role, text, at),
        ).lastrowid
    return Comment(comment_id, submission_id, actor.user_id, actor.role, text, at)


def thread(ledger: Ledger, submission_id: int, actor: Actor) -> list[Comment]:
    """A submission's messages, oldest first, for someone who may read them."""
    _ready(ledger)
    require(actor, "comment", _agency_of(ledger, submission_id))
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT * FROM submission_comments WHERE submission_id = ? ORDER BY comment_id",
            (submission_id,),
        ).fetchall()
    return [Comment(**{k: r[k] for k in Comment.__dataclass_fields__}) for r in rows]


def comment_counts(ledger: Ledger, submission_ids: list[int]) -> dict[int, int]:
    """How many messages each of these submissions has (for a queue's column)."""
    _ready(ledger)
    if not submission_ids:
        return {}
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT submission_id, count(*) AS n FROM submission_comments GROUP BY submission_id"
        ).fetchall()
    wanted = set(submission_ids)
    return {r["submission_id"]: r["n"] for r in rows if r["submission_id"] in wanted}
