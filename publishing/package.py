"""A province's released edition as the self-describing package it hands SCI.

`salnameh export --year Y --format package` writes one folder,
`salnameh-package-<PP>-<YEAR>-edition-<N>/`, that SCI's national hub can verify and load
without asking the province anything:

- `manifest.json`: the province, year and edition, when it was released, the catalog
  version and a SHA-256 of every reference seed the figures were coded against, each
  file's SHA-256, size and rows, and the counts;
- `observations.parquet`: one row per released observation (`province, table_id, year,
  geo, dim_key, measure, value, flag, unit, edition, submission_id`; a value is NULL where
  its flag carries a yearbook symbol);
- `observations.csv`: the same rows as SDMX-CSV 2.0, as `--format sdmx` writes each
  table (publishing.sdmx: one column per dimension, OBS_VALUE, OBS_STATUS with SDMX's own
  status codes, the agency and the edition), all tables in one file;
- `footnotes.csv` and `revisions.csv` (what this edition changed against the one before).

Only released data: the edition's frozen submissions, nothing in review, and nothing about
who sent or reviewed them (no user ids, no file names: `submission_id` is the ledger's
number). The folder is written beside its final place and renamed into it, so a package
is whole or absent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from publishing.edition import Edition
from publishing.sdmx import dimension_ids, sdmx_agency, table_frame
from salnameh.catalog import Catalog
from salnameh.packages import FORMAT, FORMAT_VERSION, folder_name, sha256_of
from salnameh.reference import Reference
from salnameh.settings import REFERENCE_DIR

OBSERVATION_COLUMNS = [
    "province", "table_id", "year", "geo", "dim_key", "measure", "value", "flag", "unit",
    "edition", "submission_id",
]  # fmt: skip
REVISION_COLUMNS = [
    "table_id", "geo", "dim_key", "measure", "previous_edition", "previous_value", "value",
    "previous_flag", "flag",
]  # fmt: skip


def write_package(values: pd.DataFrame, edition: Edition, catalog: Catalog,
                  reference: Reference, revisions: pd.DataFrame, out: Path) -> Path:  # fmt: skip
    """The package folder under `out`, written whole (a temporary folder renamed)."""
    target = out / folder_name(reference.province, edition.year, edition.number)
    building = out / f".{target.name}.{os.getpid()}.tmp"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        observations = package_observations(values, reference.province, edition.number)
        files = {
            "observations.parquet": _parquet(observations, building / "observations.parquet"),
            "observations.csv": _sdmx_csv(
                values, edition, catalog, reference, building / "observations.csv"
            ),
            "footnotes.csv": _csv(footnotes(edition, catalog), building / "footnotes.csv"),
            "revisions.csv": _csv(package_revisions(revisions), building / "revisions.csv"),
        }
        manifest = _manifest(edition, catalog, reference, observations, files)
        (building / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _replace(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return target


def package_observations(values: pd.DataFrame, province: str, number: int) -> pd.DataFrame:
    frame = pd.DataFrame({
        "province": province,
        "table_id": values["table_id"].astype(str),
        "year": values["year"].astype("int32"),
        "geo": values["geo_code"].astype(str),
        "dim_key": values["dim_key"].astype(str),
        "measure": values["measure_id"].astype(str),
        "value": values["value"].astype("float64"),
        "flag": values["flag"].astype(object).where(values["flag"].notna(), None),
        "unit": values["unit"].astype(str),
        "edition": number,
        "submission_id": values["submission_id"].astype("int64"),
    })  # fmt: skip
    return frame[OBSERVATION_COLUMNS].reset_index(drop=True)


def footnotes(edition: Edition, catalog: Catalog) -> pd.DataFrame:
    rows = [
        {"table_id": table_id, "year": edition.year, "fa": note.fa, "en": note.en}
        for table_id in edition.tables
        for note in catalog.table(table_id).footnotes
    ]
    return pd.DataFrame(rows, columns=["table_id", "year", "fa", "en"])


def package_revisions(revisions: pd.DataFrame) -> pd.DataFrame:
    renamed = revisions.rename(columns={
        "geo_code": "geo", "measure_id": "measure", "old_value": "previous_value",
        "new_value": "value", "old_flag": "previous_flag", "new_flag": "flag",
    })  # fmt: skip
    return renamed.reindex(columns=REVISION_COLUMNS)


def _parquet(frame: pd.DataFrame, path: Path) -> dict:
    frame.to_parquet(path, index=False)
    return _described(path, len(frame))


def _csv(frame: pd.DataFrame, path: Path) -> dict:
    frame.to_csv(path, index=False, encoding="utf-8")
    return _described(path, len(frame))


def _sdmx_csv(values: pd.DataFrame, edition: Edition, catalog: Catalog,
              reference: Reference, path: Path) -> dict:  # fmt: skip
    """SDMX-CSV 2.0, each table's rows as `salnameh export --format sdmx` writes them (its
    dataflow, SDMX's status codes), in one file: a column per dimension of any table,
    empty where a table does not have it."""
    agency = sdmx_agency(reference)
    tables = [catalog.table(t) for t in dict.fromkeys(values["table_id"])]
    frame = pd.concat(
        [table_frame(t, values[values["table_id"] == t.id], edition, agency) for t in tables],
        ignore_index=True,
    )
    dimensions = list(dict.fromkeys(d for t in tables for d in dimension_ids(t)))
    columns = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *dimensions]
    frame = frame[columns + [c for c in frame.columns if c not in columns]]
    frame[dimensions] = frame[dimensions].fillna("")
    frame.to_csv(path, index=False, encoding="utf-8")
    return _described(path, len(frame))


def _described(path: Path, rows: int) -> dict:
    return {"sha256": sha256_of(path), "bytes": path.stat().st_size, "rows": rows}


def _manifest(edition: Edition, catalog: Catalog, reference: Reference,
              observations: pd.DataFrame, files: dict) -> dict:  # fmt: skip
    province = reference.province_names
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "province": {
            "code": reference.province,
            "name_fa": province.name_fa,
            "name_en": province.name_en,
        },
        "year": edition.year,
        "edition": edition.number,
        "released_at": edition.released_at_utc,
        "catalog_version": catalog.version,
        "reference_versions": {
            path.name: sha256_of(path) for path in sorted(REFERENCE_DIR.glob("*.csv"))
        },
        "files": files,
        "counts": {"tables": len(edition.tables), "observations": len(observations)},
        "producer": f"salnameh {_version()}",
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _version() -> str:
    try:
        return version("salnameh")
    except PackageNotFoundError:
        return "unknown"


def _replace(building: Path, target: Path) -> None:
    """Put the finished folder in place; an older copy of the same package goes only after
    the new one is there."""
    if not target.exists():
        building.rename(target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)
