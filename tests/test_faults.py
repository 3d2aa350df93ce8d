"""The faults operators found under load (issue 21), each reproduced by a test that failed
before its fix, and the fault-injection suite: real processes killed with real signals at
each stage of ingest, build, publish and receive, concurrent writers, a full disk, a
corrupt snapshot. Each asserts that nothing is lost and that the message is clear.

Waits on other processes are bounded by deadlines only so that a regression fails instead
of hanging; nothing here asserts how long anything takes.
"""

from __future__ import annotations

import csv
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.demo.generate import generate_demo
from salnameh.persian import to_persian_digits
from salnameh.settings import home
from tests.conftest import copy_home, run_salnameh

pytestmark = [pytest.mark.faults, pytest.mark.integration]

SALNAMEH = str(Path(sys.executable).with_name("salnameh"))
PASSWORD = "correct horse battery"
DEADLINE_S = 120  # long enough for a loaded CI machine; only a regression ever reaches it


# ------------------------------------------------------------------------------ helpers


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc, as `ps` reads it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Running: some thread of it is not yet a zombie. A killed process's main thread can
    be a zombie while its other threads still exit, holding its files and sockets (the
    portal's port stayed open after its main thread was seen ended: CI, stop 18)."""
    try:
        tasks = list((Path("/proc") / str(pid) / "task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # that thread is gone
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            return True
    return False


def _wait_for(condition, what: str, process: subprocess.Popen | None = None):
    """Poll until `condition()` is truthy (and return it); fail if `process` ends first."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = condition()
        if found:
            return found
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the process ended before {what}: {output!r}")
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def _child_running(parent: subprocess.Popen, name: str) -> int:
    """The PID of `parent`'s child whose command line holds `name`, once it runs."""

    def child() -> int | None:
        return next((p for p in _children(parent.pid) if name in _command_line(p)), None)

    return _wait_for(child, f"a {name} child of PID {parent.pid}", parent)


def _line_ready(process: subprocess.Popen) -> str:
    """A line of the process's output if one is waiting, else "" (never blocks)."""
    ready, _, _ = select.select([process.stdout], [], [], 0)
    return process.stdout.readline() if ready else ""


def _kill_leftover(pid: int) -> None:
    """A regression's orphan must not outlive the test (it would hold a port or a file)."""
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def _cli(*args: str, home_root: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [SALNAMEH, "--home", str(home_root), *args], env={**os.environ, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory, catalog) -> dict[str, Path]:
    """Clean 1392 files (anomalies are planted from 1393 on), laid out as an inbox
    (<year>/<agency>/<table>.<ext>), so each is identified by its path."""
    folder = tmp_path_factory.mktemp("faults") / "demo"
    tables = ["cultural_centres_county", "health_hospitals_beds_county", "post_units_county"]
    generate_demo(catalog, folder, years=[1392], table_ids=tables)
    return {p.stem: p for p in (folder / "files").rglob("*.*")}


@pytest.fixture
def staff_home(tmp_path) -> Path:
    """A home with a coordinator (coord), an analyst (ana) and a liaison (post-liaison),
    all with PASSWORD."""
    from salnameh.ledger import Ledger
    from salnameh.reference import Reference
    from salnameh.users import Users

    root = tmp_path / "home"
    home(root).create()
    users = Users(Ledger(home(root).ledger_path), set(Reference().agencies))
    coordinator = users.add(None, "coord", "C", "coordinator", PASSWORD).actor
    users.add(coordinator, "ana", "A", "analyst", PASSWORD)
    users.add(coordinator, "post-liaison", "L", "liaison", PASSWORD, "post")
    return root


def _demo_sign_in(demo_home, role: str) -> tuple[str, str]:
    """A user of the demo home of this role, and the password the demo wrote for them."""
    with demo_home.root.joinpath("demo-staff.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["role"] == role)
    return row["user_id"], row["password"]


# ---------------------------------------------------- processes: orphans, locks, waiting


def test_a_killed_build_leaves_no_dbt_holding_the_warehouse(tmp_path, demo_files):
    """Fault: killing `salnameh build`'s parent left dbt running as an orphan holding the
    warehouse's DuckDB lock; a liaison's ingest then failed with a traceback
    (`_duckdb.IOException: Could not set lock on file`)."""
    root = tmp_path / "home"
    assert run_salnameh("init", home=root).returncode == 0
    build = _cli("build", home_root=root)
    dbt = _child_running(build, "dbt")
    build.send_signal(signal.SIGKILL)
    build.wait()
    try:
        ingest = run_salnameh("ingest", str(demo_files["post_units_county"]), home=root)
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        assert "Traceback" not in ingest.stderr
        _wait_for(lambda: not _alive(dbt), "dbt ended")
    finally:
        _kill_leftover(dbt)
    # dbt writes its results last: killed with its parent, it never got there.
    assert not (root / "dbt" / "target" / "run_results.json").exists()


def test_a_writer_behind_another_says_who_holds_the_warehouse_and_waits(tmp_path, demo_files):
    """Fault: ingests waited up to 160 s behind a build saying nothing. Now the waiter names
    the holder (task, PID, since when) in English and Persian, then waits and succeeds."""
    from salnameh.warehouse import writer_lock

    root = tmp_path / "home"
    assert run_salnameh("init", home=root).returncode == 0
    with writer_lock(home(root), "build"):
        ingest = _cli("ingest", str(demo_files["post_units_county"]), home_root=root)
        first = _wait_for(lambda: _line_ready(ingest), "the busy message", ingest)
    output = first + ingest.stdout.read()  # what the select above left buffered, too
    assert ingest.wait() == 0, output
    assert f"The warehouse is busy: build PID {os.getpid()} running since " in first
    assert "انبار داده مشغول است" in output
    assert f"شناسه فرایند {to_persian_digits(str(os.getpid()))}" in output
    assert "1 accepted" in output


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_stopping_serve_stops_its_portal_and_frees_the_port(tmp_path, stop):
    """Fault: stopping `salnameh serve` with SIGTERM (as a service manager does) left its
    Streamlit child running on the port, orphaned; SIGKILL likewise."""
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = _cli("serve", "--port", str(port), home_root=tmp_path / "home")
    portal = _child_running(serve, "streamlit")
    try:
        _wait_for(lambda: _port_open(port), f"the portal listening on {port}", serve)
        serve.send_signal(stop)
        serve.wait(timeout=DEADLINE_S)
        _wait_for(lambda: not _alive(portal), "the portal ended")
        # Its last thread closes the socket as it ends; the port is free soon after.
        _wait_for(lambda: not _port_open(port), f"port {port} freed")
    finally:
        _kill_leftover(portal)


def _port_open(port: int) -> bool:
    with socket.socket() as client:
        return client.connect_ex(("127.0.0.1", port)) == 0


# ------------------------------------------------------------------- sign-in and roles


def test_the_sixth_failed_sign_in_and_the_right_one_after_it_are_clear_refusals(staff_home):
    """Fault: the sixth wrong password, and the right one after it, ended in a traceback
    (`salnameh.users.TooManyAttempts`), exit 1. Now: a refusal, exit 3, both languages."""
    from salnameh.ledger import Ledger
    from salnameh.users import MAX_FAILURES, AuthenticationFailed, Users

    users = Users(Ledger(home(staff_home).ledger_path))
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            users.authenticate("coord", "wrong password!")
    for password in ("wrong password!", PASSWORD):
        refused = subprocess.run(
            [SALNAMEH, "--home", str(staff_home), "status", "--year", "1402", "--as", "coord"],
            env={**os.environ, "SALNAMEH_PASSWORD": password}, capture_output=True, text=True,
        )  # fmt: skip
        assert refused.returncode == 3, refused.stderr
        assert "Traceback" not in refused.stderr
        assert "Too many failed sign-ins" in refused.stderr
        assert "تلاش‌های نادرست برای ورود بیش از حد بود" in refused.stderr


def test_query_internal_needs_a_staff_sign_in(demo_home, monkeypatch):
    """Fault: `salnameh query --internal` needed no sign-in (65,739 rows, 1402 included)."""
    sql = "SELECT count(*) AS n FROM marts.fct_anomalies"
    anonymous = run_salnameh("query", sql, "--internal", home=demo_home.root)
    assert anonymous.returncode == 3
    assert "sign in" in anonymous.stderr and "--as" in anonymous.stderr
    assert "نیاز به ورود دارد" in anonymous.stderr
    assert anonymous.stdout == ""
    user, password = _demo_sign_in(demo_home, "liaison")
    monkeypatch.setenv("SALNAMEH_PASSWORD", password)
    liaison = run_salnameh("query", sql, "--internal", "--as", user, home=demo_home.root)
    assert liaison.returncode == 3 and "cannot read internal data" in liaison.stderr
    user, password = _demo_sign_in(demo_home, "analyst")
    monkeypatch.setenv("SALNAMEH_PASSWORD", password)
    analyst = run_salnameh("query", sql, "--internal", "--as", user, "--format", "csv",
                           home=demo_home.root)  # fmt: skip
    assert analyst.returncode == 0 and int(analyst.stdout.splitlines()[1]) > 0


def test_query_has_the_portals_memory_and_thread_bounds(demo_home):
    """Fault: `salnameh query` had no memory bound (one string_agg reached 8.28 GB before
    the 30 s timeout) where the portal's SQL page stops the same query at 1 GB."""
    from dashboards.sql_console import run_sql

    sql = "SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads"
    cli = run_salnameh("query", sql, "--format", "csv", home=demo_home.root)
    assert cli.returncode == 0, cli.stderr
    portal = run_sql(home(demo_home.root), sql)
    assert cli.stdout.splitlines()[1] == ",".join(map(str, portal.frame.iloc[0]))
    assert cli.stdout.splitlines()[1].endswith(",1")  # one thread


def test_a_liaison_asking_for_reminders_is_refused_for_what_they_asked(staff_home):
    """Fault: `remind` as a liaison was refused as "cannot open a collection year"."""
    result = subprocess.run(
        [SALNAMEH, "--home", str(staff_home), "remind", "--year", "1402", "--as", "post-liaison"],
        env={**os.environ, "SALNAMEH_PASSWORD": PASSWORD}, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "cannot send reminders to late agencies" in result.stderr
    assert "یادآوری به دستگاه‌های دیرکرد" in result.stderr
    assert "open a collection year" not in result.stderr


def test_the_demo_staff_file_has_unix_line_ends(tmp_path):
    """Fault: `var/demo-staff.csv` had CRLF line ends."""
    from app.demo.cycle import demo_staff
    from salnameh.ledger import Ledger

    ledger = Ledger(tmp_path / "ledger.sqlite")
    demo_staff(home(tmp_path), ledger, ["post"])
    written = (tmp_path / "demo-staff.csv").read_bytes()
    assert b"\r" not in written and written.count(b"\n") == 5  # header, 3 staff, a liaison


# ------------------------------------------------------------------------ sent files


def _rejected_copy(demo_files, tmp_path) -> Path:
    """The cultural centres file of 1392 with Tehran county's row deleted: rejected."""
    source = demo_files["cultural_centres_county"]
    target = tmp_path / "inbox" / "1392" / source.parent.name / source.name
    target.parent.mkdir(parents=True)
    lines = source.read_bytes().split(b"\r\n")
    target.write_bytes(b"\r\n".join(lines[:5] + lines[6:]))
    return target


def test_a_rejected_file_sent_again_is_rejected_again_with_its_errors(tmp_path, demo_files):
    """Fault: re-sending a rejected file exited 0 ("unchanged") with no errors repeated."""
    root = tmp_path / "home"
    bad = _rejected_copy(demo_files, tmp_path)
    first = run_salnameh("ingest", str(bad), home=root)
    assert first.returncode == 1, first.stdout + first.stderr
    error_lines = [line for line in first.stdout.splitlines() if "[error]" in line]
    assert error_lines
    again = run_salnameh("ingest", str(bad), home=root)
    assert again.returncode == 1, again.stdout
    assert "REJECTED" in again.stdout and "was rejected before" in again.stdout
    assert [line for line in again.stdout.splitlines() if "[error]" in line] == error_lines
    fa = run_salnameh("ingest", str(bad), "--lang", "fa", home=root)
    assert fa.returncode == 1 and "پیش‌تر (ارسال" in fa.stdout and "رد شده بود" in fa.stdout


def test_a_named_pipe_is_refused_as_not_a_regular_file(tmp_path):
    """Fault: a named pipe was answered "no such file" with exit 2."""
    pipe = tmp_path / "table.xlsx"
    os.mkfifo(pipe)
    result = run_salnameh("ingest", str(pipe), home=tmp_path / "home")
    assert result.returncode == 2
    assert "not a regular file (a named pipe)" in result.stderr
    assert "فایل معمولی نیست (لوله نام‌دار)" in result.stderr
    assert "no such file" not in result.stderr
    folder = run_salnameh("ingest", str(tmp_path), home=tmp_path / "home")  # inside a folder
    assert folder.returncode == 2 and "a named pipe" in folder.stderr


def test_the_core_refuses_to_read_a_named_pipe(tmp_path, catalog):
    """Fault (the core, under the CLI): reading a named pipe as a sent file waits forever."""
    from ingestion.ingest import Ingestor, NotARegularFile
    from salnameh.reference import Reference

    pipe = tmp_path / "table.csv"
    os.mkfifo(pipe)
    with pytest.raises(NotARegularFile, match="a named pipe"):
        Ingestor(home(tmp_path / "home"), catalog, Reference()).ingest(pipe)


# ------------------------------------------------------------------ publish and snapshots


def test_a_publish_killed_mid_write_leaves_its_temporary_to_the_next(demo_home, tmp_path):
    """Fault: a kill during publish left `.public.duckdb.<pid>.tmp` files that later builds
    never removed. Now the next publish removes them; readers kept the last good files."""
    root = copy_home(demo_home.root, tmp_path / "home")
    manifest = demo_home.root / "dbt" / "target" / "manifest.json"
    before = _snapshot_rows(root)
    snapshots = home(root).snapshots_dir
    code = ("import sys; from pathlib import Path; from salnameh.settings import home; "
            "from salnameh.warehouse import publish_snapshots; "
            "publish_snapshots(home(sys.argv[1]), Path(sys.argv[2]))")  # fmt: skip
    publishing = subprocess.Popen(
        [sys.executable, "-c", code, str(root), str(manifest)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(lambda: list(snapshots.glob(".public.duckdb.*.tmp")), "a public temporary",
              publishing)  # fmt: skip
    publishing.send_signal(signal.SIGKILL)
    publishing.wait()
    assert list(snapshots.glob(".*.tmp"))  # what the kill left
    assert _snapshot_rows(root) == before  # readers still have the last good snapshots

    from salnameh.warehouse import publish_snapshots

    publish_snapshots(home(root), manifest)
    assert list(snapshots.glob(".*.tmp")) == []
    assert _snapshot_rows(root) == before


def _snapshot_rows(root: Path) -> dict[str, int]:
    from salnameh.snapshots import INTERNAL, PUBLIC, open_snapshot

    counts = {}
    for kind in (INTERNAL, PUBLIC):
        with open_snapshot(home(root), kind) as con:
            counts[kind] = con.execute("SELECT count(*) FROM marts.fct_observations").fetchone()[0]
    return counts


def test_a_program_holding_the_warehouse_is_named_not_a_traceback(tmp_path, demo_files):
    """Fault (what an orphan did to the next writer): a program outside salnameh holding
    the warehouse open (the orphaned dbt, an analyst's duckdb shell) made `ingest` end in a
    traceback (`_duckdb.IOException: Could not set lock on file ... (PID n)`)."""
    root = tmp_path / "home"
    assert run_salnameh("ingest", str(demo_files["post_units_county"]), home=root).returncode == 0
    code = ("import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('open', "
            "flush=True); time.sleep(600)")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code, str(home(root).warehouse_path)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline() == "open\n"
        held = run_salnameh("ingest", str(demo_files["health_hospitals_beds_county"]), home=root)
    finally:
        holder.kill()
        holder.wait()
    assert held.returncode == 1
    assert "Traceback" not in held.stderr
    assert f"held open by another program (PID {holder.pid})" in held.stderr
    assert "برنامه دیگری" in held.stderr and "Nothing was lost" in held.stderr
    again = run_salnameh("ingest", str(demo_files["health_hospitals_beds_county"]), home=root)
    assert again.returncode == 0 and "1 accepted" in again.stdout
    _assert_consistent(root, loaded=2)


def _assert_consistent(root: Path, loaded: int) -> None:
    """Ledger, archive and raw layer agree, and `loaded` submissions are in the warehouse."""
    from ingestion.ingest import Ingestor, inconsistencies
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.warehouse import raw_counts

    ingestor = Ingestor(home(root), load_catalog(), Reference())
    assert inconsistencies(ingestor) == []
    submissions = [s for s in ingestor.ledger.submissions() if s.state == "loaded"]
    assert len(submissions) == loaded
    counts = raw_counts(home(root))
    assert all(counts.get(s.submission_id) == s.n_values for s in submissions)


# ------------------------------------------------------------------- fault injection


def _killed_at(point: str, process: subprocess.Popen, root: Path) -> None:
    """Wait until `process` reaches the fault point (salnameh.warehouse.pause_if_fault)
    and SIGKILL it there."""
    _wait_for(lambda: (root / f"fault-{point}").exists(), f"the fault point {point}", process)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_build_killed_while_staging_loses_nothing(tmp_path, demo_files):
    """Kill a build while it copies the ledger and catalog into the warehouse: the raw layer
    keeps every loaded value, the build is still due, and staging again succeeds."""
    from salnameh.warehouse import build_is_due, stage_inputs

    root = tmp_path / "home"
    assert run_salnameh("ingest", str(demo_files["post_units_county"]), home=root).returncode == 0
    build = _cli("build", home_root=root, SALNAMEH_FAULT="staging")
    _killed_at("staging", build, root)
    _assert_consistent(root, loaded=1)
    assert build_is_due(home(root)) is not None  # the killed run did not count as staged
    stage_inputs(home(root))
    assert build_is_due(home(root)) is None
    _assert_consistent(root, loaded=1)


def test_writers_at_once_each_wait_their_turn_and_all_land(tmp_path, demo_files):
    """Concurrent writers: a build and two ingests started together all succeed, the
    ingests loading while or after the build holds the warehouse."""
    root = tmp_path / "home"
    assert run_salnameh("ingest", str(demo_files["post_units_county"]), home=root).returncode == 0
    build = _cli("build", home_root=root)
    _child_running(build, "dbt")  # the build holds the warehouse now
    ingests = [_cli("ingest", str(demo_files[t]), home_root=root)
               for t in ("cultural_centres_county", "health_hospitals_beds_county")]  # fmt: skip
    for process in (build, *ingests):
        output = process.communicate(timeout=600)[0]
        assert process.returncode == 0, output
        assert "Traceback" not in output
    _assert_consistent(root, loaded=3)


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 32 MB tmpfs of the test's own, where the machine allows mounting one (root);
    elsewhere the simulated ENOSPC test below stands in."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root); test_a_simulated_full_disk stands in")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill the disk until only `leave` bytes are free."""
    free = os.statvfs(disk)
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(0, free.f_bavail * free.f_frsize - leave))
    return filler


@pytest.mark.parametrize("leave", [0, 64 * 1024], ids=["nothing-left", "64KiB-left"])
def test_a_full_disk_is_said_plainly_and_loses_nothing(small_disk, demo_files, leave):
    """A full disk during an ingest (the ledger, the archive or the warehouse cannot grow):
    a message saying so in both languages, exit 1, no traceback; once space is freed the
    same command succeeds and every store agrees."""
    root = small_disk / "home"
    assert run_salnameh("ingest", str(demo_files["post_units_county"]), home=root).returncode == 0
    filler = _fill(small_disk, leave)
    full = run_salnameh("ingest", str(demo_files["health_hospitals_beds_county"]), home=root)
    filler.unlink()
    assert full.returncode == 1, full.stdout + full.stderr
    assert "Traceback" not in full.stderr
    assert "The disk is full" in full.stderr and "دیسک پر است" in full.stderr
    _assert_consistent(root, loaded=1)
    again = run_salnameh("ingest", str(demo_files["health_hospitals_beds_county"]), home=root)
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_consistent(root, loaded=2)


@pytest.mark.parametrize("where", ["archive", "warehouse"])
def test_a_simulated_full_disk_loses_nothing(tmp_path, catalog, demo_files, monkeypatch, where):
    """ENOSPC (simulated, for machines that cannot mount a small disk) while archiving a
    file or loading its values: nothing half-kept, and the same file goes in afterwards."""
    import errno

    from ingestion import ingest as ingest_module
    from ingestion.ingest import Ingestor
    from salnameh.reference import Reference

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    root = tmp_path / "home"
    path = demo_files["post_units_county"]
    with monkeypatch.context() as patch:
        if where == "archive":
            patch.setattr(ingest_module.archive, "store", no_space)
        else:
            patch.setattr(ingest_module.RawLoader, "load", no_space)
        with pytest.raises(OSError, match="No space left"):
            Ingestor(home(root), catalog, Reference()).ingest(path)
    ingestor = Ingestor(home(root), catalog, Reference())
    with ingestor.batch():
        ingestor.resume_interrupted()  # what `salnameh ingest` does first
    again = ingestor.ingest(path)
    assert again.verdict in ("accepted", "unchanged")
    _assert_consistent(root, loaded=1)


@pytest.mark.parametrize("damage", ["flipped", "truncated", "not-duckdb"])
def test_a_corrupt_snapshot_is_said_plainly_and_the_next_publish_mends_it(
    demo_home, tmp_path, damage
):
    """A damaged public snapshot (a disk fault, a copy cut short): `query` says which file
    and what mends it (exit 2, not "query failed"); the next publish writes it whole."""
    from salnameh.warehouse import publish_snapshots

    root = copy_home(demo_home.root, tmp_path / "home")
    before = _snapshot_rows(root)
    public = home(root).snapshots_dir / "public.duckdb"
    public.chmod(0o644)
    if damage == "flipped":
        with public.open("r+b") as handle:
            handle.seek(4096)
            handle.write(b"\xff" * 20_000)
    elif damage == "truncated":
        os.truncate(public, 3000)
    else:
        public.write_bytes(b"not a database " * 400)
    sql = "SELECT count(*) FROM marts.fct_observations"
    damaged = run_salnameh("query", sql, home=root)
    assert damaged.returncode == 2, damaged.stdout + damaged.stderr
    assert f"The snapshot {public} is damaged" in damaged.stderr
    assert "salnameh build" in damaged.stderr and "آسیب دیده" in damaged.stderr
    publish_snapshots(home(root), demo_home.root / "dbt" / "target" / "manifest.json")
    assert _snapshot_rows(root) == before


def test_a_receive_killed_after_archiving_loses_nothing(national_hub, tmp_path):
    """Kill a national hub's `receive` after it archived a package's files but before it
    recorded the package: no receipt, and receiving the package again takes it whole."""
    from salnameh.archive import archived_path
    from salnameh.ledger import Ledger
    from salnameh.receipts import Receipts

    root = tmp_path / "hub"
    assert run_salnameh("init", "--national", home=root).returncode == 0
    package = next(iter(national_hub.packages.values()))
    receive = _cli("national", "receive", str(package), home_root=root,
                   SALNAMEH_FAULT="receive_archived")  # fmt: skip
    _killed_at("receive_archived", receive, root)
    assert Receipts(Ledger(home(root).ledger_path)).all() == []
    again = run_salnameh("national", "receive", str(package), home=root)
    assert again.returncode == 0, again.stdout + again.stderr
    (receipt,) = Receipts(Ledger(home(root).ledger_path)).all()
    assert receipt.state == "received"
    assert all(
        archived_path(home(root).archive_dir, sha).exists() for sha in receipt.files.values()
    )
