"""Signed-in sessions kept in the ledger, so they hold across portal processes and reloads.

A sign-in gives the browser a random token; the ledger keeps only the token's SHA-256 (a
copy of the ledger lets nobody in), the user, and when the session expires. Any portal
process sharing the ledger (SQLite on one machine, PostgreSQL on several) finds the same
session from the token. A session ends after IDLE without use, LIFETIME after sign-in
at the latest, when its user is disabled, or when the user signs out: signing out ends
every session of that user, on every machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from salnameh.access import Actor
from salnameh.ledger import Ledger, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,   -- the token itself is never kept
    user_id      TEXT NOT NULL REFERENCES users (user_id),
    created_at   TEXT NOT NULL,      -- UTC, ISO 8601
    seen_at      TEXT NOT NULL,
    expires_at   TEXT NOT NULL,      -- created_at + LIFETIME
    ended_at     TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
"""
SCHEMA_VERSION = 1

# An office computer left signed in must not keep a user's rights: idle half an hour, the
# session ends; a working day is the longest any sign-in lasts.
IDLE = dt.timedelta(minutes=30)
LIFETIME = dt.timedelta(hours=12)
# A session's last use is written at most this often (not on every click of every page).
SEEN_EVERY = dt.timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class Sessions:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        ledger.database.apply_schema("sessions", SCHEMA_VERSION, SCHEMA)

    def begin(self, actor: Actor) -> str:
        """A new session of a user who has just proved who they are; returns its token."""
        token = secrets.token_urlsafe(32)
        at = now()
        expires = _stamp(dt.datetime.fromisoformat(at) + LIFETIME)
        with self.ledger.transaction() as con:
            con.execute(
                "INSERT INTO sessions (token_sha256, user_id, created_at, seen_at, expires_at)"
                " VALUES (?,?,?,?,?)",
                (_digest(token), actor.user_id, at, at, expires),
            )
        return token

    def actor(self, token: str | None) -> Actor | None:
        """The Actor of a live session, or None (unknown, ended, expired, idle too long, or
        its user disabled). Each use keeps the session from going idle."""
        if not token:
            return None
        moment = dt.datetime.now(dt.UTC)
        with self.ledger.connect() as con:
            row = con.execute(
                "SELECT u.user_id, u.role, u.agency, s.seen_at FROM sessions s"
                " JOIN users u ON u.user_id = s.user_id"
                " WHERE s.token_sha256 = ? AND s.ended_at IS NULL AND s.expires_at > ?"
                "   AND s.seen_at > ? AND u.disabled_at IS NULL",
                (_digest(token), _stamp(moment), _stamp(moment - IDLE)),
            ).fetchone()
            if row is None:
                return None
            if dt.datetime.fromisoformat(row["seen_at"]) < moment - SEEN_EVERY:
                con.execute(
                    "UPDATE sessions SET seen_at = ? WHERE token_sha256 = ?",
                    (_stamp(moment), _digest(token)),
                )
        return Actor(row["user_id"], row["role"], row["agency"])

    def end_everywhere(self, user_id: str) -> int:
        """Sign a user out of every session, on every machine; returns how many ended."""
        with self.ledger.transaction() as con:
            return con.execute(
                "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                (now(), user_id),
            ).rowcount
