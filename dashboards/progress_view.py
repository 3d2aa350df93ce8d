"""The coordinator's view of a collection year: completeness and on-time rates by agency
and by chapter (from collection.status), the overdue tables, and the reminders sent.
No Streamlit here."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser
from pathlib import Path

from dashboards.liaison_view import agency_name
from dashboards.staff_display import digits, jalali_day, number, percent
from salnameh.access import Actor
from salnameh.catalog import Catalog
from salnameh.collection import RECEIVED, open_years, status
from salnameh.ledger import Ledger
from salnameh.letters import KINDS
from salnameh.letters import register as letter_register
from salnameh.reference import Reference

DONE = RECEIVED  # a file is in (collection.status's completeness)


def collection_years(ledger: Ledger) -> list[int]:
    """Years with assignments or submissions, newest first (the open ones among them)."""
    years = set(open_years(ledger)) | {s.year for s in ledger.submissions() if s.year}
    return sorted(years, reverse=True)


def year_status(ledger: Ledger, year: int, actor: Actor, today: dt.date | None = None) -> dict:
    return status(ledger, year, today=today, actor=actor)


def totals(report: dict) -> dict:
    entries = [t for a in report["agencies"] for t in a["table_status"]]
    received = [t for t in entries if t["on_time"] is not None]
    return {
        "tables": len(entries),
        "complete": sum(t["state"] in DONE for t in entries) / len(entries) if entries else None,
        "on_time": sum(t["on_time"] for t in received) / len(received) if received else None,
        "overdue": sum(t["overdue_days"] > 0 for t in entries),
        "approved": sum(t["state"] == "approved" for t in entries),
    }


def agency_rows(report: dict, reference: Reference, lang: str) -> list[dict]:
    return [
        {
            "agency": agency_name(reference, a["agency"], lang),
            "tables": digits(a["tables"], lang),
            "complete": percent(a["completeness"], lang),
            "on_time": percent(a["on_time_rate"], lang),
            "overdue": digits(a["overdue"], lang),
            "completeness": a["completeness"],
        }
        for a in report["agencies"]
    ]


def chapter_rows(report: dict, catalog: Catalog, reference: Reference, lang: str) -> list[dict]:
    """The same measures by chapter of the yearbook."""
    chapters: dict[int, list[dict]] = {}
    for a in report["agencies"]:
        for t in a["table_status"]:
            table = catalog.tables.get(t["table_id"])
            chapters.setdefault(table.chapter if table else 0, []).append(t)
    rows = []
    for number_, entries in sorted(chapters.items()):
        chapter = reference.chapters.get(number_)
        title = (chapter.title_fa if lang == "fa" else chapter.title_en) if chapter else "?"
        received = [t for t in entries if t["on_time"] is not None]
        complete = sum(t["state"] in DONE for t in entries) / len(entries)
        on_time = sum(t["on_time"] for t in received) / len(received) if received else None
        rows.append(
            {
                "chapter": f"{digits(number_, lang)}. {title}",
                "tables": digits(len(entries), lang),
                "complete": percent(complete, lang),
                "on_time": percent(on_time, lang),
                "overdue": digits(sum(t["overdue_days"] > 0 for t in entries), lang),
                "completeness": complete,
            }
        )
    return rows


def overdue_rows(report: dict, catalog: Catalog, reference: Reference, lang: str) -> list[dict]:
    """Tables past their deadline without an accepted file, the longest overdue first."""
    rows = []
    for a in report["agencies"]:
        for t in a["table_status"]:
            if t["overdue_days"] <= 0:
                continue
            table = catalog.tables.get(t["table_id"])
            rows.append(
                {
                    "table_id": t["table_id"],
                    "number": digits(table.number if table else "", lang),
                    "title": (table.title.fa if lang == "fa" else table.title.en) if table else "",
                    "agency_id": a["agency"],
                    "agency": agency_name(reference, a["agency"], lang),
                    "deadline": jalali_day(t["due"], lang),
                    "days": number(t["overdue_days"], lang),
                    "overdue_days": t["overdue_days"],
                }
            )
    return sorted(rows, key=lambda r: (-r["overdue_days"], r["table_id"]))


def letter_summary(delivery: str) -> dict:
    """What a delivered reminder said: recipients, subject and body of its .eml file (or
    only the SMTP message id when it went by mail)."""
    if not delivery.endswith(".eml") or not Path(delivery).exists():
        return {"delivery": delivery, "to": "", "subject": "", "body": ""}
    with Path(delivery).open("rb") as handle:
        mail = BytesParser(policy=policy.default).parse(handle)
    body = mail.get_body(preferencelist=("plain",))
    return {
        "delivery": delivery,
        "to": str(mail["To"]),
        "subject": str(mail["Subject"]),
        "body": body.get_content() if body else "",
    }


def year_letters(ledger: Ledger, reference: Reference, actor: Actor, year: int,
                 lang: str) -> list[dict]:  # fmt: skip
    """Every letter sent about the year, newest first: number, Jalali date, agency, kind and
    how many tables it names (the register; the core checks the actor)."""
    return [
        {
            "number": digits(r["number"], lang),
            "date": jalali_day(r["sent_on"], lang),
            "agency": agency_name(reference, r["agency"], lang),
            "kind": KINDS[r["kind"]][0 if lang == "fa" else 1],
            "tables": digits(len(r["table_ids"]), lang),
        }
        for r in letter_register(ledger, actor, year=year)
    ]


def table_choices(report: dict, catalog: Catalog, lang: str) -> dict[str, str]:
    """The year's assigned tables as 'number · title (due day)', for choosing one to extend."""
    choices = {}
    for a in report["agencies"]:
        for t in a["table_status"]:
            table = catalog.tables.get(t["table_id"])
            title = (table.title.fa if lang == "fa" else table.title.en) if table else ""
            number_ = digits(table.number if table else t["table_id"], lang)
            choices[t["table_id"]] = f"{number_} · {title} ({jalali_day(t['due'], lang)})"
    return choices
