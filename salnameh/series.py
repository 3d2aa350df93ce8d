"""Indicator series for analysts' notebooks, as pandas DataFrames, from a snapshot.

    from salnameh.series import indicators, indicator_series
    indicators(search="students")                       # what there is
    indicator_series("pop_county_sex_age.population", basis="comparable")

`series_frame` is the same query for several indicators at once, on a connection the
caller holds (the portal's explorer, the benchmarks).

Reads the public snapshot unless told `snapshot="internal"` (staff); never the warehouse,
so a notebook left open cannot block a build.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from salnameh.settings import Home, home
from salnameh.snapshots import INTERNAL, PUBLIC, open_snapshot

BASES = ("as_published", "comparable")
VERSIONS = ("released", "latest")


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
    if snapshot not in (PUBLIC, INTERNAL):
        raise ValueError(f"snapshot must be {PUBLIC!r} or {INTERNAL!r}")
    version = "released" if snapshot == PUBLIC else "latest"
    places = [geography] if isinstance(geography, str) else list(geography or [])
    with open_snapshot(salnameh_home or home(), snapshot) as con:
        frame = series_frame(con, [indicator], places or None, None, basis, version)
    if years is not None:
        wanted = {int(y) for y in years}
        frame = frame[frame["year"].isin(wanted)].reset_index(drop=True)
    indicator_id = frame.attrs["indicator_ids"][0]
    frame = frame[SERIES_COLUMNS].copy()
    frame.attrs["indicator_id"] = indicator_id
    return frame


SERIES_COLUMNS = [
    "year",
    "geo_code",
    "geo_name_fa",
    "geo_name_en",
    "geo_level",
    "n_counties",
    "value",
    "flag",
    "break_note_fa",
    "break_note_en",
]
FRAME_COLUMNS = [
    "indicator_id",
    "title_fa",
    "title_en",
    "table_number",
    "unit",
    "unit_title_fa",
    "unit_title_en",
    "additive",
    "decimals",
    *SERIES_COLUMNS,
    # On a national hub: the province a row belongs to ('' for the national total), and a
    # province's share of the national total and rank among the provinces that delivered.
    "province",
    "share_of_nation",
    "rank_among_provinces",
]


def series_frame(
    con,
    indicators: list[str],
    geographies: list[str] | None,
    years: tuple[int, int] | None,
    basis: str,
    version: str = "released",
) -> pd.DataFrame:
    """Several indicators over places and a span of years, long, on an open snapshot.

    One row per indicator, year and place: the indicator's titles and unit, then the
    columns of `indicator_series`. `indicators` are indicator_ids or '<table>.<measure>'
    (the table's headline); `geographies` are codes, and a code also matches the
    comparable unit holding it ('2320' finds '2301+2320'); `years` is an inclusive
    (first, last). Ordered by the indicators as given, the province first, then code, year.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {', '.join(VERSIONS)}, not {version!r}")
    ids = list(dict.fromkeys(_resolve(con, i) for i in indicators))
    sql = (
        "SELECT s.indicator_id, i.title_fa, i.title_en, i.table_number, i.unit,"
        " i.unit_title_fa, i.unit_title_en, i.additive, i.decimals, s.year, s.geo_code,"
        " s.geo_name_fa, s.geo_name_en, s.geo_level, s.n_counties, s.value, s.flag,"
        " s.break_note_fa, s.break_note_en, coalesce(s.province, '') AS province,"
        " s.share_of_nation, s.rank_among_provinces"
        " FROM marts.fct_indicator_series AS s"
        " JOIN marts.dim_indicator AS i USING (indicator_id)"
        " WHERE s.indicator_id IN (SELECT unnest(?)) AND s.basis = ? AND s.version = ?"
    )
    params: list = [ids, basis, version]
    if geographies:
        # A place matches itself, or the comparable unit it belongs to ('2301+2320').
        sql += (
            " AND (s.geo_code IN (SELECT unnest(?))"
            " OR list_has_any(string_split(s.geo_code, '+'), ?))"
        )
        params += [list(geographies), list(geographies)]
    if years is not None:
        sql += " AND s.year BETWEEN ? AND ?"
        params += [int(years[0]), int(years[1])]
    sql += " ORDER BY list_position(?, s.indicator_id), s.geo_level DESC, s.geo_code, s.year"
    params.append(ids)
    frame = con.execute(sql, params).df()
    frame["decimals"] = frame["decimals"].astype("int64")
    frame.attrs["indicator_ids"] = ids
    return frame[FRAME_COLUMNS]


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
