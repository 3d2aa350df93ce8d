"""Dagster: the real definitions, run in process on a copy of the demo home.

The dbt manifest is prepared first (`dbt parse`), as `make dagster` does.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from salnameh.access import Actor
from salnameh.ledger import Ledger
from salnameh.settings import DBT_PROJECT_DIR, home
from salnameh.snapshots import snapshot_path
from tests.conftest import copy_home

EXPERT = Actor("test-expert", "expert")
COORDINATOR = Actor("test-coordinator", "coordinator")

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def dagster_defs():
    """The definitions module, loaded after its dbt manifest is prepared."""
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--quiet"],
        check=True,
    )  # fmt: skip
    from orchestration import definitions

    return definitions


@pytest.fixture
def work_home(demo_home, tmp_path, monkeypatch):
    root = copy_home(demo_home.root, tmp_path / "home")
    monkeypatch.setenv("SALNAMEH_HOME", str(root))
    return home(root)


def drop_new_file(salnameh_home, table_id="hotels_rooms_beds_grade", year=1402) -> Path:
    """A corrected file for a table-year, as an agency would drop it in the inbox."""
    from app.demo.generate import generate_demo
    from salnameh.catalog import load_catalog

    folder = salnameh_home.root.parent / "generated"
    generate_demo(load_catalog(), folder, years=[year], seed=7, table_ids=[table_id])
    made = next((folder / "files").rglob(f"{table_id}.*"))
    dropped = salnameh_home.inbox_dir / str(year) / made.parent.name / made.name
    dropped.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(made, dropped)
    settled = time.time() - 10  # as if the copy had finished a while ago
    os.utime(dropped, (settled, settled))
    return dropped


def test_definitions_load_with_lineage_checks_and_tehran_schedules(dagster_defs):
    import dagster as dg

    repo = dagster_defs.defs.get_repository_def()
    graph = repo.asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/values", "ledger/submissions", "catalog/tables", "internal_snapshot",
            "public_snapshot"} <= keys  # fmt: skip
    # Lineage runs from the ingested file to the published snapshot.
    stg = next(k for k in graph.get_all_asset_keys() if k.path[-1] == "stg_raw__values")
    assert dg.AssetKey(["raw", "values"]) in graph.get(stg).parent_keys
    assert {j.name for j in repo.get_all_jobs()} >= {"inbox_to_snapshots", "build_and_publish"}
    assert {s.name for s in repo.sensor_defs} == {"inbox_sensor", "ledger_sensor", "edition_sensor"}
    schedules = {s.name: s for s in repo.schedule_defs}
    assert set(schedules) == {"nightly_build", "daily_reminders"}
    assert all(s.execution_timezone == "Asia/Tehran" and s.description
               for s in schedules.values())  # fmt: skip
    # dbt tests are asset checks on their models.
    assert len(list(graph.asset_check_keys)) > 50


def test_a_dropped_file_reaches_the_internal_snapshot_through_the_sensor(dagster_defs, work_home):
    import dagster as dg

    from orchestration.defs.automation import inbox_sensor, ledger_sensor
    from orchestration.resources import resources_for

    defs = dagster_defs.definitions_for(work_home)
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance, resources=resources_for(work_home))
    assert isinstance(inbox_sensor(context), dg.SkipReason)  # nothing waiting yet

    dropped = drop_new_file(work_home)
    request = inbox_sensor(context)
    assert isinstance(request, dg.RunRequest)
    assert inbox_sensor(context).run_key == request.run_key  # same files, same run

    result = defs.resolve_job_def(request.job_name or "inbox_to_snapshots").execute_in_process(
        instance=instance, tags=request.tags
    )
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    everything = set(defs.get_repository_def().asset_graph.get_all_asset_keys())
    # Letters and the yearbook's files run on their own.
    assert materialized == everything - {dg.AssetKey("reminders"), dg.AssetKey("yearbook_exports")}
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)

    current = Ledger(work_home.ledger_path).current("hotels_rooms_beds_grade", 1402)
    assert current.filename == dropped.name and current.state == "loaded"
    with duckdb.connect(str(snapshot_path(work_home, "internal")), read_only=True) as con:
        n = con.execute(
            "SELECT count(*) FROM marts.fct_observations WHERE submission_id = ? AND is_current",
            [current.submission_id],
        ).fetchone()[0]
    assert n == current.n_values > 0
    assert not dropped.exists() and list(work_home.processed_dir.rglob(dropped.name))
    assert isinstance(inbox_sensor(context), dg.SkipReason)
    assert isinstance(ledger_sensor(context), dg.SkipReason)  # the build saw the ledger as is


def test_a_review_in_the_ledger_triggers_a_build(dagster_defs, work_home):
    import dagster as dg

    from orchestration.defs.automation import ledger_sensor
    from orchestration.resources import resources_for

    defs = dagster_defs.definitions_for(work_home)
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance, resources=resources_for(work_home))
    ledger = Ledger(work_home.ledger_path)
    waiting = [s for s in ledger.submissions() if s.state == "loaded" and s.year == 1402
               and s.submission_id not in ledger.reviewed_submissions()]  # fmt: skip
    for submission in waiting:
        ledger.review(submission.submission_id, "approved", EXPERT)
    ledger.release(1402, COORDINATOR)
    request = ledger_sensor(context)
    assert isinstance(request, dg.RunRequest)
    result = defs.resolve_job_def("build_and_publish").execute_in_process(instance=instance)
    assert result.success
    with duckdb.connect(str(snapshot_path(work_home, "public")), read_only=True) as con:
        years = con.execute("SELECT max(year) FROM marts.fct_observations").fetchone()[0]
    assert years == 1402  # released now, so public
    assert isinstance(ledger_sensor(context), dg.SkipReason)


def test_the_daily_reminders_job_writes_to_late_agencies_once_a_day(dagster_defs, work_home):
    defs = dagster_defs.definitions_for(work_home)
    job = defs.resolve_job_def("send_reminders")
    first = job.execute_in_process()
    assert first.success
    (event,) = first.get_asset_materialization_events()
    sent = event.materialization.metadata["reminders_sent"].value
    assert sent > 0  # the demo's rejected files leave their agencies late
    letters = list((work_home.root / "outbox").glob("*-reminder-*.eml"))
    assert len(letters) == sent
    again = job.execute_in_process()
    (event,) = again.get_asset_materialization_events()
    assert event.materialization.metadata["reminders_sent"].value == 0


def test_each_published_edition_gets_its_files_once(dagster_defs, work_home):
    import dagster as dg

    from orchestration.defs.automation import edition_sensor
    from orchestration.resources import resources_for

    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance, resources=resources_for(work_home))
    requests = list(edition_sensor(context))
    assert {r.partition_key for r in requests} == {str(y) for y in range(1390, 1402)}
    assert len({r.run_key for r in requests}) == len(requests)  # once per edition
    defs = dagster_defs.definitions_for(work_home)
    result = defs.resolve_job_def("publish_yearbook").execute_in_process(
        instance=instance, partition_key="1401"
    )
    assert result.success
    folder = work_home.root / "exports" / "1401" / "edition-1"
    assert (folder / "observations.parquet").exists()
    assert len(list((folder / "jsonstat").glob("*.json"))) > 40
    # Issue 21: a first start (a new instance, no run keys) queued an export of every
    # edition in history; an edition whose files exist is not exported again.
    fresh = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(),
                                    resources=resources_for(work_home))  # fmt: skip
    again = {r.partition_key for r in edition_sensor(fresh)}
    assert "1401" not in again and again == {str(y) for y in range(1390, 1402)} - {"1401"}


def test_inbox_runs_never_queue_behind_exports_or_letters(dagster_defs, work_home, tmp_path):
    """Issue 21: a dropped file waited 16 minutes behind 12 export runs (one run at a
    time). The instance's run queue now gives each lane one run at a time and every lane a
    slot; inbox runs have the highest priority in the warehouse lane."""
    import dagster as dg
    import yaml

    config = yaml.safe_load((Path(dagster_defs.__file__).parent / "dagster.yaml").read_text())
    runs = config["concurrency"]["runs"]
    limits = {(x["key"], x["value"]): x["limit"] for x in runs["tag_concurrency_limits"]}
    defs = dagster_defs.definitions_for(work_home)
    lanes = {name: defs.resolve_job_def(name).tags for name in
             ("inbox_to_snapshots", "build_and_publish", "publish_yearbook", "send_reminders")}
    lane_of = {name: tags["salnameh/lane"] for name, tags in lanes.items()}
    assert all(limits[("salnameh/lane", lane)] == 1 for lane in lane_of.values())
    assert runs["max_concurrent_runs"] >= len(set(lane_of.values()))  # a slot per lane
    assert lane_of["inbox_to_snapshots"] != lane_of["publish_yearbook"]
    priority = {name: int(tags["dagster/priority"]) for name, tags in lanes.items()}
    assert priority["inbox_to_snapshots"] == max(priority.values())
    # The instance accepts the configuration as written.
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 3


def test_a_package_dropped_in_the_hubs_inbox_reaches_the_national_snapshot(
    dagster_defs, national_hub, tmp_path, monkeypatch
):
    """On SCI's hub the inbox takes provinces' packages: the sensor sees a package folder
    once it has settled, the run receives it as `national receive` does and builds; a
    tampered package goes to refused/ with its reason and leaves no receipt."""
    import dagster as dg

    from orchestration.defs.automation import inbox_sensor
    from orchestration.resources import resources_for
    from salnameh.national import status
    from tests.test_national_hub import ok

    ok("init", "--national", home=tmp_path / "hub")
    monkeypatch.setenv("SALNAMEH_HOME", str(tmp_path / "hub"))
    hub = home(tmp_path / "hub")
    qom, gilan = national_hub.packages["25"], national_hub.packages["01"]
    shutil.copytree(qom, hub.inbox_dir / qom.name)  # copy2 keeps the files' times: settled
    tampered = shutil.copytree(gilan, hub.inbox_dir / gilan.name)
    with (tampered / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    settled = time.time() - 60
    os.utime(tampered / "observations.csv", (settled, settled))

    defs = dagster_defs.definitions_for(hub)
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance, resources=resources_for(hub))
    request = inbox_sensor(context)
    assert isinstance(request, dg.RunRequest)
    result = defs.resolve_job_def("inbox_to_snapshots").execute_in_process(instance=instance)
    assert result.success

    delivered = {(r["province"], r["year"], r["edition"]) for r in status(hub) if r["edition"]}
    assert delivered == {("25", 1390, 1)}
    with duckdb.connect(str(snapshot_path(hub, "public")), read_only=True) as con:
        total = con.execute(
            "SELECT value FROM marts.fct_indicator_series WHERE geo_code = 'IR' AND year = 1390"
            " AND indicator_id = 'pop_county_sex_age.population[age_group_5y=total;sex=total]'"
            " AND basis = 'as_published' AND version = 'released'"
        ).fetchone()
    assert total == (1_151_672,)  # Qom's census, the only province delivered
    assert not any(hub.inbox_dir.iterdir())
    assert [p.name for p in hub.processed_dir.glob("*/*")] == [qom.name]
    (refused,) = (hub.root / "refused").glob("*/*")
    reason = (refused / "REFUSED.txt").read_text(encoding="utf-8")
    assert refused.name == gilan.name and "observations.csv" in reason
    assert isinstance(inbox_sensor(context), dg.SkipReason)
