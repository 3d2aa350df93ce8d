"""The ledger's database: SQLite (the embedded default) or PostgreSQL, behind one SQL.

The ledger's code writes its SQL once, as SQLite reads it (`?` placeholders, `INTEGER
PRIMARY KEY` ids, `INSERT OR IGNORE`, `cursor.lastrowid`, `BEGIN IMMEDIATE`), and runs it
on a connection from `open_database(where)`. A path (or `sqlite:///path`) is a SQLite file;
`postgresql://user:password@host/db` is a PostgreSQL database, and each statement is
translated once for it (`translate`):

- placeholders `?` become `%s`, bound client side (so `? IS NULL` needs no type);
- in CREATE/ALTER TABLE, `INTEGER PRIMARY KEY` becomes an identity column, INTEGER BIGINT
  (SQLite's integers are 64-bit), REAL DOUBLE PRECISION (SQLite's are 8 bytes) and TEXT
  compares byte by byte (`COLLATE "C"`, SQLite's BINARY), so ORDER BY sorts as on SQLite;
- `INSERT OR IGNORE` becomes `ON CONFLICT DO NOTHING`; an INSERT into a table with an
  identity column returns it, so `lastrowid` means what it means on SQLite;
- LIKE stays case-insensitive (ILIKE), `ifnull` is `coalesce`, `group_concat` is
  `string_agg`, two-argument min/max are least/greatest;
- numeric results (a sum of integers) come back as int or float, as SQLite returns them.

Transactions keep SQLite's guarantees. `BEGIN IMMEDIATE` (every write transaction, via
`transaction()`) takes one transaction-scoped advisory lock per database: writers queue
one behind the other exactly as they do on SQLite, and every read inside a write
transaction sees everything committed before it, so read-then-write steps (the next
edition number, "is this user new?") cannot race. SERIALIZABLE with a retry was the other
way, but a retry must replay the whole block, and `with ledger.transaction() as con:`
cannot replay its body; the ledger's writes are a few short statements, so a queue costs
little (a waiter gives up after 60 s, as SQLite's busy timeout does). A plain `BEGIN` is a
consistent read of several tables (REPEATABLE READ: one snapshot, as SQLite's WAL gives).
Connections are kept open per process (a small pool), since the ledger opens one for
nearly every call: a PostgreSQL sign-in costs milliseconds, and closing a SQLite connection
checkpoints its write-ahead log.

Schemas are applied once per version (`apply_schema`), recorded in `schema_versions`.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# The advisory lock that stands for SQLite's single writer ("ledger" in ASCII).
WRITE_LOCK = 0x6C6564676572
# How long a writer waits for another before it fails, on either database.
BUSY_SECONDS = 60
# Idle connections kept per database and process (per SQLiteDatabase object for SQLite).
POOL_SIZE = 4


class LedgerURLError(ValueError):
    """SALNAMEH_LEDGER_URL (or a migration's target) names no database Salnameh can use."""


def is_postgres(where: str | os.PathLike[str]) -> bool:
    return isinstance(where, str) and where.startswith(("postgresql://", "postgres://"))


def open_database(where: str | os.PathLike[str]) -> Database:
    """The ledger's database at a path or URL (sqlite:///path, postgresql://...)."""
    if is_postgres(where):
        return PostgresDatabase(str(where))
    if isinstance(where, str) and "://" in where:
        if not where.startswith("sqlite:///"):
            raise LedgerURLError(
                f"the ledger URL {redact(where)!r} is neither postgresql://user:password@host"
                "/database nor sqlite:///path/to/ledger.sqlite"
            )
        where = where.removeprefix("sqlite:///")  # sqlite:////abs/path or sqlite:///relative
    return SQLiteDatabase(Path(where))


def with_database(url: str, database: str) -> str:
    """The same server and role as a PostgreSQL URL, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def forget_connections(url: str) -> None:
    """Close this process's idle connections to a database (before it is dropped)."""
    with _pools_lock:
        pool = _pools.pop(url, None)
        _identities.pop(url, None)
    for raw in pool.idle if pool is not None and pool.pid == os.getpid() else []:
        raw.close()


def redact(url: str) -> str:
    """A URL as it may be printed or logged: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class Database:
    """What the ledger needs of its database: connections, write transactions, schemas."""

    kind: str
    name: str  # for messages: a path or a URL without its password

    def connect(self):  # pragma: no cover - each kind has its own
        raise NotImplementedError

    @contextmanager
    def transaction(self):
        """One write transaction, taken at once so concurrent writers queue, not deadlock."""
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def apply_schema(self, component: str, version: int, script: str) -> None:
        """Run a component's schema script once per version (idempotent DDL: CREATE ... IF
        NOT EXISTS, views dropped and made again), in one write transaction so processes
        opening the ledger at once do not interleave. An up-to-date ledger only reads."""
        with self.connect() as con:
            if self._version(con, component) == version:
                return
        with self.transaction() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions ("
                " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            if self._version(con, component) == version:
                return  # another process did it while this one waited
            # Statement by statement: sqlite3's executescript would commit this transaction.
            for statement in split_statements(script):
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_versions (component, version) VALUES (?, ?)"
                " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (component, version),
            )
        self.schema_changed()

    def _version(self, con, component: str) -> int | None:
        if "schema_versions" not in self.tables(con):
            return None
        row = con.execute(
            "SELECT version FROM schema_versions WHERE component = ?", (component,)
        ).fetchone()
        return row[0] if row else None

    def schema_changed(self) -> None:
        """Forget what was learned of the schema (PostgreSQL's identity columns)."""

    def close(self) -> None:
        """Close the idle connections this object keeps: SQLite's, whose file is then whole
        on its own (its write-ahead log folded in). The next call opens new ones. (A
        PostgreSQL pool is the process's: `forget_connections` closes it.)"""

    def tables(self, con) -> list[str]:  # pragma: no cover - each kind has its own
        raise NotImplementedError

    def references(self, con, table: str) -> list[str]:  # pragma: no cover
        """The tables a table's foreign keys refer to."""
        raise NotImplementedError

    def continue_ids(self, con, table: str) -> None:
        """After rows were inserted with their ids: new rows take the next id after them."""


# -------------------------------------------------------------------------------- SQLite


class SQLiteDatabase(Database):
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._idle = _Pool()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection of this object's own small pool, each used by one caller at a time.
        Opening one for every call and closing it after (about 7 a file ingested) took a
        third of the ledger's time in SQLite: a close checkpoints the write-ahead log."""
        pool = self._pool()
        with pool.lock:
            con = pool.idle.pop() if pool.idle else None
        if con is None:
            con = self._open()
        try:
            yield con
        finally:
            if con.in_transaction:  # a block that stopped midway leaves nothing open
                con.rollback()
            with pool.lock:
                if len(pool.idle) < POOL_SIZE:
                    pool.idle.append(con)
                    con = None
            if con is not None:
                con.close()

    def close(self) -> None:
        pool = self._pool()
        with pool.lock:
            idle, pool.idle = pool.idle, []
        for con in idle:
            con.close()

    def _pool(self) -> _Pool:
        if self._idle.pid != os.getpid():  # a forked child: its parent's connections aren't its
            _inherited.extend(self._idle.idle)
            self._idle = _Pool()
        return self._idle

    def _open(self) -> sqlite3.Connection:
        # One caller at a time (the pool), not always on the thread that opened it.
        con = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None,
                              check_same_thread=False)  # fmt: skip
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA foreign_keys=ON")
        return con

    def tables(self, con) -> list[str]:
        rows = con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        ).fetchall()
        return [r[0] for r in rows]

    def references(self, con, table: str) -> list[str]:
        # Checked against the database's own list: a table name is never taken from outside.
        if table not in self.tables(con):
            raise KeyError(table)
        return [r["table"] for r in con.execute(f'PRAGMA foreign_key_list("{table}")')]


# ---------------------------------------------------------------------------- PostgreSQL


class Row(tuple):
    """A result row read by position or (case-insensitively) by name, as sqlite3.Row is."""

    def __new__(cls, values, index: dict[str, int]):
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key.lower()])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor):
    names = [c.name for c in cursor.description or ()]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name.lower(), i)
    return lambda values: Row(values, index)


class Cursor:
    """psycopg's cursor with SQLite's `lastrowid` (the identity of the row inserted)."""

    def __init__(self, cursor, lastrowid: int | None = None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self):
        return self._cursor.description

    def fetchone(self):
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self):
        return iter(self.fetchall())


class PostgresConnection:
    """A psycopg connection that takes the ledger's SQLite-style SQL (see `translate`)."""

    def __init__(self, raw, database: PostgresDatabase) -> None:
        self.raw = raw
        self.database = database

    def execute(self, sql: str, params=()) -> Cursor:
        verb = " ".join(sql.split()).rstrip(";").upper()
        if verb in ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"):
            self.raw.execute("BEGIN")
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return Cursor(self.raw.cursor())
        if verb in ("BEGIN", "BEGIN DEFERRED", "BEGIN TRANSACTION"):
            self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            return Cursor(self.raw.cursor())
        statement = translate(sql, bool(params))
        returning = self._identity_of(statement)
        if returning:
            statement += f" RETURNING {returning}"
        cursor = self.raw.execute(statement, tuple(params) if params else None)
        if returning:
            row = cursor.fetchone()
            return Cursor(cursor, row[0] if row else None)
        return Cursor(cursor)

    def executemany(self, sql: str, seq_of_params) -> Cursor:
        rows = [tuple(p) for p in seq_of_params]
        cursor = self.raw.cursor()
        if rows:
            cursor.executemany(translate(sql, True), rows)
        return Cursor(cursor)

    def executescript(self, script: str) -> None:
        for statement in split_statements(script):
            self.execute(statement)

    def _identity_of(self, statement: str) -> str | None:
        """The identity column an INSERT should return, so `lastrowid` can be read."""
        match = _INSERT_INTO.match(statement)
        if not match or _RETURNING.search(statement):
            return None
        table = match.group(1).strip('"').lower()
        return self.database.identity(self.raw, table)


_INSERT_INTO = re.compile(r"\s*INSERT\s+INTO\s+(\"[^\"]+\"|\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


class _Pool:
    """Idle connections of one database in one process (a child forgets its parent's)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.idle: list = []
        self.lock = threading.Lock()


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()
# Connections a forked child found in its parent's pool: never used, never closed (closing
# one would end the parent's session), only kept from the garbage collector.
_inherited: list = []
# Per database URL: each table's identity column (None for a table without one).
_identities: dict[str, dict[str, str | None]] = {}


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = redact(url)

    def _pool(self) -> _Pool:
        with _pools_lock:
            pool = _pools.get(self.url)
            if pool is None or pool.pid != os.getpid():
                if pool is not None:
                    _inherited.extend(pool.idle)
                pool = _pools[self.url] = _Pool()
            return pool

    def _open(self):
        import psycopg

        try:
            raw = psycopg.connect(
                self.url,
                autocommit=True,
                cursor_factory=psycopg.ClientCursor,
                row_factory=_row_factory,
                connect_timeout=BUSY_SECONDS,
            )
        except psycopg.OperationalError as error:
            raise LedgerURLError(
                f"cannot reach the ledger at {self.name}: {error}".strip()
                + "\nCheck SALNAMEH_LEDGER_URL (postgresql://user:password@host:port/database)"
                " and that the server is running. / پایگاه دادهٔ دفتر در دسترس نیست؛"
                " نشانی SALNAMEH_LEDGER_URL و روشن بودن کارساز را بررسی کنید."
            ) from None
        raw.adapters.register_loader("numeric", _numeric_loader())
        raw.execute(f"SET lock_timeout = '{BUSY_SECONDS}s'")
        return raw

    @contextmanager
    def connect(self) -> Iterator[PostgresConnection]:
        from psycopg.pq import TransactionStatus

        pool = self._pool()
        with pool.lock:
            raw = pool.idle.pop() if pool.idle else None
        if raw is None or raw.closed or raw.broken:
            raw = self._open()
        try:
            yield PostgresConnection(raw, self)
        finally:
            reusable = not raw.closed and raw.info.transaction_status == TransactionStatus.IDLE
            with pool.lock:
                if reusable and len(pool.idle) < POOL_SIZE:
                    pool.idle.append(raw)
                    raw = None
            if raw is not None:
                raw.close()

    def identity(self, raw, table: str) -> str | None:
        """A table's identity column (the id an INSERT makes), or None; read again when a
        table is new to this process (another one may have made it since)."""
        known = _identities.setdefault(self.url, {})
        if table not in known:
            rows = raw.execute(
                "SELECT t.table_name, c.column_name FROM information_schema.tables t"
                " LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema"
                "  AND c.table_name = t.table_name AND c.is_identity = 'YES'"
                " WHERE t.table_schema = current_schema()"
            ).fetchall()
            known.clear()
            known.update({r[0]: r[1] for r in rows})
        return known.get(table)

    def schema_changed(self) -> None:
        _identities.pop(self.url, None)

    def tables(self, con) -> list[str]:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def references(self, con, table: str) -> list[str]:
        rows = con.execute(
            "SELECT DISTINCT u.table_name FROM information_schema.table_constraints c"
            " JOIN information_schema.constraint_column_usage u"
            "   ON u.constraint_name = c.constraint_name AND u.table_schema = c.table_schema"
            " WHERE c.table_schema = current_schema() AND c.table_name = ?"
            "   AND c.constraint_type = 'FOREIGN KEY'",
            (table,),
        ).fetchall()
        return [r[0] for r in rows]

    def continue_ids(self, con, table: str) -> None:
        column = self.identity(con.raw, table)
        if column is not None:  # names from the database's own catalog
            con.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({column}), 0) + 1,"
                f" false) FROM {table}",
                (table, column),
            )


@functools.cache
def _numeric_loader():
    """The loader class, made when a PostgreSQL ledger is first opened: psycopg's import
    is 0.15 s that every command on a SQLite ledger (nearly all) would pay for nothing."""
    from psycopg.adapt import Loader

    class NumericLoader(Loader):
        """numeric (what PostgreSQL's sum of integers is) as SQLite returns it: int or
        float."""

        def load(self, data) -> int | float:
            text = bytes(data).decode()
            return float(text) if any(c in text for c in ".eEnN") else int(text)

    return NumericLoader


# --------------------------------------------------------------------------- translation

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
  | (?P<param>\?)
  | (?P<op>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Column types in CREATE/ALTER TABLE: SQLite's storage classes at their full width.
_TYPES = {"INTEGER": "BIGINT", "INT": "BIGINT", "REAL": "DOUBLE PRECISION", "BLOB": "BYTEA",
          "TEXT": 'TEXT COLLATE "C"'}  # fmt: skip


def _tokens(sql: str) -> list[list[str]]:
    return [[m.lastgroup, m.group()] for m in _TOKEN.finditer(sql)]


def _next_word(tokens, i: int) -> tuple[int, str]:
    """The index and upper-cased text of the first token after i that is not space."""
    j = i + 1
    while j < len(tokens) and tokens[j][0] in ("ws", "comment"):
        j += 1
    return (j, tokens[j][1].upper()) if j < len(tokens) else (j, "")


def _call_args(tokens, open_at: int) -> tuple[int, list[tuple[int, int]]]:
    """The closing parenthesis of a call opened at `open_at`, and its arguments' spans."""
    depth, start, spans = 0, open_at + 1, []
    for k in range(open_at, len(tokens)):
        text = tokens[k][1]
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                spans.append((start, k))
                return k, spans
        elif text == "," and depth == 1:
            spans.append((start, k))
            start = k + 1
    raise ValueError("unbalanced parentheses in SQL")


def _text(tokens, span: tuple[int, int]) -> str:
    return "".join(t[1] for t in tokens[span[0] : span[1]])


def split_statements(script: str) -> list[str]:
    """A script's statements, split at semicolons outside quotes and comments."""
    statements, current = [], []
    for kind, text in _tokens(script):
        if kind == "op" and text == ";":
            statements.append("".join(current))
            current = []
        else:
            current.append(text)
    statements.append("".join(current))
    return [s for s in statements if "".join(t[1] for t in _tokens(s) if t[0] == "word")]


@functools.lru_cache(maxsize=2048)
def translate(sql: str, bound: bool = True) -> str:
    """One statement of the ledger's SQLite-style SQL, as PostgreSQL reads it.

    `bound`: parameters follow, so `?` becomes `%s` and a literal % is doubled."""
    tokens = _tokens(sql)
    words = [t[1].upper() for t in tokens if t[0] == "word"]
    if words[:1] == ["PRAGMA"]:
        raise ValueError(
            "PRAGMA is SQLite's own; on PostgreSQL the ledger's schema version is kept by "
            "salnameh.ledger_db.Database.apply_schema"
        )
    ddl = words[:2] in (["CREATE", "TABLE"], ["ALTER", "TABLE"])
    insert_or_ignore = False
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        upper = text.upper()
        if kind == "param":
            tokens[i][1] = "%s" if bound else "?"
        elif "%" in text and bound:
            tokens[i][1] = text.replace("%", "%%")  # psycopg reads % in literals too
        elif kind == "word":
            j, following = _next_word(tokens, i)
            if upper == "INSERT" and following == "OR":
                k, action = _next_word(tokens, j)
                if action != "IGNORE":
                    raise ValueError(
                        f"INSERT OR {action} has no PostgreSQL equivalent here; write "
                        "INSERT ... ON CONFLICT (columns) DO UPDATE SET ..., which both read"
                    )
                for m in range(i + 1, k + 1):
                    tokens[m][1] = ""
                insert_or_ignore = True
            elif ddl and upper == "INTEGER" and following == "PRIMARY":
                tokens[i][1] = "BIGINT GENERATED BY DEFAULT AS IDENTITY"
            elif ddl and upper == "AUTOINCREMENT":
                tokens[i][1] = ""
            elif ddl and upper in _TYPES and tokens[i - 1][0] == "ws":
                tokens[i][1] = _TYPES[upper]
            elif upper == "LIKE":
                tokens[i][1] = "ILIKE"  # SQLite's LIKE ignores case
            elif following == "(" and upper in ("IFNULL", "GROUP_CONCAT", "MIN", "MAX"):
                close, args = _call_args(tokens, j)
                if upper == "IFNULL":
                    tokens[i][1] = "coalesce"
                elif upper == "GROUP_CONCAT":
                    value = translate(_text(tokens, args[0]), bound)
                    separator = translate(_text(tokens, args[1]), bound) if len(args) > 1 else "','"
                    tokens[i][1] = f"string_agg(CAST({value} AS TEXT), {separator})"
                    for m in range(i + 1, close + 1):
                        tokens[m][1] = ""
                elif len(args) > 1:
                    tokens[i][1] = "least" if upper == "MIN" else "greatest"
        i += 1
    statement = "".join(t[1] for t in tokens)
    if insert_or_ignore:
        statement = statement.rstrip().rstrip(";")
        at = _RETURNING.search(statement)
        cut = at.start() if at else len(statement)
        statement = f"{statement[:cut].rstrip()} ON CONFLICT DO NOTHING {statement[cut:]}"
    return statement.rstrip()
