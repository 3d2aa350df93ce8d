"""An edition for machines: CSV, Parquet and JSON-stat 2.0 (SDMX: publishing.sdmx).

Every format carries the same values as the edition; symbols travel as a status, never as
a number. Each names the agency the figures come from and the edition, never who uploaded
them or the file's name (those stay with staff, in the internal snapshot). Files:
- `observations.csv` (UTF-8 with BOM, so Excel opens it right) and `observations.parquet`;
- `jsonstat/<table>.json`, one JSON-stat 2.0 dataset per table, with the roles of its
  dimensions (geo, time, metric) and each measure's unit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from publishing.edition import Edition
from publishing.safe import neutralize
from publishing.sdmx import members_of
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.persian import FLAG_SYMBOL
from salnameh.reference import Reference

CSV_COLUMNS = [
    "table_number", "table_id", "year", "geo_code", "geo_name_fa", "geo_name_en", "dim_key",
    "measure_id", "indicator_id", "value", "symbol", "flag", "unit", "agency_id", "edition",
]  # fmt: skip


def observations(values: pd.DataFrame) -> pd.DataFrame:
    frame = values.copy()
    frame["symbol"] = frame["flag"].map(FLAG_SYMBOL)
    return frame[CSV_COLUMNS]


def write_csv(values: pd.DataFrame, out: Path) -> Path:
    path = out / "observations.csv"
    frame = observations(values)
    for column in ("geo_name_fa", "geo_name_en"):
        frame[column] = frame[column].map(neutralize)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_parquet(values: pd.DataFrame, out: Path) -> Path:
    path = out / "observations.parquet"
    observations(values).to_parquet(path, index=False)
    return path


def _members(table: TableDecl, reference: Reference) -> list[tuple[str, list]]:
    return [(d.code_list, reference.members(d.code_list, d.members)) for d in table.dimensions]


GEO, TIME, METRIC = "geo", "year", "measure"


def jsonstat_dataset(table: TableDecl, edition: Edition, rows: pd.DataFrame,
                     reference: Reference) -> dict:  # fmt: skip
    """One table as a JSON-stat 2.0 dataset: geo x dimensions x year x measure, row-major.

    The roles tell a reader which dimension is the place, the time and the measures, and
    each measure carries its unit and decimals, as JSON-stat 2.0 asks of a metric."""
    geos = list(dict.fromkeys(rows["geo_code"]))
    names = dict(zip(rows["geo_code"], rows["geo_name_fa"], strict=False))
    years = [str(y) for y in dict.fromkeys(rows["year"])]
    dims = [(GEO, [(g, names[g]) for g in geos])]
    dims += [(code_list, [(c.code, c.label_fa) for c in codes])
             for code_list, codes in _members(table, reference)]  # fmt: skip
    dims.append((TIME, [(y, y) for y in years]))
    dims.append((METRIC, [(m.id, m.title.fa) for m in table.measures]))
    sizes = [len(categories) for _name, categories in dims]
    index = {name: {code: i for i, (code, _label) in enumerate(cats)} for name, cats in dims}
    total = 1
    for size in sizes:
        total *= size
    value: list[float | None] = [None] * total
    status: dict[str, str] = {}
    lists = [d.code_list for d in table.dimensions]
    for row in rows.itertuples():
        members = members_of(row.dim_key)
        coords = [index[GEO][row.geo_code]] + [index[c][members[c]] for c in lists]
        coords += [index[TIME][str(row.year)], index[METRIC][row.measure_id]]
        position = 0
        for coord, size in zip(coords, sizes, strict=True):
            position = position * size + coord
        value[position] = None if pd.isna(row.value) else float(row.value)
        if isinstance(row.flag, str):
            status[str(position)] = FLAG_SYMBOL[row.flag]
    labels = {GEO: "محل", TIME: "سال", METRIC: "سنجه"}
    units = reference.units
    agency = reference.agencies[table.agency]
    dimension = {
        name: {
            "label": labels.get(name) or reference.code_list_titles.get(name, (name,))[0],
            "category": {
                "index": {code: i for i, (code, _l) in enumerate(cats)},
                "label": dict(cats),
            },
        }
        for name, cats in dims
    }
    dimension[METRIC]["category"]["unit"] = {
        m.id: {"label": units[m.unit].title_fa, "decimals": m.decimals} for m in table.measures
    }
    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"{table.number} {table.title.fa} ({edition.year})",
        "source": agency.name_fa,
        "updated": edition.released_at_utc,
        "id": [name for name, _cats in dims],
        "size": sizes,
        "role": {"geo": [GEO], "time": [TIME], "metric": [METRIC]},
        "dimension": dimension,
        "value": value,
        "status": status,
        "extension": {
            "table_id": table.id,
            "agency_id": agency.agency_id,
            "edition": edition.number,
            "units": {m.id: m.unit for m in table.measures},
        },
    }


def write_jsonstat(values: pd.DataFrame, edition: Edition, catalog: Catalog,
                   reference: Reference, out: Path) -> list[Path]:  # fmt: skip
    folder = out / "jsonstat"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table_id, rows in values.groupby("table_id", sort=False):
        dataset = jsonstat_dataset(catalog.table(table_id), edition, rows, reference)
        path = folder / f"{table_id}.json"
        path.write_text(json.dumps(dataset, ensure_ascii=False), encoding="utf-8")
        written.append(path)
    return written
