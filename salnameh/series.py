"""Indicator series for analysts' notebooks, as pandas DataFrames, from a snapshot.

    from salnameh.series import indicators, indicator_series
    indicators(search="students")                       # what there is
    indicator_series("pop_county_sex_age.population", basis="comparable")

Reads the public snapshot unless told `snapshot="internal"` (staff); never the warehouse,
so a notebook left open cannot block a build.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from salnameh.settings import Home, home
from salnameh.snapshots import INTERNAL, PUBLIC, open_snapshot

BASES = ("as_published", "comparable")


class UnknownIndicator(LookupError):
    """No indicator matches; the message lists close ones."""


def indicators(
    search: str | None = None,
    table: str | None = None,
    headline_only: bool = False,
    snapshot: str = PUBLIC,
    salnameh_home: Home | None = None,
) -> pd.DataFrame:
    """The indicators of the yearbook, filtered by words in their titles or id, or a table."""
    sql = "SELECT * FROM marts.dim_indicator WHERE true"
    params: list = []
    if search:
        sql += " AND (indicator_id ILIKE ? OR title_en ILIKE ? OR title_fa LIKE ?)"
        params += [f"%{search}%"] * 3
    if table:
        sql += " AND table_id = ?"
        params.append(table)
    if headline_only:
        sql += " AND is_headline"
    sql += " ORDER BY table_id, measure_id, indicator_id"
    with open_snapshot(salnameh_home or home(), snapshot) as con:
        return con.execute(sql, params).df()


def indicator_series(
    indicator: str,
    geography: str | Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    basis: str = "as_published",
    snapshot: str = PUBLIC,
    salnameh_home: Home | None = None,
) -> pd.DataFrame:
    """One indicator over years and places, long: year, geo_code, names, value, flag, notes.

    `indicator` is an indicator_id, or '<table>.<measure>' for the table's headline (every
    dimension at its total). `basis="comparable"` gives comparable units across boundary
    changes. The public snapshot holds released figures; the internal one adds the latest.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    version = "released" if snapshot == PUBLIC else "latest"
    if snapshot not in (PUBLIC, INTERNAL):
        raise ValueError(f"snapshot must be {PUBLIC!r} or {INTERNAL!r}")
    places = [geography] if isinstance(geography, str) else list(geography or [])
    with open_snapshot(salnameh_home or home(), snapshot) as con:
        indicator_id = _resolve(con, indicator)
        sql = (
            "SELECT year, geo_code, geo_name_fa, geo_name_en, geo_level, n_counties, value,"
            " flag, break_note_fa, break_note_en FROM marts.fct_indicator_series"
            " WHERE indicator_id = ? AND basis = ? AND version = ?"
        )
        params: list = [indicator_id, basis, version]
        if places:
            # A place matches itself, or the comparable unit it belongs to ('2301+2320').
            sql += (
                " AND (geo_code IN (SELECT unnest(?))"
                " OR list_has_any(string_split(geo_code, '+'), ?))"
            )
            params += [places, places]
        if years is not None:
            sql += " AND year IN (SELECT unnest(?))"
            params.append([int(y) for y in years])
        frame = con.execute(sql + " ORDER BY geo_level DESC, geo_code, year", params).df()
    frame.attrs["indicator_id"] = indicator_id
    return frame


def _resolve(con, indicator: str) -> str:
    row = con.execute(
        "SELECT indicator_id FROM marts.dim_indicator WHERE indicator_id = ?"
        " UNION ALL SELECT indicator_id FROM marts.dim_indicator"
        " WHERE table_id || '.' || measure_id = ? AND is_headline LIMIT 1",
        [indicator, indicator],
    ).fetchone()
    if row:
        return row[0]
    close = [r[0] for r in con.execute(
        "SELECT indicator_id FROM marts.dim_indicator WHERE is_headline"
        " ORDER BY jaro_winkler_similarity(indicator_id, ?) DESC LIMIT 5", [indicator]
    ).fetchall()]  # fmt: skip
    raise UnknownIndicator(f"no indicator {indicator!r}; did you mean: {', '.join(close)}")
