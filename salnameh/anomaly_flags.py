"""The anomaly flags of one submission as the core decides with them.

The last build's `marts.fct_anomalies` holds the flags (read from the internal snapshot);
the ledger holds the experts' verdicts, which count the moment they are recorded, so a
flag's standing is the build's flag with the ledger's latest verdict laid over it. Two
decisions read it here, once: a return judges the submission's open flags with it
(collection.return_submission), and only a submission with no unresolved flag is clean
enough to approve in bulk (salnameh.approval).

A return judges its submission's flags: those the last build had found are recorded as
errors with the return (Ledger.review); those a build finds only after the return (the
file was returned before any build held it) are judged by the same return when read
(`judged_by_returns`), so no flag of a returned submission is left looking unjudged.
"""

from __future__ import annotations

from salnameh.ledger import Ledger
from salnameh.settings import Home
from salnameh.snapshots import INTERNAL, SnapshotMissing, open_snapshot

# A flag's identity across builds (anomaly ids are renumbered by each build).
FLAG_KEY = ("table_id", "year", "geo_code", "measure_id", "dim_key", "kind")


def flag_key(flag: dict) -> tuple:
    return tuple(int(flag[k]) if k == "year" else flag[k] for k in FLAG_KEY)


def latest_verdicts(ledger: Ledger) -> dict[tuple, dict]:
    """Each judged flag's latest verdict, by its key."""
    latest = {}
    for v in ledger.anomaly_verdicts():  # oldest first: the latest wins
        latest[(v["table_id"], int(v["year"]), v["geo_code"], v["measure"], v["dim_key"],
                v["kind"])] = v  # fmt: skip
    return latest


def built_warnings(salnameh_home: Home, submission_ids: list[int]) -> dict[int, list[dict]] | None:
    """The warning flags the last build found in each of these submissions; a submission
    the last build does not hold as current is left out (its flags are not known yet).
    None when no build has published the internal snapshot."""
    if not submission_ids:
        return {}
    marks = ", ".join("?" * len(submission_ids))
    try:
        with open_snapshot(salnameh_home, INTERNAL) as con:
            held = con.execute(
                "SELECT DISTINCT submission_id FROM marts.fct_observations"
                f" WHERE is_current AND submission_id IN ({marks})",  # marks only: bound
                submission_ids,
            ).fetchall()
            cursor = con.execute(
                "SELECT submission_id, table_id, year, geo_code, measure_id, dim_key, kind,"
                " coalesce(is_suppressed, false) AS is_suppressed FROM marts.fct_anomalies"
                f" WHERE severity = 'warning' AND submission_id IN ({marks})",
                submission_ids,
            )
            columns = [d[0] for d in cursor.description]
            rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    except SnapshotMissing:
        return None
    found: dict[int, list[dict]] = {int(h[0]): [] for h in held}
    for row in rows:
        if int(row["submission_id"]) in found:
            found[int(row["submission_id"])].append(row)
    return found


def unjudged(flags: list[dict], verdicts: dict[tuple, dict]) -> list[dict]:
    """The flags no expert has judged and no earlier verdict suppresses."""
    return [f for f in flags if not f["is_suppressed"] and flag_key(f) not in verdicts]


def unresolved(flags: list[dict], verdicts: dict[tuple, dict]) -> list[dict]:
    """The flags that stand against approval: unjudged, or judged an error."""
    return [
        f
        for f in flags
        if not f["is_suppressed"] and verdicts.get(flag_key(f), {}).get("verdict") != "real"
    ]


def returns(ledger: Ledger) -> dict[int, dict]:
    """Submissions whose latest decision is a return, each with that review."""
    with ledger.connect() as con:
        rows = con.execute(
            "SELECT r.submission_id, r.reviewer, r.at, r.comment FROM reviews r"
            " WHERE r.decision = 'returned' AND r.review_id ="
            "  (SELECT max(review_id) FROM reviews WHERE submission_id = r.submission_id)"
        ).fetchall()
    return {r["submission_id"]: dict(r) for r in rows}


def return_verdict(submission_id: int, review: dict) -> dict:
    """The verdict a return gives each flag of its submission: an error, to be corrected."""
    note = f"returned with submission {submission_id}: {review['comment']}"
    return {"verdict": "error", "note": note, "expert": review["reviewer"]}
