"""The agreement with SCI, measured: each commitment against its target and SCI's dates.

Two seeds say what is promised, so a new year or province needs no code:
- `seeds/reference/sci_timetable.csv`: SCI's milestones for reference year Y, as a Jalali
  month and day of Y+1; rows with year `*` hold for every year, a row naming a year
  overrides that milestone for it;
- `seeds/reference/agreement_targets.csv`: each measure's target, whether the value must
  be at least or at most the target, and the milestone it is judged on.

The ledger gives the evidence: referral letters (forms go with them: the catalog keeps no
date of a form's design, so a form counts as designed when it went out), liaisons,
accepted files, reviews, editions. Shares are measured at the milestone and to date; a
milestone not yet reached is `pending` until its target is met.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

from persiantools.jdatetime import JalaliDate

from salnameh.access import Actor, require
from salnameh.collection import extensions, status
from salnameh.jalali import TEHRAN, today_in_tehran
from salnameh.ledger import Ledger
from salnameh.settings import REFERENCE_DIR

MILESTONES = ("forms_by", "referrals_by", "collection_by", "approval_by", "electronic_by",
              "print_by")  # fmt: skip


class AgreementError(ValueError):
    """A seed of the agreement that cannot be used; says which file, row and what to do."""


def timetable(year: int, seeds_dir: Path = REFERENCE_DIR) -> dict[str, dt.date]:
    """SCI's milestones for a reference year: the general rows, then the year's own."""
    path = seeds_dir / "sci_timetable.csv"
    found: dict[str, dt.date] = {}
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for general in (True, False):  # a year's own row wins over the general one
        for n, r in enumerate(rows, start=2):
            if (r["year"] == "*") != general or (not general and r["year"] != str(year)):
                continue
            if r["milestone"] not in MILESTONES:
                raise AgreementError(f"{path.name} row {n}: milestone {r['milestone']!r} is not "
                                     f"one of {', '.join(MILESTONES)}")  # fmt: skip
            try:
                found[r["milestone"]] = JalaliDate(
                    year + 1, int(r["month"]), int(r["day"])
                ).to_gregorian()
            except ValueError as error:
                raise AgreementError(f"{path.name} row {n}: {r['month']}/{r['day']} is not a "
                                     f"Jalali month and day ({error})") from None  # fmt: skip
    missing = [m for m in MILESTONES if m not in found]
    if missing:
        raise AgreementError(f"{path.name} gives no date of {', '.join(missing)} for {year}: "
                             "add a row for the year or a general row (year *)")  # fmt: skip
    return found


@dataclass(frozen=True)
class Target:
    measure: str
    target: float
    comparison: str  # at_least, at_most
    milestone: str  # '' when judged whenever measured
    title_fa: str
    title_en: str


def targets(seeds_dir: Path = REFERENCE_DIR) -> list[Target]:
    path = seeds_dir / "agreement_targets.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for n, r in enumerate(rows, start=2):
        if r["measure"] not in MEASURES:
            raise AgreementError(f"{path.name} row {n}: no measure {r['measure']!r}; known: "
                                 f"{', '.join(MEASURES)}")  # fmt: skip
        if r["comparison"] not in ("at_least", "at_most"):
            raise AgreementError(f"{path.name} row {n}: comparison is at_least or at_most")
        if r["milestone"] and r["milestone"] not in MILESTONES:
            raise AgreementError(f"{path.name} row {n}: no milestone {r['milestone']!r}")
        found.append(Target(r["measure"], float(r["target"]), r["comparison"], r["milestone"],
                            r["title_fa"], r["title_en"]))  # fmt: skip
    return found


@dataclass
class Measured:
    measure: str
    title_fa: str
    title_en: str
    unit: str  # share, days
    target: float
    comparison: str
    due: str  # the milestone's day (ISO), '' if none
    value: float | None  # at the milestone (or now, for a measure without one)
    value_to_date: float | None
    state: str  # met, not_met, pending, no_data
    note: str = ""


def _day(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone(TEHRAN).date()


def _share(days: list[dt.date | None], total: int, due: dt.date | None) -> tuple:
    """The share of `total` done by `due` and to date (a day per thing done, None if not)."""
    if not total:
        return None, None
    done = [d for d in days if d is not None]
    by_due = len(done) if due is None else sum(d <= due for d in done)
    return by_due / total, len(done) / total


def _facts(ledger: Ledger, year: int, today: dt.date, printed: dt.date | None) -> dict:
    """Per measure, the days things were done (for shares) or a value (for the rest)."""
    report = status(ledger, year, today=today)
    tables = [t for a in report["agencies"] for t in a["table_status"]]
    agencies = [a["agency"] for a in report["agencies"]]
    with ledger.connect() as con:
        referred = {
            r["table_id"]: dt.date.fromisoformat(r["first"])
            for r in con.execute(
                "SELECT t.table_id, min(l.sent_on) AS first FROM letter_tables t"
                " JOIN letter_register l ON l.letter_id = t.letter_id"
                " WHERE l.kind = 'referral' AND l.year = ? GROUP BY t.table_id",
                (year,),
            )
        }
        liaisons = {
            r["agency"]: _day(r["first"])
            for r in con.execute(
                "SELECT agency, min(created_at) AS first FROM users WHERE role = 'liaison'"
                " AND disabled_at IS NULL GROUP BY agency"
            )
        }
        released = con.execute(
            "SELECT min(released_at) FROM editions WHERE year = ?", (year,)
        ).fetchone()[0]
    received = [dt.date.fromisoformat(t["first_accepted_on"]) if t["first_accepted_on"] else None
                for t in tables]  # fmt: skip
    return {
        "n_tables": len(tables),
        "n_agencies": len(agencies),
        "forms_designed": [referred.get(t["table_id"]) for t in tables],
        "referrals_sent": [referred.get(t["table_id"]) for t in tables],
        "agencies_designated": [liaisons.get(a) for a in agencies],
        "collection": received,
        "on_time": [t["on_time"] for t in tables if t["on_time"] is not None],
        "approval": [_day(t["approved_at"]) if t["approved_at"] else None for t in tables],
        "review_turnaround_days": report["review_turnaround_days_median"],
        "electronic_publication": _day(released) if released else None,
        "printed_publication": printed,
    }


SHARES = ("forms_designed", "referrals_sent", "agencies_designated", "collection", "approval")
DATES = ("electronic_publication", "printed_publication")
MEASURES = (*SHARES, "on_time", "review_turnaround_days", *DATES)


def _judge(target: Target, value: float | None, to_date: float | None, due: dt.date | None,
           today: dt.date) -> str:  # fmt: skip
    def meets(v: float) -> bool:
        return v >= target.target if target.comparison == "at_least" else v <= target.target

    if due is not None and today <= due:  # the milestone is still ahead
        return "met" if to_date is not None and meets(to_date) else "pending"
    if value is None:
        return "no_data"
    return "met" if meets(value) else "not_met"


def measure(ledger: Ledger, year: int, actor: Actor | None = None, today: dt.date | None = None,
            printed: dt.date | None = None, seeds_dir: Path = REFERENCE_DIR) -> dict:  # fmt: skip
    """The agreement's measures for a reference year against their targets and SCI's
    timetable, with the per-table extensions granted. `printed`: the day the print
    edition was made (publishing knows where it lies)."""
    if actor is not None:
        require(actor, "read_sla")
    today = today or today_in_tehran()
    dates = timetable(year, seeds_dir)
    facts = _facts(ledger, year, today, printed)
    rows = []
    for target in targets(seeds_dir):
        due = dates.get(target.milestone)
        name = target.measure
        unit = "share"
        note = ""
        if name in SHARES:
            total = facts["n_agencies"] if name == "agencies_designated" else facts["n_tables"]
            value, to_date = _share(facts[name], total, due)
            note = f"{total} {'agencies' if name == 'agencies_designated' else 'tables'}"
        elif name == "on_time":
            got = facts["on_time"]
            value = to_date = (sum(got) / len(got)) if got else None
            note = f"{len(got)} tables received"
        elif name == "review_turnaround_days":
            value = to_date = facts[name]
            unit = "days"
        else:  # a publication: days late against its milestone (negative: early)
            unit = "days"
            done = facts[name]
            if done is not None:
                value = to_date = float((done - due).days)
                note = done.isoformat()
            elif today > due:
                value = to_date = float((today - due).days)
                note = "not yet"
            else:
                value = to_date = None
        state = _judge(target, value, to_date, due, today)
        if name in DATES and facts[name] is None and state == "met":
            state = "pending"  # not late yet is not published
        rows.append(Measured(name, target.title_fa, target.title_en, unit, target.target,
                             target.comparison, due.isoformat() if due else "", value,
                             to_date, state, note))  # fmt: skip
    extended = [
        {"table_id": e["table_id"], "until": e["until"], "reason": e["reason"],
         "actor": e["actor"], "at": e["at"]}
        for e in extensions(ledger, year).values()
    ]  # fmt: skip
    return {
        "year": year,
        "today": today.isoformat(),
        "timetable": {m: d.isoformat() for m, d in dates.items()},
        "tables": facts["n_tables"],
        "agencies": facts["n_agencies"],
        "measures": [asdict(r) for r in rows],
        "met": sum(r.state == "met" for r in rows),
        "not_met": sum(r.state == "not_met" for r in rows),
        "extensions": extended,
    }
