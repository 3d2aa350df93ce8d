"""From a file dropped in the inbox to its values in the internal snapshot, with Dagster.

    .venv/bin/python -m benchmarks.inbox_latency [--home BUILT_DEMO_HOME] [--drops 3]

Starts the real `dagster dev` (webserver and daemon, as `make dagster` does) on a copy of a
built demo home, drops a corrected agency file into the inbox, and waits until the internal
snapshot holds the new submission's values. Repeated for several files; reports each
part: the sensor's wait (file settled -> run created), the queue (created -> started), the
ingestion, the ledger and catalog copy, dbt, the publish, and the whole. Writes
results/inbox_latency.md. Goal (issue 6): under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from salnameh.access import Actor
from salnameh.catalog import load_catalog
from salnameh.demo.generate import generate_demo
from salnameh.ledger import Ledger
from salnameh.settings import home
from salnameh.snapshots import snapshot_path
from salnameh.warehouse import build_warehouse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "inbox_latency.md"
# Province-level tables: the demo generator plants no anomaly in them, so each new file
# is accepted and must reach the snapshot.
TABLES = ("hotels_rooms_beds_grade", "post_items_type", "vehicle_plates_issued_type",
          "airport_flights_passengers_cargo", "insurance_premiums_claims_line")  # fmt: skip
COORDINATOR = Actor("bench-coordinator", "coordinator")
STEPS = {  # Dagster step key -> the part it is
    "inbox_ingestion": "ingestion",
    "warehouse_inputs": "ledger and catalog copy",
    "warehouse_models": "dbt build",
    "snapshots": "publish snapshots",
}


def make_demo_home(root: Path) -> None:
    for args in (("demo", "--ingest"), ("build",)):
        subprocess.run([sys.executable, "-m", "salnameh.cli", "--home", str(root), *args],
                       check=True, capture_output=True)  # fmt: skip


def reopen_for_corrections(salnameh_home, tables) -> None:
    """The demo approved some 1402 tables, which then take no new file: a coordinator
    reopens them first, and the warehouse is rebuilt so the ledger sensor has nothing to do
    while the clock runs."""
    ledger = Ledger(salnameh_home.ledger_path)
    for table_id in tables:
        if ledger.lock_reason(table_id, 1402):
            ledger.reopen(table_id, 1402, COORDINATOR, "corrected file expected")
    build_warehouse(salnameh_home)


def start_dagster(salnameh_home, port: int) -> subprocess.Popen:
    dagster_home = salnameh_home.root / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "orchestration" / "dagster.yaml", dagster_home / "dagster.yaml")
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "SALNAMEH_HOME": str(salnameh_home.root),
        "DAGSTER_HOME": str(dagster_home),
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
    }
    parse = [str(venv_bin / "dbt"), "parse", "--project-dir", "dbt_project", "--profiles-dir",
             "dbt_project", "--quiet"]  # fmt: skip
    subprocess.run(parse, cwd=ROOT, check=True, env=env)
    log = (salnameh_home.root / "dagster.log").open("w")
    return subprocess.Popen(
        [str(venv_bin / "dagster"), "dev", "-m", "orchestration.definitions", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_for_daemon(salnameh_home, timeout: float = 180) -> None:
    """Until the daemon has evaluated the inbox sensor once (the log says so)."""
    log = salnameh_home.root / "dagster.log"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if "Sensor inbox_sensor skipped" in log.read_text(errors="replace"):
            return
        time.sleep(1)
    raise SystemExit(f"dagster did not start within {timeout:.0f} s; see {log}")


def drop(salnameh_home, table_id: str, seed: int) -> tuple[Path, float]:
    folder = salnameh_home.root.parent / f"generated-{seed}-{table_id}"
    generate_demo(load_catalog(), folder, years=[1402], seed=seed, table_ids=[table_id])
    made = next((folder / "files").rglob(f"{table_id}.*"))
    target = salnameh_home.inbox_dir / "1402" / made.parent.name / made.name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name("." + target.name)  # written hidden, then renamed: atomic
    shutil.copy(made, partial)
    os.replace(partial, target)
    return target, time.time()


def wait_in_snapshot(salnameh_home, filename: str, since: float, timeout: float = 300) -> float:
    """Seconds until the internal snapshot holds current values from a file of this name."""
    path = snapshot_path(salnameh_home, "internal")
    deadline = since + timeout
    while time.time() < deadline:
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                n = con.execute(
                    "SELECT count(*) FROM marts.fct_observations WHERE filename = ?"
                    " AND is_current AND received_at_utc >= ?",
                    [filename, dt.datetime.fromtimestamp(since - 1, dt.UTC).replace(tzinfo=None)],
                ).fetchone()[0]
            if n:
                return time.time() - since
        except duckdb.Error:
            pass  # swapped in while opening: try again
        time.sleep(0.5)
    raise SystemExit(f"{filename} did not reach the internal snapshot in {timeout:.0f} s")


def run_parts(salnameh_home, dropped_at: float) -> dict[str, float]:
    """The newest run's timing, from the Dagster instance's own records."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(salnameh_home.root / "dagster")
    with dg.DagsterInstance.get() as instance:
        record = instance.get_run_records(limit=1)[0]
        parts = {
            "sensor wait (settled -> run created)": record.create_timestamp.timestamp()
            - dropped_at,
            "queue (created -> started)": record.start_time - record.create_timestamp.timestamp(),
        }
        for stat in instance.get_run_step_stats(record.dagster_run.run_id):
            name = STEPS.get(stat.step_key, stat.step_key)
            parts[name] = stat.end_time - stat.start_time
        parts["run total"] = record.end_time - record.start_time
    return parts


def report(rows: list[dict[str, float]], totals: list[float]) -> str:
    names = list(rows[0])
    lines = [
        "# Inbox to internal snapshot, with Dagster: results",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with "
        "`python -m benchmarks.inbox_latency`: the real `dagster dev` (daemon and webserver)",
        "on a copy of the built demo home; one corrected 1402 file dropped at a time; the",
        "clock starts when the file is in the inbox and stops when the internal snapshot",
        "holds its values. The inbox sensor runs every 5 s and waits 2 s for a file to settle.",
        "",
        "| part | " + " | ".join(f"drop {i + 1}" for i in range(len(rows))) + " | median |",
        "|---|" + "---|" * (len(rows) + 1),
    ]
    for name in names:
        values = [r[name] for r in rows]
        cells = " | ".join(f"{v:.1f} s" for v in values)
        lines.append(f"| {name} | {cells} | {statistics.median(values):.1f} s |")
    cells = " | ".join(f"**{t:.1f} s**" for t in totals)
    lines.append(f"| **file in inbox -> values in snapshot** | {cells} | "
                 f"**{statistics.median(totals):.1f} s** |")  # fmt: skip
    verdict = "met" if statistics.median(totals) < 60 else "NOT met"
    lines += ["", f"Goal under 60 s: {verdict} (median, worst {max(totals):.1f} s)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="a built demo home to copy")
    parser.add_argument("--drops", type=int, default=3)
    parser.add_argument("--port", type=int, default=3177)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="salnameh-latency-") as folder:
        tmp = Path(folder)
        source = args.home or tmp / "built"
        if args.home is None:
            make_demo_home(source)
        salnameh_home = home(tmp / "home")
        shutil.copytree(source, salnameh_home.root,
                        ignore=shutil.ignore_patterns("dbt", "dagster", "*.lock"))  # fmt: skip
        reopen_for_corrections(salnameh_home, TABLES[: args.drops])
        dagster = start_dagster(salnameh_home, args.port)
        try:
            wait_for_daemon(salnameh_home)
            rows, totals = [], []
            for i, table_id in enumerate(TABLES[: args.drops]):
                path, dropped_at = drop(salnameh_home, table_id, seed=100 + i)
                totals.append(wait_in_snapshot(salnameh_home, path.name, dropped_at))
                time.sleep(3)  # let the run's last events reach the instance
                rows.append(run_parts(salnameh_home, dropped_at))
                print(f"{table_id}: {totals[-1]:.1f} s", flush=True)
        finally:
            os.killpg(dagster.pid, signal.SIGKILL)  # dagster dev does not exit on SIGTERM
    text = report(rows, totals)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
