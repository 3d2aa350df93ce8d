"""Which tables a build must recompute: those whose inputs changed since the last build
that passed, and the tables whose figures read theirs.

A yearbook table's rows in the marts depend on its own submissions (their values, state,
reviews and editions), the experts' verdicts on its anomaly flags, the catalog and the
reference seeds, and on two kinds of other table: the population its per-capita figures
divide by (the catalog's per_capita_table), and the tables its totals must equal (rules of
kind equals_table, checked as anomalies). A new or superseded file, a review or a release
changes one table's inputs; the build then recomputes that table and its partners only
(macros/build_scope.sql limits the models to the tables in `build.scope`).

The state of each table's inputs is a digest of its rows in the staged ledger copy, kept
in the warehouse (`build.table_states`) by the build that passed: a replay writes it in the
transaction that writes the marts, a dbt build as read before dbt ran. A catalog that
changed, or no digest kept, means every table. The rule is one-sided on purpose: a digest
older than the marts only makes a scope larger, never smaller.
"""

from __future__ import annotations

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS build;
CREATE TABLE IF NOT EXISTS build.scope (table_id VARCHAR);
CREATE TABLE IF NOT EXISTS build.table_states (table_id VARCHAR, digest VARCHAR);
"""

# Every table the warehouse knows of: the catalog's, and any a file was loaded for.
_EVERY_TABLE = """
SELECT table_id FROM catalog.tables
UNION
SELECT DISTINCT table_id FROM raw.submissions
"""

# The catalog's tables in the warehouse's `catalog` schema (build_inputs writes them).
CATALOG_TABLES = ("tables", "measures", "dimensions", "series", "rules", "footnotes", "calendar")

# A table's inputs, one digest each: its loaded versions with their review state and
# editions (int_submissions__versions joins the ledger's submissions, reviews and
# editions), and the experts' verdicts on its flags. The catalog's digest goes under ''.
_CATALOG_PARTS = "".join(
    f"    UNION ALL\n    SELECT '', CAST(c AS VARCHAR) FROM catalog.{name} AS c\n"
    for name in CATALOG_TABLES
)
_STATES = f"""
WITH parts AS (
    SELECT v.table_id, CAST(v AS VARCHAR) AS part
    FROM intermediate.int_submissions__versions AS v
    UNION ALL
    SELECT a.table_id, CAST(a AS VARCHAR) FROM staging.stg_ledger__anomaly_verdicts AS a
{_CATALOG_PARTS})
SELECT table_id, md5(string_agg(part, chr(10) ORDER BY part)) AS digest
FROM parts
GROUP BY table_id
"""

# Tables whose rows read another table's: (table, the table it reads).
_READS = """
SELECT table_id, per_capita_table FROM catalog.tables WHERE per_capita_table IS NOT NULL
UNION
SELECT table_id, other_table FROM catalog.rules
WHERE kind = 'equals_table' AND other_table IS NOT NULL
"""


def replaced_rows(key: str, tables: str = "SELECT table_id FROM build.scope",
                  database: str = "") -> str:  # fmt: skip
    """The rows of a mart (meta.rebuilt_by = key) that belong to `tables` (a query of
    table ids): the rows a scoped build replaces, in the warehouse and in the public
    snapshot (whose warehouse is attached as `database`)."""
    if key == "table_id":
        return f"table_id IN ({tables})"
    if key == "indicator_id":  # a catalog that changed sends the build to every table,
        # so the indicators of a table are the same in dim_indicator before and after
        return (f"indicator_id IN (SELECT indicator_id FROM {database}marts.dim_indicator"
                f" WHERE table_id IN ({tables}))")  # fmt: skip
    raise ValueError(f"meta.rebuilt_by must be table_id or indicator_id, not {key!r}")


def token(states: dict[str, str]) -> str:
    """One digest of every table's state: which build a public snapshot was published from."""
    import hashlib

    return hashlib.sha256(repr(sorted(states.items())).encode()).hexdigest()


def kept_token(con) -> str:
    """The token of the states kept with the marts now."""
    ensure(con)
    return token(dict(con.execute("SELECT table_id, digest FROM build.table_states").fetchall()))


def ensure(con) -> None:
    con.execute(SCHEMA)


def scope_everything(con) -> None:
    """A full build's scope: every table (the resting state of `build.scope`)."""
    ensure(con)
    con.execute("DELETE FROM build.scope")
    con.execute(f"INSERT INTO build.scope {_EVERY_TABLE}")


def set_scope(con, tables: set[str]) -> None:
    con.execute("DELETE FROM build.scope")
    if tables:
        con.executemany("INSERT INTO build.scope VALUES (?)", [(t,) for t in sorted(tables)])


def states(con) -> dict[str, str]:
    """The digest of each table's inputs as staged now ('' is the catalog's)."""
    return dict(con.execute(_STATES).fetchall())


def states_if_built(con) -> dict[str, str]:
    """The states, or none before the first build has made the views they are read from."""
    import duckdb

    try:
        return states(con)
    except duckdb.CatalogException:
        return {}


def staged_mark(con) -> str:
    """A mark of everything the states are read from (the staged catalog and ledger, and
    the raw submissions): the same mark, the same states. Read from the tables themselves,
    so it exists before dbt has made the views `states` reads."""
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_schema IN ('catalog', 'ledger')"
        " OR (table_schema = 'raw' AND table_name = 'submissions')"
        " ORDER BY table_schema, table_name"
    ).fetchall()
    marks = {
        f"{schema}.{name}": repr(
            con.execute(f"SELECT count(*), sum(hash(t)) FROM {schema}.{name} AS t").fetchone()
        )
        for schema, name in tables  # names from the warehouse's own catalog
    }
    return token(marks)


def changed_tables(con, now: dict[str, str]) -> set[str] | None:
    """Tables whose inputs differ from the last build that passed; None means every table
    (no digest kept yet, or the catalog changed)."""
    ensure(con)
    kept = dict(con.execute("SELECT table_id, digest FROM build.table_states").fetchall())
    if not kept or kept.get("") != now.get(""):
        return None
    return {t for t in kept.keys() | now.keys() if t and kept.get(t) != now.get(t)}


def with_partners(con, changed: set[str]) -> set[str]:
    """The changed tables, the tables that read them (their per-capita figures or identity
    flags change with them), and every table those read, so that each table in the scope
    finds the rows it reads inside the scope. A table only read is recomputed as it was."""
    reads: dict[str, set[str]] = {}
    for table, other in con.execute(_READS).fetchall():
        reads.setdefault(table, set()).add(other)
    scope = set(changed) | {t for t, others in reads.items() if others & changed}
    while True:
        wider = scope | {o for t in scope for o in reads.get(t, ())}
        if wider == scope:
            return scope
        scope = wider


def remember(con, now: dict[str, str]) -> None:
    """The states the marts now stand on, written with them."""
    ensure(con)
    con.execute("DELETE FROM build.table_states")
    if now:  # none before a first build: the next build recomputes every table
        con.executemany("INSERT INTO build.table_states VALUES (?, ?)", sorted(now.items()))
