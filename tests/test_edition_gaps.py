"""Publishing with open eyes: an edition that lacks tables of its year is refused until the
publisher confirms it, and then records what it lacks and why."""

import sqlite3

import pytest

from salnameh.access import Actor
from salnameh.ledger import SCHEMA_VERSION, IncompleteEdition, Ledger
from salnameh.persian import format_number

COORDINATOR = Actor("coord", "coordinator")
EXPERT = Actor("expert", "expert")
YEAR = 1401


def loaded(ledger: Ledger, table_id: str) -> int:
    """A table-year received, accepted and loaded, as ingestion leaves it."""
    sid = ledger.record(
        sha256=table_id, filename=f"{table_id}.xlsx", size_bytes=1, table_id=table_id,
        year=YEAR, agency="sci", identified_by="form", uploader="liaison",
        catalog_version="test", verdict="accepted", n_values=1, n_errors=0, n_warnings=0,
        report=[],
    )  # fmt: skip
    ledger.mark_loaded(sid, "pipeline")
    return sid


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    """Year 1401 of three tables: one approved, one returned to its agency, one never sent."""
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.review(loaded(ledger, "approved_table"), "approved", EXPERT)
    ledger.review(loaded(ledger, "returned_table"), "returned", EXPERT, "check the totals")
    return ledger


EXPECTED = ["approved_table", "returned_table", "missing_table"]


def test_an_incomplete_edition_is_refused_with_what_it_lacks(ledger):
    with pytest.raises(IncompleteEdition) as refused:
        ledger.release(YEAR, COORDINATOR, expected=EXPECTED)
    assert refused.value.lacking == {"returned_table": "not_approved",
                                     "missing_table": "not_received"}  # fmt: skip
    assert refused.value.approved == 1
    assert "--allow-incomplete" in str(refused.value)
    assert ledger.editions(YEAR) == []  # nothing half-written


def test_a_confirmed_incomplete_edition_records_what_it_lacks(ledger):
    number, held = ledger.release(YEAR, COORDINATOR, "partial", expected=EXPECTED,
                                  allow_incomplete=True)  # fmt: skip
    assert number == 1 and len(held) == 1
    assert ledger.edition_gaps(YEAR, 1) == {"missing_table": "not_received",
                                            "returned_table": "not_approved"}  # fmt: skip


def test_a_complete_edition_needs_no_confirmation_and_lacks_nothing(ledger):
    number, _held = ledger.release(YEAR, COORDINATOR, expected=["approved_table"])
    assert ledger.edition_gaps(YEAR, number) == {}


def test_an_older_ledger_gains_the_gaps_table(tmp_path):
    path = tmp_path / "ledger.sqlite"
    Ledger(path)
    with sqlite3.connect(path) as con:  # as a ledger of schema version 3 was
        con.execute("DROP TABLE edition_gaps")
        con.execute("UPDATE schema_versions SET version = 3 WHERE component = 'ledger'")
    Ledger(path)  # opening it migrates it
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version FROM schema_versions WHERE component = 'ledger'"
                           ).fetchone()[0] == SCHEMA_VERSION  # fmt: skip
        assert con.execute("SELECT count(*) FROM edition_gaps").fetchone()[0] == 0


def test_figures_in_the_readers_digits():
    assert format_number(19408, 0, "fa") == "۱۹٬۴۰۸"  # a count: no decimals
    assert format_number(-5.8, 1, "fa") == "-۵٫۸"
    assert format_number(1234567.25, 2, "en") == "1,234,567.25"
