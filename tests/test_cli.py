"""The `salnameh` command as a user runs it: a real subprocess, real exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def salnameh(*args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "salnameh.cli"]
    if home is not None:
        command += ["--home", str(home)]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=600, check=False
    )


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
def test_demo_generates_every_table_for_every_year(tmp_path):
    result = salnameh("demo", home=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    folder = tmp_path / "demo"
    manifest = (folder / "manifest.csv").read_text(encoding="utf-8").splitlines()
    listed = json.loads(salnameh("catalog", "list", "--json").stdout)["tables"]
    expected = sum(
        1 for t in listed for year in range(1390, 1403) if t["years"] is None or year in t["years"]
    )
    assert len(manifest) - 1 == expected
    anomalies = (folder / "anomalies.csv").read_text(encoding="utf-8").splitlines()
    kinds = {line.split(",")[0] for line in anomalies[1:]}
    assert kinds == {"unit_slip_x1000", "collapse", "broken_total", "missing_county"}
