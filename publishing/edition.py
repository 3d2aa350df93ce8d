"""An edition's figures: exactly the values of the submissions the edition froze.

Read from the internal snapshot (it holds the raw values of every version and the ledger's
editions), so an older edition can be exported as it was released even after a revision.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salnameh.settings import Home
from salnameh.snapshots import INTERNAL, open_snapshot


class EditionMissing(LookupError):
    """No such edition; the message lists the editions there are."""


@dataclass(frozen=True)
class Edition:
    year: int
    number: int
    released_at_utc: str
    tables: list[str]  # table ids in yearbook order


VALUES = """
SELECT t.chapter_no, t.table_number, t.sort_order, v.table_id, v.period AS year,
       v.geo AS geo_code, g.name_fa AS geo_name_fa, g.name_en AS geo_name_en,
       g.level AS geo_level, v.dim_key, v.measure AS measure_id, i.indicator_id, v.value,
       v.flag, i.unit, i.decimals, v.submission_id, t.agency_id
FROM raw."values" AS v
JOIN ledger.edition_submissions AS es ON es.submission_id = v.submission_id
JOIN marts.dim_table AS t ON t.table_id = v.table_id
JOIN marts.dim_indicator AS i
  ON i.table_id = v.table_id AND i.measure_id = v.measure AND i.dim_key = v.dim_key
JOIN marts.dim_geography AS g
  ON g.geo_code = v.geo
  AND v.period BETWEEN coalesce(g.valid_from, 0) AND coalesce(g.valid_to, 9999)
WHERE es.edition_id = ?
ORDER BY t.sort_order, v.source_row, v.source_column
"""


def load_edition(salnameh_home: Home, year: int | None, number: int | None = None
                 ) -> tuple[Edition, pd.DataFrame]:  # fmt: skip
    """The edition (the newest of the year unless a number is given; the newest year's
    unless a year is given) and its values."""
    with open_snapshot(salnameh_home, INTERNAL) as con:
        if year is None:
            year = con.execute("SELECT max(year) FROM ledger.editions").fetchone()[0]
            if year is None:
                raise EditionMissing("no edition has been published yet (`salnameh publish`)")
        editions = con.execute(
            "SELECT edition_id, number, released_at FROM ledger.editions WHERE year = ?"
            " ORDER BY number",
            [year],
        ).fetchall()
        if not editions:
            raise EditionMissing(f"no edition of {year} has been published (`salnameh publish`)")
        chosen = (
            editions[-1] if number is None else next((e for e in editions if e[1] == number), None)
        )
        if chosen is None:
            numbers = ", ".join(str(e[1]) for e in editions)
            raise EditionMissing(f"{year} has no edition {number}; it has: {numbers}")
        values = con.execute(VALUES, [chosen[0]]).df()
    values["edition"] = chosen[1]
    tables = list(dict.fromkeys(values["table_id"]))
    return Edition(year, chosen[1], chosen[2], tables), values
