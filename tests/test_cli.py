"""The `salnameh` command as a user runs it: a real subprocess, real exit codes."""

import json

import pytest

from tests.conftest import run_salnameh

pytestmark = pytest.mark.integration


salnameh = run_salnameh


def test_catalog_check_passes():
    result = salnameh("catalog", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("ok")


def test_catalog_list_json_is_for_scripts():
    result = salnameh("catalog", "list", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert len(payload["tables"]) >= 60
    assert payload["chapters"] == list(range(1, 25))
    census = next(t for t in payload["tables"] if t["id"] == "pop_county_sex_age")
    assert census["agency"] == "sci" and census["years"] == [1390, 1395]


def test_catalog_show_and_unknown_table():
    shown = salnameh("catalog", "show", "pop_county_sex_age")
    assert shown.returncode == 0
    assert "age_group_5y" in shown.stdout and "Statistical Centre of Iran" in shown.stdout
    missing = salnameh("catalog", "show", "no_such_table")
    assert missing.returncode == 2
    assert "no_such_table" in missing.stderr


@pytest.mark.slow
def test_demo_generates_every_table_for_every_year_and_ingests_as_planned(demo_home):
    """The spine of `make demo`: every file generated, ingested, verdicts as planted."""
    result = demo_home.demo
    folder = demo_home.root / "demo"
    manifest = (folder / "manifest.csv").read_text(encoding="utf-8").splitlines()
    listed = json.loads(salnameh("catalog", "list", "--json").stdout)["tables"]
    expected = sum(
        1 for t in listed for year in range(1390, 1403) if t["years"] is None or year in t["years"]
    )
    assert len(manifest) - 1 == expected
    anomalies = (folder / "anomalies.csv").read_text(encoding="utf-8").splitlines()
    kinds = {line.split(",")[0] for line in anomalies[1:]}
    assert kinds == {"unit_slip_x1000", "collapse", "broken_total", "missing_county"}
    # Ingested: only the planted errors rejected, each with the row or figure that says why.
    summary = next(line for line in result.stdout.splitlines() if line.startswith("ingested"))
    assert summary.startswith(f"ingested {expected} files: {expected - 12} accepted, 12 rejected")
    rejected = [line for line in result.stdout.splitlines() if line.startswith("  rejected")]
    broken = [line for line in rejected if "counties add up to" in line]
    assert len(broken) == 4 and all(", row " in line for line in broken)
    assert sum("is missing" in line for line in rejected) == 4
    assert sum("check the unit" in line for line in rejected) == 4


def test_ingest_exit_codes_and_json(tmp_path):
    from app.demo.generate import generate_demo
    from salnameh.catalog import load_catalog

    generate_demo(load_catalog(), tmp_path / "demo", years=[1392], table_ids=["post_units_county"])
    (good,) = (tmp_path / "demo" / "files").rglob("post_units_county.*")
    accepted = salnameh("ingest", "--json", str(good), home=tmp_path / "home")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    (report,) = json.loads(accepted.stdout)["files"]
    assert report["verdict"] == "accepted" and report["table_id"] == "post_units_county"
    assert report["year"] == 1392 and report["n_values"] > 0

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(bytes(range(256)) * 40)
    rejected = salnameh("ingest", str(junk), "--table", "post_units_county", "--year", "1392",
                        home=tmp_path / "home")  # fmt: skip
    assert rejected.returncode == 1
    assert "not_a_spreadsheet" in rejected.stdout and "Save the table as .xlsx" in rejected.stdout

    persian = salnameh("ingest", str(junk), "--table", "post_units_county", "--year", "1392",
                       "--lang", "fa", home=tmp_path / "home")  # fmt: skip
    assert "اکسل" in persian.stdout

    assert salnameh("ingest", str(tmp_path / "nothere.xlsx"), home=tmp_path).returncode == 2
    assert salnameh("ingest", str(good), "--table", "nope", home=tmp_path).returncode == 2
