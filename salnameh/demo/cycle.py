"""The demo's expert review: what a year of the cycle leaves in the ledger.

So that `make demo` shows every state the portal and the snapshots know, the experts of
the demo approve the current version of every table-year, return the ones holding a planted
collapse (an anomaly the warehouse flags), and release one edition per year, except the
newest year, which is still in review: half approved, nothing released.
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path

from salnameh.access import Actor
from salnameh.ledger import Ledger
from salnameh.users import Users

EXPERT = Actor("demo-expert", "expert")
COORDINATOR = Actor("demo-coordinator", "coordinator")


@dataclass(frozen=True)
class CycleSummary:
    approved: int
    returned: int
    in_review: int
    editions: list[tuple[int, int]]  # (year, edition number)


def planted_collapses(demo_dir: Path) -> set[tuple[str, int]]:
    with (demo_dir / "anomalies.csv").open(encoding="utf-8") as handle:
        return {(r["table_id"], int(r["year"])) for r in csv.DictReader(handle)
                if r["kind"] == "collapse"}  # fmt: skip


def liaison(agency: str) -> Actor:
    return Actor(f"liaison-{agency}", "liaison", agency)


def demo_staff(ledger: Ledger, agencies: list[str] = ()) -> None:
    """The demo's coordinator, expert and one liaison per agency, with random passwords
    nobody is told: they only sign the demo's uploads and decisions. People sign in as
    users they add themselves (`salnameh users add`)."""
    users = Users(ledger)
    known = {u.user_id for u in users.list()}
    if COORDINATOR.user_id not in known:
        users.add(None if not known else COORDINATOR, COORDINATOR.user_id,
                  "هماهنگ‌کننده نمونه (demo coordinator)", "coordinator",
                  secrets.token_urlsafe(24))  # fmt: skip
    if EXPERT.user_id not in known:
        users.add(COORDINATOR, EXPERT.user_id, "کارشناس نمونه (demo expert)", "expert",
                  secrets.token_urlsafe(24))  # fmt: skip
    for agency in agencies:
        if liaison(agency).user_id not in known:
            users.add(COORDINATOR, liaison(agency).user_id, f"رابط {agency} (demo liaison)",
                      "liaison", secrets.token_urlsafe(24), agency,
                      f"{agency}@agency.example")  # fmt: skip


def open_demo_years(salnameh_home, ledger: Ledger, catalog, reference, years: list[int]) -> int:
    """The demo's collection years, opened by its coordinator; only the newest year's
    referral letters are written (with their forms) to the outbox. Returns the letters."""
    from salnameh.collection import open_year

    demo_staff(ledger, sorted({t.agency for t in catalog}))
    letters = 0
    for year in years:
        opened = open_year(salnameh_home, ledger, catalog, reference, year, COORDINATOR,
                           letters=year == max(years))  # fmt: skip
        letters += len(opened.letters)
    return letters


def review_demo(ledger: Ledger, demo_dir: Path) -> CycleSummary:
    """Review and release the demo years; a second run changes nothing already decided."""
    demo_staff(ledger)
    collapses = planted_collapses(demo_dir)
    current = [s for s in ledger.submissions() if s.state == "loaded"]
    newest = max((s.year for s in current), default=None)
    reviewed = ledger.reviewed_submissions()
    approved = returned = in_review = 0
    for position, submission in enumerate(sorted(current, key=lambda s: s.submission_id)):
        if submission.submission_id in reviewed:
            continue
        if (submission.table_id, submission.year) in collapses:
            ledger.review(submission.submission_id, "returned", EXPERT,
                          "The figure falls far below its series; please check it.")  # fmt: skip
            returned += 1
        elif submission.year == newest and position % 2:
            in_review += 1  # the newest year is still being reviewed
        else:
            ledger.review(submission.submission_id, "approved", EXPERT)
            approved += 1
    editions = []
    released = ledger.released_years()
    for year in sorted({s.year for s in current} - {newest} - released):
        number, _ = ledger.release(year, COORDINATOR, f"Demo yearbook {year}")
        editions.append((year, number))
    return CycleSummary(approved, returned, in_review, editions)
