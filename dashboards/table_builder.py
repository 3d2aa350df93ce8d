"""The table builder (PxWeb style): a yearbook table's released figures, cut to the members a
reader chooses of each of its dimensions, pivoted rows by columns, and downloaded as
exactly that selection in the edition's own formats.

Plain functions, no Streamlit: the page (screens/table_builder.py), the tests and the
benchmark call the same ones. Figures come from the public snapshot only, through a
`query(sql, params)` callable (the portal's cached one, or a plain connection's).

A table's dimensions, for the builder, are its places, its years, the code lists the
catalog declares (sex, age group, ...) and its measures. The whole selection fits in the
page's address (`selection_params` / `selection_from_params`), so a link reproduces it.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import duckdb
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboards import figures
from dashboards.released_cells import cells_query
from publishing.edition import Edition
from publishing.machine import jsonstat_dataset, observations
from publishing.safe import neutralize
from publishing.sdmx import members_of, sdmx_agency, table_frame
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.reference import Reference

Query = Callable[..., pd.DataFrame]

GEO, YEAR, MEASURE = "geo", "year", "measure"
VIEWS = ("table", "chart")
FORMATS = ("xlsx", "csv", "jsonstat", "sdmx", "parquet")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "jsonstat": "application/json",
    "sdmx": "text/csv",
    "parquet": "application/vnd.apache.parquet",
}
SUFFIX = {
    "xlsx": "xlsx",
    "csv": "csv",
    "jsonstat": "json",
    "sdmx": "sdmx.csv",
    "parquet": "parquet",
}
# In the address members are joined by a comma: no code of a list holds one.
SEPARATOR = ","

TABLES = "SELECT table_id FROM marts.dim_table ORDER BY sort_order"
# What a table's released figures use, in one query (each query opens the snapshot anew):
# every place with its latest name (the province first), year and dimension key.
USED = """
WITH used AS (
    SELECT DISTINCT geo_code, year, dim_key FROM marts.fct_observations WHERE table_id = ?
), places AS (
    SELECT geo_code, arg_max(name_fa, coalesce(valid_from, 0)) AS name_fa,
           arg_max(name_en, coalesce(valid_from, 0)) AS name_en,
           min(CASE level WHEN 'nation' THEN 0 WHEN 'province' THEN 1 ELSE 2 END) AS rank
    FROM marts.dim_geography WHERE geo_code IN (SELECT geo_code FROM used) GROUP BY geo_code
)
SELECT used.geo_code, used.year, used.dim_key, places.name_fa, places.name_en, places.rank
FROM used JOIN places USING (geo_code)
ORDER BY places.rank, used.geo_code, used.year
"""
# A selection's cells with the columns publishing.machine's writers take (the edition's
# observations), each with the newest edition of its year and when it was released.
# Members of the table's code lists are filtered after the query, from the cell's dim_key.
_CELLS_WHERE = """o.table_id = ? AND list_contains(?, o.geo_code) AND list_contains(?, o.year)
  AND list_contains(?, o.measure_id)"""
CELLS = cells_query(
    "t.agency_id, coalesce(e.edition, o.first_edition) AS edition, e.released_at_utc",
    where=_CELLS_WHERE,
    join="""LEFT JOIN (
    SELECT province, year, max(edition_number) AS edition,
           arg_max(released_at_utc, edition_number) AS released_at_utc
    FROM marts.dim_edition GROUP BY ALL
) AS e ON e.province = o.province AND e.year = o.year""",
)
# A snapshot from before marts.dim_edition: each cell's first edition, no release date.
CELLS_WITHOUT_EDITIONS = cells_query(
    "t.agency_id, o.first_edition AS edition, NULL::TIMESTAMP AS released_at_utc",
    where=_CELLS_WHERE,
)


@dataclass(frozen=True)
class Member:
    code: str
    label_fa: str
    label_en: str

    def label(self, lang: str) -> str:
        return figures.digits(self.label_fa if lang == "fa" else self.label_en, lang)


@dataclass(frozen=True)
class Axis:
    """One dimension of a table as the builder offers it: its members in the yearbook's
    order (only those the public snapshot holds)."""

    id: str
    title_fa: str
    title_en: str
    members: tuple[Member, ...]

    def title(self, lang: str) -> str:
        return self.title_fa if lang == "fa" else self.title_en

    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.members)

    def member(self, code: str) -> Member:
        return next(m for m in self.members if m.code == code)


@dataclass(frozen=True)
class Selection:
    """What a reader chose: members of each axis (in the axis's order), the axes down the
    side (`rows`) and across (`columns`), and whether to see a table or a chart."""

    table_id: str
    members: dict[str, tuple[str, ...]]
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    view: str = "table"

    def size(self) -> int:
        total = 1
        for codes in self.members.values():
            total *= len(codes)
        return total


class SelectionProblem(ValueError):
    """An address that names no table, or a table's axes wrongly; `fa` and `en` say what
    was wrong and what the page shows instead."""

    def __init__(self, fa: str, en: str) -> None:
        super().__init__(en)
        self.fa, self.en = fa, en


def table_axes(query: Query, table: TableDecl, reference: Reference) -> list[Axis]:
    """The table's axes: place, year, its code lists, measure; each with the members its
    released figures use. Empty when nothing of the table is released."""
    used = query(USED, [table.id])
    if used.empty:
        return []
    places = used.drop_duplicates("geo_code")
    axes = [
        Axis(
            GEO,
            "محل",
            "Place",
            tuple(
                Member(str(r.geo_code), str(r.name_fa), str(r.name_en)) for r in places.itertuples()
            ),
        )
    ]
    years = sorted({int(y) for y in used["year"]})
    axes.append(
        Axis(
            YEAR,
            "سال",
            "Year",
            tuple(
                Member(
                    str(y), figures.year(y, "fa", table.period), figures.year(y, "en", table.period)
                )
                for y in years
            ),
        )
    )
    members: dict[str, set[str]] = {d.code_list: set() for d in table.dimensions}
    for key in set(used["dim_key"]):
        for code_list, code in members_of(key).items():
            members.setdefault(code_list, set()).add(code)
    for dimension in table.dimensions:
        fa, en = reference.code_list_titles.get(dimension.code_list, (dimension.code_list,) * 2)
        codes = reference.members(dimension.code_list, dimension.members)
        axes.append(
            Axis(
                dimension.code_list,
                fa,
                en,
                tuple(
                    Member(c.code, c.label_fa, c.label_en)
                    for c in codes
                    if c.code in members[dimension.code_list]
                ),
            )
        )
    axes.append(
        Axis(
            MEASURE,
            "سنجه",
            "Measure",
            tuple(Member(m.id, m.title.fa, m.title.en) for m in table.measures),
        )
    )
    return axes


def default_selection(table: TableDecl, axes: list[Axis]) -> Selection:
    """Every member of every axis; places and the table's row dimensions down the side,
    years, its column dimensions and (when there are several) measures across."""
    members = {a.id: a.codes() for a in axes}
    rows = [GEO, *(d.code_list for d in table.row_dimensions)]
    columns = [YEAR, *(d.code_list for d in table.column_dimensions), MEASURE]
    return Selection(table.id, members, tuple(rows), tuple(columns))


# ----------------------------------------------------------------------------- the address


def selection_params(selection: Selection) -> dict[str, str]:
    """The selection as the page's address holds it: `table`, one parameter per axis (its
    members' codes), `rows`, `cols` and `view`."""
    params = {"table": selection.table_id}
    for axis_id, codes in selection.members.items():
        params[axis_id] = SEPARATOR.join(codes)
    params["rows"] = SEPARATOR.join(selection.rows)
    params["cols"] = SEPARATOR.join(selection.columns)
    params["view"] = selection.view
    return params


def _codes(text: str) -> list[str]:
    # A typed address may carry «100+» unescaped, which reaches the page as «100 ».
    return [
        c.strip().replace(" ", "+") for c in text.replace(" ", "+").split(SEPARATOR) if c.strip()
    ]


def selection_from_params(
    params: Mapping[str, str], table: TableDecl, axes: list[Axis]
) -> tuple[Selection, list[SelectionProblem]]:
    """The selection an address asks for, on the table's axes. What the address gets wrong
    (an unknown member or axis, an axis on both sides, a view we do not draw) is left out
    or replaced by the default, and each such change is returned as a problem to show."""
    default = default_selection(table, axes)
    problems: list[SelectionProblem] = []
    by_id = {a.id: a for a in axes}
    members: dict[str, tuple[str, ...]] = {}
    for axis in axes:
        asked = params.get(axis.id)
        if asked is None:
            members[axis.id] = default.members[axis.id]
            continue
        wanted = _codes(asked)
        unknown = [c for c in wanted if c not in axis.codes()]
        if unknown:
            shown = "، ".join(unknown)
            problems.append(
                SelectionProblem(
                    f"«{shown}» در «{axis.title_fa}» این جدول نیست و کنار گذاشته شد.",
                    f"{', '.join(unknown)} is not a member of {axis.title_en} in this table; "
                    "left out.",
                )
            )
        members[axis.id] = tuple(c for c in axis.codes() if c in wanted)
    rows = _axis_list(params.get("rows"), by_id, "rows", problems)
    columns = _axis_list(params.get("cols"), by_id, "cols", problems)
    if rows is None or columns is None or set(rows) & set(columns):
        if rows is not None and columns is not None:
            problems.append(
                SelectionProblem(
                    "محوری هم در سطرها و هم در ستون‌ها آمده بود؛ چیدمان پیش‌فرض نشان داده شد.",
                    "An axis was both in the rows and the columns; the default layout is shown.",
                )
            )
        rows, columns = list(default.rows), list(default.columns)
    placed = set(rows) | set(columns)
    # An axis the address does not place goes across, so nothing chosen is hidden.
    columns += [a.id for a in axes if a.id not in placed]
    view = params.get("view", "table")
    if view not in VIEWS:
        problems.append(
            SelectionProblem(
                f"نمای «{view}» وجود ندارد؛ جدول نشان داده شد.",
                f"There is no view {view!r}; the table is shown.",
            )
        )
        view = "table"
    return Selection(table.id, members, tuple(rows), tuple(columns), view), problems


def _axis_list(
    text: str | None, by_id: dict[str, Axis], name: str, problems: list[SelectionProblem]
) -> list[str] | None:
    if text is None:
        return None
    asked = _codes(text)
    unknown = [a for a in asked if a not in by_id]
    if unknown:
        side_fa = "سطرها" if name == "rows" else "ستون‌ها"
        problems.append(
            SelectionProblem(
                f"این جدول محور «{'، '.join(unknown)}» ندارد ({side_fa}); چیدمان پیش‌فرض نشان "
                "داده شد.",
                f"This table has no axis {', '.join(unknown)} ({name}); the default layout is "
                "shown.",
            )
        )
        return None
    return list(dict.fromkeys(asked))


def table_from_params(params: Mapping[str, str], tables: Mapping[str, object]) -> str | None:
    """The table id an address names, if it is one of `tables`; raises SelectionProblem for
    an address naming a table there is not (or no longer is)."""
    asked = params.get("table")
    if asked is None:
        return None
    if asked not in tables:
        raise SelectionProblem(
            f"جدول «{asked}» در ارقام منتشرشده نیست (نشانی کهنه یا نادرست است)؛ جدولی دیگر "
            "برگزینید.",
            f"Table {asked!r} is not among the released figures (the link is stale or "
            "wrong); choose another table.",
        )
    return asked


def link_params(link: str) -> dict[str, str]:
    """A builder address's parameters, from the whole address or the part after '?'."""
    return dict(parse_qsl(urlsplit(link).query if "?" in link else link, keep_blank_values=True))


@dataclass(frozen=True)
class LinkedSelection:
    table: TableDecl
    axes: list[Axis]
    selection: Selection
    problems: list[SelectionProblem]


def selection_from_link(
    query: Query, catalog: Catalog, reference: Reference, link: str
) -> LinkedSelection:
    """What a builder address selects, as the page would show it (the CLI's `salnameh
    select`): raises SelectionProblem when the address names no released table or leaves
    an axis without a member; other problems are returned, as the page shows them."""
    params = link_params(link)
    if "table" not in params:
        raise SelectionProblem(
            "نشانی جدولی را نام نمی‌برد (table=...).", "The address names no table (table=...)."
        )
    released = set(query(TABLES)["table_id"]) & set(catalog.tables)
    table = catalog.table(table_from_params(params, dict.fromkeys(released)))
    axes = table_axes(query, table, reference)
    if not axes:
        raise SelectionProblem(
            f"از جدول «{table.id}» هنوز رقمی منتشر نشده است.",
            f"No figure of table {table.id} has been released yet.",
        )
    selection, problems = selection_from_params(params, table, axes)
    empty = [a for a in axes if not selection.members[a.id]]
    if empty:
        raise SelectionProblem(
            f"از «{'، '.join(a.title_fa for a in empty)}» دست‌کم یک عضو برگزینید.",
            f"Choose at least one member of {', '.join(a.title_en for a in empty)}.",
        )
    return LinkedSelection(table, axes, selection, problems)


# ------------------------------------------------------------------------------- the query


def selected_cells(query: Query, table: TableDecl, selection: Selection) -> pd.DataFrame:
    """The released cells of the selection, one row per cell, with the columns of the
    edition's observations (publishing.machine) and a column per code list of the table."""
    chosen = selection.members
    params = [table.id, list(chosen[GEO]), [int(y) for y in chosen[YEAR]], list(chosen[MEASURE])]
    try:  # one query, so one opening of the snapshot, for an answer
        frame = query(CELLS, params)
    except duckdb.CatalogException:
        frame = query(CELLS_WITHOUT_EDITIONS, params)
    lists = [d.code_list for d in table.dimensions]
    if lists:
        parsed = pd.DataFrame(
            [members_of(k) for k in frame["dim_key"]], index=frame.index, columns=lists
        )
        keep = pd.Series(True, index=frame.index)
        for code_list in lists:
            keep &= parsed[code_list].isin(chosen[code_list])
        frame = pd.concat([frame, parsed], axis=1)[keep]
    frame = frame.copy()
    frame["year"] = frame["year"].astype(int)
    frame["edition"] = frame["edition"].astype("Int64")
    return _in_axis_order(frame, selection, lists)


def _in_axis_order(frame: pd.DataFrame, selection: Selection, lists: list[str]) -> pd.DataFrame:
    """Cells ordered as the chosen members are (place, code lists, measure, year)."""
    order = {GEO: "geo_code", **{c: c for c in lists}, MEASURE: "measure_id"}
    keys = []
    for axis_id, column in order.items():
        rank = {code: i for i, code in enumerate(selection.members[axis_id])}
        keys.append(frame[column].map(rank))
    keys.append(frame["year"])
    ranks = pd.concat(keys, axis=1, keys=range(len(keys)))
    return frame.loc[ranks.sort_values(list(ranks.columns)).index].reset_index(drop=True)


def _axis_column(axis_id: str) -> str:
    return {GEO: "geo_code", YEAR: "year", MEASURE: "measure_id"}.get(axis_id, axis_id)


def pivot(
    cells: pd.DataFrame, selection: Selection, axes: list[Axis], lang: str, numbers: bool = False
) -> pd.DataFrame:
    """The selection laid out: a row per combination of the row axes' members, a column per
    combination of the column axes', labelled in the reader's language. Cells are the
    figures as the yearbook prints them (its digits and symbols), or with `numbers` the
    figures themselves (None where a symbol stands). Every chosen combination has its row
    and column, empty where nothing is released."""
    by_id = {a.id: a for a in axes}

    def labels(axis_ids: tuple[str, ...]) -> pd.MultiIndex | pd.Index:
        levels = [[by_id[a].member(c).label(lang) for c in selection.members[a]] for a in axis_ids]
        names = [by_id[a].title(lang) for a in axis_ids]
        if not axis_ids:
            return pd.Index([""])
        return pd.MultiIndex.from_product(levels, names=names)

    def position(axis_ids: tuple[str, ...]) -> pd.Series:
        """Each cell's place among the product of the axes' chosen members."""
        if not axis_ids:
            return pd.Series(0, index=cells.index)
        place = pd.Series(0, index=cells.index)
        for axis_id in axis_ids:
            codes = selection.members[axis_id]
            rank = {code: i for i, code in enumerate(codes)}
            column = cells[_axis_column(axis_id)].astype(str)
            place = place * len(codes) + column.map(rank)
        return place

    row_index, column_index = labels(selection.rows), labels(selection.columns)
    shape = (len(row_index), len(column_index))
    if numbers:
        shown = cells["value"].astype(float).where(cells["flag"].isna())
        values = np.full(shape, np.nan)
    else:
        shown = pd.Series(
            [
                figures.cell(v, f, d, lang)
                for v, f, d in zip(cells["value"], cells["flag"], cells["decimals"], strict=True)
            ],
            index=cells.index,
            dtype=object,
        )
        values = np.full(shape, "", dtype=object)
    values[position(selection.rows).to_numpy(int), position(selection.columns).to_numpy(int)] = (
        shown.to_numpy()
    )
    return pd.DataFrame(values, index=row_index, columns=column_index)


def pivot_html(grid: pd.DataFrame) -> str:
    """The pivot as an HTML table (pandas writes it; labels escaped). pandas leaves the
    corner, and the cells beside the row axes' names, as empty header cells: a screen
    reader announces an empty header for every figure below it, so they are plain cells."""
    return grid.to_html(classes="tb", border=0).replace("<th></th>", "<td></td>")


# ------------------------------------------------------------------------------- downloads


def download_name(selection: Selection, table: TableDecl, fmt: str) -> str:
    """'builder-3-1-pop_county_sex_estimate.xlsx'."""
    return f"builder-{table.number}-{table.id}.{SUFFIX[fmt]}"


def selection_edition(table: TableDecl, cells: pd.DataFrame) -> Edition:
    """The edition a download names: the newest among the selection's cells of the latest
    year chosen, and when it was released."""
    if cells.empty:
        return Edition(0, 0, "", [table.id])
    newest = cells[cells["year"] == cells["year"].max()].sort_values("edition").iloc[-1]
    number = 1 if pd.isna(newest["edition"]) else int(newest["edition"])
    released = "" if pd.isna(newest["released_at_utc"]) else str(newest["released_at_utc"])
    return Edition(int(newest["year"]), number, released, [table.id])


def selected_table(table: TableDecl, selection: Selection) -> TableDecl:
    """The table's declaration narrowed to the chosen members and measures, so a format
    that lists a dimension's members (JSON-stat's categories) lists only those chosen."""
    dimensions = tuple(
        dataclasses.replace(d, members=selection.members[d.code_list]) for d in table.dimensions
    )
    measures = tuple(m for m in table.measures if m.id in selection.members[MEASURE])
    return dataclasses.replace(table, dimensions=dimensions, measures=measures)


def download(
    fmt: str,
    cells: pd.DataFrame,
    selection: Selection,
    table: TableDecl,
    axes: list[Axis],
    edition: Edition,
    reference: Reference,
    lang: str,
) -> bytes:
    """The selection's file in one format, made by the edition's own writers:
    - csv, parquet: the edition's observations (publishing.machine), one row per cell;
    - jsonstat: a JSON-stat 2.0 dataset (publishing.machine.jsonstat_dataset) of exactly
      the chosen members;
    - sdmx: SDMX-CSV 2.0 rows of the table's dataflow (publishing.sdmx.table_frame), read
      with the table's structure message the edition's export writes;
    - xlsx: the pivot as shown, figures as numbers and symbols as printed."""
    if fmt == "csv":
        frame = observations(cells)
        for column in ("geo_name_fa", "geo_name_en"):
            frame[column] = frame[column].map(neutralize)
        return frame.to_csv(index=False).encode("utf-8-sig")
    if fmt == "parquet":
        out = io.BytesIO()
        observations(cells).to_parquet(out, index=False)
        return out.getvalue()
    if fmt == "jsonstat":
        narrowed = selected_table(table, selection)
        dataset = jsonstat_dataset(narrowed, edition, cells, reference)
        years = sorted(set(cells["year"]))
        if years:  # the writer names one year; a selection may hold several
            span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
            dataset["label"] = f"{table.number} {table.title.fa} ({span})"
        return json.dumps(dataset, ensure_ascii=False).encode("utf-8")
    if fmt == "sdmx":
        frame = table_frame(table, cells, edition, sdmx_agency(reference))
        return frame.to_csv(index=False).encode("utf-8")
    if fmt == "xlsx":
        return pivot_workbook(cells, selection, axes, table, lang)
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def pivot_workbook(
    cells: pd.DataFrame, selection: Selection, axes: list[Axis], table: TableDecl, lang: str
) -> bytes:
    """The pivot as a sheet: header rows of the column axes, label columns of the row axes,
    figures as numbers (with the measure's decimals) and symbols as the yearbook prints
    them; right to left in Persian, with the source's symbols below."""
    fa = lang == "fa"
    numbers = pivot(cells, selection, axes, lang, numbers=True)
    shown = pivot(cells, selection, axes, lang)
    decimals = int(cells["decimals"].max()) if not cells.empty else 0
    book = Workbook()
    sheet = book.active
    sheet.title = neutralize(f"جدول {table.number}" if fa else f"Table {table.number}")
    sheet.sheet_view.rightToLeft = fa
    title = table.title.fa if fa else table.title.en
    sheet.append([neutralize(figures.table_label(table.number, title, lang))])
    sheet["A1"].font = Font(bold=True)
    depth = max(len(selection.rows), 1)
    column_labels = list(numbers.columns)
    for level in range(max(len(selection.columns), 1)):
        line = list(numbers.index.names) if level == len(selection.columns) - 1 else [""] * depth
        line = [neutralize(n or "") for n in line][:depth] + [""] * (depth - len(line))
        for label in column_labels:
            line.append(neutralize(label[level] if isinstance(label, tuple) else str(label)))
        sheet.append(line)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    number_format = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    for (label, row), (_l, text) in zip(numbers.iterrows(), shown.iterrows(), strict=True):
        labels = list(label) if isinstance(label, tuple) else [label]
        line = [neutralize(str(x)) for x in labels]
        for value, printed in zip(row, text, strict=True):
            line.append(None if pd.isna(value) else float(value))
            if pd.isna(value) and printed:
                line[-1] = printed  # a symbol, as printed
        sheet.append(line)
        for cell in sheet[sheet.max_row][depth:]:
            if isinstance(cell.value, float):
                cell.number_format = number_format
    sheet.append([])
    for symbol, meaning in figures.symbols_legend(lang):
        sheet.append([symbol, meaning])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------------- chart


def chart(cells: pd.DataFrame, selection: Selection, axes: list[Axis], table: TableDecl, lang: str):
    """The selection drawn: a line per combination of the other axes over the years when
    several years are chosen, else bars along the first row axis; a symbol has no point."""
    import altair as alt

    from dashboards.charts import label_digits, time_scale, value_axis_side

    by_id = {a.id: a for a in axes}
    years = len(selection.members[YEAR]) > 1
    along = (
        YEAR
        if years
        else next(
            (a for a in (*selection.rows, *selection.columns) if len(selection.members[a]) > 1),
            GEO,
        )
    )
    others = [
        a
        for a in (*selection.rows, *selection.columns)
        if a != along and len(selection.members[a]) > 1
    ]
    frame = pd.DataFrame(
        {
            "x": [by_id[along].member(str(v)).label(lang) for v in cells[_axis_column(along)]],
            "year": cells["year"].to_numpy(),
            "value": cells["value"].astype(float).where(cells["flag"].isna()).to_numpy(),
            "text": [
                figures.cell(v, f, d, lang)
                for v, f, d in zip(cells["value"], cells["flag"], cells["decimals"], strict=True)
            ],
        }
    )
    labels = [[by_id[a].member(str(v)).label(lang) for v in cells[_axis_column(a)]] for a in others]
    frame["series"] = (
        [figures.joined(list(p), lang) for p in zip(*labels, strict=True)]
        if labels
        else by_id[MEASURE].member(selection.members[MEASURE][0]).label(lang)
    )
    order = [by_id[along].member(c).label(lang) for c in selection.members[along]]
    # Time in the reading direction (right to left in Persian), the figures' axis where it
    # starts, as on the explorer's charts.
    value_axis = {"format": ",~r", "title": "", "orient": value_axis_side(lang)}
    expression = label_digits(lang)
    x_axis = {"title": by_id[along].title(lang), "labelAngle": 0 if years else -45}
    if expression:
        value_axis["labelExpr"] = expression
    scale = time_scale(lang) if years else alt.Undefined
    x = alt.X("x:N", sort=order, axis=alt.Axis(**x_axis), scale=scale)
    y = alt.Y("value:Q", axis=alt.Axis(**value_axis))
    tooltip = [
        alt.Tooltip("series:N", title=""),
        alt.Tooltip("x:N", title=""),
        alt.Tooltip("text:N", title=""),
    ]
    base = alt.Chart(frame.dropna(subset=["value"]))
    colour = alt.Color("series:N", title="", legend=alt.Legend(orient="bottom", columns=2))
    if years:
        drawn = base.mark_line(point=True).encode(x=x, y=y, color=colour, tooltip=tooltip)
    else:
        drawn = base.mark_bar().encode(x=x, y=y, color=colour, xOffset="series:N", tooltip=tooltip)
    return drawn.properties(height=420)
