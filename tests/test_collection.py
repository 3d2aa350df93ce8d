"""Opening a collection year, following it up, and reminding late agencies."""

import datetime as dt
import email
import email.policy
import socketserver
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from app.demo.generate import generate_demo
from ingestion.ingest import Ingestor
from salnameh.access import Actor, Forbidden
from salnameh.collection import deadlines, open_year, remind, status
from salnameh.ledger import Ledger
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.users import Users

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
    assert "post_units_county" in body and "مهلت" in body and "۱۳۹۳/۰۴/۳۱" in body
    attached = sorted(part.get_filename() for part in letter.iter_attachments())
    assert attached == ["post_items_type.xlsx", "post_units_county.xlsx", "rural_ict_county.xlsx"]
    assert deadlines(1392)["records"] == dt.date(2014, 7, 22)  # 31 Tir 1393


def test_status_follows_each_table_and_reminds_late_agencies_once_a_day(cycle, tmp_path):
    salnameh_home, ledger, catalog, reference = cycle
    open_year(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR, letters=False)
    generate_demo(catalog, tmp_path / "demo", years=[1392], table_ids=["post_units_county"])
    path = next((tmp_path / "demo" / "files").rglob("post_units_county.*"))
    outcome = Ingestor(salnameh_home, catalog, reference).ingest(path, actor=POST)
    ledger.review(outcome.submission_id, "returned", EXPERT, "Rey looks too low")
    today = dt.date(2014, 8, 1)  # 10 days after the deadline of 1392's records
    report = status(ledger, 1392, today=today)
    post = next(a for a in report["agencies"] if a["agency"] == "post")
    states = {t["table_id"]: t for t in post["table_status"]}
    assert states["post_units_county"]["state"] == "returned"
    assert states["post_units_county"]["comment"] == "Rey looks too low"
    assert states["post_units_county"]["on_time"] is False  # received in 2026
    assert states["post_items_type"]["state"] == "assigned"
    assert states["post_items_type"]["overdue_days"] == 10
    assert states["rural_ict_county"]["state"] == "assigned"
    assert post["completeness"] == 0 and post["overdue"] == 2
    # A liaison sees their own agency only; asking for another is refused by the core.
    own = status(ledger, 1392, today=today, actor=POST)
    assert [a["agency"] for a in own["agencies"]] == ["post"]
    with pytest.raises(Forbidden):
        status(ledger, 1392, "tums", today=today, actor=POST)
    with pytest.raises(Forbidden):
        remind(salnameh_home, ledger, reference, 1392, EXPERT, today=today)
    sent = remind(salnameh_home, ledger, reference, 1392, COORDINATOR, today=today)
    post_letter = next(p for p in sent if "-post-reminder-" in p)
    text = email.message_from_bytes(Path(post_letter).read_bytes(), policy=email.policy.default)
    assert "post_items_type" in text.get_body().get_content()
    assert "post_units_county" not in text.get_body().get_content()  # received, not overdue
    assert remind(salnameh_home, ledger, reference, 1392, COORDINATOR, today=today) == []
    tomorrow = today + dt.timedelta(days=1)
    assert remind(salnameh_home, ledger, reference, 1392, COORDINATOR, today=tomorrow)


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
