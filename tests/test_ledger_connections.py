"""The SQLite ledger's kept connections (salnameh/ledger_db.py): reused, never shared by
two callers at once, and never handed back in the middle of a transaction."""

from __future__ import annotations

import sqlite3
import time

import pytest

from salnameh.ledger_db import open_database


@pytest.fixture
def database(tmp_path):
    db = open_database(tmp_path / "ledger.sqlite")
    with db.transaction() as con:
        con.execute("CREATE TABLE notes (note TEXT)")
    return db


def test_a_connection_is_kept_for_the_next_call_and_nested_calls_get_their_own(database):
    with database.connect() as first, database.connect() as nested:
        assert nested is not first
    with database.connect() as again:
        assert again is first or again is nested


def test_a_block_that_fails_midway_leaves_no_transaction_and_no_lock(database, tmp_path):
    with pytest.raises(RuntimeError), database.transaction() as con:
        con.execute("INSERT INTO notes VALUES ('half')")
        raise RuntimeError("stopped midway")
    with pytest.raises(RuntimeError), database.connect() as con:
        con.execute("BEGIN IMMEDIATE")  # a block that takes its own transaction
        con.execute("INSERT INTO notes VALUES ('half again')")
        raise RuntimeError("stopped midway")
    # Another process's writer is not kept waiting for a lock left behind.
    other = sqlite3.connect(tmp_path / "ledger.sqlite", timeout=0.5, isolation_level=None)
    started = time.monotonic()
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES ('other')")
    other.execute("COMMIT")
    assert time.monotonic() - started < 0.5
    with database.connect() as con:
        assert [r[0] for r in con.execute("SELECT note FROM notes")] == ["other"]


def test_closing_leaves_the_file_whole_without_its_log(database, tmp_path):
    with database.transaction() as con:
        con.execute("INSERT INTO notes VALUES ('kept')")
    database.close()
    assert not (tmp_path / "ledger.sqlite-wal").exists()
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes((tmp_path / "ledger.sqlite").read_bytes())  # the file alone
    assert sqlite3.connect(copy).execute("SELECT note FROM notes").fetchall() == [("kept",)]
