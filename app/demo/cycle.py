"""The demo's expert review: what a year of the cycle leaves in the ledger.

So that `make demo` shows every state the portal and the snapshots know, the experts of
the demo approve the current version of every table-year, return the ones holding a planted
collapse (an anomaly the warehouse flags) with a letter to the agency, and release one
edition per year, except the newest year, which is still in review: half approved, nothing
released. The released years lack their returned and rejected tables on purpose, so the
demo confirms publishing them incomplete, as a coordinator would (`publish
--allow-incomplete`), and each edition says so. Then the coordinator reminds the agencies
late in the years before the newest, the returned tables among theirs; the newest year's
reminders are left to be sent from the portal's progress page.
"""

from __future__ import annotations

import csv
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from salnameh.access import Actor
from salnameh.catalog import Catalog
from salnameh.collection import open_year, open_years, remind, return_submission
from salnameh.ledger import Ledger
from salnameh.settings import Home
from salnameh.users import Users

EXPERT = Actor("demo-expert", "expert")
# What the demo's expert writes when returning a planted collapse (the agency reads it).
RETURN_COMMENT = (
    "رقم این جدول در یک شهرستان بسیار کمتر از روند سال‌های پیش است؛ لطفاً بررسی و در صورت "
    "خطا اصلاح فرمایید. (The figure falls far below its series; please check it.)"
)
COORDINATOR = Actor("demo-coordinator", "coordinator")
ANALYST = Actor("demo-analyst", "analyst")


@dataclass(frozen=True)
class CycleSummary:
    approved: int
    returned: int
    in_review: int
    editions: list[tuple[int, int]]  # (year, edition number)
    reminders: list[str]  # deliveries of the reminders sent


def planted_collapses(demo_dir: Path) -> set[tuple[str, int]]:
    with (demo_dir / "anomalies.csv").open(encoding="utf-8") as handle:
        return {(r["table_id"], int(r["year"])) for r in csv.DictReader(handle)
                if r["kind"] == "collapse"}  # fmt: skip


def liaison(agency: str) -> Actor:
    return Actor(f"liaison-{agency}", "liaison", agency)


def demo_staff(salnameh_home: Home, ledger: Ledger, agencies: list[str] = ()) -> None:
    """The demo's coordinator, expert and one liaison per agency, with random passwords.

    The passwords are written to `demo-staff.csv` in the installation's home (mode 0600), so
    whoever ran `make demo` can sign in to the portal as each role; a real installation adds
    its people with `salnameh users add` and has no such file.
    """
    users = Users(ledger)
    known = {u.user_id for u in users.list()}
    wanted = [(COORDINATOR, "هماهنگ‌کننده نمونه (demo coordinator)", None, None),
              (EXPERT, "کارشناس نمونه (demo expert)", None, None),
              (ANALYST, "تحلیلگر نمونه (demo analyst)", None, None)]  # fmt: skip
    wanted += [(liaison(a), f"رابط {a} (demo liaison)", a, f"{a}@agency.example")
               for a in agencies]  # fmt: skip
    created = []
    for actor, full_name, agency, email in wanted:
        if actor.user_id in known:
            continue
        password = secrets.token_urlsafe(12)
        by = None if not known and not created else COORDINATOR
        users.add(by, actor.user_id, full_name, actor.role, password, agency, email)
        created.append((actor.user_id, actor.role, agency or "", password))
    if created:
        # In the home, wherever its ledger is (a PostgreSQL ledger has no folder).
        _remember_passwords(salnameh_home.demo_staff_path, created)


def _remember_passwords(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")  # csv's default is CRLF
        if new:
            writer.writerow(["user_id", "role", "agency", "password"])
        writer.writerows(rows)


def open_demo_years(salnameh_home, ledger: Ledger, catalog, reference, years: list[int]) -> int:
    """The demo's collection years, opened by its coordinator; only the newest year's
    referral letters are written (with their forms) to the outbox. Returns the letters."""
    demo_staff(salnameh_home, ledger, sorted({t.agency for t in catalog}))
    letters = 0
    for year in years:
        opened = open_year(salnameh_home, ledger, catalog, reference, year, COORDINATOR,
                           letters=year == max(years))  # fmt: skip
        letters += len(opened.letters)
    return letters


def review_demo(salnameh_home: Home, ledger: Ledger, catalog: Catalog,
                letters: tuple | None = None) -> CycleSummary:
    """Review and release the demo years; a second run changes nothing already decided.
    With `letters` (home, catalog, reference), a return sends its letter to the agency."""
    demo_staff(salnameh_home, ledger)
    demo_dir = salnameh_home.demo_dir
    collapses = planted_collapses(demo_dir)
    current = [s for s in ledger.submissions() if s.state == "loaded"]
    newest = max((s.year for s in current), default=None)
    reviewed = ledger.reviewed_submissions()
    approved = returned = in_review = 0
    approved_years = set()
    for position, submission in enumerate(sorted(current, key=lambda s: s.submission_id)):
        if submission.submission_id in reviewed:
            continue
        if (submission.table_id, submission.year) in collapses:
            if letters is None:
                ledger.review(submission.submission_id, "returned", EXPERT, RETURN_COMMENT)
            else:
                return_submission(letters[0], ledger, letters[1], letters[2],
                                  submission.submission_id, RETURN_COMMENT, EXPERT)  # fmt: skip
            returned += 1
        elif submission.year == newest and position % 2:
            in_review += 1  # the newest year is still being reviewed
        else:
            ledger.review(submission.submission_id, "approved", EXPERT)
            approved += 1
            approved_years.add(submission.year)
    editions = []
    released = ledger.released_years()
    # A year with nothing approved has no edition to release (a demo of a few tables can
    # have every file of a year returned).
    for year in sorted(approved_years - {newest} - released):
        number, _ = ledger.release(
            year,
            COORDINATOR,
            f"Demo yearbook {year}",
            expected=catalog.tables_of(year),
            allow_incomplete=True,
        )
        editions.append((year, number))
    reminders = []
    if letters is not None:
        for year in [y for y in open_years(ledger) if y != newest]:
            reminders += remind(letters[0], ledger, letters[1], letters[2], year, COORDINATOR)
    return CycleSummary(approved, returned, in_review, editions, reminders)
