"""The warehouse: one DuckDB file, one writer at a time.

DuckDB refuses every other open while a writer holds the file, so all writing goes
through `writer_lock`: a second pipeline run waits for the first instead of failing
half-way. The CLI and Dagster build through the same function here.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from salnameh.settings import DBT_PROJECT_DIR, Home


class BuildError(Exception):
    """dbt reported a failure; the message names the failed nodes."""


@dataclass(frozen=True)
class BuildResult:
    passed: int
    failed: list[str]


@contextmanager
def writer_lock(salnameh_home: Home) -> Iterator[None]:
    """Hold the warehouse's single-writer lock for the duration of the block."""
    salnameh_home.create()
    with (salnameh_home.root / "warehouse.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_dbt(salnameh_home: Home, *args: str) -> BuildResult:
    """Run one dbt command against this home's warehouse, under the writer lock.

    dbt runs as a child process: dbt-duckdb keeps its DuckDB handle for the life of the
    process, and only a process that exits is sure to let readers in afterwards.
    """
    target = salnameh_home.root / "dbt"
    command = [
        str(Path(sys.executable).with_name("dbt")), *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target / "target"), "--log-path", str(target / "logs"),
    ]  # fmt: skip
    # profiles.yml reads the warehouse path from SALNAMEH_HOME.
    env = {**os.environ, "SALNAMEH_HOME": str(salnameh_home.root)}
    with writer_lock(salnameh_home):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    results_file = target / "target" / "run_results.json"
    if not results_file.exists():
        raise BuildError(f"dbt {' '.join(args)} could not run:\n{done.stdout[-3000:]}")
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    # unique_id is "<type>.salnameh.<name>[.<hash>]": the name is what a user recognises.
    failed = [r["unique_id"].split(".")[2] for r in results if r["status"] in ("error", "fail")]
    if done.returncode != 0:
        raise BuildError(
            f"dbt {' '.join(args)} failed: {', '.join(failed) or 'see below'}\n"
            f"{done.stdout[-3000:]}"
        )
    return BuildResult(len(results) - len(failed), failed)


def build_warehouse(salnameh_home: Home) -> BuildResult:
    """Load the reference seeds and build every model, running every dbt test."""
    return run_dbt(salnameh_home, "build")
