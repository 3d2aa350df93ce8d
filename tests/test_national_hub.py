"""SCI's national hub with real national data, end to end.

Three provinces (Tehran 23, Gilan 01, Qom 25), each in its own installation, ingest their
real SCI 1390 census workbook through the shipped recipe, an expert approves, a
coordinator publishes edition 1, the province builds and exports its package. A national
hub receives the three packages, builds the national marts with the same dbt project, and
its figures must equal the census: every county, every province and the sum of the three.
Tampered packages are refused with nothing recorded.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from salnameh.settings import PROJECT_ROOT

WORKBOOKS = PROJECT_ROOT / "data" / "sci-workbooks" / "1390"
CENSUS_1390 = (
    PROJECT_ROOT
    / "data"
    / "census"
    / "national"
    / "iran_census1390_pop_by_province_county_sex_agegroup.csv"
)
PROVINCES = ("23", "01", "25")
YEAR = 1390
TOTAL = "age_group_5y=total;sex=total"
HEADLINE = f"pop_county_sex_age.population[{TOTAL}]"
PASSWORD = "a long enough password 1390"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, with the scripts' password variables set."""
    env = {**os.environ, "SALNAMEH_PASSWORD": PASSWORD, "NEW_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
    )
    return done


def ok(*args: str, home: Path) -> str:
    done = cli(*args, home=home)
    assert done.returncode == 0, f"salnameh {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def census_totals() -> tuple[dict[str, int], dict[str, int]]:
    """Persons by province code and by (province code, county name) in the 1390 census."""
    provinces: dict[str, int] = defaultdict(int)
    counties: dict[tuple[str, str], int] = defaultdict(int)
    with CENSUS_1390.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            n = int(row["male"]) + int(row["female"])
            provinces[row["province_code"]] += n
            counties[(row["province_code"], row["county_name"])] += n
    return dict(provinces), dict(counties)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_package(home: Path, year: int, out: Path) -> Path:
    """The province's package of `year`, as `salnameh export --format package` writes it."""
    ok("export", "--year", str(year), "--format", "package", "--out", str(out), home=home)
    found = sorted(out.rglob("salnameh-package-*"))
    assert len(found) == 1, f"one package expected under {out}, found {found}"
    return found[0]


# ---------------------------------------------------------------- three provinces, a hub
def province_package(root: Path, province: str) -> Path:
    """A province's cycle as its people run it, ending with its package of 1390."""
    home = root / f"province-{province}"
    ok("init", "--province", province, home=home)
    workbook = WORKBOOKS / f"census2011p{province}.xls"
    ok("ingest", str(workbook), "--table", "pop_county_sex_age", "--year", str(YEAR), home=home)
    ok("users", "add", "coord", "--role", "coordinator", "--name", "Coordinator", home=home)
    ok("users", "add", "expert", "--role", "expert", "--name", "Expert", "--as", "coord", home=home)
    queue = json.loads(ok("review", "list", "--year", str(YEAR), "--json", home=home))
    ids = [str(item["submission_id"]) for item in queue]
    assert ids
    ok("review", "approve", *ids, "--as", "expert", home=home)
    ok("publish", "--year", str(YEAR), "--allow-incomplete", "--as", "coord", home=home)
    ok("build", home=home)
    return export_package(home, YEAR, root / f"packages-{province}")


@pytest.fixture(scope="module")
def hub(national_hub, tmp_path_factory) -> dict:
    """The session's hub (tests/conftest.py builds it with `province_package`), copied:
    these tests receive more packages into it."""
    from tests.conftest import copy_home

    home = copy_home(national_hub.home, tmp_path_factory.mktemp("national-hub") / "hub")
    return {
        "root": national_hub.root,
        "home": home,
        "packages": national_hub.packages,
        "receive": national_hub.receive,
    }


def hub_query(hub: dict, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(hub["home"] / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_hub_receives_three_provinces(hub):
    assert [r["verdict"] for r in hub["receive"]] == ["received"] * 3
    status = json.loads(ok("national", "status", "--json", home=hub["home"]))
    delivered = {(r["province"], r["year"], r["edition"], r["state"]) for r in status}
    assert delivered == {(p, YEAR, 1, "received") for p in PROVINCES}
    assert all(r["received_at"] and r["observations"] > 0 for r in status)


def test_the_hubs_marts_equal_the_census_by_province_and_county(hub):
    provinces, counties = census_totals()
    assert provinces["23"] == 12_183_391
    got = dict(
        hub_query(
            hub,
            "SELECT geo_code, value FROM marts.fct_indicator_series WHERE indicator_id = ?"
            " AND year = ? AND version = 'released' AND basis = 'as_published'"
            " AND geo_level IN ('province', 'nation')",
            [HEADLINE, YEAR],
        )
    )
    for p in PROVINCES:
        assert got[p] == provinces[p], p
    assert got["IR"] == sum(provinces[p] for p in PROVINCES)
    # Every county of the three: its total in fct_observations equals the census, by name.
    rows = hub_query(
        hub,
        "SELECT o.province, g.name_fa, o.value FROM marts.fct_observations AS o"
        " JOIN marts.dim_geography AS g ON g.geo_code = o.geo_code AND g.level = 'county'"
        "  AND o.year BETWEEN coalesce(g.valid_from, 0) AND coalesce(g.valid_to, 9999)"
        " WHERE o.table_id = 'pop_county_sex_age' AND o.dim_key = ? AND o.is_released",
        [TOTAL],
    )
    from salnameh.persian import name_key

    by_key = {(p, name_key(c)): n for (p, c), n in counties.items() if p in PROVINCES}
    found = {(p, name_key(name)): value for p, name, value in rows}
    assert len(found) == len(by_key) == sum(1 for p, _ in counties if p in PROVINCES)
    assert found == by_key


def test_shares_and_ranks_among_the_provinces(hub):
    rows = hub_query(
        hub,
        "SELECT geo_code, share_of_nation, rank_among_provinces, n_provinces"
        " FROM marts.fct_indicator_series WHERE indicator_id = ? AND year = ?"
        " AND version = 'released' AND basis = 'as_published'"
        " AND geo_level IN ('province', 'nation') ORDER BY geo_code",
        [HEADLINE, YEAR],
    )
    by_code = {r[0]: r[1:] for r in rows}
    provinces, _ = census_totals()
    three = sum(provinces[p] for p in PROVINCES)
    assert by_code["23"][0] == pytest.approx(provinces["23"] / three)
    assert by_code["23"][1] == 1 and by_code["01"][1] == 2 and by_code["25"][1] == 3
    assert by_code["IR"][2] == 3  # three provinces of 31 delivered: said in the note
    note = hub_query(
        hub,
        "SELECT break_note_en FROM marts.fct_indicator_series WHERE geo_code = 'IR'"
        " AND indicator_id = ? AND year = ? AND version = 'released'"
        " AND basis = 'as_published'",
        [HEADLINE, YEAR],
    )[0][0]
    assert "3 of 31" in note


def test_the_same_package_again_is_unchanged(hub):
    again = cli("national", "receive", str(hub["packages"]["25"]), home=hub["home"])
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_receive_takes_named_packages_or_the_inbox(hub):
    neither = cli("national", "receive", home=hub["home"])
    assert neither.returncode == 2 and "--inbox" in neither.stderr
    # An already received package dropped in the inbox: unchanged, and out of the inbox.
    dropped = _copy(hub["packages"]["23"], hub["home"] / "inbox")
    inbox = cli("national", "receive", "--inbox", "--json", home=hub["home"])
    assert inbox.returncode == 0, inbox.stdout + inbox.stderr
    assert [r["verdict"] for r in json.loads(inbox.stdout)] == ["unchanged"]
    assert not dropped.exists() and list((hub["home"] / "processed").glob(f"*/{dropped.name}"))


def _copy(package: Path, where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    target = where / package.name
    shutil.copytree(package, target)
    return target


def _rewrite_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))


def _ledger_counts(home: Path) -> tuple[int, int, int]:
    import sqlite3

    with sqlite3.connect(home / "ledger.sqlite") as con:
        return con.execute(
            "SELECT (SELECT count(*) FROM packages), (SELECT count(*) FROM package_files),"
            " (SELECT count(*) FROM package_revisions)"
        ).fetchone()


def _refused_with_nothing_recorded(hub, package: Path, reason: str) -> None:
    before = _ledger_counts(hub["home"])
    done = cli("national", "receive", str(package), home=hub["home"])
    assert done.returncode == 1, done.stdout + done.stderr
    assert reason in done.stderr, done.stderr
    assert "پذیرفته نشد" in done.stderr  # the reason in Persian too
    assert _ledger_counts(hub["home"]) == before


def test_a_tampered_observations_file_is_refused(hub, tmp_path):
    package = _copy(hub["packages"]["01"], tmp_path)
    data = bytearray((package / "observations.parquet").read_bytes())
    data[len(data) // 2] ^= 0x01
    (package / "observations.parquet").write_bytes(bytes(data))
    _refused_with_nothing_recorded(hub, package, "SHA-256")


def test_a_manifest_naming_an_unknown_province_is_refused(hub, tmp_path):
    package = _copy(hub["packages"]["25"], tmp_path)
    renamed = package.with_name(package.name.replace("-25-", "-99-"))
    package.rename(renamed)

    def unknown(manifest):
        manifest["province"]["code"] = "99"

    _rewrite_manifest(renamed, unknown)
    _refused_with_nothing_recorded(hub, renamed, "'99'")


def test_a_second_edition_1_with_other_figures_is_refused(hub, tmp_path):
    package = _copy(hub["packages"]["25"], tmp_path)
    _rewrite_with_other_figures(package, edition=1)
    _refused_with_nothing_recorded(hub, package, "other content")


def test_an_unknown_catalog_version_is_refused(hub, tmp_path):
    package = _copy(hub["packages"]["25"], tmp_path)

    def other(manifest):
        manifest["catalog_version"] = "0123456789ab"

    _rewrite_manifest(package, other)
    _refused_with_nothing_recorded(hub, package, "Catalog version 0123456789ab is not known")


def test_a_national_home_takes_no_agency_file(hub):
    done = cli(
        "ingest",
        str(WORKBOOKS / "census2011p25.xls"),
        "--table",
        "pop_county_sex_age",
        "--year",
        str(YEAR),
        home=hub["home"],
    )
    assert done.returncode == 2 and "national hub" in done.stderr


def _rewrite_with_other_figures(package: Path, edition: int) -> None:
    """The package with Qom's county 2501 raised by 1,000 persons (and its totals), as a
    province would send it after a revision; files and manifest consistent."""
    parquet = package / "observations.parquet"
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT * REPLACE (CASE WHEN dim_key = $4 AND (geo = province OR geo ="
            " (SELECT min(geo) FROM read_parquet($1) WHERE length(geo) = 4))"
            " THEN value + 1000 ELSE value END AS value, $2 AS edition)"
            " FROM read_parquet($1)) TO $3 (FORMAT parquet)",
            [str(parquet), edition, str(package / "changed.parquet"), TOTAL],
        )
    (package / "changed.parquet").replace(parquet)

    def restated(manifest):
        manifest["edition"] = edition
        manifest["files"]["observations.parquet"].update(
            sha256=_sha256(parquet), bytes=parquet.stat().st_size
        )

    _rewrite_manifest(package, restated)
    if package.name != package.name.replace("edition-1", f"edition-{edition}"):
        package.rename(package.with_name(package.name.replace("edition-1", f"edition-{edition}")))


def test_a_later_edition_supersedes_and_lists_its_revisions(hub, tmp_path):
    package = _copy(hub["packages"]["25"], tmp_path)
    _rewrite_with_other_figures(package, edition=2)
    edition_2 = package.with_name(package.name.replace("edition-1", "edition-2"))
    done = cli("national", "receive", str(edition_2), "--json", home=hub["home"])
    assert done.returncode == 0, done.stdout + done.stderr
    [outcome] = json.loads(done.stdout)
    assert outcome["verdict"] == "received" and outcome["supersedes"] == [1]
    assert outcome["revisions"] == 2  # the county's total and the province's
    status = json.loads(ok("national", "status", "--json", home=hub["home"]))
    states = {(r["province"], r["edition"]): r["state"] for r in status}
    assert states[("25", 1)] == "superseded" and states[("25", 2)] == "received"
