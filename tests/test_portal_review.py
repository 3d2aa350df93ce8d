"""The staff screens that keep the cycle straight, run by Streamlit's AppTest on the demo
home: the review queue in the reader's direction with returned tables overdue as the
liaison sees them, a link that opens one submission whose flags its return judged, bulk
approval behind a confirmation, and one thread read and written from both sides."""

from __future__ import annotations

import pytest

from app.demo.cycle import EXPERT, liaison
from dashboards.liaison_view import assignments
from dashboards.quality_view import by_submission
from dashboards.quality_view import flags as quality_flags
from dashboards.review_view import series_link
from salnameh.anomaly_flags import returns
from salnameh.approval import candidates
from salnameh.catalog import load_catalog
from salnameh.collection import status
from salnameh.comments import thread
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference
from salnameh.settings import home as home_at
from salnameh.snapshots import INTERNAL, open_snapshot
from tests.test_portal_staff import ledger_of, queue_of, returned_collapse, texts

pytestmark = pytest.mark.integration

QUEUE_HEAD_FA = ["شماره ارسال", "سال", "جدول", "دستگاه", "وضعیت", "هشدار باز", "نظر و گفت‌وگو"]


@pytest.fixture
def home(demo_home, tmp_path):
    from tests.conftest import copy_home

    return copy_home(demo_home.root, tmp_path / "home")


def review_page(portal_page, root, lang="en", **params):
    app = portal_page("screens/review.py", root, actor=EXPERT, lang=lang)
    for name, value in params.items():
        app.query_params[name] = str(value)
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_queue_reads_right_to_left_and_returned_tables_are_overdue_as_for_the_liaison(
    portal_page, demo_home
):
    root = demo_home.root
    app = review_page(portal_page, root, lang="fa")
    app.selectbox(key="queue_state").set_value("returned").run()
    queue = queue_of(app)
    assert queue.direction == "rtl"
    head, *rows = queue.rows
    assert head == QUEUE_HEAD_FA  # submission number first: on the right, in sight
    ledger = ledger_of(root)
    returned = [r for r in ledger.review_queue() if r["review_state"] == "returned"]
    assert len(rows) == len(returned) > 0
    catalog = load_catalog()
    for row in rows:
        sid = next(r for r in returned if to_persian_digits(str(r["submission_id"])) == row[0])
        entry = next(
            t
            for a in status(ledger, sid["year"])["agencies"]
            for t in a["table_status"]
            if t["table_id"] == sid["table_id"]
        )
        assert entry["state"] == "returned" and entry["overdue_days"] > 0
        days = to_persian_digits(str(entry["overdue_days"]))
        assert row[4] == f"بازگشت به دستگاه، {days} روز گذشته از مهلت"
        # The liaison's own page counts the same days, from the same status.
        agency = sid["agency"]
        mine = assignments(ledger, catalog, liaison(agency), agency, "en")
        theirs = next(r for r in mine if (r["table_id"], r["year"]) == (sid["table_id"],
                                                                          sid["year"]))  # fmt: skip
        assert theirs["overdue_days"] == entry["overdue_days"]
        assert row[2].startswith(to_persian_digits(catalog.table(sid["table_id"]).number))
        assert row[3] and row[6]  # the agency's name and the expert's comment, whole


def test_a_flag_opens_its_submission_whose_return_judged_its_flags(portal_page, demo_home):
    root = demo_home.root
    collapse, anomaly = returned_collapse(root)
    sid = collapse["submission_id"]
    # The quality page lists the flagged submission with a link to it.
    quality = portal_page("screens/quality.py", root, actor=EXPERT, lang="en").run()
    assert not quality.exception, quality.exception
    assert any(t.startswith(f"Submission {sid} · ") for t in texts(quality).splitlines())
    with open_snapshot(home_at(root), INTERNAL) as con:

        def query(sql, params=()):
            return con.execute(sql, list(params)).fetchdf()

        frame = quality_flags(query, ledger_of(root).anomaly_verdicts(), Reference(), "en",
                              returns(ledger_of(root)))  # fmt: skip
    listed = {r["submission_id"]: r for r in by_submission(frame)}
    assert listed[sid]["flags"] > 0 and listed[sid]["open"] == 0  # judged by the return
    # The link's address opens the review page at that submission, whatever the filters.
    app = review_page(portal_page, root, submission=sid)
    assert app.selectbox(key="review_submission").value == sid
    assert app.selectbox(key="queue_state").value is None
    titles = [e.label for e in app.expander if e.label.startswith("warning:")]
    assert titles and all(t.endswith("error (back to the agency)") for t in titles), titles
    assert not any("not judged" in t for t in titles)
    assert "This series in the explorer" in texts(app)  # the link, shown outside the menu
    with open_snapshot(home_at(root), INTERNAL) as con:

        def query(sql, params=()):
            return con.execute(sql, list(params)).fetchdf()

        flag = query("SELECT * FROM marts.fct_anomalies WHERE submission_id = ?"
                     " AND geo_code = ? LIMIT 1", (sid, anomaly["geo_code"])).iloc[0].to_dict()
        link = series_link(query, flag)
        found = query("SELECT table_id, measure_id, dim_key FROM marts.dim_indicator"
                      " WHERE indicator_id = ?", (link["indicator"],))  # fmt: skip
    assert link["places"] == anomaly["geo_code"]
    assert found.iloc[0].tolist() == [flag["table_id"], flag["measure_id"], flag["dim_key"]]


def test_bulk_approval_asks_for_confirmation_then_approves_each_clean_one(portal_page, home):
    ledger = ledger_of(home)
    clean = [c.submission_id for c in candidates(home_at(home), ledger, EXPERT) if c.reason is None]
    assert clean, "the demo leaves clean submissions in review"
    app = review_page(portal_page, home)
    assert any(e.label == f"Approve clean submissions at once ({len(clean)})" for e in app.expander)
    app.button(key="bulk_submit").click().run()
    assert "Tick the confirmation first." in [e.value for e in app.error]
    assert all(ledger.reviews(s) == [] for s in clean)
    app.checkbox(key="bulk_confirm").check()
    app.button(key="bulk_submit").click().run()
    assert not app.exception, app.exception
    assert any(s.value.startswith(f"{len(clean)} submissions approved.") for s in app.success)
    for sid in clean:
        assert [(r["decision"], r["reviewer"]) for r in ledger.reviews(sid)] == [
            ("approved", EXPERT.user_id)]  # fmt: skip
    assert any(e.label == "Approve clean submissions at once (0)" for e in app.expander)


def test_expert_and_liaison_write_one_thread_each_sees_the_other(portal_page, home):
    ledger = ledger_of(home)
    sid = next(r for r in ledger.review_queue() if r["review_state"] == "returned")
    agency = liaison(sid["agency"])
    sid = sid["submission_id"]
    expert = review_page(portal_page, home, lang="fa", submission=sid)
    expert.text_area(key="review_thread_body").set_value("رقم ری را با سال پیش مقایسه کنید.")
    expert.button(key="review_thread_send").click().run()
    assert not expert.exception, expert.exception
    side = portal_page("screens/liaison_history.py", home, actor=agency, lang="fa").run()
    side.selectbox(key="history_choice").set_value(sid).run()
    assert "رقم ری را با سال پیش مقایسه کنید." in [t.value for t in side.text]
    side.text_area(key="liaison_thread_body").set_value("اصلاح شد و دوباره می‌فرستیم.")
    side.button(key="liaison_thread_send").click().run()
    assert not side.exception, side.exception
    assert [(m.author, m.body) for m in thread(ledger, sid, EXPERT)] == [
        (EXPERT.user_id, "رقم ری را با سال پیش مقایسه کنید."),
        (agency.user_id, "اصلاح شد و دوباره می‌فرستیم."),
    ]
    expert.run()
    assert [t.value for t in expert.text][-2:] == [
        "رقم ری را با سال پیش مقایسه کنید.", "اصلاح شد و دوباره می‌فرستیم."]  # fmt: skip
