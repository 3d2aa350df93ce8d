"""The portal in a real browser: Debian's chromium driven by playwright, against a real
`streamlit run` server on a copy of the demo home (../shared/STACK.md says how).

Screenshots of every page go to test-output/portal/ in the project, for a person to look
at. In CI (`CI=true`) a missing browser fails the run; elsewhere the tests are skipped with
the package to install.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from dashboards.portal_command import portal_command
from dashboards.preload import STATIC
from tests.conftest import copy_home, in_ci

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "portal"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

pytestmark = pytest.mark.browser


def _need_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("the Debian package `chromium` (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package `playwright` (uv sync)")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if in_ci():
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def portal(demo_home, tmp_path_factory):
    """A real portal server on a private copy of the demo home; yields (url, home)."""
    _need_browser()
    home = copy_home(demo_home.root, tmp_path_factory.mktemp("portal") / "home")
    yield from serve_portal(home, tmp_path_factory)


def serve_portal(home: Path, tmp_path_factory):
    """A real Streamlit server of the portal on `home`; yields (url, home), then stops it."""
    port = _free_port()
    env = {**os.environ, "SALNAMEH_HOME": str(home)}
    log = (tmp_path_factory.mktemp("portal-log") / "streamlit.log").open("w")
    server = subprocess.Popen(portal_command(port), cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/_stcore/health", server)
        yield url, home
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for(health: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the portal server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the portal did not answer {health} within {timeout} s")


def settle(tab, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script for what is on screen."""
    tab.wait_for_timeout(300)  # let a click's rerun start before waiting for its end
    tab.wait_for_selector(IDLE, timeout=timeout)


def shot(tab, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def visit(tab, url: str, path: str = "") -> None:
    # Only until the address is committed, not playwright's default of the load event
    # within 30 s: once in a CI run the load event of a page already drawn was held back
    # past that (test_portal_browser_review, stop 22). The title and the idle script below
    # say the page is there.
    tab.goto(f"{url}/{path}", wait_until="commit")
    # A fresh page is idle before its first run starts: wait for the page's title first.
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    settle(tab)


def demo_password(home: Path, user_id: str) -> str:
    with (home / "demo-staff.csv").open(encoding="utf-8") as handle:
        return next(r["password"] for r in csv.DictReader(handle) if r["user_id"] == user_id)


def sign_in(tab, url: str, home: Path, user_id: str) -> None:
    visit(tab, url, "sign_in")
    tab.get_by_label("نام کاربری").fill(user_id)
    tab.get_by_label("گذرواژه").fill(demo_password(home, user_id))
    tab.get_by_role("button", name="ورود").click()
    settle(tab)
    # Signed in once the sidebar names the user: on a loaded machine the click's rerun can
    # start after settle() saw the page idle, and a next visit() would leave before it.
    tab.locator('[data-testid="stSidebar"]').get_by_text(user_id).first.wait_for(timeout=60_000)


def test_public_pages_render_in_the_browser(portal, page):
    url, _home = portal
    for path, name in [("", "home"), ("yearbook", "yearbook"), ("explorer", "explorer"),
                       ("county", "county"), ("county_map", "county_map"),
                       ("search", "search"), ("sql", "sql")]:  # fmt: skip
        visit(page, url, path)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        assert shot(page, f"public-{name}").stat().st_size > 10_000
    # Persian first: the page runs right to left.
    direction = page.evaluate("getComputedStyle(document.querySelector('h1')).direction")
    assert direction == "rtl"


def test_a_page_opened_at_its_address_finds_the_server_at_once(portal, page):
    """Opened at its own address, a page's HTML declares the server's root
    (dashboards/server.py): Streamlit's frontend asks the root's health only, not
    /explorer/_stcore/health first (a 404, then a 100 ms wait); the page works. And every
    script the page runs was named in its HTML, Streamlit's own or preloaded for the page
    (dashboards/preload.py): none is found only once an element arrives."""
    url, _home = portal
    asked = []
    page.on("request", lambda request: asked.append(urllib.parse.urlsplit(request.url).path))
    visit(page, url, "explorer")
    assert page.locator('[data-testid="stException"]').count() == 0
    health = [path for path in asked if path.endswith("_stcore/health")]
    assert health == ["/_stcore/health"], health
    # The chart and the grid drawn: their code is the last the page asks for.
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
                 ).first.wait_for(timeout=60_000)  # fmt: skip
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    named = set(
        page.evaluate("""() => [...document.querySelectorAll(
        'head script[src], head link[rel="modulepreload"]')].map((e) =>
        new URL(e.getAttribute('src') || e.getAttribute('href'), location.href).pathname)""")
    )
    scripts = {path for path in asked if path.endswith(".js")}
    preloaded = {p for p in named if p.endswith(".js")}
    assert len(preloaded) > 60, preloaded  # Streamlit's own 58, and the chart's and grid's
    assert scripts - named == set(), sorted(scripts - named)


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_the_pages_html_declares_the_server_whatever_its_encoding(portal, encoding):
    """The declaration goes into the HTML whether or not the browser takes it compressed,
    with a true length; the scripts it loads are the files themselves, sent compressed to a
    browser that takes gzip."""
    url, _home = portal
    asked = urllib.request.Request(f"{url}/explorer", headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(asked, timeout=10) as answer:
        body = answer.read()
        assert answer.headers["Content-Type"].startswith("text/html")
        assert answer.headers.get("Content-Encoding") is None
        assert int(answer.headers["Content-Length"]) == len(body)
    head = body.decode("utf-8")
    assert head.index("BACKEND_BASE_URL") < head.index('<script type="module"')
    script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', head).group(1)
    asked = urllib.request.Request(f"{url}/{script}", headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(asked, timeout=10) as answer:
        sent = answer.read()
        # The portal's server sends its frontend code compressed to a browser that takes
        # it (dashboards/compressed_static.py); the file itself is untouched.
        assert answer.headers.get("Content-Encoding") == (None if encoding == "identity"
                                                          else "gzip")  # fmt: skip
    code = gzip.decompress(sent) if encoding == "gzip" else sent
    assert code == (STATIC / script).read_bytes()
    assert b"BACKEND_BASE_URL: window.location.origin" not in code


def test_the_yearbooks_csv_is_written_when_clicked_and_reads_back(portal, page):
    """The yearbook's CSV is made when its button is clicked: drawing the page fetches no
    file back (a file made on every run was, by Streamlit's button checking its address);
    the click's file has the observations' columns, one edition named, and figures."""
    url, _home = portal
    fetched = []
    page.on("request", lambda request: fetched.append(urllib.parse.urlsplit(request.url).path))
    visit(page, url, "yearbook")
    assert not [path for path in fetched if path.startswith("/media/")], fetched
    with page.expect_download() as download:
        page.get_by_role("button", name="داده‌ها (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows and {"geo_name_fa", "value", "edition"} <= set(rows[0])
    assert {r["edition"] for r in rows} == {rows[0]["edition"]} != {""}
    assert any(r["value"] not in ("", None) for r in rows)


ROAD, ROAD_AGENCY = "road_length_type_county", "road_maintenance"


def menu(tab, title: str) -> None:
    """Go to a page through the sidebar menu: a new address would start a new session and
    sign the user out, as it does for a person who types one."""
    tab.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    settle(tab)


def road_files(folder: Path) -> tuple[Path, Path, int]:
    """Road lengths 1402 as the agency's form, with Damavand's total 100 km more than its
    parts (rejected), and the correct one; plus Damavand's correct total."""
    from tests.corpus.build import grid, row_of, save_xlsx

    good = grid(ROAD, 1402)
    at = row_of(good, "دماوند")
    total = good.rows[at][1]
    broken = grid(ROAD, 1402)
    broken.rows[at][1] += 100
    for kind in ("bad", "good"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    bad_path = save_xlsx(broken, folder / "bad" / f"{ROAD}.xlsx")
    good_path = save_xlsx(good, folder / "good" / f"{ROAD}.xlsx")
    return bad_path, good_path, total


def upload(tab, path: Path, verdict: str, *details: str) -> None:
    """Send a file from the upload page and wait for its verdict and details on screen."""
    from playwright.sync_api import expect

    tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    settle(tab)
    tab.get_by_role("button", name="ارسال").click()
    main = tab.locator('[data-testid="stMain"]')
    for text in (verdict, *details):
        expect(main).to_contain_text(text, timeout=60_000)
    settle(tab)


def test_a_correction_travels_from_the_liaison_to_the_public_yearbook(portal, browser, tmp_path):
    """The cycle in the browser: a liaison's broken file is refused with where and why, the
    corrected one accepted; an expert approves it; once the coordinator publishes 1402
    and the warehouse is built, the figure is on the public yearbook page."""
    from tests.conftest import run_salnameh

    url, home = portal
    bad, good, damavand_total = road_files(tmp_path)

    liaison = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = liaison.new_page()
    sign_in(tab, url, home, f"liaison-{ROAD_AGENCY}")
    menu(tab, "بارگذاری فایل")
    # Refused, with the row and the figures named in Persian.
    upload(tab, bad, "پذیرفته نشد", "در ردیف دماوند")
    shot(tab, "liaison-upload-rejected")
    upload(tab, good, "پذیرفته شد")
    shot(tab, "liaison-upload-accepted")
    menu(tab, "سابقه ارسال‌ها")
    shot(tab, "liaison-history")
    liaison.close()

    expert = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = expert.new_page()
    sign_in(tab, url, home, "demo-expert")
    menu(tab, "صف بررسی")
    chooser = tab.locator('[data-testid="stSelectbox"]').filter(has_text="ارسال برای بررسی")
    chooser.locator("input").click()
    tab.keyboard.type("طول راه‌های برون‌شهری")
    tab.get_by_role("option").filter(has_text="۱۴۰۲").first.click()
    settle(tab)
    shot(tab, "expert-review")
    tab.get_by_text("تأیید", exact=True).click()
    tab.get_by_role("button", name="ثبت تصمیم").click()
    from playwright.sync_api import expect

    expect(tab.locator('[data-testid="stMain"]')).to_contain_text("تأیید شد", timeout=60_000)
    settle(tab)
    shot(tab, "expert-approved")
    expert.close()

    from salnameh.ledger import Ledger

    ledger = Ledger(home / "ledger.sqlite")
    current = ledger.current(ROAD, 1402)
    assert ledger.reviews(current.submission_id)[-1]["decision"] == "approved"

    # Approved is not published: the public page does not have 1402 yet.
    reader = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = reader.new_page()
    visit(tab, url, f"yearbook?table={ROAD}&year=1402")
    before = tab.locator('[data-testid="stMain"]').inner_text()
    assert "جدول ۱۲-۱" in before and "۱۴۰۲" not in before.split("جدول ۱۲-۱")[1][:200]
    reader.close()

    os.environ["SALNAMEH_PASSWORD"] = demo_password(home, "demo-coordinator")
    try:
        published = run_salnameh("publish", "--year", "1402", "--allow-incomplete", "--as",
                                 "demo-coordinator", home=home)  # fmt: skip
    finally:
        del os.environ["SALNAMEH_PASSWORD"]
    assert published.returncode == 0, published.stderr
    built = run_salnameh("build", home=home)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]

    reader = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    tab = reader.new_page()
    visit(tab, url, f"yearbook?table={ROAD}&year=1402")
    shot(tab, "public-yearbook-1402")
    shown = tab.locator('[data-testid="stMain"]').inner_text()
    from salnameh.persian import to_persian_digits

    assert "۱۴۰۲" in shown
    # Persian separators (٬ thousands, ٫ decimals) or Latin ones: the figure, not the style.
    shown = shown.replace("٬", ",").replace("٫", ".")
    assert "دماوند" in shown and to_persian_digits(f"{damavand_total:,}") in shown
    reader.close()


def test_staff_pages_render_for_the_coordinator_in_the_browser(portal, page):
    """Every staff page, as the coordinator (who may use them all) sees it."""
    from dashboards.app import STAFF_PAGES

    url, home = portal
    sign_in(page, url, home, "demo-coordinator")
    for path, title_fa, _title_en, _action in STAFF_PAGES:
        menu(page, title_fa)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        assert page.get_by_role("heading", name=title_fa).count() >= 1, path
        shot(page, f"staff-{Path(path).stem}")


def test_a_sign_in_holds_across_reloads_and_portals_and_signing_out_ends_it_everywhere(
    demo_home, browser, tmp_path_factory
):
    """Two portal processes on one installation (as behind a load balancer): a sign-in on
    one holds after a reload and on the other; signing out on another computer ends it on
    the first too. The session is the ledger's; a browser holds only its token."""
    _need_browser()
    from salnameh.ledger import Ledger
    from salnameh.settings import home as home_of

    home = copy_home(demo_home.root, tmp_path_factory.mktemp("sessions") / "home")
    first, second = serve_portal(home, tmp_path_factory), serve_portal(home, tmp_path_factory)
    (url_a, _), (url_b, _) = next(first), next(second)
    office = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")

    def named(tab):  # the sidebar names whoever is signed in
        return tab.locator('[data-testid="stSidebar"]').get_by_text("demo-expert")

    # Each waits for what it expects (failing after a minute): on a loaded machine the
    # rerun a click starts may begin after settle() has already seen the page idle.
    def signed_in(tab) -> bool:
        from playwright.sync_api import expect

        expect(named(tab).first).to_be_visible(timeout=60_000)
        return True

    def signed_out(tab) -> bool:
        from playwright.sync_api import expect

        expect(named(tab)).to_have_count(0, timeout=60_000)
        return True

    try:
        tab = office.new_page()
        sign_in(tab, url_a, home, "demo-expert")
        assert signed_in(tab)
        tab.reload()  # a new connection: Streamlit's own state for the tab is gone
        visit(tab, url_a)
        assert signed_in(tab)
        other = office.new_page()
        visit(other, url_b)  # the other portal process, same browser
        assert signed_in(other)
        shot(other, "session-second-portal")

        away = laptop.new_page()  # the same user on another computer signs out there
        sign_in(away, url_b, home, "demo-expert")
        assert signed_in(away)
        away.get_by_role("button", name="خروج").click()
        settle(away)
        assert signed_out(away)

        # The office's browser still holds its cookie, but the ledger ended the session
        # (and the page then takes the dead cookie back).
        assert any(c["name"] == "salnameh_session" and c["value"] for c in office.cookies())
        visit(tab, url_a)
        assert signed_out(tab)
        assert not any(c["name"] == "salnameh_session" and c["value"] for c in office.cookies())
        with Ledger(home_of(home).ledger_url).connect() as con:
            ended = con.execute(
                "SELECT count(*) FROM sessions WHERE user_id = 'demo-expert'"
                " AND ended_at IS NOT NULL"
            ).fetchone()[0]
        assert ended == 2
    finally:
        office.close()
        laptop.close()
        first.close()
        second.close()
