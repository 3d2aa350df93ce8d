"""Copying a ledger to another database (`salnameh ledger migrate --to URL`), losslessly.

An installation that outgrows its SQLite ledger moves it to PostgreSQL: every table, every
row, ids kept (so archive names, warehouse copies and letters still point at the same
submissions). The target must be empty; the copy is one transaction on it, and before it
commits each table's row count and content hash are compared with the source's: any
difference and nothing is written. Views are not copied: they are derived, and the
target's schema makes them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from salnameh.ledger import Ledger
from salnameh.ledger_db import Database, open_database


class MigrationError(RuntimeError):
    """The ledger cannot be copied as asked; the message says why and what to do."""


@dataclass(frozen=True)
class CopiedTable:
    table: str
    rows: int
    sha256: str  # of the table's rows, whatever their order (see table_digest)


def _schemas() -> dict[str, tuple[int, str]]:
    """Every schema a ledger may hold, by component (salnameh.ledger_db.apply_schema).
    A module that adds a component with its own schema adds it here too."""
    from salnameh import comments, ledger, receipts, sessions

    return {
        "ledger": (ledger.SCHEMA_VERSION, ledger.SCHEMA),
        "comments": (comments.SCHEMA_VERSION, comments.SCHEMA),
        "receipts": (receipts.SCHEMA_VERSION, receipts.SCHEMA),
        "sessions": (sessions.SCHEMA_VERSION, sessions.SCHEMA),
    }


def _value(value) -> str:
    """One value as text that tells its type: 1, 1.0 and '1' must not hash alike."""
    if value is None:
        return "n"
    if isinstance(value, bool):
        return f"i{int(value)}"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, bytes | memoryview):
        return f"b{bytes(value).hex()}"
    return f"s{value}"


def table_digest(con, table: str, columns: list[str]) -> tuple[int, str]:
    """A table's row count and the SHA-256 of its rows, the same on any database: each row
    is hashed alone and the row hashes are sorted, so neither the order rows come back in
    nor how each database sorts NULLs changes it."""
    select = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f'SELECT {select} FROM "{table}"').fetchall()  # names checked by caller
    digests = sorted(
        hashlib.sha256("\x1f".join(_value(v) for v in row).encode()).hexdigest() for row in rows
    )
    return len(rows), hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _columns(con, table: str) -> list[str]:
    cursor = con.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')  # names from the database
    return [d[0] for d in cursor.description]


def _copy_order(database: Database, con, tables: list[str]) -> list[str]:
    """Tables in an order that inserts every referenced row before its references."""
    needs = {t: set(database.references(con, t)) & set(tables) - {t} for t in tables}
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, parents in needs.items() if parents <= set(ordered))
        if not ready:
            raise MigrationError(f"the tables {sorted(needs)} refer to each other in a cycle")
        ordered += ready
        for t in ready:
            del needs[t]
    return ordered


def migrate(source: str | os.PathLike[str], target: str) -> list[CopiedTable]:
    """Copy the ledger at `source` (a SQLite file) into the empty database at `target`.

    Returns each table's rows and hash, equal on both sides. Raises MigrationError when the
    target already holds a ledger or when any count or hash differs (nothing is written)."""
    src = Ledger(source).database  # brings an older ledger's schema up to date first
    dst = open_database(target)
    try:
        return _copy(src, dst)
    finally:
        # Both SQLite files whole on their own when this returns: a backup hashes its copy
        # next, and a restore's source is a backup's folder.
        src.close()
        dst.close()


def _copy(src, dst) -> list[CopiedTable]:
    if dst.name == src.name:
        raise MigrationError("the source and the target are the same ledger")
    schemas = _schemas()
    with src.connect() as con:
        components = [r[0] for r in con.execute("SELECT component FROM schema_versions")]
    unknown = sorted(set(components) - set(schemas))
    if unknown:
        raise MigrationError(f"the ledger holds parts this Salnameh does not know: {unknown}")
    with dst.connect() as con:
        held = [t for t in dst.tables(con) if t != "schema_versions" and _count(con, t)]
    if held:
        raise MigrationError(
            f"the target {dst.name} already holds a ledger (rows in {', '.join(held)}); "
            "migrate copies into an empty database only: create a new one and try again"
        )
    # In _schemas' order, the ledger's first: another component's tables refer to its own.
    for component in sorted(components, key=list(schemas).index):
        version, script = schemas[component]
        dst.apply_schema(component, version, script)

    copied: list[CopiedTable] = []
    with src.connect() as read, dst.transaction() as write:
        read.execute("BEGIN")  # one consistent view of the source while it is copied
        tables = [t for t in src.tables(read) if t != "schema_versions"]
        missing = sorted(set(tables) - set(dst.tables(write)))
        if missing:
            raise MigrationError(f"the target's schema has no tables {missing}")
        for table in _copy_order(src, read, tables):
            columns = _columns(read, table)
            if set(columns) != set(_columns(write, table)):
                raise MigrationError(
                    f"{table}: the source's columns {columns} are not the target's "
                    f"{_columns(write, table)}"
                )
            names = ", ".join(f'"{c}"' for c in columns)
            rows = read.execute(f'SELECT {names} FROM "{table}"').fetchall()
            try:
                write.executemany(
                    f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                    [tuple(r) for r in rows],
                )
            except Exception as error:  # the database's own refusal, said with the table
                raise MigrationError(
                    f"{table}: a row could not be written ({error}); nothing was written"
                ) from error
            dst.continue_ids(write, table)
            expected = table_digest(read, table, columns)
            found = table_digest(write, table, columns)
            if found != expected:
                raise MigrationError(
                    f"{table}: {found[0]} rows (hash {found[1][:12]}) arrived of {expected[0]} "
                    f"(hash {expected[1][:12]}); nothing was written"
                )
            copied.append(CopiedTable(table, *expected))
        read.execute("COMMIT")
    return copied


def _count(con, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # a listed table
