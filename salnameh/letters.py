"""The secretariat's letters to agencies: numbered, dated in Jalali, kept, printable.

Every letter the Organization sends an agency about the yearbook (a referral of its tables,
a table returned for correction, a reminder) goes through `dispatch`, which in one ledger
transaction gives it the next number of the register, writes it as a formal A4 PDF in
Persian, sends it (salnameh.outbox: SMTP, else an .eml beside the PDF) with the PDF and
the forms attached, and records it with the tables it names.

Numbering follows the outgoing register (اندیکاتور) of an Iranian secretariat: the Jalali
year of issue, the letter's serial within that year in this installation, and «ص» for
صادره (outgoing), e.g. «۱۴۰۵/۱۲/ص». The serial restarts at 1 on 1 Farvardin. The year of
issue, not the yearbook's reference year: a letter about the 1401 yearbook sent in 1405 is
1405's.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

from persiantools.jdatetime import JalaliDate

from salnameh.access import Actor, require
from salnameh.jalali import format_jalali, today_in_tehran
from salnameh.ledger import Ledger, now
from salnameh.outbox import Letter, deliver
from salnameh.persian import to_persian_digits
from salnameh.settings import Home

OUTGOING = "ص"  # صادره: the register's mark for an outgoing letter
KINDS = {
    "referral": ("ارجاع جدول‌ها", "referral"),
    "return": ("بازگشت جدول برای اصلاح", "return for correction"),
    "reminder": ("یادآوری", "reminder"),
}


@dataclass(frozen=True)
class TableLine:
    """A table a letter names: its printed number and title, and what the letter says of it."""

    table_id: str
    number: str
    title: str
    note: str = ""


@dataclass(frozen=True)
class Draft:
    """A letter before it has a number and a date."""

    year: int  # the yearbook's reference year
    agency: str
    kind: str  # referral, return, reminder
    subject: str
    addressee: str  # the agency, as the letter is addressed
    attention: str  # the agency's liaisons by name
    opening: str
    tables: list[TableLine]
    note_header: str  # what the tables' last column says (deadline, comment, ...)
    closing: list[str]
    signature: list[str]
    to: list[str]
    attachments: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Sent:
    letter_id: int
    number: str  # '1405/12/ص', ASCII digits
    sent_on: dt.date
    delivery: str
    pdf: str


def letter_number(issue_year: int, serial: int) -> str:
    return f"{issue_year}/{serial}/{OUTGOING}"


def shown(text: object) -> str:
    return to_persian_digits(str(text))


def letter_text(draft: Draft, number: str, day: dt.date) -> str:
    """The letter as plain text: the body of the mail and of the register."""
    lines = [
        f"شماره: {shown(number)}",
        f"تاریخ: {format_jalali(day)}",
        f"پیوست: {_attachment_line(draft)}",
        "",
        draft.addressee,
        draft.attention,
        f"موضوع: {draft.subject}",
        "",
        "با سلام و احترام،",
        draft.opening,
        "",
    ]
    for position, t in enumerate(draft.tables, start=1):
        note = f" — {draft.note_header}: {t.note}" if t.note else ""
        lines.append(f"{shown(position)}. جدول {shown(t.number)}: {t.title}{note}")
    lines += ["", *draft.closing, "", *draft.signature]
    if draft.attachments:
        lines += ["", "پیوست‌ها:", *(f"- {p.name}" for p in draft.attachments)]
    return "\n".join(lines)


def _attachment_line(draft: Draft) -> str:
    if not draft.attachments:
        return "ندارد"
    return f"دارد ({shown(len(draft.attachments))} فرم)"


STYLE = """
@page { size: A4; margin: 20mm 20mm 22mm 20mm;
        @bottom-center { content: "برگ " counter(page, persian) " از " counter(pages, persian);
                         font-size: 8pt; color: #555; } }
html { direction: rtl; font-family: "Vazirmatn", "Noto Sans Arabic", "DejaVu Sans", sans-serif;
       font-size: 10.5pt; line-height: 1.7; }
.head { display: flex; justify-content: space-between; align-items: flex-start; }
.org { font-weight: bold; font-size: 11pt; }
.meta { font-size: 9.5pt; border: 0.5pt solid #666; padding: 1.5mm 3mm; }
.meta div span { display: inline-block; min-width: 14mm; color: #444; }
.bism { text-align: center; margin: 2mm 0 6mm; }
.to { font-weight: bold; margin-top: 6mm; }
.subject { margin: 3mm 0 5mm; } .subject b { margin-left: 2mm; }
table { border-collapse: collapse; width: 100%; margin: 3mm 0 5mm; font-size: 9.5pt; }
th, td { border: 0.4pt solid #888; padding: 1mm 2mm; vertical-align: top; }
th { background: #eee; } td.n { text-align: center; white-space: nowrap; width: 12mm; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
.sign { margin-top: 12mm; margin-right: 55%; text-align: center; }
.attached { margin-top: 10mm; font-size: 8.5pt; color: #333; }
"""


def letter_html(draft: Draft, number: str, day: dt.date) -> str:
    """The letter as the secretariat prints it: number, date and attachment at the head."""
    e = html.escape
    rows = "".join(
        f"<tr><td class='n'>{shown(i)}</td><td class='n'>{e(shown(t.number))}</td>"
        f"<td>{e(t.title)}</td><td>{e(t.note)}</td></tr>"
        for i, t in enumerate(draft.tables, start=1)
    )
    table = (
        "<table><thead><tr><th>ردیف</th><th>شماره جدول</th><th>عنوان جدول</th>"
        f"<th>{e(draft.note_header)}</th></tr></thead><tbody>{rows}</tbody></table>"
        if draft.tables
        else ""
    )
    attached = (
        "<div class='attached'><b>پیوست‌ها:</b> "
        + "، ".join(e(p.name) for p in draft.attachments)
        + "</div>"
        if draft.attachments
        else ""
    )
    closing = "".join(f"<p>{e(p)}</p>" for p in draft.closing)
    signature = "<br>".join(e(s) for s in draft.signature)
    return (
        "<!doctype html><html lang='fa' dir='rtl'><head><meta charset='utf-8'>"
        f"<title>{e(draft.subject)}</title><style>{STYLE}</style></head><body>"
        "<div class='bism'>بسمه تعالی</div>"
        f"<div class='head'><div class='org'>{e(draft.signature[-1])}</div>"
        f"<div class='meta'><div><span>شماره:</span> {e(shown(number))}</div>"
        f"<div><span>تاریخ:</span> {e(format_jalali(day))}</div>"
        f"<div><span>پیوست:</span> {e(_attachment_line(draft))}</div></div></div>"
        f"<div class='to'>{e(draft.addressee)}</div><div>{e(draft.attention)}</div>"
        f"<div class='subject'><b>موضوع:</b>{e(draft.subject)}</div>"
        f"<p>با سلام و احترام،</p><p>{e(draft.opening)}</p>{table}{closing}"
        f"<div class='sign'>{signature}</div>{attached}</body></html>"
    )


def write_pdf(document: str, path: Path) -> None:
    """The printable letter, written whole or not at all."""
    from weasyprint import HTML

    partial = path.with_suffix(".pdf.partial")
    HTML(string=document).write_pdf(partial)
    partial.replace(path)


def dispatch(salnameh_home: Home, ledger: Ledger, draft: Draft, actor: Actor,
             today: dt.date | None = None) -> Sent | None:  # fmt: skip
    """Number, print, send and register one letter, in one ledger transaction.

    A reminder to an agency already reminded that day about that year is not sent again
    (returns None). If anything fails, nothing is registered and the files written are
    removed: the serial is not spent.
    """
    # A return goes with the expert's decision; referrals and reminders are the coordinator's.
    require(actor, "review" if draft.kind == "return" else "send_letters")
    if draft.kind not in KINDS:
        raise ValueError(f"a letter is one of {', '.join(KINDS)}, not {draft.kind!r}")
    today = today or today_in_tehran()
    issue_year = JalaliDate(today).year
    outbox = salnameh_home.root / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        with ledger.transaction() as con:
            if draft.kind == "reminder" and _reminded(con, draft.year, draft.agency, today):
                return None
            serial = con.execute(
                "SELECT coalesce(max(serial), 0) + 1 FROM letter_register WHERE issue_year = ?",
                (issue_year,),
            ).fetchone()[0]
            number = letter_number(issue_year, serial)
            name = f"{draft.year}-{draft.agency}-{draft.kind}-{issue_year}-{serial:05d}"
            pdf = outbox / f"{name}.pdf"
            write_pdf(letter_html(draft, number, today), pdf)
            written += [pdf, outbox / f"{name}.eml"]
            body = letter_text(draft, number, today)
            # No parentheses: Python's header folding can drop a space beside them.
            subject = f"{draft.subject}، شماره {shown(number)}"
            delivery = deliver(
                Letter(draft.to, subject, body, [pdf, *draft.attachments]), outbox, name
            )
            letter_id = con.execute(
                "INSERT INTO letter_register (issue_year, serial, number, year, agency, kind,"
                " sent_on, subject, body, delivery, pdf, actor, at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (issue_year, serial, number, draft.year, draft.agency, draft.kind,
                 today.isoformat(), subject, body, delivery, str(pdf), actor.user_id, now()),
            ).lastrowid  # fmt: skip
            con.executemany(
                "INSERT INTO letter_tables (letter_id, table_id) VALUES (?, ?)",
                [(letter_id, t) for t in dict.fromkeys(t.table_id for t in draft.tables)],
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return Sent(letter_id, number, today, delivery, str(pdf))


def _reminded(con, year: int, agency: str, day: dt.date) -> bool:
    return (
        con.execute(
            "SELECT 1 FROM letter_register WHERE kind = 'reminder' AND year = ? AND agency = ?"
            " AND sent_on = ?",
            (year, agency, day.isoformat()),
        ).fetchone()
        is not None
    )


def referred_tables(ledger: Ledger, year: int, agency: str) -> set[str]:
    """The agency's tables of a year that a referral letter has already named."""
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT t.table_id FROM letter_tables t JOIN letter_register l"
            " ON l.letter_id = t.letter_id"
            " WHERE l.kind = 'referral' AND l.year = ? AND l.agency = ?",
            (year, agency),
        ).fetchall()
    return {r[0] for r in rows}


def register(ledger: Ledger, actor: Actor, agency: str | None = None,
             year: int | None = None) -> list[dict]:  # fmt: skip
    """The letters sent (to one agency, about one year), newest first, each with the tables
    it names. A liaison reads their own agency's letters only."""
    if actor.role == "liaison" and agency is None:
        agency = actor.agency
    require(actor, "see_agency", agency)
    where = " WHERE (? IS NULL OR l.agency = ?) AND (? IS NULL OR l.year = ?)"
    with ledger.connect() as con:
        rows = con.execute(
            f"SELECT l.* FROM letter_register l{where} ORDER BY l.letter_id DESC",
            (agency, agency, year, year),
        ).fetchall()
        named: dict[int, list[str]] = {}
        for r in con.execute(
            "SELECT t.letter_id, t.table_id FROM letter_tables t JOIN letter_register l"
            f" ON l.letter_id = t.letter_id{where} ORDER BY t.table_id",
            (agency, agency, year, year),
        ):
            named.setdefault(r["letter_id"], []).append(r["table_id"])
    return [{**dict(row), "table_ids": named.get(row["letter_id"], [])} for row in rows]
