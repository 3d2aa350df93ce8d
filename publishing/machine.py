"""An edition for machines: CSV, Parquet, JSON-stat 2.0 and SDMX-CSV.

Every format carries the same values as the edition; symbols travel as a status, never as
a number. Files:
- `observations.csv` (UTF-8 with BOM, so Excel opens it right) and `observations.parquet`;
- `jsonstat/<table>.json`, one JSON-stat 2.0 dataset per table;
- `sdmx/<table>.csv` (SDMX-CSV) and `sdmx/structure.json`, which names each table's
  dimensions and their code lists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from publishing.edition import Edition
from publishing.safe import neutralize
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.persian import FLAG_SYMBOL
from salnameh.reference import Reference

CSV_COLUMNS = [
    "table_number", "table_id", "year", "geo_code", "geo_name_fa", "geo_name_en", "dim_key",
    "measure_id", "indicator_id", "value", "symbol", "flag", "unit",
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


def jsonstat_dataset(table: TableDecl, edition: Edition, rows: pd.DataFrame,
                     reference: Reference) -> dict:  # fmt: skip
    """One table as a JSON-stat 2.0 dataset: geo x dimensions x measure, row-major."""
    geos = list(dict.fromkeys(rows["geo_code"]))
    names = dict(zip(rows["geo_code"], rows["geo_name_fa"], strict=False))
    dims = [("geo", [(g, names[g]) for g in geos])]
    dims += [(code_list, [(c.code, c.label_fa) for c in codes])
             for code_list, codes in _members(table, reference)]  # fmt: skip
    dims.append(("measure", [(m.id, m.title.fa) for m in table.measures]))
    sizes = [len(categories) for _name, categories in dims]
    index = {name: {code: i for i, (code, _label) in enumerate(cats)} for name, cats in dims}
    total = 1
    for size in sizes:
        total *= size
    value: list[float | None] = [None] * total
    status: dict[str, str] = {}
    lists = [d.code_list for d in table.dimensions]
    for row in rows.itertuples():
        members = dict(p.split("=", 1) for p in row.dim_key.split(";")) if row.dim_key else {}
        coords = [index["geo"][row.geo_code]] + [index[c][members[c]] for c in lists]
        coords.append(index["measure"][row.measure_id])
        position = 0
        for coord, size in zip(coords, sizes, strict=True):
            position = position * size + coord
        value[position] = None if pd.isna(row.value) else float(row.value)
        if isinstance(row.flag, str):
            status[str(position)] = FLAG_SYMBOL[row.flag]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"{table.number} {table.title.fa} ({edition.year})",
        "source": reference.agencies[table.agency].name_fa,
        "updated": edition.released_at_utc,
        "id": [name for name, _cats in dims],
        "size": sizes,
        "dimension": {
            name: {
                "label": reference.code_list_titles.get(name, (name,))[0]
                if name not in ("geo", "measure")
                else name,
                "category": {
                    "index": {code: i for i, (code, _l) in enumerate(cats)},
                    "label": dict(cats),
                },
            }
            for name, cats in dims
        },
        "value": value,
        "status": status,
        "extension": {"table_id": table.id, "edition": edition.number},
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


def sdmx_agency(reference: Reference) -> str:
    """The SDMX agency id of the province's planning organisation: IR_<PROVINCE>_MPO."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", reference.province_names.short_en).strip("_").upper()
    return f"IR_{name or reference.province}_MPO"


def write_sdmx(values: pd.DataFrame, edition: Edition, catalog: Catalog,
               reference: Reference, out: Path) -> list[Path]:  # fmt: skip
    """SDMX-CSV per table (one column per dimension), and the structure naming them."""
    folder = out / "sdmx"
    folder.mkdir(parents=True, exist_ok=True)
    written, structure = [], {}
    agency = sdmx_agency(reference)
    for table_id, rows in values.groupby("table_id", sort=False):
        table = catalog.table(table_id)
        lists = [d.code_list for d in table.dimensions]
        frame = pd.DataFrame({"DATAFLOW": f"{agency}:YB_{table_id.upper()}(1.0)",
                              "REF_AREA": rows["geo_code"].to_numpy()})  # fmt: skip
        members = rows["dim_key"].map(
            lambda key: dict(p.split("=", 1) for p in key.split(";")) if key else {}
        )
        for code_list in lists:
            frame[code_list.upper()] = members.map(lambda m, c=code_list: m[c]).to_numpy()
        frame["MEASURE"] = rows["measure_id"].to_numpy()
        frame["TIME_PERIOD"] = rows["year"].to_numpy()
        frame["OBS_VALUE"] = rows["value"].to_numpy()
        frame["OBS_STATUS"] = rows["flag"].map(FLAG_SYMBOL).to_numpy()
        path = folder / f"{table_id}.csv"
        frame.to_csv(path, index=False, encoding="utf-8")
        written.append(path)
        structure[table_id] = {
            "dataflow": f"YB_{table_id.upper()}",
            "name": {"fa": table.title.fa, "en": table.title.en},
            "dimensions": ["REF_AREA", *(c.upper() for c in lists), "MEASURE", "TIME_PERIOD"],
            "codelists": {
                c.upper(): {
                    code.code: {"fa": code.label_fa, "en": code.label_en}
                    for code in reference.members(c, table.dimension(c).members)
                }
                for c in lists
            },
            "measures": {
                m.id: {"fa": m.title.fa, "en": m.title.en, "unit": m.unit} for m in table.measures
            },
            "attributes": {"OBS_STATUS": dict(FLAG_SYMBOL.items())},
        }
    path = folder / "structure.json"
    path.write_text(json.dumps(structure, ensure_ascii=False, indent=1), encoding="utf-8")
    return [*written, path]
