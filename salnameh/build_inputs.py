"""What the pipeline copies into the warehouse before dbt runs.

dbt reads three kinds of input: the raw values (written by ingestion), the reference seeds
(CSV, loaded by dbt itself) and two things that live elsewhere and are copied in here at
every build, whole and in one transaction:

- the catalog, flattened from its YAML into plain tables (schema `catalog`): the YAML stays
  the only place a table is declared, so nothing generated is kept in the repository;
- the ledger's state (schema `ledger`): submissions with their current state, review
  decisions, editions and anomaly verdicts. The ledger stays the system of record; the copy
  lets dbt join values to their review state and edition.
"""

from __future__ import annotations

import itertools

import pandas as pd

from salnameh.build_scope import CATALOG_TABLES, scope_everything
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.jalali import jalali_year_bounds
from salnameh.ledger import Ledger
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference

# The tables each schema holds; dbt declares them as sources, Dagster as assets.
LEDGER_TABLES = ("submissions", "submission_events", "reviews", "editions",
                 "edition_submissions", "anomaly_verdicts", "reopenings")  # fmt: skip

CATALOG_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS catalog;
CREATE OR REPLACE TABLE catalog.tables (
    table_id VARCHAR, chapter_no INTEGER, number VARCHAR, sort_order INTEGER,
    title_fa VARCHAR, title_en VARCHAR, agency_id VARCHAR, source VARCHAR, period VARCHAR,
    geography_level VARCHAR, geography_definition VARCHAR, years INTEGER[],
    catalog_version VARCHAR, per_capita_table VARCHAR, per_capita_measure VARCHAR
);
CREATE OR REPLACE TABLE catalog.measures (
    table_id VARCHAR, measure_id VARCHAR, position INTEGER, title_fa VARCHAR,
    title_en VARCHAR, unit VARCHAR, value_type VARCHAR, decimals INTEGER,
    min_value DOUBLE, max_value DOUBLE
);
CREATE OR REPLACE TABLE catalog.dimensions (
    table_id VARCHAR, code_list VARCHAR, position INTEGER, axis VARCHAR, members VARCHAR[]
);
CREATE OR REPLACE TABLE catalog.series (
    table_id VARCHAR, dim_key VARCHAR, position INTEGER, is_total BOOLEAN
);
CREATE OR REPLACE TABLE catalog.rules (
    table_id VARCHAR, position INTEGER, kind VARCHAR, dimension VARCHAR, measures VARCHAR[],
    total VARCHAR, parts VARCHAR[], other_table VARCHAR, other_measure VARCHAR,
    tolerance DOUBLE, tolerance_pct DOUBLE
);
CREATE OR REPLACE TABLE catalog.footnotes (
    table_id VARCHAR, position INTEGER, text_fa VARCHAR, text_en VARCHAR
);
CREATE OR REPLACE TABLE catalog.calendar (
    year INTEGER, first_day DATE, last_day DATE, label_fa VARCHAR
);
"""

# Jalali years the calendar table covers: SQL cannot convert Jalali dates itself.
CALENDAR_YEARS = range(1350, 1451)

# The ledger's tables as dbt sees them; columns as in salnameh.ledger.
LEDGER_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS ledger;
CREATE OR REPLACE TABLE ledger.submissions (
    submission_id BIGINT, sha256 VARCHAR, filename VARCHAR, size_bytes BIGINT,
    table_id VARCHAR, year INTEGER, agency VARCHAR, identified_by VARCHAR, uploader VARCHAR,
    catalog_version VARCHAR, received_at VARCHAR, verdict VARCHAR, n_values BIGINT,
    n_errors BIGINT, n_warnings BIGINT, state VARCHAR, state_at VARCHAR,
    province VARCHAR  -- a national hub's; NULL in a province's home (the home's province)
);
CREATE OR REPLACE TABLE ledger.submission_events (
    event_id BIGINT, submission_id BIGINT, state VARCHAR, "at" VARCHAR, actor VARCHAR,
    note VARCHAR
);
CREATE OR REPLACE TABLE ledger.reviews (
    review_id BIGINT, submission_id BIGINT, decision VARCHAR, reviewer VARCHAR, "at" VARCHAR,
    comment VARCHAR
);
CREATE OR REPLACE TABLE ledger.editions (
    edition_id BIGINT, year INTEGER, number INTEGER, released_at VARCHAR,
    released_by VARCHAR, note VARCHAR,
    province VARCHAR  -- as in ledger.submissions
);
CREATE OR REPLACE TABLE ledger.edition_submissions (edition_id BIGINT, submission_id BIGINT);
CREATE OR REPLACE TABLE ledger.reopenings (
    reopening_id BIGINT, table_id VARCHAR, year INTEGER, reason VARCHAR, actor VARCHAR,
    "at" VARCHAR
);
CREATE OR REPLACE TABLE ledger.anomaly_verdicts (
    verdict_id BIGINT, table_id VARCHAR, year INTEGER, geo_code VARCHAR, measure VARCHAR,
    dim_key VARCHAR, kind VARCHAR, verdict VARCHAR, note VARCHAR, expert VARCHAR, "at" VARCHAR
);
"""


def series_keys(table: TableDecl, reference: Reference) -> list[tuple[str, bool]]:
    """Every combination of a table's dimension members, as the raw layer keys it.

    The key format is ingestion's ('school_level=primary;sex=female', dimensions in
    declared order); a table without dimensions has the single key ''.
    """
    names = [d.code_list for d in table.dimensions]
    member_lists = [reference.members(d.code_list, d.members) for d in table.dimensions]
    keys = []
    for combination in itertools.product(*member_lists):
        key = ";".join(f"{n}={c.code}" for n, c in zip(names, combination, strict=True))
        keys.append((key, all(c.is_total for c in combination)))
    return keys


def catalog_frames(catalog: Catalog, reference: Reference) -> dict[str, pd.DataFrame]:
    """The catalog as one frame per table of the `catalog` schema."""
    rows: dict[str, list[tuple]] = {name: [] for name in CATALOG_TABLES}
    for order, t in enumerate(catalog, start=1):
        rows["tables"].append((
            t.id, t.chapter, t.number, order, t.title.fa, t.title.en, t.agency, t.source,
            t.period, t.geography, t.geography_definition,
            list(t.years) if t.years else None, catalog.version,
            *(t.per_capita or (None, None)),
        ))  # fmt: skip
        for i, m in enumerate(t.measures, start=1):
            rows["measures"].append((t.id, m.id, i, m.title.fa, m.title.en, m.unit, m.type,
                                     m.decimals, m.min, m.max))  # fmt: skip
        for i, d in enumerate(t.dimensions, start=1):
            members = [c.code for c in reference.members(d.code_list, d.members)]
            rows["dimensions"].append((t.id, d.code_list, i, d.axis, members))
        for i, (key, is_total) in enumerate(series_keys(t, reference), start=1):
            rows["series"].append((t.id, key, i, is_total))
        for i, r in enumerate(t.rules, start=1):
            rows["rules"].append((
                t.id, i, r.kind, r.dimension, list(r.measures) if r.measures else None,
                r.total, list(r.parts) or None, r.other_table, r.other_measure, r.tolerance,
                r.tolerance_pct,
            ))  # fmt: skip
        for i, f in enumerate(t.footnotes, start=1):
            rows["footnotes"].append((t.id, i, f.fa, f.en))
    for year in CALENDAR_YEARS:
        first, last = jalali_year_bounds(year)
        rows["calendar"].append((year, first, last, to_persian_digits(str(year))))
    return {name: pd.DataFrame(values) for name, values in rows.items()}


def ledger_frames(ledger: Ledger) -> dict[str, pd.DataFrame]:
    return {
        name: pd.DataFrame(rows, columns=columns)
        for name, (columns, rows) in ledger.export_tables().items()
    }


def copy_inputs(
    con, catalog: Catalog, reference: Reference, ledger: Ledger,
    ledger_tables: dict[str, pd.DataFrame] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Replace the warehouse's `catalog` and `ledger` schemas, all or nothing.

    `con` is a writable DuckDB connection held under the writer lock. A national hub
    passes `ledger_tables`, its received packages seen as the ledger's tables (see
    salnameh.national), instead of the ledger's own. Returns the rows copied per table,
    for the build's report.
    """
    frames = {
        **{f"catalog.{k}": v for k, v in catalog_frames(catalog, reference).items()},
        **{f"ledger.{k}": v for k, v in (ledger_tables or ledger_frames(ledger)).items()},
    }
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(CATALOG_SCHEMA)
        con.execute(LEDGER_SCHEMA)
        for name, frame in frames.items():
            if frame.empty:
                continue
            con.register("incoming", frame)
            # The catalog's frames are built in the order the DDL above declares; the
            # ledger's are named, and a column one lacks (a province's province) stays NULL.
            by_name = "BY NAME " if name.startswith("ledger.") else ""
            con.execute(f"INSERT INTO {name} {by_name}SELECT * FROM incoming")  # names from here
            con.unregister("incoming")
        scope_everything(con)  # a build recomputes every table unless it narrows this
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {name: len(frame) for name, frame in frames.items()}
