"""Read-only snapshots of the warehouse: what every reader opens, never the warehouse itself.

DuckDB lets one process write a file or many read it, never both, so readers (the portal,
analysts' queries) open copies. After each successful build the pipeline publishes two:

- `internal.duckdb`, the whole warehouse, for staff and experts;
- `public.duckdb`, only what may be public: the reference tables and the marts as their
  dbt `meta.publish` says (all rows, released rows only, or nothing), less the columns
  whose own `meta.publish` is internal (who uploaded a file, who reviewed it, the file's
  name: staff ids and file names are for staff). A public page cannot reach unapproved
  data, or a list of staff ids to lock out with wrong passwords, because this file does
  not hold them.

Each is written beside its final name and swapped in with os.replace, so a reader sees the
old file or the new one, never half of one; a reader that has the old file open keeps it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salnameh.access import Actor, SignInRequired, require
from salnameh.settings import Home

INTERNAL, PUBLIC = "internal", "public"
PUBLIC_SCHEMAS = ("reference",)  # copied whole: codes, places and lineage are public facts


class SnapshotMissing(Exception):
    """No snapshot has been published yet in this home."""


class SnapshotDamaged(SnapshotMissing):
    """The snapshot file cannot be read (a disk fault, a copy cut short): no usable snapshot
    until the next publish writes it whole again; the warehouse itself is another file."""

    def __init__(self, path: Path, detail: str) -> None:
        self.en = (f"The snapshot {path} is damaged and cannot be read ({detail}). "
                   "`salnameh build` publishes it again from the warehouse, which it does "
                   "not touch.")  # fmt: skip
        self.fa = (f"پرونده {path} آسیب دیده و خواندنی نیست. «salnameh build» آن را از انبار "
                   "داده، که سالم مانده است، دوباره منتشر می‌کند.")  # fmt: skip
        super().__init__(f"{self.en}\n{self.fa}")


def _damaged(error: duckdb.Error) -> bool:
    """DuckDB's ways of saying a file's bytes are not what it wrote."""
    text = str(error)
    return (
        "Corrupt database file" in text
        or "Could not read enough bytes" in text
        or ("not a valid DuckDB database file" in text)
    )


@dataclass(frozen=True)
class MartRule:
    schema: str
    name: str
    publish: str  # all | released | internal
    filter: str | None  # SQL predicate on the mart's own columns, from dbt meta
    internal_columns: tuple[str, ...] = ()  # columns kept out of the public snapshot
    rebuilt_by: str | None = None  # how a narrowed build replaces its rows (meta.rebuilt_by)


def snapshot_path(salnameh_home: Home, kind: str) -> Path:
    return salnameh_home.snapshots_dir / f"{kind}.duckdb"


def mart_rules(manifest_path: Path) -> list[MartRule]:
    """Each mart's publication rule, as the dbt project declares it in `meta.publish`."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    rules = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("materialized") != "table":
            continue
        meta = node["config"].get("meta", {})
        publish = meta.get("publish", "internal")  # unmarked marts stay internal
        if publish not in ("all", "released", "internal"):
            raise ValueError(f"{node['name']}: meta.publish must be all, released or internal")
        if publish == "released" and not meta.get("publish_filter"):
            raise ValueError(f"{node['name']}: meta.publish 'released' needs a publish_filter")
        rules.append(MartRule(node["schema"], node["alias"] or node["name"], publish,
                              meta.get("publish_filter"), _internal_columns(node),
                              meta.get("rebuilt_by")))  # fmt: skip
    return sorted(rules, key=lambda r: (r.schema, r.name))


def _internal_columns(node: dict) -> tuple[str, ...]:
    """The mart's columns marked `meta: {publish: internal}` (dbt keeps a column's meta in
    its config, older manifests beside it)."""
    found = []
    for name, column in node.get("columns", {}).items():
        meta = column.get("config", {}).get("meta") or column.get("meta") or {}
        publish = meta.get("publish")
        if publish not in (None, "internal"):
            raise ValueError(f"{node['name']}.{name}: a column's meta.publish can only be internal")
        if publish == "internal":
            found.append(name)
    return tuple(sorted(found))


def publish(salnameh_home: Home, manifest_path: Path, replayed=None) -> dict[str, int]:
    """Publish both snapshots from the warehouse; returns the rows copied per public table.

    After a build that recomputed only some tables (`replayed`, a model_replay.Replayed),
    the public snapshot is the last one with those tables' rows replaced, when the last one
    was published from the marts that build started from; otherwise it is written whole.
    The caller holds the warehouse writer lock, so nothing changes the warehouse meanwhile.
    """
    from salnameh import build_scope

    salnameh_home.snapshots_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(salnameh_home)
    warehouse = salnameh_home.warehouse_path
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CHECKPOINT")  # everything in the file itself, nothing in the WAL
        built_from = build_scope.kept_token(con)
    _swap_in(snapshot_path(salnameh_home, INTERNAL), lambda tmp: shutil.copyfile(warehouse, tmp))
    public = snapshot_path(salnameh_home, PUBLIC)
    scope = replayed.scope if replayed is not None else None
    if scope is None or _built_from(public) != replayed.since:
        public, scope = None, None  # written whole
    counts: dict[str, int] = {}
    _swap_in(
        snapshot_path(salnameh_home, PUBLIC),
        lambda tmp: counts.update(_write_public(
            warehouse, tmp, mart_rules(manifest_path), built_from, public, scope
        )),
    )  # fmt: skip
    return counts


def _built_from(public: Path) -> str | None:
    """The states token the public snapshot was published from; None if unknown."""
    try:
        with duckdb.connect(str(public), read_only=True) as con:
            return con.execute("SELECT built_from FROM about.snapshot").fetchone()[0]
    except (duckdb.Error, OSError, TypeError):
        return None  # none yet, damaged, or published before the token was kept


def remove_stale_temporaries(salnameh_home: Home) -> list[Path]:
    """Remove the half-written snapshots a killed publish left (`.<kind>.duckdb.<pid>.tmp`).

    Only a publish writes them, and publishing holds the writer lock, so while it is held
    every such file is a dead publish's: a kill between writing and swapping in used to
    leave a copy of the warehouse there for good.
    """
    stale = sorted(salnameh_home.snapshots_dir.glob(".*.duckdb.*.tmp"))
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _swap_in(final: Path, write) -> None:
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(0o444)  # a snapshot is read, never written
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _write_public(warehouse: Path, target: Path, rules: list[MartRule],
                  built_from: str | None = None, previous: Path | None = None,
                  scope: frozenset[str] | None = None) -> dict[str, int]:  # fmt: skip
    """The public snapshot: written whole, or from `previous` with the rows of the tables in
    `scope` replaced in the marts that say how (meta.rebuilt_by) and the rest copied whole."""
    from salnameh.build_scope import replaced_rows

    if previous is not None:
        shutil.copyfile(previous, target)
    counts = {}
    with duckdb.connect(str(target)) as con:
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
        con.execute("CREATE TEMP TABLE scope_tables (table_id VARCHAR)")
        for table_id in scope or ():
            con.execute("INSERT INTO scope_tables VALUES (?)", [table_id])
        tables = con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables()"
            " WHERE database_name = 'wh'"
        ).fetchall()
        comments = {(s, t): c for s, t, c in tables}
        wanted: list[tuple[str, str, str | None, tuple[str, ...], str | None]] = [
            (s, t, None, (), None) for s, t, _c in tables if s in PUBLIC_SCHEMAS
        ]
        wanted += [
            (r.schema, r.name, r.filter, r.internal_columns, r.rebuilt_by)
            for r in rules
            if r.publish != "internal"
        ]
        for schema, name, predicate, internal, rebuilt_by in wanted:
            if (schema, name) not in comments:
                continue  # a mart the last build did not produce
            # Names come from the warehouse's own catalog and the dbt manifest; the filter
            # is the dbt project's declared predicate, never user input.
            left_out = ", ".join(f'"{c}"' for c in internal)
            columns = f"* EXCLUDE ({left_out})" if internal else "*"
            table, source = f'"{schema}"."{name}"', f'wh."{schema}"."{name}"'
            if scope is not None and rebuilt_by:
                rows = replaced_rows(rebuilt_by, "SELECT table_id FROM scope_tables", "wh.")
                con.execute(f"DELETE FROM {table} WHERE {rows}")
                where = f" WHERE ({predicate}) AND {rows}" if predicate else f" WHERE {rows}"
                con.execute(f"INSERT INTO {table} SELECT {columns} FROM {source}{where}")
            else:
                where = f" WHERE {predicate}" if predicate else ""
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                con.execute(f"DROP TABLE IF EXISTS {table}")
                con.execute(f"CREATE TABLE {table} AS SELECT {columns} FROM {source}{where}")
                _copy_comments(con, schema, name, comments[(schema, name)], internal)
            counts[f"{schema}.{name}"] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        con.execute("CREATE SCHEMA IF NOT EXISTS about")
        con.execute(
            "CREATE OR REPLACE TABLE about.snapshot AS SELECT ? AS kind,"
            " ?::TIMESTAMP AS published_at_utc, ? AS built_from",
            [PUBLIC, dt.datetime.now(dt.UTC).replace(tzinfo=None), built_from],
        )
        con.execute("DETACH wh")
    return counts


def _copy_comments(con, schema: str, name: str, table_comment: str | None,
                   left_out: tuple[str, ...] = ()) -> None:  # fmt: skip
    """Keep the dbt descriptions: analysts read the schema's documentation in SQL."""
    if table_comment:
        con.execute(f'COMMENT ON TABLE "{schema}"."{name}" IS {_literal(table_comment)}')
    columns = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'wh'"
        " AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, name],
    ).fetchall()
    for column, comment in columns:
        if column in left_out:
            continue
        con.execute(f'COMMENT ON COLUMN "{schema}"."{name}"."{column}" IS {_literal(comment)}')


def _literal(text: str) -> str:
    """A SQL string literal: COMMENT ON takes no bound parameters."""
    return "'" + text.strip().replace("'", "''") + "'"


# ---------------------------------------------------------------------------- reading


@contextmanager
def open_snapshot(
    salnameh_home: Home, kind: str = PUBLIC, for_users: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a snapshot that cannot touch any other file.

    External access (files, URLs, ATTACH, COPY) is off and the configuration locked, so SQL
    typed by a user reaches this snapshot and nothing else. `for_users` also bounds what one
    typed query may take from a shared server: memory, threads and spilling to disk.
    """
    path = snapshot_path(salnameh_home, kind)
    if not path.exists():
        raise SnapshotMissing(
            f"no {kind} snapshot in {salnameh_home.snapshots_dir}; run `salnameh build` first"
        )
    config = {"enable_external_access": False}
    if for_users:
        config |= USER_QUERY_LIMITS
    config["lock_configuration"] = True  # last: nothing above may be changed by a query
    try:
        con = duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as error:
        if _damaged(error):
            raise SnapshotDamaged(path, str(error)) from None
        raise
    try:
        yield con
    except duckdb.Error as error:  # damage in a block only a query reaches
        if _damaged(error):
            raise SnapshotDamaged(path, str(error)) from None
        raise
    finally:
        con.close()


# What one query typed by a person (the portal's SQL page, `salnameh query`) may use on a
# shared server: one string_agg took 8.28 GB before its time limit without these.
USER_QUERY_LIMITS = {"memory_limit": "1GB", "threads": 1, "max_temp_directory_size": "0B"}


@contextmanager
def open_for_typed_sql(
    salnameh_home: Home, kind: str = PUBLIC, actor: Actor | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A snapshot for SQL a person types, bounded by USER_QUERY_LIMITS. The internal one
    holds unapproved figures: only staff who may read internal data, signed in, open it."""
    if kind == INTERNAL:
        if actor is None:
            raise SignInRequired("read_internal")
        require(actor, "read_internal")
    with open_snapshot(salnameh_home, kind, for_users=True) as con:
        yield con


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped."""


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, max_rows: int = 10_000, timeout_s: float = 30.0
) -> tuple[list[str], list[tuple], bool]:
    """Columns, at most `max_rows` rows, and whether there were more; stopped at the timeout."""
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], [], False
        rows = cursor.fetchmany(max_rows + 1)
    except duckdb.InterruptException:
        raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped") from None
    finally:
        timer.cancel()
    columns = [d[0] for d in cursor.description]
    return columns, rows[:max_rows], len(rows) > max_rows
