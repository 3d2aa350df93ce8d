"""The collection cycle between the Organization and the agencies, on the ledger.

- `open_year`: each table of the catalog collected that year is assigned to its agency,
  with a deadline from the collection calendar (seeds/reference/collection_calendar.csv,
  Jalali), and each agency gets a referral letter naming its tables, with its forms
  attached; run again, it refers the tables added to the catalog since;
- `status`: per agency and table, where the table-year stands (STAGES: not sent,
  rejected, received, in review, returned, approved) and by when it is due (its deadline,
  or the latest extension), how many days it is overdue, and the agreement's measures.
  It is the one statement of a table-year's state, "owed" and "overdue" that the CLI,
  the liaison's pages, the review queue and the coordinator's progress read: a table
  returned for correction is owed again, and overdue like any other;
- `return_submission`: an expert returns a table and the agency gets a letter with the
  comment and the form;
- `remind`: a Persian reminder to every agency with overdue tables (returned ones too),
  their forms attached again, at most once a day;
- `extend_deadline`: a coordinator moves one table-year's deadline, saying why.

Every letter is numbered, dated, printed and registered by salnameh.letters.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from persiantools.jdatetime import JalaliDate

from salnameh.access import Actor, require
from salnameh.anomaly_flags import built_warnings, latest_verdicts, unjudged
from salnameh.catalog import Catalog
from salnameh.forms import write_forms
from salnameh.jalali import TEHRAN, today_in_tehran
from salnameh.ledger import Ledger, now
from salnameh.letters import Draft, Sent, TableLine, dispatch, referred_tables
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference
from salnameh.settings import REFERENCE_DIR, Home

# Where a table-year stands, in the order of the cycle: nothing sent yet; only rejected
# files; a file accepted and still loading; the current version awaiting an expert;
# returned to the agency for correction; approved.
STAGES = ("assigned", "rejected", "received", "in_review", "returned", "approved")
# States in which the agency owes a file: the table counts as overdue past its due day.
OWED = ("assigned", "rejected", "returned")
# States in which a file is in (the agreement's completeness).
RECEIVED = ("received", "in_review", "approved")


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


@dataclass(frozen=True)
class Opened:
    year: int
    assigned: int  # new assignments (0 when the year was opened before)
    letters: list[str]  # deliveries of the referral letters sent now


def open_year(salnameh_home: Home, ledger: Ledger, catalog: Catalog, reference: Reference,
              year: int, actor: Actor, letters: bool = True) -> Opened:  # fmt: skip
    """Assign the year's tables and refer them to their agencies; safe to run again:
    existing assignments are kept, and only tables no referral has named yet (a table
    added to the catalog while the year is open) get a letter. `letters=False` records a
    past year's assignments without writing to anyone."""
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
        referred = referred_tables(ledger, year, agency)
        owed = [a for a in _assignments(ledger, year, agency) if a["table_id"] not in referred]
        if not owed:
            continue
        forms = _forms(salnameh_home, catalog, reference, year, agency, owed)
        draft = referral_letter(ledger, catalog, reference, year, agency, owed, forms,
                                added=bool(referred))  # fmt: skip
        sent.append(dispatch(salnameh_home, ledger, draft, actor).delivery)
    return Opened(year, assigned, sent)


def refer_added_tables(salnameh_home: Home, ledger: Ledger, catalog: Catalog,
                       reference: Reference, actor: Actor) -> list[str]:  # fmt: skip
    """For every open year already referred, assign and refer the tables the catalog has
    gained since (the daily pipeline runs it); years recorded without letters stay so."""
    with ledger.connect() as con:
        rows = con.execute("SELECT DISTINCT year FROM letter_register WHERE kind = 'referral'")
        referred_years = {r[0] for r in rows}
    sent = []
    for year in sorted(set(open_years(ledger)) & referred_years):
        sent += open_year(salnameh_home, ledger, catalog, reference, year, actor).letters
    return sent


def _forms(salnameh_home: Home, catalog: Catalog, reference: Reference, year: int,
           agency: str, tables: list[dict]) -> list[Path]:  # fmt: skip
    """The agency's forms of these tables, written to the outbox's forms folder."""
    wanted = {t["table_id"] for t in tables}
    forms_dir = salnameh_home.root / "outbox" / "forms" / str(year)
    return write_forms(catalog, reference, year, forms_dir, agency, wanted)


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


def _line(catalog: Catalog, table_id: str, note: str = "") -> TableLine:
    table = catalog.tables.get(table_id)
    if table is None:  # assigned once, since removed from the catalog
        return TableLine(table_id, table_id, table_id, note)
    return TableLine(table_id, table.number, table.title.fa, note)


def _draft(ledger: Ledger, reference: Reference, year: int, agency: str, kind: str,
           subject: str, opening: str, tables: list[TableLine], note_header: str,
           closing: list[str], forms: list[Path]) -> Draft:  # fmt: skip
    """A letter to the agency, addressed to its head, for the attention of its liaisons."""
    liaisons = _liaisons(ledger, agency)
    names = "، ".join(p["full_name"] for p in liaisons)
    province = reference.province_names.title_fa
    return Draft(
        year=year,
        agency=agency,
        kind=kind,
        subject=subject,
        addressee=f"ریاست محترم {reference.agencies[agency].name_fa}",
        attention=f"توجه: رابط محترم سالنامه، {names}" if names
        else "رابط سالنامه آن دستگاه هنوز معرفی نشده است؛ لطفاً معرفی فرمایید.",
        opening=opening,
        tables=tables,
        note_header=note_header,
        closing=closing,
        signature=["دبیرخانه سالنامه آماری", f"سازمان مدیریت و برنامه‌ریزی {province}"],
        to=[p["email"] for p in liaisons if p["email"]],
        attachments=forms,
    )  # fmt: skip


def referral_letter(ledger: Ledger, catalog: Catalog, reference: Reference, year: int,
                    agency: str, assignments: list[dict], forms: list[Path],
                    added: bool = False) -> Draft:  # fmt: skip
    """The referral of the agency's tables of a year, each with its deadline; `added` for
    tables that joined a year already referred."""
    year_fa = to_persian_digits(str(year))
    province = reference.province_names.title_fa
    if added:
        opening = (
            f"پیرو نامه‌های پیشین درباره سالنامه آماری {province}، سال {year_fa}، "
            "جدول‌های زیر به فهرست جدول‌های سالنامه افزوده شده و به آن دستگاه ارجاع می‌شود."
        )
    else:
        opening = (f"در اجرای تفاهم‌نامه تهیه سالنامه آماری {province}، جدول‌های زیر برای سال "
                   f"{year_fa} به آن دستگاه ارجاع می‌شود.")  # fmt: skip
    lines = [_line(catalog, a["table_id"], jalali(_due_of(ledger, a)))
             for a in assignments]  # fmt: skip
    closing = [
        "فرم هر جدول پیوست است. خواهشمند است فرم‌ها را تکمیل و تا مهلت مقرر در سامانه "
        "سالنامه بارگذاری فرمایید.",
    ]
    subject = f"ارجاع جدول‌های سالنامه آماری سال {year_fa}" + ("، جدول‌های افزوده" if added else "")
    return _draft(ledger, reference, year, agency, "referral", subject, opening, lines,
                  "مهلت ارسال", closing, forms)  # fmt: skip


# ------------------------------------------------------------------------- deadlines


def extensions(ledger: Ledger, year: int) -> dict[str, dict]:
    """Each table-year's latest extension of its deadline."""
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT * FROM deadline_extensions WHERE year = ? ORDER BY extension_id", (year,)
        ).fetchall()
    return {r["table_id"]: dict(r) for r in rows}


def _due_of(ledger: Ledger, assignment: dict) -> dt.date:
    extended = extensions(ledger, assignment["year"]).get(assignment["table_id"])
    return dt.date.fromisoformat(extended["until"] if extended else assignment["deadline"])


def extend_deadline(ledger: Ledger, year: int, table_id: str, until: dt.date, reason: str,
                    actor: Actor) -> None:  # fmt: skip
    """A coordinator gives one assigned table-year until a later day, saying why."""
    require(actor, "extend_deadline")
    if not reason.strip():
        raise ValueError("an extension needs a reason (the agency's request, the letter...)")
    assigned = [a for a in _assignments(ledger, year) if a["table_id"] == table_id]
    if not assigned:
        raise ValueError(f"{table_id} is not assigned for {year}: `salnameh open-year {year}`")
    current = _due_of(ledger, assigned[0])
    if until <= current:
        raise ValueError(f"{table_id} {year} is already due on {current.isoformat()} "
                         f"({jalali(current)}); an extension must be later")  # fmt: skip
    with ledger.transaction() as con:
        con.execute(
            "INSERT INTO deadline_extensions (year, table_id, until, reason, actor, at)"
            " VALUES (?,?,?,?,?,?)",
            (year, table_id, until.isoformat(), reason, actor.user_id, now()),
        )


# ------------------------------------------------------------------------------ status


@dataclass
class TableStatus:
    table_id: str
    agency: str
    deadline: str  # as assigned
    due: str  # the deadline or its latest extension: what "overdue" counts from
    state: str  # one of STAGES
    submissions: int
    overdue_days: int  # days past the due day while the agency owes a file; 0 if none
    on_time: bool | None  # first accepted file by the due day (None: none yet)
    comment: str = ""  # the expert's comment when returned
    returned_at: str = ""  # when it was returned (UTC ISO), if it is
    approved_at: str = ""  # when the current version was approved, if it is
    first_accepted_on: str = ""  # the Tehran day of the first accepted file
    submission_id: int | None = None  # the current version, else the latest file, if any


@dataclass
class AgencyStatus:
    agency: str
    tables: int
    completeness: float  # share of tables with an accepted (or approved) file
    on_time_rate: float | None  # share of the received tables received by the deadline
    overdue: int
    table_status: list[TableStatus] = field(default_factory=list)


def owes(state: str) -> bool:
    """Whether a table in this state still waits for a file from its agency."""
    return state in OWED


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
            " (SELECT at FROM reviews r WHERE r.submission_id = s.submission_id"
            "  ORDER BY review_id DESC LIMIT 1) AS decided_at,"
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
    extended = extensions(ledger, year)
    agencies: dict[str, AgencyStatus] = {}
    turnaround = []
    for a in _assignments(ledger, year, agency):
        rows = by_table.get(a["table_id"], [])
        deadline = dt.date.fromisoformat(a["deadline"])
        extension = extended.get(a["table_id"])
        due = dt.date.fromisoformat(extension["until"]) if extension else deadline
        current = next((r for r in rows if r["state"] == "loaded"), None)
        accepted = [r for r in rows if r["verdict"] == "accepted"]
        state = _stage(current, rows)
        first_ok = _day(accepted[0]["received_at"]) if accepted else None
        overdue = (today - due).days if owes(state) and today > due else 0
        for r in rows:
            if r["first_review_at"] and r["loaded_at"]:
                turnaround.append(_days_between(r["loaded_at"], r["first_review_at"]))
        decided_at = (current["decided_at"] or "") if current is not None else ""
        entry = TableStatus(
            a["table_id"], a["agency"], a["deadline"], due.isoformat(), state, len(rows),
            overdue, None if first_ok is None else first_ok <= due,
            (current["comment"] or "") if state == "returned" else "",
            decided_at if state == "returned" else "",
            decided_at if state == "approved" else "",
            first_ok.isoformat() if first_ok else "",
            (current or rows[-1])["submission_id"] if rows else None,
        )  # fmt: skip
        agencies.setdefault(a["agency"], AgencyStatus(a["agency"], 0, 0.0, None, 0))
        agencies[a["agency"]].table_status.append(entry)
    for summary in agencies.values():
        entries = summary.table_status
        summary.tables = len(entries)
        summary.completeness = sum(e.state in RECEIVED for e in entries) / len(entries)
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


def _stage(current, rows: list) -> str:
    """Where a table-year stands from its submissions (oldest first) and its current
    version: the latest decision on the current version; else a file on its way in; else
    rejected files only; else nothing sent."""
    if current is not None:
        return current["decision"] or "in_review"
    if any(r["state"] in ("received", "loading") for r in rows):
        return "received"
    return "rejected" if rows else "assigned"


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


# ------------------------------------------------------------------------------ returns


def return_submission(salnameh_home: Home, ledger: Ledger, catalog: Catalog,
                      reference: Reference, submission_id: int, comment: str, actor: Actor,
                      today: dt.date | None = None) -> Sent:  # fmt: skip
    """An expert returns the current version of a table-year to its agency: the decision
    is recorded with the submission's unjudged anomaly flags judged errors (the agency is
    asked to correct the table, so they are decided, not left open), then the agency gets
    a letter with the comment and the form again."""
    require(actor, "review")
    built = built_warnings(salnameh_home, [submission_id]) or {}
    flags = unjudged(built.get(submission_id, []), latest_verdicts(ledger))
    ledger.review(submission_id, "returned", actor, comment, judged_flags=flags)
    return send_return_letter(salnameh_home, ledger, catalog, reference, submission_id,
                              actor, today)  # fmt: skip


def send_return_letter(salnameh_home: Home, ledger: Ledger, catalog: Catalog,
                       reference: Reference, submission_id: int, actor: Actor,
                       today: dt.date | None = None) -> Sent:  # fmt: skip
    """The letter telling the agency a submission was returned, with the expert's comment."""
    submission = ledger.get(submission_id)
    last = ledger.reviews(submission_id)[-1]
    if last["decision"] != "returned":
        raise ValueError(f"submission {submission_id} is {last['decision']}, not returned")
    year, agency = submission.year, submission.agency
    today = today or today_in_tehran()
    assignment = [a for a in _assignments(ledger, year, agency)
                  if a["table_id"] == submission.table_id]  # fmt: skip
    due = _due_of(ledger, assignment[0]) if assignment else today
    received = jalali(_day(submission.received_at))
    opening = (
        f"پیرو ارسال فایل «{submission.filename}» (ارسال شماره "
        f"{to_persian_digits(str(submission_id))}، دریافت‌شده در {received})"
        f" برای سالنامه سال {to_persian_digits(str(year))}، کارشناس بررسی جدول زیر را با نظر "
        "زیر برای اصلاح به آن دستگاه بازگردانده است."
    )
    if due >= today:
        when = f"تا {jalali(due)}"
    else:
        when = f"در اسرع وقت (مهلت این جدول، {jalali(due)}، گذشته است)"
    closing = [
        "خواهشمند است پس از بررسی نظر کارشناس، فایل اصلاح‌شده را در قالب فرم پیوست "
        f"{when} در سامانه سالنامه بارگذاری فرمایید.",
    ]
    forms = _forms(salnameh_home, catalog, reference, year, agency,
                   [{"table_id": submission.table_id}])  # fmt: skip
    draft = _draft(ledger, reference, year, agency, "return",
                   f"بازگشت جدول سالنامه آماری سال {to_persian_digits(str(year))} برای اصلاح",
                   opening, [_line(catalog, submission.table_id, last["comment"])],
                   "نظر کارشناس", closing, forms)  # fmt: skip
    return dispatch(salnameh_home, ledger, draft, actor, today)


# ---------------------------------------------------------------------------- reminders

# The installation itself, when the pipeline (not a person) sends the daily reminders.
PIPELINE = Actor("pipeline", "coordinator")


def open_years(ledger: Ledger, today: dt.date | None = None) -> list[int]:
    """Collection years still open: some assigned table is owed (no current file, or its
    current file was returned for correction)."""
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT a.year FROM assignments a WHERE NOT EXISTS ("
            " SELECT 1 FROM submission_state s WHERE s.table_id = a.table_id"
            " AND s.year = a.year AND s.state = 'loaded'"
            " AND coalesce((SELECT r.decision FROM reviews r"
            "   WHERE r.submission_id = s.submission_id ORDER BY r.review_id DESC LIMIT 1),"
            "   '') <> 'returned') ORDER BY a.year"
        ).fetchall()
    return [r[0] for r in rows]


def remind(salnameh_home: Home, ledger: Ledger, catalog: Catalog, reference: Reference,
           year: int, actor: Actor, today: dt.date | None = None) -> list[str]:  # fmt: skip
    """A reminder to each agency with overdue tables (returned ones included), their forms
    attached again, once a day; returns the deliveries."""
    require(actor, "remind")
    today = today or today_in_tehran()
    report = status(ledger, year, today=today)
    sent = []
    for agency in report["agencies"]:
        late = [t for t in agency["table_status"] if t["overdue_days"] > 0]
        if not late:
            continue
        lines = [_line(catalog, t["table_id"], _late_note(t)) for t in late]
        returned = sum(t["state"] == "returned" for t in late)
        opening = (
            f"مهلت ارسال {to_persian_digits(str(len(late)))} جدول سالنامه سال "
            f"{to_persian_digits(str(year))} از آن دستگاه گذشته است"
            + (f" ({to_persian_digits(str(returned))} جدول بازگشت‌داده‌شده برای اصلاح)"
               if returned else "")
            + ". فهرست جدول‌ها در زیر آمده و فرم هر یک دوباره پیوست شده است."
        )  # fmt: skip
        closing = ["خواهشمند است دستور فرمایید فایل‌ها در اسرع وقت در سامانه سالنامه "
                   "بارگذاری شود."]  # fmt: skip
        forms = _forms(salnameh_home, catalog, reference, year, agency["agency"], late)
        draft = _draft(ledger, reference, year, agency["agency"], "reminder",
                       f"یادآوری جدول‌های سالنامه آماری سال {to_persian_digits(str(year))}",
                       opening, lines, "وضعیت", closing, forms)  # fmt: skip
        letter = dispatch(salnameh_home, ledger, draft, actor, today)
        if letter is not None:
            sent.append(letter.delivery)
    return sent


def _late_note(t: dict) -> str:
    days = to_persian_digits(str(t["overdue_days"]))
    due = jalali(dt.date.fromisoformat(t["due"]))
    if t["state"] == "returned":
        return f"بازگشت‌داده‌شده برای اصلاح: {t['comment']} (مهلت {due}، {days} روز گذشته)"
    if t["state"] == "rejected":
        return f"فایل ارسالی رد شده است (مهلت {due}، {days} روز گذشته)"
    return f"ارسال نشده (مهلت {due}، {days} روز گذشته)"
