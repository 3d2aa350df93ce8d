"""Opening a collection year, following it up, and reminding late agencies."""

import dataclasses
import datetime as dt
import email
import email.policy
import shutil
import socketserver
import subprocess
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from app.demo.generate import generate_demo
from ingestion.ingest import Ingestor
from salnameh.access import Actor, Forbidden
from salnameh.collection import (
    PIPELINE,
    deadlines,
    extend_deadline,
    open_year,
    refer_added_tables,
    remind,
    return_submission,
    status,
)
from salnameh.jalali import format_jalali
from salnameh.ledger import Ledger
from salnameh.letters import register as letters_register
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.users import Users
from tests.conftest import in_ci

pytestmark = pytest.mark.integration

COORDINATOR = Actor("coord", "coordinator")
EXPERT = Actor("expert", "expert")
POST = Actor("post-liaison", "liaison", "post")


@pytest.fixture
def cycle(tmp_path, catalog, ledger_backend):
    salnameh_home = home(tmp_path / "home").create()
    ledger = Ledger(salnameh_home.ledger_url)
    users = Users(ledger)
    users.add(None, "coord", "C", "coordinator", "a long password")
    users.add(COORDINATOR, "post-liaison", "P", "liaison", "a long password", "post",
              "liaison@post.example")  # fmt: skip
    return salnameh_home, ledger, catalog, Reference()


def test_opening_a_year_assigns_every_table_and_writes_referrals_once(cycle):
    salnameh_home, ledger, catalog, reference = cycle
    with pytest.raises(Forbidden):
        open_year(salnameh_home, ledger, catalog, reference, 1392, EXPERT)
    opened = open_year(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR)
    expected = [t for t in catalog if t.published_in(1392)]
    assert opened.assigned == len(expected)
    assert len(opened.letters) == len({t.agency for t in expected})
    again = open_year(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR)
    assert again.assigned == 0 and again.letters == []
    post = next(p for p in opened.letters if "-post-referral-" in p)
    letter = email.message_from_bytes(Path(post).read_bytes(), policy=email.policy.default)
    assert letter["To"] == "liaison@post.example"
    body = letter.get_body().get_content()
    # A letter a secretariat would send: numbered and dated in Jalali, to the agency's
    # head for its liaison by name, each table by its number and title with its deadline.
    register = {r["agency"]: r for r in letters_register(ledger, COORDINATOR, year=1392)}
    number = register["post"]["number"]
    assert number.endswith("/ص") and f"شماره: {to_persian_digits(number)}" in body
    sent_on = dt.date.fromisoformat(register["post"]["sent_on"])
    assert f"تاریخ: {format_jalali(sent_on)}" in body
    assert "ریاست محترم " in body and "رابط محترم سالنامه، P" in body
    table = catalog.table("post_units_county")
    assert f"جدول {to_persian_digits(table.number)}: {table.title.fa}" in body
    assert "مهلت ارسال: ۱۳۹۳/۰۴/۳۱" in body and "پیوست: دارد (۳ فرم)" in body
    assert register["post"]["table_ids"] == sorted(t.id for t in expected if t.agency == "post")
    numbers = [r["number"] for r in register.values()]
    assert len(set(numbers)) == len(numbers)  # each letter its own number
    attached = sorted(part.get_filename() for part in letter.iter_attachments())
    assert attached == [Path(post).with_suffix(".pdf").name, "post_items_type.xlsx",
                        "post_units_county.xlsx", "rural_ict_county.xlsx"]  # fmt: skip
    # The printable letter beside the .eml says the same, in Persian, searchable.
    printed = pdf_text(Path(post).with_suffix(".pdf"))
    assert to_persian_digits(number.split("/")[1]) in printed and "بسمه تعالی" in printed
    assert deadlines(1392)["records"] == dt.date(2014, 7, 22)  # 31 Tir 1393


def test_status_follows_each_table_and_reminds_late_agencies_once_a_day(cycle, tmp_path):
    salnameh_home, ledger, catalog, reference = cycle
    open_year(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR, letters=False)
    generate_demo(catalog, tmp_path / "demo", years=[1392], table_ids=["post_units_county"])
    path = next((tmp_path / "demo" / "files").rglob("post_units_county.*"))
    outcome = Ingestor(salnameh_home, catalog, reference).ingest(path, actor=POST)
    today = dt.date(2014, 8, 1)  # 10 days after the deadline of 1392's records
    # A liaison cannot return a table; an expert's return sends the agency its letter.
    with pytest.raises(Forbidden):
        return_submission(salnameh_home, ledger, catalog, reference, outcome.submission_id,
                          "no", POST, today)  # fmt: skip
    returned = return_submission(salnameh_home, ledger, catalog, reference, outcome.submission_id,
                                 "Rey looks too low", EXPERT, today)  # fmt: skip
    mail = email.message_from_bytes(Path(returned.delivery).read_bytes(),
                                    policy=email.policy.default)  # fmt: skip
    said = mail.get_body().get_content()
    table = catalog.table("post_units_county")
    assert f"جدول {to_persian_digits(table.number)}: {table.title.fa}" in said
    assert "نظر کارشناس: Rey looks too low" in said and "بازگردانده" in said
    assert "در اسرع وقت (مهلت این جدول، ۱۳۹۳/۰۴/۳۱، گذشته است)" in said
    assert sorted(p.get_filename() for p in mail.iter_attachments()) == [
        Path(returned.pdf).name, "post_units_county.xlsx"]  # fmt: skip
    # The agency's history holds it; the liaison reads their own agency's letters only.
    mine = letters_register(ledger, POST)
    assert [(r["kind"], r["number"], r["table_ids"]) for r in mine] == [
        ("return", returned.number, ["post_units_county"])]  # fmt: skip
    with pytest.raises(Forbidden):
        letters_register(ledger, POST, agency="tums")
    report = status(ledger, 1392, today=today)
    post = next(a for a in report["agencies"] if a["agency"] == "post")
    states = {t["table_id"]: t for t in post["table_status"]}
    assert states["post_units_county"]["state"] == "returned"
    assert states["post_units_county"]["comment"] == "Rey looks too low"
    assert states["post_units_county"]["on_time"] is False  # received in 2026
    assert states["post_items_type"]["state"] == "assigned"
    assert states["post_items_type"]["overdue_days"] == 10
    assert states["rural_ict_county"]["state"] == "assigned"
    # Returned, the table is owed again: overdue as any other (one statement for all).
    assert states["post_units_county"]["overdue_days"] == 10
    assert post["completeness"] == 0 and post["overdue"] == 3
    # A liaison sees their own agency only; asking for another is refused by the core.
    own = status(ledger, 1392, today=today, actor=POST)
    assert [a["agency"] for a in own["agencies"]] == ["post"]
    with pytest.raises(Forbidden):
        status(ledger, 1392, "tums", today=today, actor=POST)
    with pytest.raises(Forbidden):
        remind(salnameh_home, ledger, catalog, reference, 1392, EXPERT, today=today)
    sent = remind(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR, today=today)
    post_letter = next(p for p in sent if "-post-reminder-" in p)
    text = email.message_from_bytes(Path(post_letter).read_bytes(), policy=email.policy.default)
    body = text.get_body().get_content()
    titles = {t.id: t.title.fa for t in catalog}
    assert titles["post_items_type"] in body and titles["post_units_county"] in body
    assert "بازگشت‌داده‌شده برای اصلاح: Rey looks too low" in body
    assert "(۱ جدول بازگشت‌داده‌شده برای اصلاح)" in body
    # The forms go again with the reminder, and the letter itself as PDF.
    attached = sorted(part.get_filename() for part in text.iter_attachments())
    assert "post_units_county.xlsx" in attached and "post_items_type.xlsx" in attached
    assert remind(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR, today=today) == []
    tomorrow = today + dt.timedelta(days=1)
    assert remind(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR, today=tomorrow)
    # An extension moves what "overdue" counts from, for the coordinator and the liaison.
    with pytest.raises(Forbidden):
        extend_deadline(ledger, 1392, "post_items_type", today, "asked", EXPERT)
    with pytest.raises(ValueError, match="must be later"):
        extend_deadline(ledger, 1392, "post_items_type", dt.date(2014, 7, 1), "no", COORDINATOR)
    extend_deadline(ledger, 1392, "post_items_type", dt.date(2014, 8, 10), "asked by letter",
                    COORDINATOR)  # fmt: skip
    for who in (None, POST):
        later = status(ledger, 1392, "post", today=today, actor=who)["agencies"][0]
        items = next(t for t in later["table_status"] if t["table_id"] == "post_items_type")
        assert items["due"] == "2014-08-10" and items["overdue_days"] == 0
        assert later["overdue"] == 2


class _SmtpCatcher(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message and keep it (no server runs otherwise)."""

    received: ClassVar[list[bytes]] = []

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 catcher")
        while line := self.rfile.readline():
            verb = line.decode().strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.reply("250 catcher")
            elif verb.startswith("DATA"):
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                _SmtpCatcher.received.append(data)
                self.reply("250 kept")
            elif verb.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def test_letters_go_by_smtp_when_it_is_configured(tmp_path, monkeypatch):
    from salnameh.outbox import Letter, deliver

    server = socketserver.TCPServer(("127.0.0.1", 0), _SmtpCatcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("SALNAMEH_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SALNAMEH_SMTP_PORT", str(server.server_address[1]))
        where = deliver(Letter(["liaison@post.example"], "یادآوری", "متن نامه"), tmp_path, "x")
    finally:
        server.shutdown()
    assert where.startswith("smtp:") and not list(tmp_path.iterdir())
    (mail,) = _SmtpCatcher.received
    parsed = email.message_from_bytes(mail, policy=email.policy.default)
    assert parsed["To"] == "liaison@post.example" and parsed["Subject"] == "یادآوری"
    assert parsed.get_body().get_content().strip() == "متن نامه"


def pdf_text(pdf: Path) -> str:
    """A PDF's text as pdftotext reads it (ZWNJ has no glyph: dropped)."""
    if not shutil.which("pdftotext"):
        if in_ci():
            pytest.fail("poppler-utils must be installed in CI (.ci/run installs it)")
        pytest.skip("poppler-utils is not installed here")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    return done.stdout.replace("\u200c", "")


def test_a_table_added_to_an_open_year_gets_a_referral_of_its_own(cycle):
    salnameh_home, ledger, catalog, reference = cycle
    post_tables = [t for t in catalog if t.agency == "post" and t.published_in(1392)]
    added = post_tables[-1]
    before = dataclasses.replace(catalog, tables={k: v for k, v in catalog.tables.items()
                                                  if k != added.id})  # fmt: skip
    open_year(salnameh_home, ledger, before, reference, 1392, COORDINATOR)
    assert added.id not in letters_register(ledger, POST)[0]["table_ids"]
    # The daily pipeline's step: open years already referred get their added tables.
    again = refer_added_tables(salnameh_home, ledger, catalog, reference, PIPELINE)
    assert len(again) == 1 and "-post-referral-" in again[0]
    assert added.id in {a["table_id"] for a in status(ledger, 1392, "post")["agencies"][0][
        "table_status"]}  # fmt: skip
    mail = email.message_from_bytes(Path(again[0]).read_bytes(),
                                    policy=email.policy.default)  # fmt: skip
    body = mail.get_body().get_content()
    assert "جدول‌های افزوده" in str(mail["Subject"]) and added.title.fa in body
    assert [p.get_filename() for p in mail.iter_attachments()][1:] == [f"{added.id}.xlsx"]
    newest = letters_register(ledger, POST)[0]
    assert newest["kind"] == "referral" and newest["table_ids"] == [added.id]
    assert open_year(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR).letters == []


@pytest.mark.unit
def test_a_ledger_made_before_the_register_gets_it_when_opened(tmp_path):
    import sqlite3

    path = tmp_path / "ledger.sqlite"
    Ledger(path)
    with sqlite3.connect(path) as con:  # as a schema-3 ledger was: no register, no extensions
        con.executescript("DROP TABLE letter_tables; DROP TABLE letter_register;"
                          " DROP TABLE deadline_extensions; UPDATE schema_versions"
                          " SET version = 3 WHERE component = 'ledger';")  # fmt: skip
    Ledger(path)
    with sqlite3.connect(path) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"letter_register", "letter_tables", "deadline_extensions"} <= names


def test_a_submissions_latest_decision_is_found_by_index_not_by_reading_every_review(tmp_path):
    """The collection status asks each submission of a year for its latest decision; with a
    scan of the demo's 1,922 reviews per question, the editions page's run took 0.82 s."""
    ledger = Ledger(tmp_path / "ledger.sqlite")
    with ledger.connect() as con:
        plan = " ".join(
            str(tuple(row))
            for row in con.execute(
                "EXPLAIN QUERY PLAN SELECT decision FROM reviews r WHERE r.submission_id = ?"
                " ORDER BY review_id DESC LIMIT 1",
                (1,),
            ).fetchall()
        )
    assert "reviews_by_submission" in plan, plan
