"""The warehouse: one DuckDB file, one writer at a time.

DuckDB refuses every other open while a writer holds the file, so all writing goes
through `writer_lock`: a second pipeline run waits for the first instead of failing
half-way. The CLI and Dagster build through the same function here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from salnameh import build_scope, model_replay
from salnameh.children import child_process
from salnameh.faults import pause_if_fault
from salnameh.jalali import format_jalali
from salnameh.persian import to_persian_digits
from salnameh.settings import DBT_PROJECT_DIR, Home


class BuildError(Exception):
    """dbt reported a failure; the message names the failed nodes."""


@dataclass(frozen=True)
class BuildResult:
    passed: int
    failed: list[str]
    published: dict[str, int] = field(default_factory=dict)  # public table -> rows
    how: str = "dbt build"  # or "replayed" (salnameh.model_replay)
    replayed: model_replay.Replayed | None = None  # what a replay recomputed

    @property
    def tables_recomputed(self) -> int | None:
        """A replay's narrowed scope; None: every table."""
        scope = self.replayed.scope if self.replayed else None
        return None if scope is None else len(scope)


# What each holder of the lock is doing, as the busy message names it.
TASKS = {
    "build": ("ساخت انبار داده", "build"),
    "ingest": ("بارگذاری فایل", "ingest"),
    "read": ("خواندن انبار داده", "read"),
}


@dataclass(frozen=True)
class LockHolder:
    """Who holds the writer lock, as they wrote it into the lock file on taking it."""

    pid: int | None
    task: str
    since: dt.datetime | None

    def busy_message(self) -> tuple[str, str]:
        """Persian and English: what is running, since when, and that this one waits."""
        task_fa, task_en = TASKS.get(self.task, (self.task, self.task))
        if self.pid is None:  # taken a moment ago, not yet written down
            who_fa, who_en = "کار دیگری از سالنامه", "another salnameh process"
        else:
            who_fa = f"{task_fa} (شناسه فرایند {to_persian_digits(str(self.pid))}"
            who_en = f"{task_en} PID {self.pid}"
            if self.since is not None:
                who_fa += f"، از {format_jalali(self.since)}"
                who_en += f" running since {format_jalali(self.since, persian_digits=False)}"
            who_fa += ")"
        return (
            f"انبار داده مشغول است: {who_fa} در حال اجراست. این کار پس از پایان آن انجام "
            "می‌شود و چیزی از دست نمی‌رود (Ctrl+C برای انصراف).",
            f"The warehouse is busy: {who_en}. This waits for it to finish; nothing is "
            "lost (Ctrl+C gives up).",
        )


def _say_busy(holder: LockHolder) -> None:
    fa, en = holder.busy_message()
    print(f"{en}\n{fa}", file=sys.stderr, flush=True)


def lock_holder(salnameh_home: Home) -> LockHolder:
    """What the lock file says about its holder (meaningful while the lock is held)."""
    try:
        record = json.loads((salnameh_home.root / "warehouse.lock").read_text("utf-8"))
        return LockHolder(int(record["pid"]), str(record["task"]),
                          dt.datetime.fromisoformat(record["since"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return LockHolder(None, "", None)


@contextmanager
def writer_lock(salnameh_home: Home, task: str = "build",
                waiting: Callable[[LockHolder], None] = _say_busy) -> Iterator[int]:  # fmt: skip
    """Hold the warehouse's single-writer lock for the duration of the block.

    Yields the lock file's descriptor: a child process given it (`pass_fds`) holds the lock
    with us, so no other writer opens the warehouse while the child still has it open.
    A writer that has to wait says so first, naming the holder (`waiting`): an ingest
    behind a build used to wait minutes saying nothing.
    """
    salnameh_home.create()
    # Not "w": opening would empty the holder's record for every waiter.
    fd = os.open(salnameh_home.root / "warehouse.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(lock_holder(salnameh_home))
            fcntl.flock(fd, fcntl.LOCK_EX)
        record = {"pid": os.getpid(), "task": task,
                  "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}  # fmt: skip
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield fd
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class WarehouseHeld(Exception):
    """A program outside salnameh's writers has the warehouse file open (salnameh's own
    writers wait their turn at the writer lock instead): fa and en say which and what to do."""

    def __init__(self, path: Path, detail: str) -> None:
        held_by = re.search(r"\(PID (\d+)\)", detail)
        pid = held_by.group(1) if held_by else None
        self.fa = (f"پرونده انبار داده ({path}) را برنامه دیگری"
                   f"{f' (شناسه فرایند {to_persian_digits(pid)})' if pid else ''} باز نگه "
                   "داشته است؛ آن برنامه را ببندید و همین فرمان را دوباره اجرا کنید. چیزی از "
                   "دست نرفته است.")  # fmt: skip
        self.en = (f"The warehouse ({path}) is held open by another program"
                   f"{f' (PID {pid})' if pid else ''}; close it and run the same command "
                   "again. Nothing was lost.")  # fmt: skip
        super().__init__(self.en)


def connect_warehouse(salnameh_home: Home, read_only: bool = False):
    """The warehouse's DuckDB connection, for a caller holding the writer lock; a program
    that is not one of ours holding the file is WarehouseHeld, not a traceback."""
    import duckdb

    path = salnameh_home.warehouse_path
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "Could not set lock" not in str(error):
            raise
        raise WarehouseHeld(path, str(error)) from None


def dbt_target_dir(salnameh_home: Home) -> Path:
    """Where this home's dbt runs write manifest, results and compiled SQL."""
    return salnameh_home.root / "dbt" / "target"


def dbt_vars(salnameh_home: Home) -> dict[str, str | bool]:
    """The project's vars for this home: its province, whose geography the models keep,
    or on a national hub every province's (`national`, the province then unused)."""
    if salnameh_home.is_national:
        return {"province": "", "national": True}
    return {"province": salnameh_home.province}


# What an installation's full build runs: seeds, models and data tests. dbt's unit tests
# check the models' SQL on fixed rows, which no installation's data changes: they run in
# `make test` (tests/test_warehouse_build.py), not in every build.
PRODUCTION_BUILD = ("build", "--exclude-resource-type", "unit_test")


def run_dbt(salnameh_home: Home, *args: str) -> BuildResult:
    """Run one dbt command against this home's warehouse, under the writer lock.

    dbt runs as a child process: dbt-duckdb keeps its DuckDB handle for the life of the
    process, and only a process that exits is sure to let readers in afterwards. The child
    dies with this process, so a killed build leaves no dbt holding the warehouse.
    """
    target = dbt_target_dir(salnameh_home).parent
    command = [
        str(Path(sys.executable).with_name("dbt")), *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target / "target"), "--log-path", str(target / "logs"),
        "--vars", json.dumps(dbt_vars(salnameh_home)),
    ]  # fmt: skip
    # profiles.yml reads the warehouse path from SALNAMEH_HOME.
    env = {**os.environ, "SALNAMEH_HOME": str(salnameh_home.root)}
    with writer_lock(salnameh_home, "build") as lock:
        model_replay.forget_full_build(salnameh_home)  # this run rewrites the manifest
        # dbt dies with this process and holds the lock with it (see salnameh.children).
        with child_process(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            pass_fds=(lock,),
        ) as dbt:
            output = dbt.communicate()[0]
    results_file = target / "target" / "run_results.json"
    if not results_file.exists():
        raise BuildError(f"dbt {' '.join(args)} could not run:\n{output[-3000:]}")
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    # unique_id is "<type>.salnameh.<name>[.<hash or unit test name>]": the name (and a
    # unit test's own name) is what a user recognises.
    failed = [_node_name(r["unique_id"]) for r in results if r["status"] in ("error", "fail")]
    if dbt.returncode != 0:
        raise BuildError(
            f"dbt {' '.join(args)} failed: {', '.join(failed) or 'see below'}\n{output[-3000:]}"
        )
    return BuildResult(len(results) - len(failed), failed)


def _node_name(unique_id: str) -> str:
    kind, _project, *rest = unique_id.split(".")
    return ".".join(rest) if kind == "unit_test" else rest[0]


def staged_mark_path(salnameh_home: Home) -> Path:
    """The ledger's change mark as last copied into the warehouse (see Ledger.change_mark)."""
    return salnameh_home.root / "dbt" / "staged-ledger-mark"


def stage_inputs(salnameh_home: Home) -> dict[str, int]:
    """Copy the catalog and the ledger's state into the warehouse, for dbt to read.

    Records the ledger's change mark it copied, so the pipeline can tell whether the ledger
    has moved on since (a new upload, a review, a release) and a build is due.
    """
    from salnameh.build_inputs import copy_inputs
    from salnameh.catalog import load_catalog
    from salnameh.ledger import Ledger
    from salnameh.reference import Reference

    reference = Reference.for_home(salnameh_home)
    catalog = load_catalog().in_words_of(reference)
    ledger = Ledger(salnameh_home.ledger_url)
    with writer_lock(salnameh_home):
        mark = _change_mark(salnameh_home)  # taken first: a change during the copy shows next time
        con = connect_warehouse(salnameh_home)
        try:
            ensure_raw_layer(con)  # a warehouse nothing was ingested into yet
            if salnameh_home.is_national:
                from salnameh.national import stage_packages

                copied = stage_packages(con, salnameh_home, catalog, reference)
            else:
                copied = copy_inputs(con, catalog, reference, ledger)
            pause_if_fault("staging", salnameh_home)
        finally:
            con.close()
    path = staged_mark_path(salnameh_home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(mark, encoding="utf-8")
    return copied


def _change_mark(salnameh_home: Home) -> str:
    """The ledger's change mark; a national hub's also moves with each package received."""
    from salnameh.ledger import Ledger

    ledger = Ledger(salnameh_home.ledger_url)
    if not salnameh_home.is_national:
        return ledger.change_mark()
    from salnameh.receipts import Receipts

    return f"packages-{Receipts(ledger).change_mark()}"


def build_is_due(salnameh_home: Home) -> str | None:
    """The ledger's change mark when it moved on since the last staged build, else None."""
    mark = _change_mark(salnameh_home)
    path = staged_mark_path(salnameh_home)
    staged = path.read_text(encoding="utf-8") if path.exists() else None
    return mark if mark != staged else None


def publish_snapshots(salnameh_home: Home, manifest_path: Path | None = None,
                      replayed: model_replay.Replayed | None = None) -> dict[str, int]:  # fmt: skip
    """Publish the internal and public snapshots of the warehouse as it stands (after a
    narrowed replay, the public one by replacing the recomputed tables' rows)."""
    from salnameh.snapshots import publish

    with writer_lock(salnameh_home):
        return publish(
            salnameh_home, manifest_path or dbt_target_dir(salnameh_home) / "manifest.json",
            replayed,
        )  # fmt: skip


def build_warehouse(salnameh_home: Home, publish: bool = True, full: bool = False
                    ) -> BuildResult:  # fmt: skip
    """The pipeline after ingestion: stage the inputs, build the models, publish the snapshots.

    Where only data changed since the last full build, the models and data tests are
    replayed from the SQL dbt compiled then (salnameh.model_replay), for the tables whose
    inputs changed and those reading them (salnameh.build_scope); otherwise, or with
    `full`, one dbt invocation (`dbt build`, unit tests left to `make test`) does seeds,
    models and data tests together, for every table. The snapshots are published only
    when every test passed, so readers keep the last good ones when a build fails. Dagster
    runs the same steps as assets (always through dbt, whose tests it reports as asset
    checks).
    """
    stage_inputs(salnameh_home)
    result = None if full else replay_models(salnameh_home)
    if result is None:
        result = full_build(salnameh_home)
    if not publish:
        return result
    published = publish_snapshots(salnameh_home, replayed=result.replayed)
    return dataclasses.replace(result, published=published)


def full_build(salnameh_home: Home) -> BuildResult:
    """`dbt build`; once it passed, its compiled SQL may be replayed until the key changes."""
    key = model_replay.replay_key(salnameh_home, dbt_vars(salnameh_home))
    # The inputs' states are read before dbt: another build may stage newer inputs
    # meanwhile, and states older than the marts only make the next scope wider.
    states, mark = _with_warehouse(salnameh_home, _states_and_mark)
    result = run_dbt(salnameh_home, *PRODUCTION_BUILD)
    _with_warehouse(salnameh_home, lambda con: build_scope.remember(
        con, states or _states_if_unchanged(con, mark)))  # fmt: skip
    model_replay.remember_full_build(salnameh_home, key)
    return result


def _states_and_mark(con) -> tuple[dict[str, str], str]:
    return build_scope.states_if_built(con), build_scope.staged_mark(con)


def _states_if_unchanged(con, mark: str) -> dict[str, str]:
    """A home's first build: the views the states are read from exist only once dbt has
    made them. Read now, they are the states dbt built from if nothing was staged or
    ingested meanwhile (the same mark); otherwise none, and the next build does all."""
    return build_scope.states(con) if build_scope.staged_mark(con) == mark else {}


def _with_warehouse(salnameh_home: Home, step):
    with writer_lock(salnameh_home):
        con = connect_warehouse(salnameh_home)
        try:
            return step(con)
        finally:
            con.close()


def replay_models(salnameh_home: Home) -> BuildResult | None:
    """The models and data tests replayed in this process, or None when only dbt can build
    (the project, seeds or vars changed, or no full build has passed here yet)."""
    key = model_replay.replay_key(salnameh_home, dbt_vars(salnameh_home))
    manifest = dbt_target_dir(salnameh_home) / "manifest.json"
    with writer_lock(salnameh_home):
        replay = model_replay.plan(salnameh_home, manifest, key)
        if replay is None:
            return None
        con = connect_warehouse(salnameh_home)
        try:
            replayed = model_replay.run(con, replay)
        except model_replay.ReplayFailed as failed:
            raise BuildError(
                f"replayed build failed: {', '.join(failed.failed)}; the warehouse is as it "
                "was. `salnameh build --full` runs dbt and shows each test's output."
            ) from failed
        finally:
            con.close()
    return BuildResult(replayed.passed, [], how="replayed", replayed=replayed)


# ---------------------------------------------------------------------- the raw layer

# A submission's values all share its table, period and sheet, so those are stored once,
# in raw.submissions; raw.submission_values holds what differs from value to value. Each
# text column costs DuckDB about 0.03 s per million rows to write, a constant one too, so
# the three constants were a quarter of loading a large file. raw."values" joins the two
# back into the long table every reader uses (dbt, editions, the review page, analysts).
# A workbook read through a recipe spreads one table over several sheets (SCI's census: a
# sheet per county); its values carry their own sheet in source_sheet, NULL otherwise.
RAW_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.submissions (
    submission_id   BIGINT PRIMARY KEY,
    sha256          VARCHAR NOT NULL,
    filename        VARCHAR NOT NULL,
    table_id        VARCHAR NOT NULL,
    period          INTEGER NOT NULL,
    sheet           VARCHAR NOT NULL,
    agency          VARCHAR NOT NULL,
    uploader        VARCHAR NOT NULL,
    catalog_version VARCHAR NOT NULL,
    received_at     VARCHAR NOT NULL,
    n_values        BIGINT NOT NULL,
    loaded_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    province        VARCHAR   -- whose figures: the home's, or on a hub the package's
);
CREATE TABLE IF NOT EXISTS raw.submission_values (
    submission_id BIGINT NOT NULL,
    geo           VARCHAR NOT NULL,
    dim_key       VARCHAR NOT NULL,
    measure       VARCHAR NOT NULL,
    value         DOUBLE,
    flag          VARCHAR,
    source_row    INTEGER NOT NULL,
    source_column VARCHAR NOT NULL,
    source_sheet  VARCHAR
);
-- Warehouses made before values could come from several sheets (until 2026-12).
ALTER TABLE raw.submission_values ADD COLUMN IF NOT EXISTS source_sheet VARCHAR;
-- Warehouses made before a hub held many provinces (until 2026-12): NULL, the home's.
ALTER TABLE raw.submissions ADD COLUMN IF NOT EXISTS province VARCHAR;
CREATE OR REPLACE VIEW raw."values" AS
SELECT v.submission_id, s.table_id, s.period, v.geo, v.dim_key, v.measure, v.value, v.flag,
       coalesce(v.source_sheet, s.sheet) AS sheet, v.source_row, v.source_column
FROM raw.submission_values AS v
JOIN raw.submissions AS s USING (submission_id);
"""

# The raw layer before values and submissions were split (until 2026-11): raw."values" was
# a table holding table_id, period and sheet on every row; raw.submissions had no sheet.
_SPLIT_OLD_LAYOUT = f"""
ALTER TABLE raw.submissions RENAME TO submissions_before_split;
ALTER TABLE raw."values" RENAME TO values_before_split;
{RAW_SCHEMA}
INSERT INTO raw.submissions (submission_id, sha256, filename, table_id, period, sheet, agency,
                             uploader, catalog_version, received_at, n_values, loaded_at)
SELECT s.submission_id, s.sha256, s.filename, s.table_id, s.period,
       coalesce(v.sheet, ''), s.agency, s.uploader, s.catalog_version, s.received_at,
       s.n_values, s.loaded_at
FROM raw.submissions_before_split AS s
LEFT JOIN (SELECT submission_id, any_value(sheet) AS sheet
           FROM raw.values_before_split GROUP BY 1) AS v USING (submission_id);
INSERT INTO raw.submission_values
    (submission_id, geo, dim_key, measure, value, flag, source_row, source_column)
SELECT submission_id, geo, dim_key, measure, value, flag, source_row, source_column
FROM raw.values_before_split;
DROP TABLE raw.values_before_split;
DROP TABLE raw.submissions_before_split;
"""


def ensure_raw_layer(con) -> None:
    """Create the raw layer where it is missing, and bring an older one to this layout
    (in one transaction: a warehouse is migrated whole or not at all)."""
    old = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
        " AND table_name = 'values' AND table_type = 'BASE TABLE'"
    ).fetchone()[0]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_SPLIT_OLD_LAYOUT if old else RAW_SCHEMA)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


class RawLoader:
    """Loads accepted submissions into the raw layer, each in one transaction (all or none).

    Holds the writer lock and one DuckDB connection from `open` to `close`, so a batch of
    files pays for opening the warehouse once (about 30 ms a file otherwise). Rows left by
    an earlier attempt at the same submission are replaced, so a load interrupted
    anywhere can simply be run again.
    """

    def __init__(self, salnameh_home: Home) -> None:
        self.home = salnameh_home
        self._lock = None
        self._con = None

    def __enter__(self) -> RawLoader:

        self._lock = writer_lock(self.home, "ingest")
        self._lock.__enter__()
        try:
            self._con = connect_warehouse(self.home)
            ensure_raw_layer(self._con)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._con is not None:
                self._con.close()
        finally:
            self._con = None
            self._lock.__exit__(*exc)

    def load(self, submission: dict, values) -> int:
        """One submission's long values (a pandas frame, LONG_COLUMNS) into the raw layer."""
        import pyarrow as pa

        con = self._con
        sid = submission["submission_id"]
        sheets = _sheets(values)
        # A form's values come from one sheet, stored once with the submission; a recipe's
        # from several, each value naming its own.
        sheet = sheets[0] if len(sheets) == 1 else MANY_SHEETS
        # As Arrow, the label columns (pandas categoricals) stay dictionary-encoded all the
        # way into DuckDB: about twice as fast as DuckDB scanning the pandas frame.
        columns = [c for c in values.columns if c != "sheet" or len(sheets) > 1]
        incoming = pa.Table.from_pandas(values, columns=columns, preserve_index=False)
        source_sheet = "sheet" if len(sheets) > 1 else "NULL"
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM raw.submission_values WHERE submission_id = ?", [sid])
            con.execute("DELETE FROM raw.submissions WHERE submission_id = ?", [sid])
            con.register("incoming", incoming)
            con.execute(
                "INSERT INTO raw.submission_values (submission_id, geo, dim_key, measure, value,"
                " flag, source_row, source_column, source_sheet) SELECT ?, geo, dim_key,"
                f' measure, value, flag, "row", "column", {source_sheet} FROM incoming',
                [sid],
            )
            con.unregister("incoming")
            con.execute(
                "INSERT INTO raw.submissions (submission_id, sha256, filename, table_id, period,"
                " sheet, agency, uploader, catalog_version, received_at, n_values, province)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, submission["sha256"], submission["filename"], submission["table_id"],
                 submission["year"], sheet, submission["agency"], submission["uploader"],
                 submission["catalog_version"], submission["received_at"], len(values),
                 self.home.province],
            )  # fmt: skip
            pause_if_fault("before_commit", self.home)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        pause_if_fault("after_commit", self.home)
        return len(values)


# raw.submissions.sheet of a submission whose values name their own sheets.
MANY_SHEETS = "*"


def _sheets(values) -> list[str]:
    """The sheets a submission's values were read from: one for a form."""
    import pandas as pd

    column = values["sheet"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.remove_unused_categories().cat.categories.tolist()
    return column.unique().tolist()


def raw_counts(salnameh_home: Home) -> dict[int, int]:
    """Values held per submission in the raw layer (for consistency checks and status)."""

    if not salnameh_home.warehouse_path.exists():
        return {}
    with writer_lock(salnameh_home, "read"):
        con = connect_warehouse(salnameh_home, read_only=True)
        try:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = 'raw' AND table_name = 'values'"
            ).fetchone()[0]
            if not exists:
                return {}
            rows = con.execute(
                'SELECT submission_id, count(*) FROM raw."values" GROUP BY 1'
            ).fetchall()
        finally:
            con.close()
    return {int(s): int(n) for s, n in rows}
