"""The released cells of a table as the portal reads them from the public snapshot: each
observation with its table, its indicator's decimals and its place named as it was in the
cell's year. The yearbook page and the table builder select from this one FROM clause,
each with its own filter and its own columns (where an edition comes from, the print
layout's rows), so how a cell finds its place's name or its decimals is said once.
"""

from __future__ import annotations

# The columns every reader of cells takes, by the names publishing.machine's and
# publishing.edition's writers use.
COLUMNS = """t.chapter_no, t.table_number, t.sort_order, o.table_id, o.year, o.geo_code,
       g.name_fa AS geo_name_fa, g.name_en AS geo_name_en, g.level AS geo_level, o.dim_key,
       o.measure_id, o.indicator_id, o.value, o.flag, o.unit, i.decimals"""
# The version of the cell's place valid in the cell's year: a county renamed or split
# since is named as it was then.
FROM = """FROM marts.fct_observations AS o
JOIN marts.dim_table AS t ON t.table_id = o.table_id
JOIN marts.dim_indicator AS i ON i.indicator_id = o.indicator_id
JOIN marts.dim_geography AS g
  ON g.geo_code = o.geo_code
  AND o.year BETWEEN coalesce(g.valid_from, 0) AND coalesce(g.valid_to, 9999)"""


def cells_query(columns: str, where: str, join: str = "", order_by: str = "") -> str:
    """SELECT the shared COLUMNS and the reader's own `columns` FROM the shared joins and
    its own `join`, WHERE its filter (values as bound parameters, `?`), in its order.
    Every argument is a constant of the calling module, never a reader's input."""
    parts = [
        f"SELECT {COLUMNS},\n       {columns}",
        FROM,
        join,
        f"WHERE {where}",
        f"ORDER BY {order_by}" if order_by else "",
    ]
    return "\n".join(part for part in parts if part) + "\n"
