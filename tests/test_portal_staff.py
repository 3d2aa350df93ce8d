"""The staff pages of the portal (liaison, expert, coordinator), run by Streamlit's AppTest
on the demo home: each page for its role in Persian and English, refused to the wrong role
with nothing shown, and the cycle's actions through the widgets, checked in the ledger."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.demo.cycle import ANALYST, COORDINATOR, EXPERT, liaison
from dashboards.staff_display import days_phrase, jalali_day, number, percent
from salnameh.access import Actor, Forbidden
from salnameh.catalog import load_catalog
from salnameh.ledger import Ledger
from tests.conftest import copy_home

pytestmark = pytest.mark.integration

ROAD = "road_length_type_county"  # road_maintenance's 1402 table, rejected in the demo
ROADS = liaison("road_maintenance")
GAS = liaison("gas")
PAGES = {
    "screens/liaison_tables.py": ("جدول‌های دستگاه من", "My agency's tables", ROADS),
    "screens/liaison_upload.py": ("بارگذاری فایل", "Upload a file", ROADS),
    "screens/liaison_history.py": ("سابقه ارسال‌ها", "My submissions", GAS),
    "screens/review.py": ("صف بررسی", "Review queue", EXPERT),
    "screens/quality.py": ("کیفیت داده‌ها", "Data quality", EXPERT),
    "screens/progress.py": ("پیشرفت گردآوری", "Collection progress", COORDINATOR),
    "screens/editions.py": ("انتشار ویرایش", "Publish an edition", COORDINATOR),
    "screens/sla.py": ("سنجش تفاهم‌نامه", "The agreement, measured", ANALYST),
}
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "success", "info",
                 "warning", "error")  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def home(demo_home, tmp_path) -> Path:
    """A private copy of the demo home, for a test that writes."""
    return copy_home(demo_home.root, tmp_path / "home")


def ledger_of(root: Path) -> Ledger:
    return Ledger(root / "ledger.sqlite")


# The demo plants its anomalies among the catalog's tables (demo/anomalies.csv): the tests
# take their cases from that plan and the ledger, not from table names, so a catalog that
# grows does not move them out from under the tests.
def planted(root: Path) -> list[dict]:
    with (root / "demo" / "anomalies.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def returned_collapse(root: Path) -> tuple[dict, dict]:
    """A table-year the demo's experts returned for a planted collapse: (its review queue
    row, the planted anomaly)."""
    collapses = {(a["table_id"], int(a["year"])): a for a in planted(root)
                 if a["kind"] == "collapse"}  # fmt: skip
    for row in ledger_of(root).review_queue():
        if row["review_state"] == "returned" and (row["table_id"], row["year"]) in collapses:
            return row, collapses[(row["table_id"], row["year"])]
    raise AssertionError("the demo returned no collapse")


def rejected_in_1402(root: Path) -> str:
    """An agency whose 1402 table is still rejected (a planted error) and so overdue."""
    ledger = ledger_of(root)
    current = {(s.table_id, s.year): s for s in ledger.submissions()}  # latest last
    for (table_id, year), s in current.items():
        if year == 1402 and s.verdict == "rejected" and ledger.current(table_id, year) is None:
            return s.agency
    raise AssertionError("the demo leaves no 1402 table rejected")


def texts(app) -> str:
    """Everything the page wrote, as one text to search."""
    parts = [e.value for kind in TEXT_ELEMENTS for e in getattr(app, kind)]
    parts += [m.label + " " + str(m.value) for m in app.metric]
    parts += [e.label for e in app.expander]
    return "\n".join(str(p) for p in parts)


def grid(app, index: int = 0):
    """A scrolling table (st.dataframe) as a frame; Persian pages show its columns reversed."""
    return app.dataframe[index].value


class _Queue(HTMLParser):
    """The review queue's HTML table: its direction and its rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.direction, self.rows, self.cell = None, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "review-queue":
            self.direction = attrs.get("dir")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self.cell)
            self.cell = None


def queue_of(app) -> _Queue:
    [markup] = [m.value for m in app.markdown if 'class="review-queue"' in m.value]
    parsed = _Queue()
    parsed.feed(markup)
    return parsed


def table(app, index: int = 0):
    """A static table (st.table) as a frame, columns in reading order."""
    return app.table[index].value


# ------------------------------------------------------------------ every page, its role
@pytest.mark.parametrize("lang", ["fa", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_each_staff_page_renders_for_its_role(portal_page, demo_home, page, lang):
    title_fa, title_en, actor = PAGES[page]
    app = portal_page(page, demo_home.root, actor=actor, lang=lang).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert app.title[0].value == (title_fa if lang == "fa" else title_en)
    if page == "screens/liaison_upload.py":
        assert app.file_uploader(key="upload_file") and app.button(key="upload_send").disabled
        return
    frames = [e.value for e in [*app.dataframe, *app.table]]
    assert frames, "the page shows no table"
    written = texts(app) + "".join(f.to_string() for f in frames)
    if lang == "fa":
        assert PERSIAN_DIGITS & set(written), "numbers are not in Persian digits"
    else:
        assert not PERSIAN_DIGITS & set(written), "Persian digits on an English page"


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_reader_is_sent_to_sign_in_and_sees_nothing(portal_page, demo_home, page):
    app = portal_page(page, demo_home.root, actor=None).run()
    assert not app.exception
    assert [w.value for w in app.warning] == ["برای دیدن این صفحه وارد شوید."]
    assert not (app.title or app.dataframe or app.table or app.metric)


@pytest.mark.parametrize(
    ("page", "actor", "action"),
    [
        ("screens/review.py", ROADS, "review"),
        ("screens/quality.py", ROADS, "review"),
        ("screens/editions.py", EXPERT, "publish"),
        ("screens/progress.py", EXPERT, "open_year"),
        ("screens/liaison_upload.py", ANALYST, "upload"),
        ("screens/liaison_tables.py", EXPERT, "upload"),
        ("screens/liaison_history.py", ANALYST, "upload"),
        ("screens/review.py", ANALYST, "review"),
        ("screens/sla.py", ROADS, "read_sla"),
    ],
)
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_wrong_role_is_refused_with_the_core_message(
    portal_page, demo_home, page, actor, action, lang
):
    app = portal_page(page, demo_home.root, actor=actor, lang=lang).run()
    refused = Forbidden(actor, action)
    assert [e.value for e in app.error] == [refused.fa if lang == "fa" else refused.en]
    assert not (app.title or app.dataframe or app.table or app.metric or app.button)


# ----------------------------------------------------------------- a liaison's own data
def test_liaison_sees_only_its_agency_tables_even_when_asking_for_another(
    portal_page, demo_home, catalog
):
    agency = rejected_in_1402(demo_home.root)
    other = "gas" if agency != "gas" else "road_maintenance"
    app = portal_page("screens/liaison_tables.py", demo_home.root, actor=liaison(agency),
                      lang="en")  # fmt: skip
    app.session_state["staff_agency"] = other  # a crafted request for another agency
    app.run()
    frame = table(app)
    mine = {t.title.en for t in catalog if t.agency == agency}
    assert len(frame) >= 1 and set(frame["Table"]) <= mine
    theirs = {t.title.en for t in catalog if t.agency == other}
    assert not theirs & set(frame["Table"])
    # The overdue 1402 table is there with its Jalali deadline and days overdue.
    row = frame[frame["Year"] == "1402"].iloc[0]
    assert row["State"] == "rejected" and "days overdue" in row["Time"]
    assert row["Deadline"].startswith("1403/")
    assert app.download_button(key="form_download")

    # A coordinator may work for any agency, choosing it.
    app = portal_page("screens/liaison_tables.py", demo_home.root, actor=COORDINATOR, lang="en")
    app.run().selectbox(key="staff_agency").set_value("gas").run()
    gas = {t.title.en for t in catalog if t.agency == "gas"}
    assert set(table(app)["Table"]) == gas


def test_liaison_history_holds_only_its_agency_and_the_experts_comment(
    portal_page, demo_home, catalog
):
    returned, _anomaly = returned_collapse(demo_home.root)
    agency = returned["agency"]
    app = portal_page("screens/liaison_history.py", demo_home.root, actor=liaison(agency),
                      lang="en").run()  # fmt: skip
    ledger = ledger_of(demo_home.root)
    ids = {int(i) for i in grid(app)["Submission"]}
    assert ids == {s.submission_id for s in ledger.submissions() if s.agency == agency}
    assert "The figure falls far below its series" in texts(app)  # the demo's return comment
    received = grid(app)["Received"].iloc[0]
    assert received.startswith("14"), received  # a Jalali date


def test_core_refuses_another_agency_whatever_the_page_asks(demo_home, catalog):
    from dashboards.liaison_view import assignments, history, submission_trail

    ledger = ledger_of(demo_home.root)
    with pytest.raises(Forbidden):
        assignments(ledger, catalog, ROADS, "gas", "fa")
    with pytest.raises(Forbidden):
        history(ledger, catalog, ROADS, "gas", "fa")
    gas_submission = next(s for s in ledger.submissions() if s.agency == "gas")
    with pytest.raises(Forbidden):
        submission_trail(ledger, ROADS, gas_submission.submission_id, "fa")
    # The coordinator may look at any agency.
    assert assignments(ledger, catalog, COORDINATOR, "gas", "fa")


def test_form_download_is_the_templates_workbook(demo_home, catalog, tmp_path):
    import openpyxl

    from dashboards.liaison_view import form_workbook
    from salnameh.forms import write_forms
    from salnameh.reference import Reference

    reference = Reference()
    name, data = form_workbook(catalog, reference, ROAD, 1402)
    (tmp_path / name).write_bytes(data)
    written = next(
        p
        for p in write_forms(catalog, reference, 1402, tmp_path / "cli", "road_maintenance")
        if p.name == name
    )
    ours, theirs = openpyxl.load_workbook(tmp_path / name), openpyxl.load_workbook(written)
    assert ours.sheetnames == theirs.sheetnames
    for sheet in ours.sheetnames:
        assert [[c.value for c in r] for r in ours[sheet].iter_rows()] == [
            [c.value for c in r] for r in theirs[sheet].iter_rows()
        ]
    assert ours["_salnameh"]["B1"].value == ROAD and ours["_salnameh"]["B2"].value == 1402


# ------------------------------------------------------------------------- the upload
def _road_files(folder: Path) -> tuple[bytes, bytes, int]:
    """Road lengths 1402 with Damavand's total 100 km more than its parts, and corrected;
    and the sheet row of Damavand."""
    from tests.corpus.build import first_row, grid, row_of, save_xlsx

    broken = grid(ROAD, 1402)
    at = row_of(broken, "دماوند")
    broken.rows[at][1] += 100
    bad = save_xlsx(broken, folder / "bad.xlsx").read_bytes()
    good = save_xlsx(grid(ROAD, 1402), folder / "good.xlsx").read_bytes()
    return bad, good, first_row(broken) + at


def _send(app, name: str, data: bytes):
    app.file_uploader(key="upload_file").set_value((name, data, "application/octet-stream"))
    app.run()
    return app.button(key="upload_send").click().run()


def test_liaison_uploads_a_broken_file_sees_where_then_the_corrected_one(
    portal_page, home, tmp_path
):
    bad, good, damavand = _road_files(tmp_path)
    ledger = ledger_of(home)
    app = portal_page("screens/liaison_upload.py", home, actor=ROADS, lang="fa").run()
    _send(app, f"{ROAD}.xlsx", bad)
    assert not app.exception
    assert "پذیرفته نشد" in app.error[0].value and "۱۴۰۲" in app.error[0].value
    problems = table(app)
    damavand_row = problems[
        problems["ردیف"] == str(damavand).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    ]
    assert len(damavand_row) == 1
    assert damavand_row["ستون"].iloc[0] == "B"
    assert damavand_row["برگه"].iloc[0] == "جدول"
    assert "دماوند" in damavand_row["شرح"].iloc[0] and "اجزای آن" in damavand_row["شرح"].iloc[0]
    rejected = ledger.submissions()[-1]
    assert (rejected.table_id, rejected.verdict) == (ROAD, "rejected")

    _send(app, f"{ROAD}.xlsx", good)
    assert not app.error
    assert "پذیرفته شد" in app.success[0].value
    current = ledger.current(ROAD, 1402)
    assert current is not None and current.submission_id == rejected.submission_id + 1

    # The same file again: unchanged, said so, nothing new in the ledger.
    _send(app, f"{ROAD}.xlsx", good)
    assert "تغییری نکرد" in app.info[0].value
    assert ledger.submissions()[-1].submission_id == current.submission_id

    # An expert reviews it before any build: its values come from the archived original.
    review = _review_page(portal_page, home, "in_review", current.submission_id)
    values = next(d.value for d in review.dataframe if "Cell" in d.value.columns)
    assert len(values) == current.n_values == 102
    written = texts(review)
    assert "came after the last build" in written
    assert "computed by the next warehouse build" in written


def test_liaison_cannot_upload_another_agencys_table(portal_page, home, tmp_path):
    _bad, good, _row = _road_files(tmp_path)
    before = len(ledger_of(home).submissions())
    app = portal_page("screens/liaison_upload.py", home, actor=GAS, lang="en").run()
    _send(app, f"{ROAD}.xlsx", good)
    assert [e.value for e in app.error] == [Forbidden(GAS, "upload", "road_maintenance").en]
    assert not app.success and len(ledger_of(home).submissions()) == before


def test_the_upload_function_is_the_clis_ingestion(home, tmp_path):
    """The page's handler gives the CLI's verdict and refuses the wrong role in the core."""
    from dashboards.liaison_view import receive_upload
    from salnameh.reference import Reference
    from salnameh.settings import home as home_at

    bad, good, _row = _road_files(tmp_path)
    where, catalog, reference = home_at(home), load_catalog(), Reference()
    with pytest.raises(Forbidden):
        receive_upload(where, catalog, reference, good, f"{ROAD}.xlsx", ANALYST)
    outcome = receive_upload(where, catalog, reference, bad, f"../../{ROAD}.xlsx", ROADS)
    assert outcome.verdict == "rejected"
    assert {p.code for p in outcome.errors} == {"parts_sum_mismatch", "counties_sum_mismatch"}
    assert ledger_of(home).get(outcome.submission_id).filename == f"{ROAD}.xlsx"


# ---------------------------------------------------------------------------- experts
def _review_page(portal_page, home, state: str, sid: int, lang: str = "en", year=None):
    app = portal_page("screens/review.py", home, actor=EXPERT, lang=lang).run()
    if year is not None:
        app.selectbox(key="queue_year").set_value(year).run()
    app.selectbox(key="queue_state").set_value(state).run()
    app.selectbox(key="review_submission").set_value(sid).run()
    assert not app.exception, app.exception
    return app


def test_expert_approves_one_and_returns_another_only_with_a_comment(portal_page, home):
    ledger = ledger_of(home)
    waiting = [
        r["submission_id"] for r in ledger.review_queue(1402) if r["review_state"] == "in_review"
    ]
    first, second = waiting[:2]

    app = _review_page(portal_page, home, "in_review", first)
    assert app.header[0].value.endswith("1402")
    app.selectbox(key="queue_chapter").set_value(7).run()
    assert {row[2].split("-")[0] for row in queue_of(app).rows[1:]} == {"7"}
    app.selectbox(key="queue_chapter").set_value(None).run()
    app.selectbox(key="review_submission").set_value(first).run()
    app.radio(key="decision").set_value("approved")
    app.button(key="decision_submit").click().run()
    assert ledger.reviews(first)[-1]["decision"] == "approved"
    assert f"Submission {first} approved." in [s.value for s in app.success]
    assert not any(
        o.startswith(f"{first} ·") for o in app.selectbox(key="review_submission").options
    )

    app.selectbox(key="review_submission").set_value(second).run()
    app.radio(key="decision").set_value("returned")
    app.button(key="decision_submit").click().run()
    assert "needs a comment" in app.error[0].value
    assert ledger.reviews(second) == []

    app.radio(key="decision").set_value("returned")
    app.text_area(key="decision_comment").set_value("Damavand's total looks too high.")
    app.button(key="decision_submit").click().run()
    last = ledger.reviews(second)[-1]
    assert (last["decision"], last["comment"], last["reviewer"]) == (
        "returned",
        "Damavand's total looks too high.",
        EXPERT.user_id,
    )
    # The return went to the agency as a numbered letter with the comment.
    from salnameh.letters import register

    letter = register(ledger, EXPERT, ledger.get(second).agency, 1402)[0]
    assert letter["kind"] == "return" and "Damavand's total looks too high." in letter["body"]
    assert f"Submission {second} returned; letter {letter['number']} sent." in [
        s.value for s in app.success
    ]


def test_return_without_comment_is_refused_in_persian(portal_page, home):
    ledger = ledger_of(home)
    sid = next(
        r["submission_id"] for r in ledger.review_queue(1402) if r["review_state"] == "in_review"
    )
    app = _review_page(portal_page, home, "in_review", sid, lang="fa")
    app.button(key="decision_submit").click().run()  # nothing chosen: nothing decided
    assert "تأیید یا بازگرداندن را انتخاب کنید" in app.error[0].value
    app.radio(key="decision").set_value("returned")
    app.button(key="decision_submit").click().run()
    assert "توضیح بنویسید" in app.error[0].value
    assert ledger.reviews(sid) == []


def county_name(code: str) -> str:
    from salnameh.reference import Reference

    return next(g.name_en for g in Reference().geography if g.code == code)


def test_submission_page_shows_values_report_and_flags_with_a_chart(portal_page, demo_home):
    ledger = ledger_of(demo_home.root)
    collapse, anomaly = returned_collapse(demo_home.root)
    app = _review_page(portal_page, demo_home.root, "returned", collapse["submission_id"],
                       year=collapse["year"])  # fmt: skip
    values = next(d.value for d in app.dataframe if "Cell" in d.value.columns)
    assert len(values) == ledger.get(collapse["submission_id"]).n_values
    assert "Values read from the internal snapshot" in texts(app)
    titles = [e.label for e in app.expander]
    place = county_name(anomaly["geo_code"])
    assert any(t.startswith(f"warning: sharp drop · {place}") for t in titles), titles
    assert app.get("vega_lite_chart"), "no chart of the flagged series"


def test_flag_verdict_is_recorded_and_counted_as_judged(portal_page, home):
    ledger = ledger_of(home)
    collapse, anomaly = returned_collapse(home)
    app = _review_page(portal_page, home, "returned", collapse["submission_id"],
                       year=collapse["year"])  # fmt: skip
    county = f"/{anomaly['geo_code']}/"
    radio = next(r for r in app.radio if r.key.startswith("verdict_") and county in r.key)
    anomaly_id = radio.key.removeprefix("verdict_")
    radio.set_value("error")
    app.text_input(key=f"note_{anomaly_id}").set_value("The county sent thousands by mistake.")
    app.button(key=f"judge_submit_{anomaly_id}").click().run()
    assert not app.exception
    assert "Verdict recorded." in [s.value for s in app.success]
    [verdict] = ledger.anomaly_verdicts()
    table_id, year, geo, measure, dim_key, kind = anomaly_id.split("/")
    stored = [verdict[k] for k in ("table_id", "year", "geo_code", "measure", "dim_key", "kind")]
    assert stored == [table_id, int(year), geo, measure, dim_key, kind]
    assert (verdict["verdict"], verdict["expert"]) == ("error", EXPERT.user_id)
    # Judged at once, before any rebuild: the flag's title and the quality page say so.
    assert any("error (back to the agency)" in e.label for e in app.expander)
    quality = portal_page("screens/quality.py", home, actor=EXPERT, lang="en").run()
    metrics = {m.label: m.value for m in quality.metric}
    # The flag's submission was returned, so its flags were judged with the return already;
    # the expert's own verdict replaces the return's, note and all.
    assert "The county sent thousands by mistake." in texts(app)
    assert metrics["Open (not judged)"] == "0" and metrics["Judged"] == metrics["All flags"]


def test_quality_page_counts_flags_by_chapter_and_county(portal_page, demo_home):
    app = portal_page("screens/quality.py", demo_home.root, actor=EXPERT, lang="en").run()
    app.selectbox(key="quality_severity").set_value(None).run()
    by_chapter, by_place = table(app, 0), table(app, 1)
    total = int({m.label: m.value for m in app.metric}["All flags"])
    assert by_chapter["Flags"].astype(int).sum() == total == by_place["Flags"].astype(int).sum()
    heat = grid(app, 0)
    assert int(heat.astype(int).to_numpy().sum()) == total  # counts shown as text
    assert app.get("vega_lite_chart")


# ------------------------------------------------------------------------ coordinator
def test_coordinator_sends_reminders_to_the_late_agencies(portal_page, home):
    app = portal_page("screens/progress.py", home, actor=COORDINATOR, lang="en").run()
    app.selectbox(key="progress_year").set_value(1402).run()
    overdue = table(app, 1)  # after the chapters
    late = set(overdue["Agency"])
    assert late and not app.exception
    app.button(key="send_reminders").click().run()
    assert f"{len(late)} reminder letters sent." in [s.value for s in app.success]
    letters = sorted((home / "outbox").glob("1402-*-reminder-*.eml"))
    assert len(letters) == len(late)
    assert all("یادآوری" in e.label for e in app.expander)
    # Once a day: a second press sends nothing and says so.
    app.button(key="send_reminders").click().run()
    assert "already reminded today" in app.info[0].value
    assert len(sorted((home / "outbox").glob("1402-*-reminder-*.eml"))) == len(late)


def test_coordinator_publishes_an_edition_and_sees_what_it_holds(portal_page, home):
    ledger = ledger_of(home)
    assert 1402 not in ledger.released_years()
    approved = {
        r["submission_id"] for r in ledger.review_queue(1402) if r["review_state"] == "approved"
    }
    app = portal_page("screens/editions.py", home, actor=COORDINATOR, lang="en").run()
    years = table(app)
    assert years.loc[years["Year"] == "1402", "State"].iloc[0] == "still open"
    assert years.loc[years["Year"] == "1401", "Editions"].iloc[0] == "1"
    app.selectbox(key="publish_year").set_value(1402)
    app.text_input(key="publish_note").set_value("Provisional 1402")
    app.button(key="publish_submit").click().run()
    # 1402 is still open: publishing it needs the coordinator's explicit confirmation,
    # and the refusal lists what is missing.
    assert not app.exception and 1402 not in ledger.released_years()
    assert any("Not published" in e.value for e in app.error)
    lacking = grid(app, 0)
    assert len(lacking) > 0 and set(lacking["Why not in"]) <= {"not received", "not approved"}
    app.selectbox(key="publish_year").set_value(1402)
    app.text_input(key="publish_note").set_value("Provisional 1402")
    app.checkbox(key="publish_incomplete").check()
    app.button(key="publish_submit").click().run()
    assert not app.exception
    assert 1402 in ledger.released_years()
    [edition] = ledger.editions(1402)
    # The edition records what it lacks: what the refusal listed.
    gaps = ledger.edition_gaps(1402, 1)
    assert len(gaps) == len(lacking)
    assert (edition["number"], edition["note"]) == (1, "Provisional 1402")
    assert set(edition["submission_ids"]) == approved
    assert any(
        s.value.startswith(f"Edition 1 of 1402 recorded with {len(approved)}")
        and f"without {len(gaps)} tables" in s.value
        for s in app.success
    )
    assert len(grid(app, 0)) == len(approved)  # the new edition's tables come first


# ------------------------------------------------------------- the core checks again
def test_every_page_action_is_checked_again_in_the_core(home):
    from dashboards.review_view import decide, judge
    from salnameh.collection import remind
    from salnameh.reference import Reference
    from salnameh.settings import home as home_at

    ledger = ledger_of(home)
    sid = ledger.review_queue(1402)[0]["submission_id"]
    flag = {"table_id": ROAD, "year": 1402, "geo_code": "23", "measure_id": "length",
            "dim_key": "", "kind": "gap"}  # fmt: skip
    with pytest.raises(Forbidden):
        decide(ledger, sid, "approved", "", ROADS)
    with pytest.raises(Forbidden):
        judge(ledger, flag, "real", "", ANALYST)
    with pytest.raises(Forbidden):
        remind(home_at(home), ledger, load_catalog(), Reference(), 1402, EXPERT)
    with pytest.raises(Forbidden):
        ledger.release(1402, EXPERT, expected=())
    assert ledger.reviews(sid) == [] and ledger.anomaly_verdicts() == []
    assert 1402 not in ledger.released_years()


# ------------------------------------------------------------------ how things are said
@pytest.mark.unit
def test_numbers_dates_and_days_in_the_readers_language():
    assert number(1234567.5, "fa") == "۱٬۲۳۴٬۵۶۷٫۵"
    assert number(1234567, "en") == "1,234,567"
    assert number(None, "fa") == ""
    assert percent(0.875, "fa") == "۸۸٪" and percent(None, "en") == "-"
    assert jalali_day(dt.date(2024, 3, 20), "fa") == "۱۴۰۳/۰۱/۰۱"  # Nowruz 1403
    assert jalali_day("2024-03-19", "en") == "1402/12/29"
    assert days_phrase(3, "en") == "3 days left"
    assert days_phrase(-12, "fa") == "۱۲ روز گذشته"
    assert days_phrase(0, "en") == "due today"


@pytest.mark.unit
def test_live_verdicts_override_the_builds():
    import pandas as pd

    from dashboards.review_view import with_live_verdicts

    key = {"table_id": "t", "year": 1400, "geo_code": "2302", "dim_key": "", "kind": "sharp_drop"}
    flags = pd.DataFrame([{**key, "measure_id": "m", "verdict": None, "verdict_note": None,
                           "expert": None}])  # fmt: skip
    verdicts = [{**key, "measure": "m", "verdict": v, "note": n, "expert": e}
                for v, n, e in (("real", "a", "x"), ("error", "b", "y"))]  # fmt: skip
    judged = with_live_verdicts(flags, verdicts).iloc[0]
    assert (judged["verdict"], judged["verdict_note"], judged["expert"]) == ("error", "b", "y")
    assert with_live_verdicts(flags, [])["verdict"].isna().all()


def test_a_sign_in_is_a_ledger_session_another_portal_finds_and_sign_out_ends(
    portal_page, tmp_path
):
    """The token a sign-in keeps is all another portal process needs (the browser's cookie
    carries it); signing out in one ends the session in the other on its next run."""
    from salnameh.settings import home as home_of
    from salnameh.users import Users

    root = tmp_path / "home"
    Users(Ledger(home_of(root).ledger_url)).add(
        None, "coord", "C", "coordinator", "a long password"
    )
    first = portal_page("screens/sign_in.py", root, lang="en").run()
    first.text_input(key="sign_in_user").set_value("coord")
    first.text_input(key="sign_in_password").set_value("a long password")
    first.button[0].click().run()
    assert not first.exception, first.exception
    assert "Signed in as coord" in first.success[0].value
    token = first.session_state["session_token"]

    second = portal_page("screens/progress.py", root, lang="en")
    second.session_state["session_token"] = token  # what the cookie gives another process
    second.run()
    assert not second.exception, second.exception
    assert second.title[0].value == "Collection progress"
    assert second.session_state["actor"] == Actor("coord", "coordinator")

    from salnameh.sessions import Sessions

    Sessions(Ledger(home_of(root).ledger_url)).end_everywhere("coord")  # signed out elsewhere
    second.run()
    assert "Sign in to see this page." in [w.value for w in second.warning]
    first.run()
    assert first.text_input(key="sign_in_user") is not None and not first.success


# ------------------------------------------------------------ letters and the agreement
def returned_before_newest(root: Path) -> dict:
    """A table-year the demo returned in a year before its newest (those it reminded)."""
    rows = [r for r in ledger_of(root).review_queue() if r["review_state"] == "returned"]
    newest = max(r["year"] for r in ledger_of(root).review_queue())
    earlier = [r for r in rows if r["year"] < newest]
    assert earlier, f"the demo returned nothing before {newest}: {rows}"
    return earlier[0]


def test_the_demo_sends_a_return_letter_and_a_reminder_that_counts_the_returned_table(
    demo_home, catalog
):
    from salnameh.letters import register
    from salnameh.persian import to_persian_digits

    returned = returned_before_newest(demo_home.root)
    agency, year = returned["agency"], returned["year"]
    letters = register(ledger_of(demo_home.root), liaison(agency), year=year)
    kinds = {r["kind"]: r for r in letters}
    assert {"return", "reminder"} <= set(kinds), letters
    table = catalog.table(returned["table_id"])
    for kind in ("return", "reminder"):
        letter = kinds[kind]
        assert returned["table_id"] in letter["table_ids"]
        assert f"جدول {to_persian_digits(table.number)}:" in letter["body"]
        assert "The figure falls far below" in letter["body"]
        assert Path(letter["pdf"]).exists() and Path(letter["delivery"]).exists()
    assert "بازگشت‌داده‌شده برای اصلاح" in kinds["reminder"]["body"]
    # The reminder attaches the returned table's form again.
    mail = email.message_from_bytes(Path(kinds["reminder"]["delivery"]).read_bytes(),
                                    policy=email.policy.default)  # fmt: skip
    assert f"{returned['table_id']}.xlsx" in [p.get_filename() for p in mail.iter_attachments()]


def test_a_returned_table_is_overdue_for_the_coordinator_as_for_the_liaison(demo_home, catalog):
    from dashboards.liaison_view import assignments
    from dashboards.progress_view import overdue_rows, year_status
    from salnameh.reference import Reference

    returned = returned_before_newest(demo_home.root)
    agency, year, table_id = returned["agency"], returned["year"], returned["table_id"]
    ledger = ledger_of(demo_home.root)
    today = dt.date(2026, 12, 1)  # any day: both read the one status on the same day
    mine = assignments(ledger, catalog, liaison(agency), agency, "en", today=today)
    row = next(r for r in mine if r["table_id"] == table_id and r["year"] == year)
    coordinator = overdue_rows(year_status(ledger, year, COORDINATOR, today), catalog,
                               Reference(), "en")  # fmt: skip
    late = next(r for r in coordinator if r["table_id"] == table_id)
    assert row["state_code"] == "returned" and late["overdue_days"] == row["overdue_days"] > 0
    assert row["days"] == f"{late['overdue_days']} days overdue"


def test_the_liaison_reads_the_letters_received_and_their_pdf(portal_page, demo_home):
    returned = returned_before_newest(demo_home.root)
    app = portal_page("screens/liaison_history.py", demo_home.root,
                      actor=liaison(returned["agency"]), lang="fa").run()  # fmt: skip
    assert not app.exception, app.exception
    letters = grid(app, 1)  # after the submissions
    assert "بازگشت جدول برای اصلاح" in set(letters["نوع"]) and "یادآوری" in set(letters["نوع"])
    assert all(n.endswith("/ص") for n in letters["شماره نامه"])
    # The newest letter's text is shown, and its PDF offered.
    assert any(t.value.startswith("شماره: ") for t in app.text) and app.get("download_button")


def test_the_agreement_page_measures_the_year_and_offers_the_report(portal_page, demo_home):
    app = portal_page("screens/sla.py", demo_home.root, actor=ANALYST, lang="en").run()
    app.selectbox(key="sla_year").set_value(1401).run()
    assert not app.exception, app.exception
    measures = grid(app)
    assert "Tables collected by SCI's deadline" in set(measures["Commitment"])
    assert set(measures["State"]) <= {"met", "not met", "pending", "no data"}
    assert {b.label for b in app.get("download_button")} >= {"sla-1401.pdf", "sla-1401.xlsx"}


def test_coordinator_extends_a_deadline_and_the_table_is_no_longer_overdue(portal_page, home):
    from dashboards.progress_view import overdue_rows, year_status
    from salnameh.collection import extensions
    from salnameh.reference import Reference

    ledger = ledger_of(home)
    late = overdue_rows(year_status(ledger, 1402, COORDINATOR), load_catalog(), Reference(), "en")
    table_id = late[0]["table_id"]
    app = portal_page("screens/progress.py", home, actor=COORDINATOR, lang="en").run()
    app.selectbox(key="progress_year").set_value(1402).run()
    app.selectbox(key="extend_table").set_value(table_id)
    app.text_input(key="extend_until").set_value("۱۴۰۶/۰۱/۱۵")
    app.text_input(key="extend_reason").set_value("The agency asked by letter.")
    app.button(key="extend_submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert f"{table_id} now due ۱۴۰۶/۰۱/۱۵." in [s.value for s in app.success]
    assert extensions(ledger, 1402)[table_id]["until"] == "2027-04-04"  # 15 Farvardin 1406
    still_late = overdue_rows(year_status(ledger, 1402, COORDINATOR), load_catalog(),
                              Reference(), "en")  # fmt: skip
    assert table_id not in {r["table_id"] for r in still_late}
    letters = list(app.dataframe)[-1].value  # the year's letters, last on the page
    assert "referral" in set(letters["Kind"])
