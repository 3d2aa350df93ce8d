"""The homes many test files read, each made once per test run, in a process of its own.

`make test` runs the test files on pytest-xdist's workers. A demo home made by every worker
that needed one cost a whole demo build per worker (about 3 minutes each on 2 cores), and a
home made by the first test that asked left the other worker idle while it waited. So each
home the run's tests need starts in the background as soon as the tests are collected (by
the first worker to get there; tests/conftest.py), and is made once: a test that needs it
waits for it, the others run meanwhile. The homes are only ever read after: a test that
changes one works on a copy (`copy_home`).

    python -m tests.shared_homes NAME FOLDER     # what the background process runs

NAME is one of MAKERS; FOLDER is the run's shared folder, where the home is made in
`once-NAME/`, its outcome written to `once-NAME.json` (or `once-NAME.failed`), and the
process's output to `once-NAME.log`.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Longer than any home takes on a slow machine under a full test run (the demo: about 4
# minutes); a process that died without a word fails the waiting test after this.
WAIT_SECONDS = 1800

# The second demo home: a small province other than the default installation's, with
# counties that split between the censuses (Semnan: Aradan, Meyami, Sorkheh by 1395).
SECOND_PROVINCE = "20"
# What a province's demo is checked on: the census tables, a county table of each spread
# and the tables whose plants need care in a small province (a footnote naming a year,
# small totals, x1000 on small counts); hospital beds for per-capita figures. The default
# province's demo (the demo home) has every table.
PROVINCE_DEMO_TABLES = [
    "pop_county_sex_age", "pop_county_sex_estimate", "pop_sex_residence",
    "labour_active_unemployed_county_sex_education", "edu_students_county_level_sex",
    "crop_area_production_county", "orchards_area_production_county",
    "handicraft_workshops_county", "transport_terminals_county", "green_space_county",
    "welfare_care_centres_county", "bank_branches_county_type",
    "health_hospitals_beds_county",
]  # fmt: skip


# ----------------------------------------------------------------------------- makers


def _completed(done: subprocess.CompletedProcess) -> dict:
    return {"args": [str(a) for a in done.args], "returncode": done.returncode,
            "stdout": done.stdout, "stderr": done.stderr}  # fmt: skip


def _demo_cycle(home: Path, *demo_args: str) -> dict:
    """`salnameh demo --ingest ...` then `salnameh build`, each of which must succeed."""
    from tests.conftest import run_salnameh

    demo = run_salnameh("demo", *demo_args, "--ingest", home=home)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    build = run_salnameh("build", home=home)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return {"root": str(home), "demo": _completed(demo), "build": _completed(build)}


def make_demo(folder: Path) -> dict:
    """The spine of `make demo`: generate, ingest, review, build."""
    return _demo_cycle(folder / "home")


def make_province_demo(folder: Path) -> dict:
    """`make demo PROVINCE=20`'s spine on PROVINCE_DEMO_TABLES (every verdict as planned)."""
    tables = [f"--table={t}" for t in PROVINCE_DEMO_TABLES]
    return _demo_cycle(folder / "home", "--province", SECOND_PROVINCE, *tables)


def make_national(folder: Path) -> dict:
    """SCI's hub from three provinces' real 1390 census workbooks (Tehran 23, Gilan 01,
    Qom 25), each through its own installation into its package, then received and built."""
    from tests.test_national_hub import PROVINCES, cli, ok, province_package

    home = folder / "hub"
    packages = {p: province_package(folder, p) for p in PROVINCES}
    ok("init", "--national", home=home)
    received = cli("national", "receive", *map(str, packages.values()), "--json", home=home)
    assert received.returncode == 0, received.stdout + received.stderr
    ok("build", home=home)
    return {"root": str(folder), "home": str(home), "receive": json.loads(received.stdout),
            "packages": {code: str(path) for code, path in packages.items()}}  # fmt: skip


MAKERS: dict[str, Callable[[Path], dict]] = {
    "demo": make_demo, "province-demo": make_province_demo, "national": make_national,
}  # fmt: skip


# ------------------------------------------------------------------ start, wait, make


def _paths(shared: Path, name: str) -> dict[str, Path]:
    return {kind: shared / f"once-{name}{suffix}" for kind, suffix in
            (("folder", ""), ("made", ".json"), ("failed", ".failed"), ("log", ".log"),
             ("started", ".started"), ("lock", ".lock"))}  # fmt: skip


# The processes this one started, kept so none is reported as left running.
_STARTED: list[subprocess.Popen] = []


@contextmanager
def _locked(path: Path):
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def start(shared: Path, name: str) -> None:
    """Start making home NAME in the background, unless a worker of this run already did."""
    paths = _paths(shared, name)
    with _locked(paths["lock"]):
        if paths["started"].exists():
            return
        with paths["log"].open("w") as log:
            # Same process group as pytest: an interrupted run (Ctrl-C) stops it too.
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.shared_homes", name, str(shared)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        paths["started"].write_text(str(process.pid), encoding="utf-8")
        _STARTED.append(process)


def wait_for(shared: Path, name: str) -> dict:
    """What making home NAME returned (JSON), once it is made; starts it if nobody did."""
    start(shared, name)
    paths = _paths(shared, name)
    deadline = time.monotonic() + WAIT_SECONDS
    while not paths["made"].exists():
        if paths["failed"].exists() or time.monotonic() > deadline:
            import pytest

            log = paths["log"].read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"the shared home {name!r} could not be made ({paths['log']}):\n"
                        f"{log[-6000:]}")  # fmt: skip
        time.sleep(0.5)
    return json.loads(paths["made"].read_text(encoding="utf-8"))


def make(name: str, shared: Path) -> int:
    """Make home NAME in SHARED (the background process's work); 0 if it was made."""
    from tests.conftest import embedded_ledger

    paths = _paths(shared, name)
    try:
        paths["folder"].mkdir()
        with embedded_ledger():
            result = MAKERS[name](paths["folder"])
    except BaseException:
        traceback.print_exc()
        paths["failed"].write_text(traceback.format_exc(), encoding="utf-8")
        return 1
    # Whole or not at all: a waiting test never reads half a file.
    partial = paths["made"].with_suffix(".partial")
    partial.write_text(json.dumps(result), encoding="utf-8")
    os.replace(partial, paths["made"])
    return 0


if __name__ == "__main__":
    sys.exit(make(sys.argv[1], Path(sys.argv[2])))
