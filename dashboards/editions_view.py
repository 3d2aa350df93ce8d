"""The coordinator's editions: which years are fully approved and which still open, what
an edition holds, and the editions released so far. Publishing is `ledger.release`, the
call `salnameh publish --as` makes. No Streamlit here."""

from __future__ import annotations

from dashboards.liaison_view import agency_name
from dashboards.progress_view import collection_years
from dashboards.staff_display import digits, jalali_moment
from salnameh.access import Actor
from salnameh.catalog import Catalog
from salnameh.collection import status
from salnameh.ledger import Ledger
from salnameh.reference import Reference


def readiness(ledger: Ledger, actor: Actor, lang: str) -> list[dict]:
    """Per year: assigned tables, how many are approved, in review, returned or not yet
    in, whether everything is approved, and the editions released."""
    editions = ledger.editions()
    rows = []
    for year in collection_years(ledger):
        entries = [
            t for a in status(ledger, year, actor=actor)["agencies"] for t in a["table_status"]
        ]
        approved_now = {
            r["submission_id"] for r in ledger.review_queue(year) if r["review_state"] == "approved"
        }
        released = [e for e in editions if e["year"] == year]
        latest = released[0] if released else None
        counts = {
            state: sum(t["state"] == state for t in entries)
            for state in ("approved", "in_review", "returned")
        }
        missing = sum(t["state"] in ("assigned", "rejected") for t in entries)
        ready = bool(entries) and counts["approved"] == len(entries)
        rows.append(
            {
                "year": year,
                "year_shown": digits(year, lang),
                "tables": digits(len(entries), lang),
                "approved": digits(counts["approved"], lang),
                "in_review": digits(counts["in_review"], lang),
                "returned": digits(counts["returned"], lang),
                "missing": digits(missing, lang),
                "ready": ready,
                "state": ("همه تأیید شده" if ready else "هنوز باز")
                if lang == "fa"
                else ("all approved" if ready else "still open"),
                "editions": digits(len(released), lang),
                "new_since_edition": digits(
                    len(approved_now - set(latest["submission_ids"]))
                    if latest
                    else len(approved_now),
                    lang,
                ),
                "n_approved": len(approved_now),
            }
        )
    return rows


LACKING_WHY = {
    "not_received": ("نرسیده", "not received"),
    "not_approved": ("تأیید نشده", "not approved"),
}


def lacking_rows(catalog: Catalog, lacking: dict[str, str], lang: str) -> list[dict]:
    """The tables an edition would lack, in yearbook order, each with why."""
    order = list(catalog.tables)
    rows = []
    for table_id in sorted(lacking, key=order.index):
        table = catalog.table(table_id)
        fa, en = LACKING_WHY[lacking[table_id]]
        rows.append({"number": digits(table.number, lang),
                     "title": table.title.fa if lang == "fa" else table.title.en,
                     "why": fa if lang == "fa" else en})  # fmt: skip
    return rows


def lacks_note(gaps: dict[str, str], lang: str) -> str:
    """What a just-published edition lacks, as its coordinator confirmed it ('' if nothing)."""
    if not gaps:
        return ""
    if lang == "fa":
        return (f" این ویرایش بدون {digits(len(gaps), 'fa')} جدول سال منتشر شد و در فهرست و "
                "جای هر یک این را اعلام می‌کند.")  # fmt: skip
    return (f" It was published without {len(gaps)} tables of the year, as confirmed, and "
            "says so in its contents and in their places.")  # fmt: skip


def held_rows(
    ledger: Ledger, catalog: Catalog, reference: Reference, submission_ids: list[int], lang: str
) -> list[dict]:
    """The table-years an edition holds, in the yearbook's order."""
    rows = []
    for sid in submission_ids:
        s = ledger.get(sid)
        table = catalog.tables.get(s.table_id or "")
        rows.append(
            {
                "submission_id": sid,
                "order": (table.chapter, list(catalog.tables).index(table.id))
                if table
                else (99, 0),
                "number": digits(table.number if table else "", lang),
                "title": (table.title.fa if lang == "fa" else table.title.en) if table else "",
                "agency": agency_name(reference, s.agency or "", lang),
                "filename": s.filename,
                "received": jalali_moment(s.received_at, lang),
            }
        )
    return sorted(rows, key=lambda r: r["order"])


def edition_rows(ledger: Ledger, lang: str) -> list[dict]:
    return [
        {
            "edition_id": e["edition_id"],
            "year": e["year"],
            "year_shown": digits(e["year"], lang),
            "number": digits(e["number"], lang),
            "released": jalali_moment(e["released_at"], lang),
            "by": e["released_by"],
            "note": e["note"],
            "tables": digits(len(e["submission_ids"]), lang),
            "submission_ids": e["submission_ids"],
        }
        for e in ledger.editions()
    ]
