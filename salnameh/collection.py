"""The collection cycle between the Organization and the agencies, on the ledger.

- `open_year`: each table of the catalog collected that year is assigned to its agency,
  with a deadline from the collection calendar (seeds/reference/collection_calendar.csv,
  Jalali), and each agency gets a referral letter with its forms attached;
- `status`: per agency and table, where the table-year stands, and the agreement's
  measures (completeness, on-time rate, review turnaround);
- `remind`: a Persian reminder to every agency with overdue tables, at most once a day.

Letters go through the outbox (salnameh.outbox): SMTP when configured, else .eml files.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from persiantools.jdatetime import JalaliDate

from salnameh.access import Actor, require
from salnameh.catalog import Catalog
from salnameh.forms import write_forms
from salnameh.jalali import TEHRAN
from salnameh.ledger import Ledger, now
from salnameh.outbox import Letter, deliver
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference
from salnameh.settings import REFERENCE_DIR, Home


def deadlines(year: int, seeds_dir: Path = REFERENCE_DIR) -> dict[str, dt.date]:
    """The deadline of each kind of table (records, survey, census) of a reference year."""
    with (seeds_dir / "collection_calendar.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        r["source"]: JalaliDate(year + 1, int(r["due_month"]), int(r["due_day"])).to_gregorian()
        for r in rows
    }


def jalali(day: dt.date) -> str:
    return to_persian_digits(JalaliDate(day).strftime("%Y/%m/%d"))


def today_in_tehran() -> dt.date:
    return dt.datetime.now(TEHRAN).date()


@dataclass(frozen=True)
class Opened:
    year: int
    assigned: int  # new assignments (0 when the year was opened before)
    letters: list[str]  # deliveries of the referral letters sent now


def open_year(salnameh_home: Home, ledger: Ledger, catalog: Catalog, reference: Reference,
              year: int, actor: Actor, letters: bool = True) -> Opened:  # fmt: skip
    """Assign the year's tables and send each agency its referral; safe to run again:
    existing assignments and letters already sent are kept as they are. `letters=False`
    records a past year's assignments without writing to anyone."""
    require(actor, "open_year")
    due = deadlines(year)
    at = now()
    rows = [(year, t.id, t.agency, due[t.source].isoformat(), at, actor.user_id)
            for t in catalog if t.published_in(year)]  # fmt: skip
    with ledger.transaction() as con:
        assigned = con.executemany(
            "INSERT OR IGNORE INTO assignments (year, table_id, agency, deadline, assigned_at,"
            " assigned_by) VALUES (?,?,?,?,?,?)",
            rows,
        ).rowcount  # rows inserted, summed over the batch (ignored ones count 0)
    sent = []
    for agency in sorted({r[2] for r in rows}) if letters else []:
        if _letter_sent(ledger, year, agency, "referral"):
            continue
        forms_dir = salnameh_home.root / "outbox" / "forms" / str(year)
        forms = write_forms(catalog, reference, year, forms_dir, agency)
        letter = referral_letter(ledger, reference, year, agency, forms)
        sent.append(_send(salnameh_home, ledger, letter, year, agency, "referral", actor))
    return Opened(year, assigned, sent)


def _assignments(ledger: Ledger, year: int, agency: str | None = None) -> list[dict]:
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT * FROM assignments WHERE year = ? AND (? IS NULL OR agency = ?)"
            " ORDER BY agency, table_id",
            (year, agency, agency),
        ).fetchall()
    return [dict(r) for r in rows]


def _liaisons(ledger: Ledger, agency: str) -> list[dict]:
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT user_id, full_name, email FROM users WHERE role = 'liaison' AND agency = ?"
            " AND disabled_at IS NULL ORDER BY user_id",
            (agency,),
        ).fetchall()
    return [dict(r) for r in rows]


def referral_letter(ledger: Ledger, reference: Reference, year: int, agency: str,
                    forms: list[Path]) -> Letter:  # fmt: skip
    name = reference.agencies[agency].name_fa
    liaisons = _liaisons(ledger, agency)
    lines = [
        f"به: {name}",
        f"موضوع: ارسال جدول‌های سالنامه آماری {reference.province_names.title_fa}، سال "
        f"{to_persian_digits(str(year))}",
        "",
        "با سلام و احترام،",
        "در اجرای تفاهم‌نامه تهیه سالنامه آماری استان، جدول‌های زیر به آن دستگاه ارجاع می‌شود. "
        "فرم هر جدول پیوست است؛ لطفاً فرم‌ها را تکمیل و تا مهلت مقرر بارگذاری فرمایید.",
        "",
    ]
    for a in _assignments(ledger, year, agency):
        lines.append(f"- {a['table_id']}: مهلت {jalali(dt.date.fromisoformat(a['deadline']))}")
    lines += [
        "",
        "رابط دستگاه: "
        + (
            "، ".join(f"{person['full_name']} ({person['user_id']})" for person in liaisons)
            or "هنوز معرفی نشده است"
        ),
    ]
    lines += ["", f"سازمان مدیریت و برنامه‌ریزی {reference.province_names.title_fa}"]
    return Letter(
        to=[person["email"] for person in liaisons if person["email"]],
        subject=f"سالنامه آماری {to_persian_digits(str(year))}: جدول‌های ارجاعی ({name})",
        body="\n".join(lines),
        attachments=forms,
    )


# ------------------------------------------------------------------------------ status


@dataclass
class TableStatus:
    table_id: str
    agency: str
    deadline: str
    state: str  # assigned, rejected, accepted, returned, approved
    submissions: int
    overdue_days: int  # days past the deadline without an accepted file; 0 if none
    on_time: bool | None  # first accepted file by the deadline (None: none yet)
    comment: str = ""  # the expert's comment when returned


@dataclass
class AgencyStatus:
    agency: str
    tables: int
    completeness: float  # share of tables with an accepted (or approved) file
    on_time_rate: float | None  # share of the received tables received by the deadline
    overdue: int
    table_status: list[TableStatus] = field(default_factory=list)


def status(ledger: Ledger, year: int, agency: str | None = None,
           today: dt.date | None = None, actor: Actor | None = None) -> dict:  # fmt: skip
    """Where each assigned table-year stands, per agency, with the agreement's measures.

    With a signed-in `actor`, a liaison sees their own agency only (asking for another is
    Forbidden); staff see every agency.
    """
    if actor is not None:
        if actor.role == "liaison" and agency is None:
            agency = actor.agency
        require(actor, "see_agency", agency)
    today = today or today_in_tehran()
    with ledger.connect() as con:
        subs = con.execute(
            "SELECT s.table_id, s.submission_id, s.verdict, s.state, s.received_at,"
            " (SELECT decision FROM reviews r WHERE r.submission_id = s.submission_id"
            "  ORDER BY review_id DESC LIMIT 1) AS decision,"
            " (SELECT comment FROM reviews r WHERE r.submission_id = s.submission_id"
            "  ORDER BY review_id DESC LIMIT 1) AS comment,"
            " (SELECT min(at) FROM reviews r WHERE r.submission_id = s.submission_id)"
            "  AS first_review_at,"
            " (SELECT at FROM submission_events e WHERE e.submission_id = s.submission_id"
            "  AND e.state = 'loaded' ORDER BY event_id LIMIT 1) AS loaded_at"
            " FROM submission_state s WHERE s.year = ? ORDER BY s.submission_id",
            (year,),
        ).fetchall()
    by_table: dict[str, list] = {}
    for row in subs:
        by_table.setdefault(row["table_id"], []).append(row)
    agencies: dict[str, AgencyStatus] = {}
    turnaround = []
    for a in _assignments(ledger, year, agency):
        rows = by_table.get(a["table_id"], [])
        deadline = dt.date.fromisoformat(a["deadline"])
        current = next((r for r in rows if r["state"] == "loaded"), None)
        accepted = [r for r in rows if r["verdict"] == "accepted"]
        if current is not None:
            state = current["decision"] or "accepted"
        elif rows:
            state = "rejected"
        else:
            state = "assigned"
        first_ok = _day(accepted[0]["received_at"]) if accepted else None
        overdue = (today - deadline).days if first_ok is None and today > deadline else 0
        for r in rows:
            if r["first_review_at"] and r["loaded_at"]:
                turnaround.append(_days_between(r["loaded_at"], r["first_review_at"]))
        entry = TableStatus(a["table_id"], a["agency"], a["deadline"], state, len(rows),
                            overdue, None if first_ok is None else first_ok <= deadline,
                            (current["comment"] or "") if state == "returned" else "")  # fmt: skip
        agencies.setdefault(a["agency"], AgencyStatus(a["agency"], 0, 0.0, None, 0))
        agencies[a["agency"]].table_status.append(entry)
    for summary in agencies.values():
        entries = summary.table_status
        summary.tables = len(entries)
        summary.completeness = sum(e.state in ("accepted", "approved") for e in entries) / len(
            entries
        )
        received = [e for e in entries if e.on_time is not None]
        summary.on_time_rate = (
            (sum(e.on_time for e in received) / len(received)) if received else None
        )
        summary.overdue = sum(e.overdue_days > 0 for e in entries)
    return {
        "year": year,
        "today": today.isoformat(),
        "agencies": [asdict(s) for s in sorted(agencies.values(), key=lambda s: s.agency)],
        "review_turnaround_days_median": statistics.median(turnaround) if turnaround else None,
        "deadline_to_publication_days": _deadline_to_publication(ledger, year),
    }


def _day(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone(TEHRAN).date()


def _days_between(start: str, end: str) -> float:
    delta = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
    return round(delta.total_seconds() / 86400, 2)


def _deadline_to_publication(ledger: Ledger, year: int) -> int | None:
    with ledger.connect() as con:
        row = con.execute(
            "SELECT (SELECT max(deadline) FROM assignments WHERE year = ?),"
            " (SELECT min(released_at) FROM editions WHERE year = ?)",
            (year, year),
        ).fetchone()
    if not row[0] or not row[1]:
        return None
    return (_day(row[1]) - dt.date.fromisoformat(row[0])).days


# ---------------------------------------------------------------------------- reminders

# The installation itself, when the pipeline (not a person) sends the daily reminders.
PIPELINE = Actor("pipeline", "coordinator")


def open_years(ledger: Ledger, today: dt.date | None = None) -> list[int]:
    """Collection years still open: assigned tables of which some have no accepted file."""
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT a.year FROM assignments a WHERE NOT EXISTS ("
            " SELECT 1 FROM submission_state s WHERE s.table_id = a.table_id"
            " AND s.year = a.year AND s.state IN ('loaded', 'superseded')) ORDER BY a.year"
        ).fetchall()
    return [r[0] for r in rows]


OVERDUE_LINE = "مهلت ارسال جدول‌های زیر گذشته است؛ لطفاً در اسرع وقت بارگذاری فرمایید:"


def remind(salnameh_home: Home, ledger: Ledger, reference: Reference, year: int, actor: Actor,
           today: dt.date | None = None) -> list[str]:  # fmt: skip
    """A reminder to each agency with overdue tables, once a day; returns the deliveries."""
    require(actor, "remind")
    today = today or today_in_tehran()
    report = status(ledger, year, today=today)
    sent = []
    for agency in report["agencies"]:
        late = [t for t in agency["table_status"] if t["overdue_days"] > 0]
        if not late or _letter_sent(ledger, year, agency["agency"], "reminder", today):
            continue
        name = reference.agencies[agency["agency"]].name_fa
        lines = [f"به: {name}", "", "با سلام و احترام،", OVERDUE_LINE, ""]
        for t in late:
            lines.append(f"- {t['table_id']}: مهلت {jalali(dt.date.fromisoformat(t['deadline']))}"
                         f" ({to_persian_digits(str(t['overdue_days']))} روز گذشته)")  # fmt: skip
        lines += ["", f"سازمان مدیریت و برنامه‌ریزی {reference.province_names.title_fa}"]
        letter = Letter(
            to=[p["email"] for p in _liaisons(ledger, agency["agency"]) if p["email"]],
            subject=f"یادآوری: جدول‌های سالنامه {to_persian_digits(str(year))} ({name})",
            body="\n".join(lines),
        )
        sent.append(_send(salnameh_home, ledger, letter, year, agency["agency"], "reminder",
                          actor, today))  # fmt: skip
    return sent


def _letter_sent(ledger: Ledger, year: int, agency: str, kind: str,
                 on: dt.date | None = None) -> bool:  # fmt: skip
    with ledger.connect() as con:
        return (
            con.execute(
                "SELECT 1 FROM letters WHERE year = ? AND agency = ? AND kind = ?"
                " AND (? IS NULL OR sent_on = ?)",
                (year, agency, kind, on and on.isoformat(), on and on.isoformat()),
            ).fetchone()
            is not None
        )


def _send(salnameh_home: Home, ledger: Ledger, letter: Letter, year: int, agency: str, kind: str,
          actor: Actor, today: dt.date | None = None) -> str:  # fmt: skip
    today = today or today_in_tehran()
    name = f"{year}-{agency}-{kind}-{today.isoformat()}"
    delivery = deliver(letter, salnameh_home.root / "outbox", name)
    with ledger.transaction() as con:
        con.execute(
            "INSERT OR IGNORE INTO letters (year, agency, kind, sent_on, delivery, actor, at)"
            " VALUES (?,?,?,?,?,?,?)",
            (year, agency, kind, today.isoformat(), delivery, actor.user_id, now()),
        )
    return delivery
