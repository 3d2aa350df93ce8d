"""The printed shape of a yearbook table for one year, shared by every rendering of it.

Places (the province, then the counties valid that year) and the row dimensions' members go
down; each measure, split by the column dimensions' members, goes across. Forms, the
yearbook workbook and the print edition all draw this grid, so a form looks like the table
it will become and the workbook and the PDF agree.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from salnameh.declarations import Measure, TableDecl
from salnameh.reference import Code, GeoVersion, Reference

PROVINCE_LABEL = "کل استان"

Key = tuple[str, tuple[str, ...], str]  # (geo code, member codes in declared order, measure)


@dataclass(frozen=True)
class GridRow:
    geo: GeoVersion
    first_of_place: bool  # the place's name is printed on its first row only
    members: tuple[Code, ...]  # the row dimensions' members

    @property
    def place_label(self) -> str:
        return PROVINCE_LABEL if self.geo.level == "province" else self.geo.name_fa


@dataclass(frozen=True)
class GridColumn:
    measure: Measure
    members: tuple[Code, ...]  # the column dimensions' members


@dataclass(frozen=True)
class TableGrid:
    table: TableDecl
    label_headers: list[tuple[str, str]]  # (fa, en) of the place and row-dimension columns
    header_depth: int  # header rows: the measure's, then one per column dimension
    columns: list[GridColumn]
    rows: list[GridRow]
    _row_dims: tuple[int, ...]
    _col_dims: tuple[int, ...]

    def key(self, row: GridRow, column: GridColumn) -> Key:
        """The cell's key as the raw layer stores it."""
        codes = dict(zip(self._row_dims, (c.code for c in row.members), strict=True))
        codes |= dict(zip(self._col_dims, (c.code for c in column.members), strict=True))
        members = tuple(codes[i] for i in range(len(self.table.dimensions)))
        return (row.geo.code, members, column.measure.id)


def table_grid(table: TableDecl, year: int, reference: Reference) -> TableGrid:
    dims = list(table.dimensions)
    members = [reference.members(d.code_list, d.members) for d in dims]
    row_dims = tuple(i for i, d in enumerate(dims) if d.axis == "row")
    col_dims = tuple(i for i, d in enumerate(dims) if d.axis == "column")
    labels = [("شهرستان", "County") if table.geography == "county" else ("استان", "Province")]
    labels += [reference.code_list_titles[dims[i].code_list] for i in row_dims]
    col_combos = list(itertools.product(*(members[i] for i in col_dims)))
    columns = [GridColumn(m, combo) for m in table.measures for combo in col_combos]
    rows = [
        GridRow(geo, n == 0, combo)
        for geo in reference.table_geos(table.geography, year)
        for n, combo in enumerate(itertools.product(*(members[i] for i in row_dims)))
    ]
    return TableGrid(table, labels, 1 + len(col_dims), columns, rows, row_dims, col_dims)
