"""Jobs, sensors and schedules: the cycle runs itself (times are Asia/Tehran).

- a file dropped in the inbox is ingested and reaches the internal snapshot (inbox sensor;
  on SCI's hub a province's package folder is received and reaches the national snapshots);
- anything new in the ledger (an upload through the portal, a review, a release) rebuilds
  the warehouse and the snapshots (ledger sensor);
- the warehouse is rebuilt every night whatever happened (nightly schedule).
"""

import hashlib

import dagster as dg

from ingestion.inbox import pending
from orchestration.defs.assets import RAW_KEYS
from orchestration.resources import SalnamehHome
from publishing.export import edition_folder
from salnameh.national import waiting_packages
from salnameh.snapshots import INTERNAL, SnapshotMissing, open_snapshot
from salnameh.warehouse import build_is_due


def published_editions(salnameh_home) -> list[tuple[int, int]]:
    """(year, number) of the editions the internal snapshot already holds."""
    try:
        with open_snapshot(salnameh_home, INTERNAL) as con:
            return con.execute("SELECT year, number FROM ledger.editions ORDER BY 1, 2").fetchall()
    except SnapshotMissing:
        return []


TEHRAN = "Asia/Tehran"

# Lanes and priorities (orchestration/dagster.yaml limits each lane to one run at a time, a
# run per lane in all): a file an agency dropped never waits behind exports, letters or the
# nightly build's leftovers; within the warehouse lane, inbox runs go first.
LANE = "salnameh/lane"
INBOX_TAGS = {LANE: "warehouse", "dagster/priority": "10"}
LEDGER_TAGS = {LANE: "warehouse", "dagster/priority": "5"}
NIGHTLY_TAGS = {LANE: "warehouse", "dagster/priority": "0"}
EXPORT_TAGS = {LANE: "exports", "dagster/priority": "-5"}
LETTER_TAGS = {LANE: "letters", "dagster/priority": "-5"}

# The warehouse's graph: everything but the letters to agencies and the exports.
WAREHOUSE = dg.AssetSelection.all() - dg.AssetSelection.assets("reminders", "yearbook_exports")

inbox_to_snapshots = dg.define_asset_job(
    "inbox_to_snapshots",
    selection=WAREHOUSE,
    description="Ingest what waits in the inbox, then build and publish: the whole graph.",
    tags=INBOX_TAGS,
)

build_and_publish = dg.define_asset_job(
    "build_and_publish",
    # Everything after ingestion, the reference seeds included: what `salnameh build` does.
    selection=WAREHOUSE - dg.AssetSelection.assets(*RAW_KEYS),
    description="Copy the ledger and catalog in, dbt build with every test, publish the snapshots.",
    tags=LEDGER_TAGS,
)


@dg.sensor(job=inbox_to_snapshots, minimum_interval_seconds=5,
           default_status=dg.DefaultSensorStatus.RUNNING)  # fmt: skip
def inbox_sensor(context: dg.SensorEvaluationContext, salnameh: SalnamehHome):
    """Files waiting in <home>/inbox start a run (on SCI's hub: package folders); the same
    files never start two."""
    hub = salnameh.home().is_national
    waiting = waiting_packages(salnameh.home()) if hub else pending(salnameh.home())
    if not waiting:
        return dg.SkipReason("the inbox is empty")
    files = [f for p in waiting for f in sorted(p.rglob("*")) if f.is_file()] if hub else waiting
    fingerprint = hashlib.sha256()
    for path in files:
        stat = path.stat()
        fingerprint.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return dg.RunRequest(run_key=fingerprint.hexdigest()[:16],
                         tags={"files": str(len(files))})  # fmt: skip


@dg.sensor(job=build_and_publish, minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)  # fmt: skip
def ledger_sensor(context: dg.SensorEvaluationContext, salnameh: SalnamehHome):
    """The ledger moved on since the last build (upload, review, release): build again."""
    mark = build_is_due(salnameh.home())
    if mark is None:
        return dg.SkipReason("the warehouse holds the ledger as it is")
    return dg.RunRequest(run_key=f"ledger-{mark}")


nightly_build = dg.ScheduleDefinition(
    name="nightly_build",
    job=build_and_publish,
    cron_schedule="0 2 * * *",
    execution_timezone=TEHRAN,
    description="Every night at 02:00 Tehran time: rebuild the warehouse and the snapshots.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags=NIGHTLY_TAGS,
)

send_reminders = dg.define_asset_job(
    "send_reminders",
    selection=dg.AssetSelection.assets("reminders"),
    description="Remind late agencies of every open collection year.",
    tags=LETTER_TAGS,
)

daily_reminders = dg.ScheduleDefinition(
    name="daily_reminders",
    job=send_reminders,
    cron_schedule="0 9 * * 6,0,1,2,3",  # Saturday to Wednesday: Tehran's working week
    execution_timezone=TEHRAN,
    description="09:00 Tehran time on working days (Saturday-Wednesday): a reminder to every "
    "agency with overdue tables, while a collection year is open.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

publish_yearbook = dg.define_asset_job(
    "publish_yearbook",
    selection=dg.AssetSelection.assets("yearbook_exports"),  # partitioned by year
    description="Write an edition's files (one year's partition).",
    tags=EXPORT_TAGS,
)


@dg.sensor(job=publish_yearbook, minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)  # fmt: skip
def edition_sensor(context: dg.SensorEvaluationContext, salnameh: SalnamehHome):
    """An edition that has reached the snapshots gets its files written, once.

    Once per edition is not only Dagster's run keys (a new Dagster instance has none): an
    edition whose folder exists was exported already, by an earlier run or by `salnameh
    export`, so a first start does not queue one export per edition in history.
    """
    home = salnameh.home()
    for year, number in published_editions(home):
        if not edition_folder(home, year, number).exists():
            yield dg.RunRequest(run_key=f"edition-{year}-{number}", partition_key=str(year))
