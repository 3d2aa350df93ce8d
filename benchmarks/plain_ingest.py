"""The plain alternative to `salnameh ingest`: what a data engineer would write instead.

    .venv/bin/python benchmarks/plain_ingest.py WAREHOUSE.duckdb FILE_OR_FOLDER...

Every sheet of every file read with `pandas.read_excel(engine="calamine")` (a CSV with
`pandas.read_csv`, UTF-8 else Windows-1256, as the liaisons write them), melted to one row
per cell beside its row label, numbers parsed with `pd.to_numeric`, and the whole lot
loaded with one DuckDB `CREATE TABLE AS` from the frame. It knows no place, code list or
measure (the labels stay the file's text), checks nothing (no totals, bounds, symbols or
drift), keeps no archive and no ledger: the benchmarks time it beside Salnameh on the same
files so that a figure says what Salnameh's extra work costs. Standard library, pandas
and DuckDB only, as such a script would be.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

CSV_COLUMNS = 64  # liaisons' CSVs are ragged (title rows of one cell): name enough columns


def read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    if path.suffix.lower() == ".csv":
        for encoding in ("utf-8-sig", "cp1256"):
            try:
                frame = pd.read_csv(path, header=None, names=range(CSV_COLUMNS), dtype=str,
                                    encoding=encoding)  # fmt: skip
            except UnicodeDecodeError:
                continue
            return {path.stem: frame}
        raise ValueError(f"cannot decode {path}")
    return pd.read_excel(path, sheet_name=None, header=None, engine="calamine")


def long_cells(path: Path) -> pd.DataFrame:
    """Every non-empty cell right of the first column, with its row's label."""
    frames = []
    for sheet, frame in read_sheets(path).items():
        frame = frame.dropna(axis=1, how="all")
        if frame.shape[1] < 2:
            continue
        frame.columns = range(frame.shape[1])
        long = frame.reset_index(names="row").melt(id_vars=["row", 0], var_name="col")
        long = long[long["value"].notna()]
        frames.append(long.assign(file=path.name, sheet=str(sheet)))
    long = pd.concat(frames, ignore_index=True)
    long.columns = [str(c) for c in long.columns]
    long = long.rename(columns={"0": "label"})
    long["text"] = long["value"].astype(str)
    long["number"] = pd.to_numeric(long["value"], errors="coerce")
    return long[["file", "sheet", "row", "col", "label", "text", "number"]]


def files_under(names: list[str]) -> list[Path]:
    found = []
    for name in names:
        path = Path(name)
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [p for p in found if p.suffix.lower() in (".xlsx", ".xls", ".csv")]


def load(warehouse: Path, paths: list[Path]) -> int:
    """Every file's cells into one table `cells`; the number of rows loaded."""
    frame = pd.concat([long_cells(p) for p in paths], ignore_index=True)
    frame["label"] = frame["label"].astype(str)
    with duckdb.connect(str(warehouse)) as con:
        con.register("frame", frame)
        con.execute("CREATE OR REPLACE TABLE cells AS SELECT * FROM frame")
    return len(frame)


if __name__ == "__main__":
    print(load(Path(sys.argv[1]), files_under(sys.argv[2:])), "cells")
