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
- `observations.csv`: the same rows as SDMX-CSV 2.0 (STRUCTURE, STRUCTURE_ID, ACTION, one
  column per dimension, OBS_VALUE, OBS_STATUS with SDMX's own status codes);
- `footnotes.csv` and `revisions.csv` (what this edition changed against the one before).

Only released data: the edition's frozen submissions, nothing in review. The folder is
written beside its final place and renamed into it, so a package is whole or absent.
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
from publishing.machine import sdmx_agency
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
# The yearbook's symbols as SDMX observation status codes (SDMX's CL_OBS_STATUS).
OBS_STATUS = {
    None: "A",  # normal value
    "not_collected": "L",  # missing: exists but was not collected
    "not_available": "O",  # missing value
    "not_applicable": "M",  # missing: cannot exist
    "cannot_calculate": "M",
    "negligible": "N",  # not significant
    "provisional": "P",
    "estimated": "E",
}


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
                observations, catalog, reference, building / "observations.csv"
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


def _sdmx_csv(observations: pd.DataFrame, catalog: Catalog, reference: Reference,
              path: Path) -> dict:  # fmt: skip
    """SDMX-CSV 2.0: a dataflow per table, one column per dimension of any table (empty
    where a table does not have it)."""
    agency = sdmx_agency(reference)
    members = observations["dim_key"].map(
        lambda key: dict(part.split("=", 1) for part in key.split(";")) if key else {}
    )
    lists = list(dict.fromkeys(
        d.code_list for t in observations["table_id"].unique()
        for d in catalog.table(t).dimensions
    ))  # fmt: skip
    frame = pd.DataFrame({
        "STRUCTURE": "dataflow",
        "STRUCTURE_ID": observations["table_id"].map(lambda t: f"{agency}:YB_{t.upper()}(1.0)"),
        "ACTION": "I",
        "REF_AREA": observations["geo"],
    })  # fmt: skip
    for code_list in lists:
        frame[code_list.upper()] = members.map(lambda m, c=code_list: m.get(c, ""))
    frame["MEASURE"] = observations["measure"]
    frame["TIME_PERIOD"] = observations["year"]
    frame["OBS_VALUE"] = observations["value"]
    frame["OBS_STATUS"] = observations["flag"].map(lambda f: OBS_STATUS.get(f, "A"))
    frame["UNIT_MEASURE"] = observations["unit"]
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
