"""The national hub's ledger of received packages, in the hub's ledger file.

Like the rest of the ledger, history is append-only: a package row never changes; what
happens to it is an event (received, unchanged, superseded), and its state is its latest
event that is not 'unchanged'. The files live in the archive by SHA-256; the ledger names
them. The SQL runs on SQLite and PostgreSQL alike (salnameh.ledger_db).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from salnameh.ledger import Ledger, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS packages (
    package_id      INTEGER PRIMARY KEY,
    province        TEXT NOT NULL,
    year            INTEGER NOT NULL,
    edition         INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    released_at     TEXT NOT NULL,   -- as the province's manifest says
    received_at     TEXT NOT NULL,   -- UTC, ISO 8601
    received_by     TEXT NOT NULL,
    n_tables        INTEGER NOT NULL,
    n_observations  INTEGER NOT NULL,
    manifest        TEXT NOT NULL,   -- the manifest as received (JSON)
    UNIQUE (province, year, edition)
);
CREATE TABLE IF NOT EXISTS package_files (
    package_id INTEGER NOT NULL REFERENCES packages (package_id),
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,        -- where the archive keeps it
    size_bytes INTEGER NOT NULL,
    PRIMARY KEY (package_id, name)
);
CREATE TABLE IF NOT EXISTS package_events (
    event_id   INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES packages (package_id),
    state      TEXT NOT NULL CHECK (state IN ('received', 'unchanged', 'superseded')),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
-- What a later edition changed against the previous edition the hub holds.
CREATE TABLE IF NOT EXISTS package_revisions (
    package_id       INTEGER NOT NULL REFERENCES packages (package_id),
    table_id         TEXT NOT NULL,
    geo              TEXT NOT NULL,
    dim_key          TEXT NOT NULL,
    measure          TEXT NOT NULL,
    previous_edition INTEGER NOT NULL,
    previous_value   REAL,
    value            REAL,
    previous_flag    TEXT,
    flag             TEXT
);
-- Catalog versions the hub was given besides its own.
CREATE TABLE IF NOT EXISTS known_catalogs (
    catalog_version TEXT PRIMARY KEY,
    source          TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
DROP VIEW IF EXISTS package_state;
CREATE VIEW package_state AS
SELECT p.*, e.state, e.at AS state_at
FROM packages p
JOIN package_events e ON e.event_id = (
    SELECT max(event_id) FROM package_events
    WHERE package_id = p.package_id AND state <> 'unchanged'
);
"""

# Raised whenever SCHEMA changes (see salnameh.ledger_db.Database.apply_schema).
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Receipt:
    package_id: int
    province: str
    year: int
    edition: int
    manifest_sha256: str
    catalog_version: str
    released_at: str
    received_at: str
    n_tables: int
    n_observations: int
    state: str
    files: dict[str, str]  # name -> SHA-256 in the archive


class Receipts:
    """The received packages of a national hub, kept in its ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        ledger.database.apply_schema("receipts", SCHEMA_VERSION, SCHEMA)

    def all(self) -> list[Receipt]:
        """Every package received, by province, year and edition."""
        with self.ledger.connect() as con:
            rows = con.execute(
                "SELECT * FROM package_state ORDER BY province, year, edition"
            ).fetchall()
            files = con.execute("SELECT package_id, name, sha256 FROM package_files").fetchall()
        by_package: dict[int, dict[str, str]] = {}
        for f in files:
            by_package.setdefault(f["package_id"], {})[f["name"]] = f["sha256"]
        return [_receipt(r, by_package.get(r["package_id"], {})) for r in rows]

    def find(self, province: str, year: int, edition: int) -> Receipt | None:
        found = [
            r for r in self.all() if (r.province, r.year, r.edition) == (province, year, edition)
        ]
        return found[0] if found else None

    def known_catalogs(self) -> dict[str, str]:
        with self.ledger.connect() as con:
            rows = con.execute("SELECT catalog_version, source FROM known_catalogs").fetchall()
        return {r["catalog_version"]: r["source"] for r in rows}

    def know_catalog(self, version: str, source: str) -> bool:
        """Record a catalog version the hub may receive packages of; False if known."""
        with self.ledger.transaction() as con:
            held = con.execute(
                "SELECT 1 FROM known_catalogs WHERE catalog_version = ?", (version,)
            ).fetchone()
            if held:
                return False
            con.execute(
                "INSERT INTO known_catalogs (catalog_version, source, recorded_at) VALUES (?,?,?)",
                (version, source, now()),
            )
        return True

    def mark_unchanged(self, package_id: int, actor: str, note: str) -> None:
        with self.ledger.transaction() as con:
            _event(con, package_id, "unchanged", actor, note)

    def record(
        self,
        *,
        package,
        actor: str,
        revisions: list[tuple],
        supersedes: list[int],
        newer_held: int | None = None,
    ) -> int:
        """A verified package, its files, revisions and what it supersedes: one transaction.

        A package older than an edition already held (`newer_held`) is kept, superseded."""
        at = now()
        with self.ledger.transaction() as con:
            package_id = con.execute(
                "INSERT INTO packages (province, year, edition, manifest_sha256, catalog_version,"
                " released_at, received_at, received_by, n_tables, n_observations, manifest)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    package.province,
                    package.year,
                    package.edition,
                    package.manifest_sha256,
                    package.catalog_version,
                    package.released_at,
                    at,
                    actor,
                    package.n_tables,
                    package.n_observations,
                    json.dumps(package.manifest, ensure_ascii=False),
                ),
            ).lastrowid
            con.executemany(
                "INSERT INTO package_files (package_id, name, sha256, size_bytes) VALUES (?,?,?,?)",
                [(package_id, f.name, f.sha256, f.size_bytes) for f in package.files.values()],
            )
            _event(con, package_id, "received", actor, at=at)
            for older in supersedes:
                _event(con, older, "superseded", actor, f"by edition {package.edition}", at=at)
            if newer_held is not None:
                _event(con, package_id, "superseded", actor, f"by edition {newer_held}", at=at)
            con.executemany(
                "INSERT INTO package_revisions (package_id, table_id, geo, dim_key, measure,"
                " previous_edition, previous_value, value, previous_flag, flag)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(package_id, *row) for row in revisions],
            )
        return package_id

    def revisions(self, package_id: int) -> list[dict]:
        with self.ledger.connect() as con:
            rows = con.execute(
                "SELECT * FROM package_revisions WHERE package_id = ?"
                " ORDER BY table_id, geo, dim_key, measure",
                (package_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def change_mark(self) -> str:
        """Changes whenever a package is received or superseded."""
        with self.ledger.connect() as con:
            return str(
                con.execute("SELECT coalesce(max(event_id), 0) FROM package_events").fetchone()[0]
            )


def _event(con, package_id: int, state: str, actor: str, note: str = "", at=None) -> None:
    con.execute(
        "INSERT INTO package_events (package_id, state, at, actor, note) VALUES (?,?,?,?,?)",
        (package_id, state, at or now(), actor, note),
    )


def _receipt(row, files: dict[str, str]) -> Receipt:
    return Receipt(
        package_id=row["package_id"],
        province=row["province"],
        year=row["year"],
        edition=row["edition"],
        manifest_sha256=row["manifest_sha256"],
        catalog_version=row["catalog_version"],
        released_at=row["released_at"],
        received_at=row["received_at"],
        n_tables=row["n_tables"],
        n_observations=row["n_observations"],
        state=row["state"],
        files=files,
    )
