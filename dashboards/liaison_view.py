"""What a liaison sees and does: the agency's assignments, its forms, uploads and history.

Every read goes through a core function that checks the actor again (a liaison asking for
another agency is Forbidden there, whatever the page shows); an upload is the very call
`salnameh ingest --as` makes. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from dashboards.staff_display import (
    SEVERITIES,
    STATES,
    VERDICTS,
    days_phrase,
    digits,
    jalali_day,
    jalali_moment,
    number,
    words,
)
from ingestion.ingest import Ingestor, Outcome
from salnameh.access import Actor, require
from salnameh.catalog import Catalog
from salnameh.collection import open_years, owes, status
from salnameh.forms import build_form, form_filename
from salnameh.ledger import Ledger
from salnameh.letters import KINDS
from salnameh.letters import register as letter_register
from salnameh.reference import Reference
from salnameh.settings import Home


def agencies_for(actor: Actor, reference: Reference) -> list[str]:
    """The agencies whose tables this actor may work on: a liaison only its own."""
    if actor.role == "liaison":
        return [actor.agency]
    return sorted(reference.agencies)


def agency_name(reference: Reference, agency: str, lang: str) -> str:
    found = reference.agencies.get(agency)
    if found is None:
        return agency
    return found.name_fa if lang == "fa" else found.name_en


def assignments(
    ledger: Ledger,
    catalog: Catalog,
    actor: Actor,
    agency: str,
    lang: str,
    today: dt.date | None = None,
) -> list[dict]:
    """The agency's tables in every open collection year: deadline (Jalali), days left or
    overdue, and where each stands; newest year first, what is owed first."""
    rows = []
    for year in sorted(open_years(ledger), reverse=True):
        report = status(ledger, year, agency, today=today, actor=actor)
        today_then = dt.date.fromisoformat(report["today"])
        for summary in report["agencies"]:
            for t in summary["table_status"]:
                # The due day (the deadline or its extension) and whether a file is owed
                # come from collection.status, as the coordinator's page and the CLI read them.
                due = dt.date.fromisoformat(t["due"])
                table = catalog.tables.get(t["table_id"])
                owed = owes(t["state"])
                rows.append(
                    {
                        "year": year,
                        "year_shown": digits(year, lang),
                        "table_id": t["table_id"],
                        "agency": t["agency"],
                        "number": digits(table.number if table else "", lang),
                        "title": (table.title.fa if lang == "fa" else table.title.en)
                        if table
                        else t["table_id"],
                        "deadline": jalali_day(due, lang)
                        + (
                            ("، تمدیدشده" if lang == "fa" else ", extended")
                            if t["due"] != t["deadline"]
                            else ""
                        ),
                        "days": days_phrase((due - today_then).days, lang) if owed else "",
                        "overdue_days": t["overdue_days"],
                        "state_code": t["state"],
                        "state": words(STATES, t["state"], lang),
                        "submissions": t["submissions"],
                        "comment": t["comment"],
                    }
                )
    rows.sort(key=lambda r: (-r["year"], not owes(r["state_code"]), r["table_id"]))
    return rows


def form_workbook(
    catalog: Catalog, reference: Reference, table_id: str, year: int
) -> tuple[str, bytes]:
    """A table's empty form for a year: the same workbook `salnameh templates` writes."""
    table = catalog.table(table_id)
    book, _form = build_form(table, year, reference, catalog.version)
    buffer = io.BytesIO()
    book.save(buffer)
    return form_filename(table), buffer.getvalue()


def receive_upload(
    salnameh_home: Home,
    catalog: Catalog,
    reference: Reference,
    data: bytes,
    filename: str,
    actor: Actor,
    table_id: str | None = None,
    year: int | None = None,
) -> Outcome:
    """Ingest an uploaded file as the signed-in actor, exactly as `salnameh ingest --as`.

    The bytes go to a temporary file with the original name (ingestion reads the table id
    from a file named after it, and reports the name). A liaison sending another agency's
    table gets Forbidden from the core, raised to the caller; nothing is recorded then.
    """
    name = Path(filename.replace("\\", "/")).name.strip() or "upload"
    ingestor = Ingestor(salnameh_home, catalog, reference)
    with tempfile.TemporaryDirectory(prefix="salnameh-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        with ingestor.batch():
            ingestor.resume_interrupted()
            return ingestor.ingest(path, table_id, year, actor=actor, data=data)


def outcome_message(outcome: Outcome, lang: str) -> str:
    return digits(outcome.message_fa, lang) if lang == "fa" else outcome.message_en


def problem_rows(problems: list, lang: str, with_notes: bool = True) -> list[dict]:
    """Each problem of a report (Problem objects or their dicts) as a row a liaison reads:
    severity, sheet, row, column, value and the message in the reader's language."""
    rows = []
    for p in problems:
        p = p if isinstance(p, dict) else p.as_dict()
        if p["severity"] == "note" and not with_notes:
            continue
        rows.append(
            {
                "severity": words(SEVERITIES, p["severity"], lang),
                "sheet": p.get("sheet") or "",
                "row": digits(p["row"], lang) if p.get("row") is not None else "",
                "column": p.get("column") or "",
                "value": p.get("value") or "",
                "message": digits(p["fa"], lang) if lang == "fa" else p["en"],
                "code": p["code"],
            }
        )
    return rows


def history(ledger: Ledger, catalog: Catalog, actor: Actor, agency: str, lang: str) -> list[dict]:
    """The agency's submissions, newest first: file, verdict, state, date (Jalali), and the
    latest expert decision with its comment."""
    require(actor, "see_agency", agency)
    rows = []
    for s in reversed(ledger.submissions()):
        if s.agency != agency:
            continue
        reviews = ledger.reviews(s.submission_id)
        last = reviews[-1] if reviews else None
        state = last["decision"] if last and s.state == "loaded" else s.state
        if s.state == "loaded" and last is None:
            state = "in_review"
        table = catalog.tables.get(s.table_id or "")
        rows.append(
            {
                "submission_id": s.submission_id,
                "id_shown": digits(s.submission_id, lang),
                "year": s.year,
                "year_shown": digits(s.year or "", lang),
                "table_id": s.table_id,
                "number": digits(table.number if table else "", lang),
                "title": (table.title.fa if lang == "fa" else table.title.en) if table else "",
                "filename": s.filename,
                "received": jalali_moment(s.received_at, lang),
                "verdict_code": s.verdict,
                "verdict": words(VERDICTS, s.verdict, lang),
                "state_code": state,
                "state": words(STATES, state, lang),
                "values": number(s.n_values, lang),
                "errors": digits(sum(p.get("severity") == "error" for p in s.report), lang),
                "comment": last["comment"] if last else "",
                "reviewer": last["reviewer"] if last else "",
                "reviewed": jalali_moment(last["at"], lang) if last else "",
            }
        )
    return rows


def returned_comments(ledger: Ledger, actor: Actor, agency: str, lang: str) -> list[dict]:
    """Every comment experts sent back on the agency's submissions, newest first."""
    require(actor, "see_agency", agency)
    found = []
    for s in ledger.submissions():
        if s.agency != agency:
            continue
        for r in ledger.reviews(s.submission_id):
            if r["decision"] == "returned":
                found.append(
                    {
                        "submission_id": s.submission_id,
                        "table_id": s.table_id,
                        "year": s.year,
                        "reviewer": r["reviewer"],
                        "at": r["at"],
                        "when": jalali_moment(r["at"], lang),
                        "comment": r["comment"],
                    }
                )
    return sorted(found, key=lambda r: r["at"], reverse=True)


def submission_trail(ledger: Ledger, actor: Actor, submission_id: int, lang: str) -> list[dict]:
    """What happened to one submission of the actor's agency, in order (Jalali times)."""
    submission = ledger.get(submission_id)
    # An unidentified file has no agency: only staff who see every agency see it.
    require(actor, "see_agency", submission.agency or "")
    return [
        {"state": words(STATES, state, lang), "at": jalali_moment(at, lang), "note": note}
        for state, at, note in ledger.events(submission_id)
    ]


def agency_letters(ledger: Ledger, catalog: Catalog, actor: Actor, agency: str,
                   lang: str) -> list[dict]:  # fmt: skip
    """The letters the Organization sent the agency, newest first: number, Jalali date, kind,
    subject, the tables by number, and the printable PDF (the core checks the actor)."""
    rows = []
    for letter in letter_register(ledger, actor, agency):
        numbers = [catalog.tables[t].number if t in catalog.tables else t
                   for t in letter["table_ids"]]  # fmt: skip
        kind_fa, kind_en = KINDS[letter["kind"]]
        rows.append(
            {
                "letter_id": letter["letter_id"],
                "number": digits(letter["number"], lang),
                "date": jalali_day(letter["sent_on"], lang),
                "year": digits(letter["year"], lang),
                "kind_code": letter["kind"],
                "kind": kind_fa if lang == "fa" else kind_en,
                "subject": letter["subject"],
                "tables": digits("، ".join(numbers), lang) if lang == "fa" else ", ".join(numbers),
                "body": letter["body"],
                "pdf": letter["pdf"],
            }
        )
    return rows
