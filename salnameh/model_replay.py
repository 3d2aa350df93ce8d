"""Rebuild the warehouse's models from the SQL dbt compiled at its last full build, in process.

A `dbt build` pays start-up, parsing, seeds and unit tests before any model runs: about
5 s of the 9-10 s a demo build takes, more than the models and tests themselves. When
only data changed since the last full build (new or superseded submissions, reviews,
editions, verdicts, the catalog's rows: what stage_inputs copies in), the SQL dbt compiled
then is the SQL it would compile now, because nothing in the project reads data at compile
time. So the build replays it: every table model in dependency order, then every data
test, in one DuckDB transaction; a failing test rolls the whole replay back, as a failed
dbt build publishes nothing. A replay recomputes only the tables whose inputs changed since
the last build that passed, and the tables reading theirs (salnameh.build_scope): in the
marts that declare `meta.rebuilt_by`, those tables' rows are replaced and the others kept;
the small marts are rebuilt whole.

Nothing here states a rule of the warehouse: the SQL is dbt's, from its manifest. What the
compiled SQL does depend on (the project's files, the seeds dbt loads, the vars, dbt's own
version) makes the replay key; when it differs from the key of the last full build, or the
manifest lacks a node's SQL, the build goes back to dbt. Unit tests (fixed inputs, the SQL's
logic) run in `make test` only (salnameh.warehouse.PRODUCTION_BUILD), not here.
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
from dataclasses import dataclass
from pathlib import Path

from salnameh import build_scope
from salnameh.settings import DBT_PROJECT_DIR, REFERENCE_DIR, Home

# The project files that shape compiled SQL (target/ and logs/ are dbt's output).
_PROJECT_PARTS = ("models", "macros", "tests", "dbt_project.yml", "profiles.yml")


@dataclass(frozen=True)
class Replay:
    """What a replay runs: table models in dependency order, then data tests. `scoped`:
    every table model that reads the build's scope says how its rows are replaced
    (meta.rebuilt_by), so the replay may recompute only the tables whose inputs changed."""

    models: list[dict]
    tests: list[dict]
    scoped: bool = True


class ReplayFailed(Exception):
    """A data test failed: the replay was rolled back; names the failed tests."""

    def __init__(self, failed: list[str]) -> None:
        self.failed = failed
        super().__init__(", ".join(failed))


def replay_key(salnameh_home: Home, dbt_vars: dict) -> str:
    """Everything the compiled SQL depends on, hashed."""
    from importlib import metadata  # here, not at import: every ingest imports the warehouse

    digest = hashlib.sha256()
    files = [
        path
        for part in _PROJECT_PARTS
        for path in (
            sorted((DBT_PROJECT_DIR / part).rglob("*"))
            if (DBT_PROJECT_DIR / part).is_dir()
            else [DBT_PROJECT_DIR / part]
        )
    ]
    files += sorted(REFERENCE_DIR.glob("*.csv"))  # the seeds, loaded by dbt only
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(path.anchor)).encode())
            digest.update(path.read_bytes())
    digest.update(json.dumps(dbt_vars, sort_keys=True).encode())
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def key_path(salnameh_home: Home) -> Path:
    """The replay key of the last full build that passed, beside its manifest."""
    return salnameh_home.root / "dbt" / "replay-key"


def remember_full_build(salnameh_home: Home, key: str) -> None:
    path = key_path(salnameh_home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key, encoding="utf-8")


def forget_full_build(salnameh_home: Home) -> None:
    """Before a full build: if it fails half-way, its manifest must not be replayed."""
    key_path(salnameh_home).unlink(missing_ok=True)


def plan(salnameh_home: Home, manifest_path: Path, key: str) -> Replay | None:
    """The replay, when the last full build's SQL still holds; None sends the build to dbt."""
    stored = key_path(salnameh_home)
    if not stored.exists() or stored.read_text(encoding="utf-8") != key:
        return None
    if not manifest_path.exists():
        return None
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
    tests = [n for n in nodes.values() if n["resource_type"] == "test"]
    tables = [n for n in models.values() if n["config"]["materialized"] == "table"]
    if any(n["config"]["materialized"] not in ("table", "view") for n in models.values()):
        return None  # only what this module knows how to replay
    if any(not n.get("compiled_code") for n in [*tables, *tests]):
        return None  # the last dbt invocation compiled only part of the project
    unscoped = [n["name"] for n in tables if _reads_scope_whole(n, models)]
    return Replay(_in_dependency_order(tables, models), tests, scoped=not unscoped)


def _meta(node: dict) -> dict:
    return node.get("config", {}).get("meta") or node.get("meta") or {}


def _reads_scope_whole(table: dict, models: dict[str, dict]) -> bool:
    """A table model without meta.rebuilt_by that reads, through views, the model applying
    the build's scope: replaced whole from a narrowed scope, it would lose rows."""
    if _meta(table).get("rebuilt_by"):
        return False
    seen: set[str] = set()
    parents = list(table["depends_on"]["nodes"])
    while parents:
        uid = parents.pop()
        node = models.get(uid)
        if node is None or uid in seen:
            continue
        seen.add(uid)
        if _meta(node).get("applies_build_scope"):
            return True
        if node["config"]["materialized"] != "table":  # a table stands whole on its own
            parents.extend(node["depends_on"]["nodes"])
    return False


def _in_dependency_order(tables: list[dict], models: dict[str, dict]) -> list[dict]:
    """Table models, each after every table it reads (through views too)."""
    wanted = {n["unique_id"] for n in tables}
    done: set[str] = set()
    ordered: list[dict] = []

    def visit(uid: str, path: tuple[str, ...] = ()) -> None:
        if uid in done or uid not in models:
            return
        if uid in path:
            raise ValueError(f"dbt models depend on each other in a cycle: {uid}")
        for parent in models[uid]["depends_on"]["nodes"]:
            visit(parent, (*path, uid))
        done.add(uid)
        if uid in wanted:
            ordered.append(models[uid])

    for uid in sorted(wanted):
        visit(uid)
    return ordered


_THRESHOLD = re.compile(r"^\s*(!=|<>|>=|<=|==|=|>|<)\s*(\d+)\s*$")
_COMPARE = {"!=": operator.ne, "<>": operator.ne, ">=": operator.ge, "<=": operator.le,
            "==": operator.eq, "=": operator.eq, ">": operator.gt, "<": operator.lt}  # fmt: skip


def _crosses(failures: int, threshold: str) -> bool:
    """dbt's error_if / warn_if: a comparison such as '!=0' or '>10'."""
    found = _THRESHOLD.match(threshold)
    if found is None:
        raise ValueError(f"unreadable dbt test threshold {threshold!r}")
    return _COMPARE[found.group(1)](failures, int(found.group(2)))


def _scoped_relations(replay: Replay) -> dict[str, str]:
    """Each mart whose rows a narrowed replay replaced, with those rows as a subquery."""
    return {
        model["relation_name"]: f"(SELECT * FROM {model['relation_name']}"
        f" WHERE {build_scope.replaced_rows(key)})"
        for model in replay.models
        if (key := _meta(model).get("rebuilt_by"))
    }


def _in_scope(test_sql: str, scoped: dict[str, str]) -> str:
    """A data test read on the recomputed rows only. A test's failures are rows of the marts
    it reads, grouped at most by keys within one table (uniqueness of keys that name the
    table or indicator, sums within an indicator); the other tables' rows are those that
    passed at the last build. Intermediate views need nothing: they apply the scope."""
    for relation, rows in scoped.items():
        test_sql = test_sql.replace(relation, rows)
    return test_sql


@dataclass(frozen=True)
class Replayed:
    passed: int  # models and data tests
    warned: list[str]  # tests over their warn threshold only
    scope: frozenset[str] | None  # the tables recomputed; None: every table
    since: str  # build_scope.token of the states the marts stood on before


def run(con, replay: Replay, narrow: bool = True) -> Replayed:
    """Replay in one transaction on an open warehouse connection. With `narrow`, only the
    tables whose inputs changed since the last build that passed, and their partners
    (salnameh.build_scope), are recomputed in the marts that say how (meta.rebuilt_by).
    Raises ReplayFailed, with nothing changed, if a test fails."""
    warned: list[str] = []
    failed: list[str] = []
    con.execute("BEGIN TRANSACTION")
    try:
        since = build_scope.kept_token(con)
        now = build_scope.states(con)
        changed = build_scope.changed_tables(con, now) if narrow and replay.scoped else None
        scope = None if changed is None else build_scope.with_partners(con, changed)
        if scope is not None:
            build_scope.set_scope(con, scope)
        for model in replay.models:
            relation = model["relation_name"]
            key = _meta(model).get("rebuilt_by")
            # Rows replaced, the table kept: its columns' comments (persist_docs) stay.
            where = f" WHERE {build_scope.replaced_rows(key)}" if scope is not None and key else ""
            con.execute(f"DELETE FROM {relation}{where}")
            con.execute(f"INSERT INTO {relation} BY NAME SELECT * FROM ({model['compiled_code']})")
        scoped = _scoped_relations(replay) if scope is not None else {}
        for test in replay.tests:
            config = test["config"]
            failures = con.execute(
                f"SELECT {config.get('fail_calc') or 'count(*)'}"
                f" FROM ({_in_scope(test['compiled_code'], scoped)}) AS dbt_test"
            ).fetchone()[0] or 0
            if config.get("severity", "error").lower() == "error" and _crosses(
                failures, config.get("error_if") or "!=0"
            ):
                failed.append(test["name"])
            elif _crosses(failures, config.get("warn_if") or "!=0"):
                warned.append(test["name"])
        if failed:
            raise ReplayFailed(failed)
        build_scope.scope_everything(con)
        build_scope.remember(con, now)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    passed = len(replay.models) + len(replay.tests)
    return Replayed(passed, warned, None if scope is None else frozenset(scope), since)
