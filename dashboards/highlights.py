"""The home page's facts: the newest released edition and the province's headline figures
(گزیده اطلاعات), each beside its previous year. Plain functions over a query function, so
they run on the public snapshot in the portal and on any DuckDB connection in tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

Query = Callable[..., pd.DataFrame]  # query(sql, params) -> DataFrame

EDITION = """
SELECT year, edition_number, released_at_utc, table_years FROM marts.dim_edition
ORDER BY year DESC, edition_number DESC LIMIT 1
"""
# A snapshot published before dim_edition existed: the edition from the released figures.
EDITION_FROM_FIGURES = """
SELECT year, max(first_edition) AS edition_number, NULL::TIMESTAMP AS released_at_utc,
       count(DISTINCT table_id) AS table_years
FROM marts.fct_observations GROUP BY year ORDER BY year DESC LIMIT 1
"""
HAS_EDITIONS = """
SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'dim_edition'
"""

# Province headline figures of the year and of every earlier year, for the change (on a
# national hub, Iran's total: the level is a parameter).
HEADLINES = """
SELECT i.indicator_id, i.chapter_no, i.table_id, i.table_number, t.sort_order, i.measure_id,
       i.title_fa, i.title_en, t.title_fa AS table_title_fa, t.title_en AS table_title_en,
       i.unit, i.unit_title_fa, i.unit_title_en, i.decimals, s.year, s.value, s.flag,
       s.break_note_fa, s.break_note_en
FROM marts.fct_indicator_series AS s
JOIN marts.dim_indicator AS i USING (indicator_id)
JOIN marts.dim_table AS t ON t.table_id = i.table_id
WHERE s.version = 'released' AND s.basis = 'as_published' AND s.geo_level = ?
  AND i.is_headline AND s.year <= ?
ORDER BY t.sort_order, i.indicator_id, s.year
"""


@dataclass(frozen=True)
class EditionFacts:
    year: int
    number: int
    released_at_utc: dt.datetime | None  # None: the snapshot does not record it
    table_years: int


def latest_edition(query: Query) -> EditionFacts | None:
    """The newest released edition, or None when nothing has been released."""
    has_editions = int(query(HAS_EDITIONS)["n"].iloc[0]) > 0
    found = query(EDITION if has_editions else EDITION_FROM_FIGURES)
    if found.empty:
        return None
    row = found.iloc[0]
    released = row["released_at_utc"]
    released = None if pd.isna(released) else pd.Timestamp(released).to_pydatetime()
    return EditionFacts(
        int(row["year"]), int(row["edition_number"]), released, int(row["table_years"])
    )


def headline_figures(
    query: Query, year: int, measure_order: dict[str, list[str]], level: str = "province"
) -> pd.DataFrame:
    """The province's headline indicators with a figure (or symbol) in `year`, each with the
    latest earlier figure and every figure up to `year` (`history`, oldest first): one row
    per indicator, in yearbook order, and `selected` true for
    the first measure of each table (the catalog's order), the figures the home page shows.

    `measure_order` is table_id -> measure ids as the catalog declares them; `level` is
    'nation' for a national hub's total.
    """
    rows = query(HEADLINES, [level, year])
    if rows.empty:
        return rows.assign(previous_year=[], previous_value=[], history=[], selected=[])
    current = rows[rows["year"] == year].copy()
    earlier = rows[(rows["year"] < year) & rows["value"].notna()]
    last_before = earlier.sort_values("year").groupby("indicator_id").tail(1)
    previous = last_before.set_index("indicator_id")[["year", "value"]]
    previous.columns = ["previous_year", "previous_value"]
    current = current.join(previous, on="indicator_id")
    history = rows[rows["value"].notna()].groupby("indicator_id")["value"].agg(list)
    current["history"] = current["indicator_id"].map(history)
    position = {
        (table, measure): n for table, ids in measure_order.items() for n, measure in enumerate(ids)
    }
    current["measure_position"] = [
        position.get((t, m), 99)
        for t, m in zip(current["table_id"], current["measure_id"], strict=True)
    ]
    current = current.sort_values(["sort_order", "measure_position", "indicator_id"])
    first = current.groupby("table_id", sort=False)["measure_position"].transform("min")
    current["selected"] = current["measure_position"] == first
    return current.drop(columns="measure_position").reset_index(drop=True)
