"""One yearbook table for one year as the reader sees it: the printed layout (the grid the
forms, the workbook and the print edition share), its notes, and its downloads.

Figures come from the public snapshot (released rows only); the layout from the catalog
and the reference seeds, as for the print edition.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboards import figures
from dashboards.released_cells import cells_query
from publishing.edition import Edition
from publishing.export import edition_folder, print_edition_name
from publishing.machine import observations
from publishing.safe import neutralize
from publishing.workbook import write_workbook
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.reference import GeoVersion, Reference
from salnameh.settings import NATION_GEO, Home
from salnameh.table_grid import table_grid

Query = Callable[..., pd.DataFrame]

NATION = NATION_GEO  # the national total's place in a hub's series

TABLES = """
SELECT table_id, chapter_no, table_number, sort_order, title_fa, title_en
FROM marts.dim_table ORDER BY sort_order
"""
YEARS = "SELECT DISTINCT year FROM marts.fct_observations WHERE table_id = ? ORDER BY year DESC"
# On a national hub: the provinces that delivered a table-year.
PROVINCES_OF = """
SELECT DISTINCT province FROM marts.fct_observations WHERE table_id = ? AND year = ?
ORDER BY province
"""
# The columns publishing.edition.VALUES gives an edition, from the released rows of a
# table-year (on a national hub, of one province), in the printed layout's order.
VALUES = cells_query(
    "o.value_note, o.first_edition, o.source_row, o.source_column, o.province, t.agency_id",
    where="o.table_id = ? AND o.year = ? AND (?::VARCHAR IS NULL OR o.province = ?)",
    order_by="o.source_row, o.source_column",
)
# A national hub's table of provinces: each cell of the table (an indicator) for Iran's
# total and every province, from the series (the observations hold no national total).
NATIONAL_VALUES = """
SELECT t.chapter_no, t.table_number, t.sort_order, i.table_id, s.year, s.geo_code,
       s.geo_name_fa, s.geo_name_en, s.geo_level, i.dim_key, i.measure_id, s.indicator_id,
       s.value, s.flag, i.unit, i.decimals, coalesce(s.province, '') AS province,
       s.share_of_nation, s.rank_among_provinces, s.break_note_fa, s.break_note_en,
       t.agency_id
FROM marts.fct_indicator_series AS s
JOIN marts.dim_indicator AS i USING (indicator_id)
JOIN marts.dim_table AS t ON t.table_id = i.table_id
WHERE i.table_id = ? AND s.year = ? AND s.basis = 'as_published'
  AND s.geo_level IN ('nation', 'province')
ORDER BY s.geo_level DESC, s.geo_code, s.indicator_id
"""
EDITION_OF_YEAR = """
SELECT edition_number, released_at_utc FROM marts.dim_edition WHERE year = ?
ORDER BY edition_number DESC LIMIT 1
"""
EDITION_OF_PROVINCE = """
SELECT edition_number, released_at_utc FROM marts.dim_edition WHERE year = ? AND province = ?
ORDER BY edition_number DESC LIMIT 1
"""
HAS_EDITIONS = """
SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'dim_edition'
"""

STYLE = """
<style>
table.yb { border-collapse: collapse; font-size: 0.9rem; margin-bottom: 0.5rem; }
table.yb th, table.yb td { border: 1px solid #bbb; padding: 2px 8px; }
table.yb th { background: rgba(128, 128, 128, 0.12); text-align: center; }
table.yb td.n { text-align: right; direction: ltr; white-space: nowrap; }
table.yb tr.province td { font-weight: bold; }
</style>
"""


def released_years(query: Query, table_id: str) -> list[int]:
    """The years the public snapshot holds released figures of a table, newest first."""
    return [int(y) for y in query(YEARS, [table_id])["year"]]


def table_values(
    query: Query, table_id: str, year: int, province: str | None = None
) -> pd.DataFrame:
    """A table-year's released cells, with place names and decimals (on a national hub,
    of one `province`)."""
    return query(VALUES, [table_id, year, province, province])


def delivered_provinces(query: Query, table_id: str, year: int) -> list[str]:
    """On a national hub, the provinces whose released figures of the table-year it holds."""
    return [str(p) for p in query(PROVINCES_OF, [table_id, year])["province"]]


def national_values(query: Query, table_id: str, year: int) -> pd.DataFrame:
    """On a national hub, the table-year for Iran's total and every province that
    delivered, one row per cell, with each province's share of the total and rank."""
    return query(NATIONAL_VALUES, [table_id, year])


class NationalGeography(Reference):
    """The reference a table of provinces is drawn with: Iran's total, then the provinces
    of the year that delivered it (`delivered`), in the place of a province and its
    counties."""

    def __init__(self, delivered: list[str], province: str) -> None:
        super().__init__(province=province)
        self.delivered = frozenset(delivered)

    def table_geos(self, geography: str, year: int) -> list[GeoVersion]:
        nation = GeoVersion(NATION, None, None, "nation", "", "ایران", "Iran", "")
        provinces = [
            g
            for g in self.all_geography
            if g.level == "province" and g.valid_in(year) and g.code in self.delivered
        ]
        return [nation, *sorted(provinces, key=lambda g: g.code)]


@dataclass(frozen=True)
class EditionOfYear:
    number: int
    released_at_utc: object  # datetime, or None when the snapshot does not record it


def edition_of_year(
    query: Query, year: int, values: pd.DataFrame, province: str | None = None
) -> EditionOfYear:
    """The newest edition of a year (from dim_edition; else the values' own first edition);
    on a national hub, of one `province`."""
    if int(query(HAS_EDITIONS)["n"].iloc[0]):
        if province is None:
            found = query(EDITION_OF_YEAR, [year])
        else:
            found = query(EDITION_OF_PROVINCE, [year, province])
        if not found.empty:
            released = found["released_at_utc"].iloc[0]
            return EditionOfYear(
                int(found["edition_number"].iloc[0]),
                None if pd.isna(released) else released.to_pydatetime(),
            )
    number = int(values["first_edition"].max()) if not values.empty else 1
    return EditionOfYear(number, None)


def _members(dim_key: str) -> tuple[str, ...]:
    return tuple(p.split("=", 1)[1] for p in dim_key.split(";")) if dim_key else ()


def table_html(
    table: TableDecl, year: int, values: pd.DataFrame, reference: Reference, lang: str
) -> str:
    """The table in its printed layout, as HTML: places and row members down, measures (and
    column members) across, symbols where the yearbook prints them, in the reader's language
    and digits. With a NationalGeography: Iran's total, then a row per province."""
    fa = lang == "fa"
    national = isinstance(reference, NationalGeography)
    grid = table_grid(table, year, reference)
    depth = grid.header_depth

    def text(value: str) -> str:
        return html.escape(figures.digits(value, lang))  # '0-4' is '۰-۴' in Persian

    headers = list(grid.label_headers)
    if national:
        headers[0] = ("استان", "Province")
    head = [
        "<tr>" + "".join(f'<th rowspan="{depth}">{text(f if fa else e)}</th>' for f, e in headers)
    ]
    per_measure = len(grid.columns) // len(table.measures)
    head[0] += (
        "".join(
            f'<th colspan="{per_measure}">{text(m.title.fa if fa else m.title.en)}</th>'
            for m in table.measures
        )
        + "</tr>"
    )
    for level in range(depth - 1):
        cells = "".join(
            f"<th>{text(c.members[level].label_fa if fa else c.members[level].label_en)}</th>"
            for c in grid.columns
        )
        head.append(f"<tr>{cells}</tr>")
    found = {
        (r.geo_code, _members(r.dim_key), r.measure_id): r for r in values.itertuples(index=False)
    }
    body = []
    total_level = "nation" if national else "province"
    for row in grid.rows:
        if row.geo.level == total_level:
            place = ("کل کشور" if fa else "Iran total") if national else None
            place = place or ("کل استان" if fa else "Province total")
        else:
            place = row.geo.name_fa if fa else row.geo.name_en
        cells = [f"<td>{text(place) if row.first_of_place else ''}</td>"]
        cells += [f"<td>{text(c.label_fa if fa else c.label_en)}</td>" for c in row.members]
        for column in grid.columns:
            r = found.get(grid.key(row, column))
            shown = (
                "" if r is None else figures.cell(r.value, r.flag, column.measure.decimals, lang)
            )
            cells.append(f'<td class="n">{text(shown)}</td>')
        kind = ' class="province"' if row.geo.level == total_level else ""
        body.append(f"<tr{kind}>" + "".join(cells) + "</tr>")
    direction = "rtl" if fa else "ltr"
    return (
        f'{STYLE}<div style="overflow-x: auto; direction: {direction}"><table class="yb">'
        f"<thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def unit_line(table: TableDecl, reference: Reference, lang: str) -> str | None:
    """'واحد: نفر' when every measure has one unit (as the printed title says), else None."""
    units = {m.unit for m in table.measures}
    if len(units) != 1:
        return None
    unit = reference.units[units.pop()]
    return f"واحد: {unit.title_fa}" if lang == "fa" else f"Unit: {unit.title_en}"


def measure_units(table: TableDecl, reference: Reference, lang: str) -> list[str]:
    """'measure: unit' for tables whose measures have different units."""
    fa = lang == "fa"
    return [
        f"{m.title.fa if fa else m.title.en}: "
        f"{reference.units[m.unit].title_fa if fa else reference.units[m.unit].title_en}"
        for m in table.measures
    ]


def value_notes(values: pd.DataFrame, lang: str) -> list[str]:
    """Notes kept with single figures (an expert's note on a value judged real)."""
    noted = values[values["value_note"].notna() & (values["value_note"] != "")]
    fa = lang == "fa"
    return [
        f"{r.geo_name_fa if fa else r.geo_name_en} ({r.measure_id}): {r.value_note}"
        for r in noted.itertuples(index=False)
    ]


def csv_bytes(values: pd.DataFrame, national: bool = False, edition: int | None = None) -> bytes:
    """The table-year as the edition's observations.csv has it: long, one row per cell,
    symbols as a column, the agency and the edition shown (none on a hub's table of
    provinces, which mixes their editions), UTF-8 with BOM so Excel opens the Persian
    right. On a national hub each row names its province first ('' for Iran's total), and
    a table of provinces adds each province's share of the total and rank."""
    frame = observations(values.assign(edition=edition))
    if national:
        frame.insert(0, "province", values["province"].fillna("").to_numpy())
        for column in ("share_of_nation", "rank_among_provinces"):
            if column in values:
                frame[column] = values[column].to_numpy()
    for column in ("geo_name_fa", "geo_name_en"):
        frame[column] = frame[column].map(neutralize)
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(
    values: pd.DataFrame,
    table: TableDecl,
    year: int,
    edition: EditionOfYear,
    catalog: Catalog,
    reference: Reference,
) -> bytes:
    """The table-year as the yearbook workbook draws it (contents, the table in its printed
    layout, right to left, with its source, footnotes and the symbols)."""
    released = str(edition.released_at_utc or "")
    chosen = Edition(year, edition.number, released, [table.id])
    out = io.BytesIO()
    write_workbook(values, chosen, catalog, reference, out)  # openpyxl saves to a file object
    return out.getvalue()


def edition_pdf(salnameh_home: Home, year: int, number: int, lang: str = "fa") -> Path | None:
    """The print edition's PDF of a year's edition, if `salnameh export` has written it: in
    the reader's language where it has been written (`--lang en`), else the Persian one."""
    folder = edition_folder(salnameh_home, year, number)
    names = dict.fromkeys(
        [print_edition_name(year, number, lang), print_edition_name(year, number)]
    )
    return next((folder / n for n in names if (folder / n).is_file()), None)


def download_name(table: TableDecl, year: int, suffix: str, province: str | None = None) -> str:
    """'table-3-2-pop_county_sex_age-1390.csv'; on a hub with the province ('-25', '-IR')."""
    place = f"-{province}" if province else ""
    return f"table-{table.number}-{table.id}-{year}{place}.{suffix}"
