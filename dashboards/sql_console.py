"""SQL typed by a reader, on the public snapshot only, with the snapshot's own documentation.

The connection is `salnameh.snapshots.open_for_typed_sql` on the public file, as for
`salnameh query`: read-only, with files, URLs, ATTACH and COPY switched off, memory and
threads bounded (USER_QUERY_LIMITS) and the configuration locked, so the SQL reaches that
file and nothing else; `run_query` stops it at a row limit and a time limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from salnameh.settings import Home
from salnameh.snapshots import PUBLIC, QueryTimeout, open_for_typed_sql, run_query

Query = Callable[..., pd.DataFrame]

MAX_ROWS = 5_000
TIMEOUT_S = 10.0

TABLES = """
SELECT schema_name, table_name, comment, estimated_size
FROM duckdb_tables() WHERE schema_name IN ('marts', 'reference')
ORDER BY schema_name, table_name
"""
COLUMNS = """
SELECT schema_name, table_name, column_name, data_type, comment
FROM duckdb_columns() WHERE schema_name IN ('marts', 'reference')
ORDER BY schema_name, table_name, column_index
"""
EXAMPLES = {
    "population": (
        "جمعیت شهرستان‌ها در سرشماری ۱۳۹۵",
        "County population in the 1395 census",
        "SELECT s.geo_code, s.geo_name_fa, s.geo_name_en, s.value\n"
        "FROM marts.fct_indicator_series AS s\n"
        "JOIN marts.dim_indicator AS i USING (indicator_id)\n"
        "WHERE i.table_id = 'pop_county_sex_age' AND i.is_headline\n"
        "  AND s.basis = 'as_published' AND s.year = 1395\n"
        "ORDER BY s.value DESC",
    ),
    "headlines": (
        "شاخص‌های اصلی استان در آخرین سال",
        "Province headline indicators, newest year",
        "SELECT i.table_number, i.title_fa, i.title_en, i.unit_title_en, s.year, s.value\n"
        "FROM marts.fct_indicator_series AS s\n"
        "JOIN marts.dim_indicator AS i USING (indicator_id)\n"
        "WHERE i.is_headline AND s.geo_level = 'province' AND s.basis = 'as_published'\n"
        "  AND s.year = (SELECT max(year) FROM marts.fct_indicator_series)\n"
        "ORDER BY i.chapter_no, i.table_number",
    ),
    "breaks": (
        "سری‌هایی که تغییر مرز دارند",
        "Series with a boundary break",
        "SELECT indicator_id, geo_code, geo_name_en, year, break_note_en\n"
        "FROM marts.fct_indicator_series\n"
        "WHERE basis = 'as_published' AND break_note_en IS NOT NULL\n"
        "ORDER BY indicator_id, geo_code, year",
    ),
    "symbols": (
        "خانه‌هایی که نشانه دارند",
        "Cells that hold a yearbook symbol",
        "SELECT table_id, year, geo_code, measure_id, dim_key, symbol, flag\n"
        "FROM marts.fct_observations WHERE symbol IS NOT NULL\n"
        "ORDER BY table_id, year",
    ),
}


@dataclass(frozen=True)
class Result:
    frame: pd.DataFrame | None  # None when the query failed
    truncated: bool
    error_fa: str = ""
    error_en: str = ""
    detail: str = ""  # DuckDB's own message


def run_sql(
    salnameh_home: Home, sql: str, max_rows: int = MAX_ROWS, timeout_s: float = TIMEOUT_S
) -> Result:
    """The query's rows (at most `max_rows`) on the public snapshot, or why it failed."""
    if not sql.strip():
        return Result(None, False, "پرس‌وجو خالی است.", "The query is empty.")
    try:
        with open_for_typed_sql(salnameh_home, PUBLIC) as con:
            columns, rows, truncated = run_query(con, sql, max_rows, timeout_s)
    except QueryTimeout:
        return Result(
            None,
            False,
            f"پرس‌وجو بیش از {timeout_s:g} ثانیه طول کشید و متوقف شد؛ آن را محدودتر کنید.",
            f"The query ran longer than {timeout_s:g} s and was stopped; narrow it "
            "down (fewer rows, a WHERE clause).",
        )
    except duckdb.PermissionException as refused:
        return Result(
            None,
            False,
            "این پرس‌وجو به پرونده، نشانی اینترنتی یا پایگاه داده دیگری دست می‌زند؛ "
            "اینجا فقط جدول‌های همین پایگاه منتشرشده در دسترس است.",
            "This query reaches for a file, a URL or another database; here only the "
            "tables of the published snapshot can be read.",
            str(refused),
        )
    except duckdb.Error as failed:
        return Result(None, False, "پرس‌وجو اجرا نشد:", "The query failed:", str(failed))
    return Result(result_frame(columns, rows), truncated)


def result_frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Rows as a frame the grid can show: repeated column names made unique, lists and
    structs as text."""
    seen: dict[str, int] = {}
    names = []
    for column in columns:
        seen[column] = seen.get(column, 0) + 1
        names.append(column if seen[column] == 1 else f"{column}_{seen[column]}")
    frame = pd.DataFrame.from_records(rows, columns=names)
    for name in names:
        if frame[name].map(lambda v: isinstance(v, list | dict | tuple)).any():
            frame[name] = frame[name].map(str)
    return frame


def schema(query: Query) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The snapshot's tables and columns with the comments dbt wrote on them."""
    return query(TABLES), query(COLUMNS)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")
