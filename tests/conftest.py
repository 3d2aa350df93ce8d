from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from salnameh.catalog import Catalog, load_catalog
from salnameh.settings import LEDGER_URL_VARIABLE, REFERENCE_DIR
from tests import shared_homes

# A PostgreSQL server for the ledger's tests: postgresql://user:password@host:port/database
# of a role that may create databases (.ci/run starts one; README.md says how by hand).
TEST_POSTGRES_VARIABLE = "SALNAMEH_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seeds folder that a test may break."""
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


@pytest.fixture
def salnameh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    monkeypatch.setenv("SALNAMEH_HOME", str(root))
    return root


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards.

    Without SALNAMEH_TEST_POSTGRES_URL the test is skipped, except under CI, where it
    fails: CI must not pass without having run the ledger on PostgreSQL."""
    admin = os.environ.get(TEST_POSTGRES_VARIABLE)
    if not admin:
        message = f"{TEST_POSTGRES_VARIABLE} is not set: no PostgreSQL server to test on"
        if in_ci():
            pytest.fail(message + " (CI must run the ledger's tests on PostgreSQL)")
        pytest.skip(message)
    import psycopg
    from psycopg import sql

    from salnameh.ledger_db import forget_connections, with_database

    name = f"salnameh_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(admin, name)
    try:
        yield url
    finally:
        forget_connections(url)
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_backend(request, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs a test once on each kind of ledger: the home's SQLite file, then a fresh
    PostgreSQL database named by SALNAMEH_LEDGER_URL (as an installation chooses it)."""
    monkeypatch.delenv(LEDGER_URL_VARIABLE, raising=False)
    if request.param == "sqlite":
        yield "sqlite"
        return
    with fresh_postgres_database() as url:
        monkeypatch.setenv(LEDGER_URL_VARIABLE, url)
        yield "postgresql"


@contextmanager
def embedded_ledger() -> Iterator[None]:
    """The session's shared homes keep their ledger in their own SQLite file, even when
    first asked for by a test that runs on PostgreSQL (whose database is dropped after)."""
    url = os.environ.pop(LEDGER_URL_VARIABLE, None)
    try:
        yield
    finally:
        if url is not None:
            os.environ[LEDGER_URL_VARIABLE] = url


@dataclass(frozen=True)
class DemoHome:
    root: Path
    demo: subprocess.CompletedProcess  # `salnameh demo --ingest`
    build: subprocess.CompletedProcess  # `salnameh build`


def run_salnameh(*args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    """The CLI as a user runs it: a real subprocess with real exit codes."""
    command = [sys.executable, "-m", "app.cli"]
    if home is not None:
        command += ["--home", str(home)]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> DemoHome:
    """The spine of `make demo` (generate, ingest, review, build), made once per test run
    (tests/shared_homes.py). Tests may read it; a test that changes a home works on a copy
    (`copy_home`)."""
    prebuilt = os.environ.get("SALNAMEH_TEST_DEMO_HOME")
    if prebuilt and not in_ci():
        # A developer's shortcut while iterating on read-only tests: reuse a home made by
        # `salnameh demo --ingest && salnameh build && salnameh export` (never in CI).
        return DemoHome(Path(prebuilt), None, None)  # type: ignore[arg-type]
    return _demo_home(shared_homes.wait_for(shared_folder(tmp_path_factory), "demo"))


@pytest.fixture(scope="session")
def province_demo_home(tmp_path_factory: pytest.TempPathFactory) -> DemoHome:
    """`make demo PROVINCE=20`'s spine on PROVINCE_DEMO_TABLES, once per test run:
    `salnameh demo --province 20 --ingest --table ...` (every verdict as planned) and
    `salnameh build` on a home of its own."""
    return _demo_home(shared_homes.wait_for(shared_folder(tmp_path_factory), "province-demo"))


def _demo_home(made: dict) -> DemoHome:
    return DemoHome(Path(made["root"]), subprocess.CompletedProcess(**made["demo"]),
                    subprocess.CompletedProcess(**made["build"]))  # fmt: skip


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the run's shared homes are made: with pytest-xdist's workers (`make test`), the
    run's folder above each worker's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


# Each shared home (tests/shared_homes.py) by the fixture that gives it to tests.
SHARED_HOMES = {"demo_home": "demo", "province_demo_home": "province-demo",
                "national_hub": "national"}  # fmt: skip


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start making the shared homes the collected tests need, and put the test files that
    need none first, then those whose homes are quick to make, the demo home's last: so
    pytest-xdist's workers (`--no-loadscope-reorder`) run the first while the homes are
    made. Within each group the heavy files (a test marked slow, or one driving Chromium)
    go first, then those with more tests, as xdist would order them: the run ends on small
    files, not with one worker idle while the other runs a long one."""
    needs: dict[str, set[str]] = defaultdict(set)  # test file -> the shared homes it needs
    for item in items:
        needs[item.nodeid.split("::")[0]] |= {f for f in item.fixturenames if f in SHARED_HOMES}
    wanted = {SHARED_HOMES[f] for fixtures in needs.values() for f in fixtures}
    if os.environ.get("SALNAMEH_TEST_DEMO_HOME") and not in_ci():
        wanted.discard("demo")
    shared = shared_folder(config._tmp_path_factory)  # type: ignore[attr-defined]
    for name in sorted(wanted):
        shared_homes.start(shared, name)
    count = Counter(item.nodeid.split("::")[0] for item in items)
    heavy = {item.nodeid.split("::")[0] for item in items
             if item.get_closest_marker("slow") or "browser" in item.fixturenames}  # fmt: skip

    def order(item: pytest.Item) -> tuple[int, bool, int]:
        file = item.nodeid.split("::")[0]
        group = 2 if "demo_home" in needs[file] else 1 if needs[file] else 0
        return group, file not in heavy, -count[file]

    items.sort(key=order)  # stable: each file's tests keep their order


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a home that a test may change. The ledger goes through `copy_ledger`: a
    test on another worker may be using a shared home's ledger while this copies it."""
    skipped = shutil.ignore_patterns("dbt", "*.lock", "ledger.sqlite*")
    shutil.copytree(source, target, ignore=skipped)
    if (source / "ledger.sqlite").exists():
        copy_ledger(source / "ledger.sqlite", target / "ledger.sqlite")
    return target


def copy_ledger(source: Path, target: Path) -> None:
    """A SQLite ledger copied whole through SQLite's backup, as `salnameh backup` does: a
    process that has used it may still hold its last writes in the write-ahead log."""
    ledger, copy = (sqlite3.connect(path) for path in (source, target))
    with closing(ledger), closing(copy):
        ledger.backup(copy)


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


PORTAL = Path(__file__).resolve().parent.parent / "dashboards"


@pytest.fixture
def portal_page(monkeypatch: pytest.MonkeyPatch):
    """A portal page as Streamlit's AppTest runs it, for a home, a signed-in actor or
    nobody, and a language: `portal_page("screens/review.py", home, actor=EXPERT)`.

    The page script runs alone (not through the menu), which is how a wrong role that types
    a page's address is refused: by the page's own check.
    """
    from streamlit.testing.v1 import AppTest

    def make(page: str, home: Path, actor=None, lang: str = "fa", timeout: float = 60):
        monkeypatch.setenv("SALNAMEH_HOME", str(home))
        app = AppTest.from_file(str(PORTAL / page), default_timeout=timeout)
        app.session_state["lang"] = lang
        if actor is not None:
            import time

            app.session_state["actor"] = actor
            app.session_state["last_seen"] = time.monotonic()
        return app

    return make


# AppTest's name of an element -> the frontend component that draws it, by its name in
# dashboards/preload.py; titles, captions and plain Markdown are Streamlit's main bundle's.
DRAWN_BY = {
    "vega_lite_chart": "ArrowVegaLiteChart", "dataframe": "DataFrame",
    "multiselect": "Multiselect", "selectbox": "Selectbox", "radio": "Radio",
    "toggle": "Checkbox", "checkbox": "Checkbox", "slider": "Slider", "select_slider": "Slider",
    "download_button": "DownloadButton", "button": "Button", "text_input": "TextInput",
    "text_area": "TextArea", "html": "Html", "metric": "Metric",
}  # fmt: skip


def components_drawn(app) -> set[str]:
    """The frontend components (DRAWN_BY) the page's run drew, and rehype-raw for Markdown
    that carries HTML."""
    found: set[str] = set()

    def walk(node) -> None:
        kind = getattr(node, "type", None)
        if kind in DRAWN_BY:
            found.add(DRAWN_BY[kind])
        if getattr(getattr(node, "proto", None), "allow_html", False):
            found.add("rehype-raw")
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app.main)
    return found


@dataclass(frozen=True)
class NationalHub:
    root: Path  # the provinces' homes and packages
    home: Path  # the hub, after `national receive` of every package and `build`
    packages: dict[str, Path]  # province code -> its package folder
    receive: list[dict]  # `national receive --json`


@pytest.fixture(scope="session")
def national_hub(tmp_path_factory: pytest.TempPathFactory) -> NationalHub:
    """SCI's hub from three provinces' real 1390 census workbooks (Tehran 23, Gilan 01,
    Qom 25), each through its own installation into its package, made once per test run
    (tests/shared_homes.py). Tests read it; a test that changes a hub works on a copy
    (`copy_home`)."""
    made = shared_homes.wait_for(shared_folder(tmp_path_factory), "national")
    return NationalHub(Path(made["root"]), Path(made["home"]),
                       {code: Path(p) for code, p in made["packages"].items()},
                       made["receive"])  # fmt: skip


# A real browser for the portal's browser tests (tests/test_portal_browser.py says how).
@pytest.fixture(scope="module")
def browser():
    from tests.test_portal_browser import CHROMIUM, LAUNCH_ARGS, _need_browser

    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = context.new_page()
    yield tab
    context.close()
