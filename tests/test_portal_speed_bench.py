"""benchmarks/portal_speed.py in its quick mode (two pages, 2 users, 1 round), so the
benchmark cannot rot: its results file holds every field. No time is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.portal_bench import browser_available
from tests.conftest import in_ci

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.browser
@pytest.mark.integration
@pytest.mark.slow
def test_the_quick_portal_speed_run_writes_every_field(demo_home, tmp_path):
    if not browser_available():
        if in_ci():
            pytest.fail("the portal speed run needs chromium and playwright")
        pytest.skip("the portal speed run needs chromium and playwright")
    command = [sys.executable, "-m", "benchmarks.portal_speed", "--home", str(demo_home.root),
               "--quick", "--out", str(tmp_path)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [result_file] = tmp_path.glob("*-portal-speed.json")
    table = result_file.with_suffix(".md").read_text(encoding="utf-8")
    assert "| again, fastest-slowest run (s) |" in table  # the spread beside each median
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert set(result["pages"]) == {"home", "review"}
    for figures in result["pages"].values():
        assert figures["first_median_s"] > 0 and figures["again_median_s"] > 0
        assert isinstance(figures["met"], bool)
        assert len(figures["first_s"]) == len(figures["again_s"]) == 1
    [two_users] = result["load"]
    assert two_users["users"] == 2 and two_users["rounds"] == 1
    assert two_users["readers_in_chromium"] == 2 and two_users["readers_by_protocol"] == 0
    # Three pages opened and three choices made by each, each timed, lost, or there but unseen.
    timed = sum(f["n"] for f in two_users["actions"].values())
    assert timed + two_users["lost_clicks"] + two_users["unobserved_runs"] == 12
    assert {"open explorer", "open yearbook", "open county_map"} <= set(two_users["actions"])
    # The runs the page never drew as running (the old watch's blind spot) are counted.
    assert 0 <= two_users["runs_never_drawn_running"] <= timed
    # Which side was the limit: both did work, and neither more than its core could.
    assert two_users["server_cpu_s"] > 0 and two_users["browser_cpu_s"] > 0
    assert 0 < two_users["server_core_busy"] <= 1.05 and 0 < two_users["browser_core_busy"] <= 1.05
    assert isinstance(result["load_goal_met"], bool)
    assert result["p95_growth_exponent"] is None  # one user count: no growth to state
    # One reader in Chromium, the other speaking the server's protocol until it is done:
    # that one's runs answered, each choice shown by the widget afterwards, none failed.
    [watched] = result["load_one_browser"]
    assert watched["readers_in_chromium"] == 1 and watched["readers_by_protocol"] == 1
    watched_timed = sum(f["n"] for f in watched["actions"].values())
    assert watched_timed + watched["lost_clicks"] + watched["unobserved_runs"] == 6
    assert watched["protocol_answers"]["n"] >= 6 and watched["protocol_answers"]["p95_s"] > 0
    assert watched["protocol_dead_selections"] == [] and watched["protocol_failures"] == []
    assert isinstance(result["load_one_browser_goal_met"], bool)
    assert result["p95_growth_exponent_one_browser"] is None
    # The public page again with the browser on both cores; the staff page is not.
    assert set(result["pages_two_cores"]) == {"home"}
    assert result["pages_two_cores"]["home"]["again_median_s"] > 0
    assert "| browser on two cores: first, again (s) |" in table
    # A public page's third opening (Chromium's kept code used) beside its second, and
    # when each opening fell quiet, read from the long tasks the page recorded: a first
    # load (Streamlit's scripts compiled and run) always has some.
    home = result["pages"]["home"]
    assert home["third_median_s"] > 0
    assert home["first_long_tasks_median"] >= 1
    assert home["first_quiet_median_s"] >= home["first_median_s"]
    assert home["again_quiet_median_s"] >= home["again_median_s"]
    assert "| quiet: first, again (s) |" in table
    assert "third_median_s" not in result["pages"]["review"]
    # Streamlit's floor (benchmarks/floor_app.py) in the same run, on one core and on two.
    for floor in (result["floor"], result["floor_two_cores"]):
        assert len(floor["first_s"]) == len(floor["again_s"]) == 1
        assert floor["again_median_s"] > 0 and floor["first_median_s"] > 0
    assert result["floor"]["first_quiet_median_s"] >= result["floor"]["first_median_s"]
    assert "Streamlit's floor in the same run" in table


@pytest.mark.browser
@pytest.mark.integration
@pytest.mark.slow
def test_the_page_address_bench_times_both_servers(demo_home, tmp_path):
    """benchmarks/page_address_bench.py on the least: one round, one reload of one page,
    no added latency; both servers answer and are timed, and its table names both."""
    if not browser_available():
        if in_ci():
            pytest.fail("the page address bench needs chromium and playwright")
        pytest.skip("the page address bench needs chromium and playwright")
    command = [sys.executable, "-m", "benchmarks.page_address_bench", "--home",
               str(demo_home.root), "--pages", "search", "--latency", "0", "--rounds", "1",
               "--reloads", "1", "--out", str(tmp_path)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [result_file] = tmp_path.glob("*-page-address.json")
    rows = json.loads(result_file.read_text(encoding="utf-8"))["rows"]
    assert {r["server"] for r in rows} == {"streamlit run app.py", "dashboards/server.py"}
    assert all(r["page"] == "search" and len(r["times_s"]) == 1 and r["median_s"] > 0 for r in rows)
    assert "| search | 0 |" in done.stdout
