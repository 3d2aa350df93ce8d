"""The benchmark run (issue 9): `python -m benchmarks.run --quick` on a tiny set.

The full run (`make bench`) stays outside the test suite. This runs the same code on 1-2
provinces x 2 years and a handful of files, so the benchmark cannot rot: every figure of
the results file must be there with a sane value, and the README's table rewritten. No
timing is asserted: the quick sizes measure nothing.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.national import generate_national
from benchmarks.run import END_MARK, QUICK, START_MARK, figure_specs

ROOT = Path(__file__).resolve().parent.parent
# Figures that compare Salnameh with a plain baseline measured in the same run.
WITH_BASELINE = ("ingest.form_process_s", "ingest.form_process_wall_s",
                 "ingest.form_in_process_s", "ingest.demo_year_process_s", "ingest.demo_year_s",
                 "ingest.xlsx_values_per_s", "ingest.xlsx_process_s",
                 "ingest.national_values_per_s", "ingest.peak_rss_mb",
                 "build.p1.new_file_s")  # fmt: skip
SIGNED = ("build.growth_exponent", "build.growth_s_per_province")  # may be negative when tiny


@pytest.fixture(scope="module")
def quick_run(demo_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    readme = out / "README.md"
    readme.write_text(
        f"# Benchmarks\n\nBefore.\n\n{START_MARK}\nstale table\n{END_MARK}\n\nAfter.\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "benchmarks.run", "--quick", "--home", str(demo_home.root),
               "--out", str(out), "--readme", str(readme)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False)  # fmt: skip
    files = sorted(out.glob("*.json"))
    results = json.loads(files[0].read_text(encoding="utf-8")) if len(files) == 1 else None
    return done, results, readme


@pytest.mark.integration
@pytest.mark.slow
def test_the_quick_run_writes_one_results_file_without_errors(quick_run):
    done, results, _readme = quick_run
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert results is not None, "expected exactly one <date>-quick.json"
    assert results["errors"] == {}
    assert results["mode"] == "quick"
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["memory_gib"] > 0
    assert machine["commit"] and machine["code_hash"]


@pytest.mark.integration
@pytest.mark.slow
def test_every_figure_is_in_the_results_with_a_sane_value(quick_run):
    _done, results, _readme = quick_run
    specs = figure_specs(QUICK)
    figures = results["figures"]
    assert list(figures) == [s.key for s in specs]
    for spec in specs:
        figure = figures[spec.key]
        if spec.full_only:
            assert figure["value"] is None and figure["skipped"], spec.key
            continue
        value = figure["value"]
        assert isinstance(value, int | float) and math.isfinite(value), (spec.key, figure)
        assert figure["skipped"] is None, spec.key
        if spec.unit == "share":
            assert 0 <= value <= 1, (spec.key, value)
        elif spec.key not in SIGNED:
            assert value > 0, (spec.key, value)
        assert (figure["met"] is None) == (spec.check is None), spec.key
        if spec.key in WITH_BASELINE:
            assert figure["baseline"] > 0 and figure["ratio"] > 0, (spec.key, figure)


@pytest.mark.integration
@pytest.mark.slow
def test_synthetic_provinces_files_are_accepted_by_ingestion(quick_run):
    _done, results, _readme = quick_run
    national = results["details"]["national"]
    assert national["provinces"] == ["23", "31"]
    sample = national["ingested_sample"]
    assert sample["verdicts"].get("accepted", 0) > 0
    assert sample["rejected_unplanted"] == []


@pytest.mark.integration
@pytest.mark.slow
def test_the_readme_table_is_rewritten_between_its_markers(quick_run):
    _done, results, readme = quick_run
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nBefore.\n\n" + START_MARK)
    assert text.endswith(END_MARK + "\n\nAfter.\n")
    assert "stale table" not in text
    section = text[text.index(START_MARK) : text.index(END_MARK)]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(results["figures"])  # the header, then one row a figure
    assert f"{results['machine']['cores']} cores" in section


@pytest.mark.unit
def test_the_national_generator_is_deterministic(tmp_path):
    tables = ["post_units_county", "hotels_rooms_beds_grade"]
    first = generate_national(tmp_path / "a", 2, (1401,), table_ids=tables)
    second = generate_national(tmp_path / "b", 2, (1401,), table_ids=tables)
    assert first.files == second.files == 4
    assert first.manifest() == second.manifest()
    assert [r["province"] for r in first.manifest()] == ["23", "23", "31", "31"]
    # Province 31 has Tehran's places under its own codes and its own names...
    national = (first.national_seeds / "geography.csv").read_text(encoding="utf-8")
    assert "3112,1389,,county,31,رباط کریم ۱,Robat Karim 1" in national
    # ...and is ingested with seeds that keep Tehran's codes (ingestion's province is 23).
    own = (first.province_seeds("31") / "geography.csv").read_text(encoding="utf-8")
    assert "2312,1389,,county,23,رباط کریم ۱,Robat Karim 1" in own
