"""What an expert reviews: the queue, one submission's values, report and anomaly flags,
and the charts that put a flag beside its own history and its county's peers.

Decisions go through the ledger (`review`, `judge_anomaly`), which checks the actor's
role again and refuses a return without a comment. No Streamlit here; reads of the
internal snapshot take a `query` function (the portal's cached one, or any other).

Where a submission's values come from: the internal snapshot's `raw.values` when the last
build holds the submission; otherwise (uploaded since) its archived original is read and
checked again with the same `Ingestor.check` the upload ran. That check touches no store,
gives exactly the values the load wrote, and spares the portal opening the warehouse,
which DuckDB would lock against the pipeline's single writer (STACK.md).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

import altair as alt
import pandas as pd

from dashboards import figures
from dashboards.charts import label_digits, time_scale, value_axis_side
from dashboards.staff_display import (
    ANOMALY_KINDS,
    FLAG_VERDICTS,
    SEVERITIES,
    STATES,
    digits,
    jalali_moment,
    number,
    words,
)
from ingestion.ingest import Ingestor
from salnameh import archive
from salnameh.anomaly_flags import return_verdict
from salnameh.catalog import Catalog
from salnameh.collection import return_submission, status
from salnameh.ledger import Ledger, Submission
from salnameh.persian import FLAG_SYMBOL
from salnameh.reference import Reference
from salnameh.settings import Home

Query = Callable[..., pd.DataFrame]  # (sql, params) -> frame, on the internal snapshot
REVIEW_STATES = ("in_review", "returned", "approved")
FLAG_KEY = ("table_id", "year", "geo_code", "measure_id", "dim_key", "kind")


# ------------------------------------------------------------------------------ queue
def queue(
    ledger: Ledger,
    catalog: Catalog,
    reference: Reference,
    lang: str,
    year: int | None = None,
    chapter: int | None = None,
    state: str | None = "in_review",
    built: dict[tuple[str, int], int] | None = None,
    flag_counts: dict[tuple[str, int], int] | None = None,
    overdue: dict[tuple[str, int], int] | None = None,
    messages: dict[int, int] | None = None,
) -> list[dict]:
    """The current version of each table-year and its latest decision (ledger.review_queue),
    filtered by year, chapter and review state, with the open warning flags of the last
    build when that build holds this very submission, the days a returned table is overdue
    (`overdue`, from collection.status as the liaison and the coordinator read it) and the
    messages on its thread."""
    rows = []
    for item in ledger.review_queue(year):
        table = catalog.tables.get(item["table_id"])
        if state is not None and item["review_state"] != state:
            continue
        if chapter is not None and (table is None or table.chapter != chapter):
            continue
        key = (item["table_id"], item["year"])
        in_build = built is not None and built.get(key) == item["submission_id"]
        agency = reference.agencies.get(item["agency"])
        rows.append(
            {
                **item,
                "chapter": table.chapter if table else None,
                "number": digits(table.number if table else "", lang),
                "title": (table.title.fa if lang == "fa" else table.title.en) if table else "",
                "agency_name": (agency.name_fa if lang == "fa" else agency.name_en)
                if agency
                else item["agency"],
                "state": words(STATES, item["review_state"], lang)
                + overdue_note((overdue or {}).get(key, 0), lang),
                "messages": digits((messages or {}).get(item["submission_id"], 0), lang),
                "flags": digits((flag_counts or {}).get(key, 0), lang) if in_build else "…",
                "year_shown": digits(item["year"], lang),
                "id_shown": digits(item["submission_id"], lang),
            }
        )
    return rows


def overdue_note(days: int, lang: str) -> str:
    if days <= 0:
        return ""
    return f"، {digits(days, 'fa')} روز گذشته از مهلت" if lang == "fa" else f", {days} days overdue"


def overdue_days(ledger: Ledger, years: set[int]) -> dict[tuple[str, int], int]:
    """(table, year) -> days overdue, for these years, as collection.status says them."""
    found = {}
    for year in sorted(years):
        for agency in status(ledger, year)["agencies"]:
            for t in agency["table_status"]:
                if t["overdue_days"] > 0:
                    found[(t["table_id"], year)] = t["overdue_days"]
    return found


# The queue's columns, first to last in the reader's direction (right to left in Persian).
QUEUE_COLUMNS = {
    "id_shown": ("شماره ارسال", "Submission"),
    "year_shown": ("سال", "Year"),
    "table": ("جدول", "Table"),
    "agency_name": ("دستگاه", "Agency"),
    "state": ("وضعیت", "State"),
    "flags": ("هشدار باز", "Open flags"),
    "comment": ("نظر و گفت‌وگو", "Comment and messages"),
}


def queue_html(rows: list[dict], lang: str) -> str:
    """The queue as an HTML table in the reader's direction that wraps its text: every
    column stays in sight at any width (a scrolling grid keeps its columns left to right
    and, 1366 pixels wide, scrolled the submission number and state out of a Persian
    reader's sight). Every value is escaped. The list scrolls, so it takes keyboard focus
    (a keyboard reader scrolls it with the arrows) and is named for a screen reader."""
    fa = lang == "fa"
    head = "".join(f"<th>{escape(fa_ if fa else en)}</th>" for fa_, en in QUEUE_COLUMNS.values())
    body = []
    for r in rows:
        talk = r["comment"]
        if r.get("messages") not in (None, "0", "۰"):
            talk += (" " if talk else "") + (f"({r['messages']} پیام)" if fa
                                              else f"({r['messages']} messages)")  # fmt: skip
        cells = {**r, "table": f"{r['number']} {r['title']}", "comment": talk}
        body.append(
            "<tr>" + "".join(f"<td>{escape(str(cells[k]))}</td>" for k in QUEUE_COLUMNS) + "</tr>"
        )
    direction, align = ("rtl", "right") if fa else ("ltr", "left")
    name = escape("صف بررسی" if fa else "Review queue")
    return (
        f'<div class="review-queue" dir="{direction}" tabindex="0" role="region"'
        f' aria-label="{name}" style="max-height:420px;overflow-y:auto">'
        f'<table style="width:100%;text-align:{align}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def clean_rows(clean: list, catalog: Catalog, lang: str) -> list[dict]:
    """The clean submissions (salnameh.approval.Candidate) as the confirmation lists them."""
    rows = []
    for c in clean:
        table = catalog.tables.get(c.table_id)
        title = (table.title.fa if lang == "fa" else table.title.en) if table else c.table_id
        number_ = digits(table.number, lang) if table else ""
        rows.append({"id": digits(c.submission_id, lang), "table": f"{number_} {title}".strip(),
                     "year": digits(c.year, lang)})  # fmt: skip
    return rows


def built_versions(query: Query) -> dict[tuple[str, int], int]:
    """Table-year -> the submission the last build holds as current."""
    frame = query(
        "SELECT DISTINCT table_id, year, submission_id FROM marts.fct_observations WHERE is_current"
    )
    return {(r.table_id, int(r.year)): int(r.submission_id) for r in frame.itertuples()}


def open_warning_counts(
    query: Query, verdicts: list[dict], returned: dict[int, dict] | None = None
) -> dict[tuple[str, int], int]:
    """Table-year -> warning flags no expert has judged (as of now, not of the build)."""
    flags = with_live_verdicts(
        query(
            "SELECT submission_id, table_id, year, geo_code, measure_id, dim_key, kind, verdict,"
            " verdict_note, expert, is_suppressed FROM marts.fct_anomalies"
            " WHERE severity = 'warning'"
        ),
        verdicts,
        returned,
    )
    open_flags = flags[flags["verdict"].isna() & ~flags["is_suppressed"].astype(bool)]
    counts = open_flags.groupby(["table_id", "year"]).size()
    return {(t, int(y)): int(n) for (t, y), n in counts.items()}


def queue_label(row: dict, lang: str) -> str:
    sid = digits(row["submission_id"], lang)
    return f"{sid} · {row['number']} {row['title']} · {row['year_shown']} · {row['state']}"


# --------------------------------------------------------------------- one submission
def submission_facts(
    ledger: Ledger, catalog: Catalog, reference: Reference, submission: Submission, lang: str
) -> dict:
    table = catalog.tables.get(submission.table_id or "")
    agency = reference.agencies.get(submission.agency or "")
    reviews = ledger.reviews(submission.submission_id)
    return {
        "number": digits(table.number, lang) if table else "",
        "title": (table.title.fa if lang == "fa" else table.title.en) if table else "",
        "year": digits(submission.year, lang),
        "agency": (agency.name_fa if lang == "fa" else agency.name_en) if agency else "",
        "filename": submission.filename,
        "received": jalali_moment(submission.received_at, lang),
        "state": words(STATES, submission.state, lang),
        "values": number(submission.n_values, lang),
        "decision": words(STATES, reviews[-1]["decision"], lang) if reviews else "",
        "reviews": [
            {
                "decision": words(STATES, r["decision"], lang),
                "reviewer": r["reviewer"],
                "at": jalali_moment(r["at"], lang),
                "comment": r["comment"],
            }
            for r in reviews
        ],
        "events": [
            {"state": words(STATES, s, lang), "at": jalali_moment(at, lang), "note": n}
            for s, at, n in ledger.events(submission.submission_id)
        ],
    }


def raw_values(
    salnameh_home: Home,
    catalog: Catalog,
    reference: Reference,
    submission: Submission,
    query: Query | None,
) -> tuple[pd.DataFrame, str]:
    """The submission's values as loaded, and where they were read: 'snapshot' or 'archive'
    (see the module's docstring for why)."""
    columns = ["geo", "dim_key", "measure", "value", "flag", "sheet", "row", "column"]
    if query is not None:
        frame = query(
            "SELECT geo, dim_key, measure, value, flag, sheet, source_row AS row,"
            " source_column AS column FROM raw.values WHERE submission_id = ?"
            " ORDER BY source_row, source_column",
            (submission.submission_id,),
        )
        if len(frame):
            return frame[columns], "snapshot"
    data = archive.read(salnameh_home.archive_dir, submission.sha256)
    checked = Ingestor(salnameh_home, catalog, reference).check(
        data,
        Path(submission.filename),
        submission.table_id,
        submission.year,
        submission.agency,
    )
    if checked.values is None:
        return pd.DataFrame(columns=columns), "archive"
    return checked.values.reset_index(drop=True)[columns], "archive"


def place_names(reference: Reference, year: int | None, lang: str) -> dict[str, str]:
    """Code -> the place's name in that year (its latest name when not valid then)."""
    names = {}
    for geo in sorted(reference.geography, key=lambda g: g.valid_from or 0):
        if year is None or geo.valid_in(year) or geo.code not in names:
            names[geo.code] = geo.name_fa if lang == "fa" else geo.name_en
    return names


def member_label(reference: Reference, dim_key: str, lang: str) -> str:
    """'sex=2;age=15-19' as 'زن، ۱۵-۱۹' (the members' labels)."""
    if not dim_key:
        return ""
    labels = []
    for part in dim_key.split(";"):
        list_id, _, code = part.partition("=")
        found = next((c for c in reference.code_lists.get(list_id, []) if c.code == code), None)
        labels.append((found.label_fa if lang == "fa" else found.label_en) if found else code)
    return ("، " if lang == "fa" else ", ").join(labels)


def measure_title(catalog: Catalog, table_id: str, measure_id: str, lang: str) -> str:
    try:
        m = catalog.table(table_id).measure(measure_id)
    except (KeyError, StopIteration):
        return measure_id
    return m.title.fa if lang == "fa" else m.title.en


def values_rows(
    frame: pd.DataFrame, catalog: Catalog, reference: Reference, submission: Submission, lang: str
) -> list[dict]:
    places = place_names(reference, submission.year, lang)
    members: dict[str, str] = {}
    rows = []
    for r in frame.itertuples(index=False):
        if r.dim_key not in members:
            members[r.dim_key] = member_label(reference, r.dim_key, lang)
        value = None if pd.isna(r.value) else r.value
        rows.append(
            {
                "place": places.get(r.geo, r.geo),
                "members": members[r.dim_key],
                "measure": measure_title(catalog, submission.table_id, r.measure, lang),
                "value": number(value, lang)
                if value is not None
                else FLAG_SYMBOL.get(r.flag or "", r.flag or ""),
                "cell": f"{r.sheet}!{r.column}{int(r.row)}" if r.row is not None else "",
            }
        )
    return rows


def report_of(submission: Submission) -> list[dict]:
    """The validation report kept with the submission: warnings first, then notes."""
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(submission.report, key=lambda p: order.get(p.get("severity"), 3))


# ----------------------------------------------------------------------------- flags
def with_live_verdicts(
    flags: pd.DataFrame, verdicts: list[dict], returned: dict[int, dict] | None = None
) -> pd.DataFrame:
    """The build's flags with the ledger's verdicts laid over them: a verdict recorded
    since the build counts at once (the latest per flag wins). A flag still without one
    whose submission was returned is judged by that return (`returned`, from
    salnameh.anomaly_flags.returns)."""
    flags = flags.copy()
    latest = {}
    for v in verdicts:  # oldest first
        latest[
            (v["table_id"], int(v["year"]), v["geo_code"], v["measure"], v["dim_key"], v["kind"])
        ] = v
    if returned and not flags.empty and "submission_id" in flags:
        flags = _judged_by_returns(flags, returned)
    if not latest or flags.empty:
        return flags
    for column in ("verdict", "verdict_note", "expert"):
        if column not in flags:
            flags[column] = None
        flags[column] = flags[column].astype(object)
    for i, row in enumerate(flags[list(FLAG_KEY)].itertuples(index=False)):
        found = latest.get((row[0], int(row[1]), row[2], row[3], row[4], row[5]))
        if found is not None:
            flags.iat[i, flags.columns.get_loc("verdict")] = found["verdict"]
            flags.iat[i, flags.columns.get_loc("verdict_note")] = found["note"]
            flags.iat[i, flags.columns.get_loc("expert")] = found["expert"]
    return flags


def _judged_by_returns(flags: pd.DataFrame, returned: dict[int, dict]) -> pd.DataFrame:
    for column in ("verdict", "verdict_note", "expert"):
        if column not in flags:
            flags[column] = None
        flags[column] = flags[column].astype(object)
    for i, sid in enumerate(flags["submission_id"]):
        if pd.isna(sid) or int(sid) not in returned or not pd.isna(flags["verdict"].iat[i]):
            continue
        given = return_verdict(int(sid), returned[int(sid)])
        flags.iat[i, flags.columns.get_loc("verdict")] = given["verdict"]
        flags.iat[i, flags.columns.get_loc("verdict_note")] = given["note"]
        flags.iat[i, flags.columns.get_loc("expert")] = given["expert"]
    return flags


def submission_flags(query: Query, submission: Submission, verdicts: list[dict],
                     returned: dict[int, dict] | None = None) -> pd.DataFrame:  # fmt: skip
    """The anomaly flags of the table-year in the last build, warnings first, by score."""
    flags = query(
        "SELECT * FROM marts.fct_anomalies WHERE table_id = ? AND year = ?"
        " ORDER BY severity = 'warning' DESC, score DESC, geo_code, measure_id, dim_key",
        (submission.table_id, submission.year),
    )
    return with_live_verdicts(flags, verdicts, returned)


def series_link(query: Query, flag: dict) -> dict[str, str] | None:
    """The explorer's address parameters for the flagged series at its place, or None
    when the series is no indicator of the last build."""
    found = query(
        "SELECT indicator_id FROM marts.dim_indicator WHERE table_id = ? AND measure_id = ?"
        " AND dim_key = ?",
        (flag["table_id"], flag["measure_id"], flag["dim_key"]),
    )
    if found.empty:
        return None
    return {"indicator": str(found.iloc[0]["indicator_id"]), "places": str(flag["geo_code"])}


def flag_title(flag: dict, catalog: Catalog, reference: Reference, lang: str) -> str:
    places = place_names(reference, int(flag["year"]), lang)
    parts = [
        words(ANOMALY_KINDS, flag["kind"], lang),
        places.get(flag["geo_code"], flag["geo_code"]),
        measure_title(catalog, flag["table_id"], flag["measure_id"], lang),
        member_label(reference, flag["dim_key"], lang),
    ]
    verdict = flag.get("verdict")
    verdict = None if pd.isna(verdict) else verdict
    state = words(FLAG_VERDICTS, verdict, lang)
    severity = words(SEVERITIES, flag["severity"], lang)
    return f"{severity}: " + " · ".join(p for p in parts if p) + f" — {state}"


def peer_series(query: Query, reference: Reference, flag: dict, lang: str) -> pd.DataFrame:
    """The flagged series over the years beside its peers (the other counties; for the
    province, the province alone): columns year, place, value, flagged."""
    frame = query(
        "SELECT year, geo_code, value FROM marts.fct_observations WHERE is_current"
        " AND table_id = ? AND measure_id = ? AND dim_key = ? AND value IS NOT NULL"
        " ORDER BY geo_code, year",
        (flag["table_id"], flag["measure_id"], flag["dim_key"]),
    )
    levels = {g.code: g.level for g in reference.geography}
    level = levels.get(flag["geo_code"], "county")
    frame = frame[frame["geo_code"].map(levels).fillna("county") == level]
    if frame.empty and flag.get("history_years") is not None:
        frame = pd.DataFrame(
            {"year": list(flag["history_years"]), "value": list(flag["history_values"])}
        )
        frame["geo_code"] = flag["geo_code"]
    names = place_names(reference, None, lang)
    frame = frame.assign(
        place=frame["geo_code"].map(names).fillna(frame["geo_code"]),
        flagged=frame["geo_code"] == flag["geo_code"],
    )
    return frame[["year", "geo_code", "place", "value", "flagged"]].reset_index(drop=True)


def indexed(series: pd.DataFrame) -> pd.DataFrame:
    """Each place's values as an index of its own usual level (100 = the median of its
    positive values), so a small county and Tehran share one axis."""
    usual = series[series["value"] > 0].groupby("geo_code")["value"].median()
    return series.assign(index=100 * series["value"] / series["geo_code"].map(usual))


def flag_chart(series: pd.DataFrame, flag: dict, lang: str) -> alt.Chart:
    """The flagged series (bold) over its peers (grey), each as an index of its own usual
    level, the flagged year circled in red and the value its trend predicted as a hollow
    diamond. The axis turns symmetric-log only for a jump far beyond the usual range (a
    unit slip), which a straight axis would make of every other line a flat one."""
    fa = lang == "fa"
    year_t = "سال" if fa else "Year"
    index_t = "شاخص (۱۰۰ = سطح معمول)" if fa else "Index (100 = usual level)"
    value_t, place_t = ("مقدار", "محل") if fa else ("Value", "Place")
    data = indexed(series).dropna(subset=["index"])
    usual = series[series["flagged"] & (series["value"] > 0)]["value"].median()
    extreme = data["index"].max() if len(data) else 0
    scale = alt.Scale(type="symlog") if extreme > 400 else alt.Scale(zero=True)
    # The reader's digits on the axes and in the tooltips, time in the reading direction.
    digits_of = label_digits(lang) or "datum.label"
    data = data.assign(
        year_text=[figures.year(y, lang) for y in data["year"]],
        value_text=[figures.number(v, None, lang) for v in data["value"]],
    )
    x = alt.X(
        "year:O",
        title=year_t,
        axis=alt.Axis(labelAngle=0, labelExpr=digits_of),
        scale=time_scale(lang),
    )
    y = alt.Y(
        "index:Q",
        title=index_t,
        scale=scale,
        axis=alt.Axis(labelExpr=digits_of, orient=value_axis_side(lang)),
    )
    tooltip = [
        alt.Tooltip("place:N", title=place_t),
        alt.Tooltip("year_text:N", title=year_t),
        alt.Tooltip("value_text:N", title=value_t),
    ]
    peers = alt.Chart(data[~data["flagged"]]).mark_line(color="#b0b0b0", strokeWidth=1)
    own = alt.Chart(data[data["flagged"]]).mark_line(color="#1f5fa8", strokeWidth=3, point=True)
    layers = [
        peers.encode(x=x, y=y, detail="place:N", tooltip=tooltip),
        own.encode(x=x, y=y, tooltip=tooltip),
    ]
    marked = data[data["flagged"] & (data["year"] == int(flag["year"]))]
    if not marked.empty:
        layers.append(
            alt.Chart(marked)
            .mark_point(color="#c0392b", size=220, strokeWidth=3)
            .encode(x=x, y=y, tooltip=tooltip)
        )
    expected = flag.get("expected_value")
    if expected is not None and not pd.isna(expected) and usual and not pd.isna(usual):
        guess = pd.DataFrame(
            {
                "year": [int(flag["year"])],
                "value": [float(expected)],
                "index": [100 * float(expected) / usual],
                "place": ["مورد انتظار" if fa else "expected"],
                "year_text": [figures.year(int(flag["year"]), lang)],
                "value_text": [figures.number(float(expected), None, lang)],
            }
        )
        layers.append(
            alt.Chart(guess)
            .mark_point(color="#1f5fa8", size=120, filled=False, shape="diamond")
            .encode(x=x, y=y, tooltip=tooltip)
        )
    return alt.layer(*layers).properties(height=300)


def judge(ledger: Ledger, flag: dict, verdict: str, note: str, actor) -> None:
    """Keep the expert's verdict on one flag (the core checks the role)."""
    ledger.judge_anomaly(
        table_id=flag["table_id"],
        year=int(flag["year"]),
        geo_code=flag["geo_code"],
        measure=flag["measure_id"],
        dim_key=flag["dim_key"],
        kind=flag["kind"],
        verdict=verdict,
        expert=actor,
        note=note,
    )


def decide(
    ledger: Ledger,
    submission_id: int,
    decision: str,
    comment: str,
    actor,
    letters: tuple[Home, Catalog, Reference] | None = None,
) -> tuple[bool, str, str]:
    """Approve or return through the ledger (a return with its letter to the agency, when
    `letters` gives the home, catalog and reference); (done, Persian, English) saying what
    happened or why the core refused (a return needs a comment; only the current version)."""
    try:
        if decision == "returned" and letters is not None:
            salnameh_home, catalog, reference = letters
            sent = return_submission(
                salnameh_home, ledger, catalog, reference, submission_id, comment, actor
            )
            sid_fa = digits(submission_id, "fa")
            return (
                True,
                f"ارسال {sid_fa} به دستگاه بازگردانده شد؛ نامه شماره "
                f"{digits(sent.number, 'fa')} فرستاده شد.",
                f"Submission {submission_id} returned; letter {sent.number} sent.",
            )
        ledger.review(submission_id, decision, actor, comment)
    except ValueError as refused:
        if decision == "returned" and not comment.strip():
            return (
                False,
                (
                    "برای بازگرداندن جدول به دستگاه باید توضیح بنویسید که چه چیزی "
                    "باید بررسی یا اصلاح شود."
                ),
                (
                    "Returning a table to its agency needs a comment saying what to check or "
                    "correct."
                ),
            )
        return False, f"این تصمیم ثبت نشد: {refused}", f"Not recorded: {refused}"
    sid, sid_fa = submission_id, digits(submission_id, "fa")
    if decision == "approved":
        return True, f"ارسال {sid_fa} تأیید شد.", f"Submission {sid} approved."
    return True, f"ارسال {sid_fa} به دستگاه بازگردانده شد.", f"Submission {sid} returned."
