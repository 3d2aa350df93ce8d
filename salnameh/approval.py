"""Approving clean submissions at once.

Most table-years come in clean: the file passed every validation check without a
warning and the last build found no anomaly in it. Opening each to press "approve" is
the slow part of a review round, so an expert may approve all of them in one step. Clean
is decided here, once, for the CLI (`salnameh approve-clean`) and the portal's button:

- the submission is the current version of its table-year and still awaits a decision;
- its validation report holds no error and no warning (no failed check);
- the last build holds it, so its anomaly flags are known, and none of its warning flags
  stands (unjudged, or judged an error; one judged real, or suppressed by an earlier
  verdict on the series, does not).

Each approval is then recorded exactly as a single one is (`Ledger.review`), one by one,
with the same role check; a submission that stopped being clean between the list and
the approval (a new file, a new flag, another expert's decision) is skipped, with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salnameh.access import Actor, require
from salnameh.anomaly_flags import built_warnings, latest_verdicts, unresolved
from salnameh.ledger import Ledger
from salnameh.settings import Home

# Why a submission awaiting review is not clean; (Persian, English) for the screens.
NOT_CLEAN = {
    "not_built": ("هنوز در ساخت انبار نیامده و هشدارهایش معلوم نیست",
                  "not in the last build yet: its flags are not known"),
    "report": ("گزارش بررسی فایل هشدار یا خطا دارد", "its validation report has warnings"),
    "flags": ("هشدار ناهنجاری دارد", "it has anomaly flags"),
    "decided": ("دیگر در انتظار بررسی نیست", "it no longer awaits review"),
    "no_build": ("انبار هنوز ساخته نشده است", "the warehouse has not been built yet"),
}  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    submission_id: int
    table_id: str
    year: int
    agency: str
    reason: str | None  # None when clean, else a key of NOT_CLEAN
    flags: int = 0  # standing warning flags, when known


@dataclass
class BulkApproval:
    approved: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # submission -> NOT_CLEAN key


def candidates(salnameh_home: Home, ledger: Ledger, actor: Actor,
               year: int | None = None) -> list[Candidate]:  # fmt: skip
    """Every submission awaiting review (of a year, if given), each clean or with why not."""
    require(actor, "approve_clean")
    waiting = [r for r in ledger.review_queue(year) if r["review_state"] == "in_review"]
    ids = [r["submission_id"] for r in waiting]
    built = built_warnings(salnameh_home, ids)
    verdicts = latest_verdicts(ledger)
    found = []
    for r in waiting:
        sid = r["submission_id"]
        report = ledger.get(sid).report
        standing = None if built is None or sid not in built else unresolved(built[sid], verdicts)
        if built is None:
            reason = "no_build"
        elif any(p.get("severity") in ("error", "warning") for p in report):
            reason = "report"
        elif standing is None:
            reason = "not_built"
        elif standing:
            reason = "flags"
        else:
            reason = None
        found.append(Candidate(sid, r["table_id"], r["year"], r["agency"], reason,
                               len(standing or [])))  # fmt: skip
    return found


def approve_clean(salnameh_home: Home, ledger: Ledger, actor: Actor, year: int | None = None,
                  submission_ids: list[int] | None = None) -> BulkApproval:  # fmt: skip
    """Approve every clean submission awaiting review (of a year; or only those named, as
    the expert confirmed them on a screen), each as a single approval is recorded."""
    require(actor, "approve_clean")
    listed = {c.submission_id: c for c in candidates(salnameh_home, ledger, actor, year)}
    wanted = list(listed) if submission_ids is None else list(dict.fromkeys(submission_ids))
    done = BulkApproval()
    for sid in wanted:
        candidate = listed.get(sid)
        if candidate is None:
            done.skipped[sid] = "decided"
        elif candidate.reason is not None:
            done.skipped[sid] = candidate.reason
        else:
            ledger.review(sid, "approved", actor)
            done.approved.append(sid)
    return done
