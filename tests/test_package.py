"""The package a province hands SCI: one released edition, self-describing and verifiable.

Made the way an office makes it: SCI's real census workbook ingested through its recipe,
approved by an expert, published by the coordinator, built, then exported with
`salnameh export --format package`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pysdmx.io import read_sdmx

from publishing.package import OBSERVATION_COLUMNS
from salnameh.catalog import load_catalog
from salnameh.packages import sha256_of
from salnameh.reference import Reference
from salnameh.settings import PROJECT_ROOT
from tests.conftest import run_salnameh

WORKBOOK = PROJECT_ROOT / "data" / "sci-workbooks" / "1390" / "census2011p23.xls"
PASSWORD = "a long enough passphrase 1390"


def cli(home: Path, *args: str, as_user: str | None = None):
    env_before = dict(os.environ)
    os.environ["SALNAMEH_PASSWORD"] = PASSWORD
    os.environ["NEW_PASSWORD"] = PASSWORD
    try:
        result = run_salnameh(*args, *(("--as", as_user) if as_user else ()), home=home)
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def released_home(tmp_path_factory) -> Path:
    """A Tehran home whose 1390 census table is approved and released in edition 1, with
    a second table received but not approved (it must not travel)."""
    home = tmp_path_factory.mktemp("package") / "home"
    cli(home, "init")
    cli(home, "users", "add", "coord", "--role", "coordinator", "--name", "Coordinator")
    cli(home, "users", "add", "expert", "--role", "expert", "--name", "Expert", as_user="coord")
    ingest = cli(home, "ingest", str(WORKBOOK), "--table", "pop_county_sex_age", "--year",
                 "1390", "--json")  # fmt: skip
    submission = json.loads(ingest.stdout)["files"][0]["submission_id"]
    cli(home, "ingest", str(WORKBOOK), "--table", "pop_sex_residence", "--year", "1390")
    cli(home, "review", "approve", str(submission), as_user="expert")
    cli(home, "publish", "--year", "1390", as_user="coord")
    cli(home, "build")
    return home


@pytest.mark.integration
@pytest.mark.slow
def test_package_describes_and_verifies_itself(released_home: Path, tmp_path: Path):
    result = cli(released_home, "export", "--year", "1390", "--format", "package", "--out",
                 str(tmp_path))  # fmt: skip
    folder = tmp_path / "1390" / "edition-1" / "salnameh-package-23-1390-edition-1"
    assert str(folder) in result.stdout
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "salnameh-package" and manifest["format_version"] == 1
    assert manifest["province"]["code"] == "23" and manifest["province"]["name_en"]
    assert (manifest["year"], manifest["edition"]) == (1390, 1)
    assert manifest["catalog_version"] == load_catalog().version
    assert "geography.csv" in manifest["reference_versions"]
    for name, described in manifest["files"].items():
        assert sha256_of(folder / name) == described["sha256"], name
        assert (folder / name).stat().st_size == described["bytes"], name
    assert sorted(p.name for p in folder.iterdir()) == sorted([*manifest["files"], "manifest.json"])

    observations = pd.read_parquet(folder / "observations.parquet")
    assert list(observations.columns) == OBSERVATION_COLUMNS
    # Only released data: the approved census table, not the one still in review.
    assert set(observations["table_id"]) == {"pop_county_sex_age"}
    assert (
        manifest["counts"] == {"tables": 1, "observations": len(observations)}
        and len(observations) == 15 * 23 * 3
    )
    total = observations[(observations["geo"] == "23")
                         & (observations["dim_key"] == "age_group_5y=total;sex=total")]  # fmt: skip
    assert total["value"].tolist() == [12_183_391]
    with duckdb.connect(str(released_home / "snapshots" / "public.duckdb"), read_only=True) as con:
        public = con.execute(
            "SELECT count(*) FROM marts.fct_observations WHERE year = 1390"
        ).fetchone()[0]
    assert public == len(observations)

    sdmx = (folder / "observations.csv").read_text(encoding="utf-8").splitlines()
    assert sdmx[0].startswith("STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,AGE_GROUP_5Y,SEX,")
    assert len(sdmx) == len(observations) + 1
    first = dict(zip(sdmx[0].split(","), sdmx[1].split(","), strict=True))
    assert first["ACTION"] == "I" and first["REF_AREA"] == "23"
    assert first["OBS_STATUS"] == "A" and first["YB_SYMBOL"] == ""  # a normal value
    assert first["SOURCE_AGENCY"] == "sci" and first["EDITION"] == "1"
    assert "uploader" not in sdmx[0] and "filename" not in sdmx[0]
    # pysdmx (BIS) reads it as SDMX-CSV 2.0: one dataset per table's dataflow.
    (dataset,) = read_sdmx(folder / "observations.csv", validate=True).data
    assert dataset.short_urn == "Dataflow=IR_TEHRAN_MPO:YB_POP_COUNTY_SEX_AGE(1.0)"
    assert len(dataset.data) == len(observations)
    footnotes = pd.read_csv(folder / "footnotes.csv")
    # The table's footnotes as Tehran's yearbook prints them: its own and Tehran's alone.
    tehran = load_catalog().in_words_of(Reference()).table("pop_county_sex_age")
    assert footnotes["en"].tolist() == [f.en for f in tehran.footnotes]
    assert len(tehran.footnotes) == 2
    assert pd.read_csv(folder / "revisions.csv").empty  # a first edition revises nothing
    assert not list(tmp_path.rglob(".salnameh-package-*"))  # no temporary folder left


@pytest.mark.integration
def test_a_year_without_a_released_edition_has_no_package(tmp_path: Path):
    home = tmp_path / "home"
    assert run_salnameh("init", home=home).returncode == 0
    result = run_salnameh("export", "--year", "1395", "--format", "package", "--out",
                          str(tmp_path / "out"), home=home)  # fmt: skip
    assert result.returncode == 2
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("manifest.json"))
