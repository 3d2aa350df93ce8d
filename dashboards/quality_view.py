"""The data-quality overview: the anomaly flags of the last build by chapter and county,
and how many an expert has judged (verdicts counted from the ledger, so as of now).
No Streamlit here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboards import figures
from dashboards.charts import label_digits
from dashboards.review_view import Query, place_names, with_live_verdicts
from salnameh.reference import Reference


def flags(query: Query, verdicts: list[dict], reference: Reference, lang: str,
          returned: dict[int, dict] | None = None) -> pd.DataFrame:  # fmt: skip
    """Every flag with its chapter, county name and status: open, real, error, suppressed."""
    frame = query(
        "SELECT a.anomaly_id, a.table_id, a.measure_id, a.dim_key, a.geo_code, a.geo_level,"
        " a.year, a.submission_id, a.kind, a.severity, a.score, a.verdict, a.verdict_note,"
        " a.expert, a.is_suppressed, t.chapter_no, t.table_number"
        " FROM marts.fct_anomalies a JOIN marts.dim_table t USING (table_id)"
    )
    frame = with_live_verdicts(frame, verdicts, returned)
    names = place_names(reference, None, lang)
    chapters = {
        n: (c.title_fa if lang == "fa" else c.title_en) for n, c in reference.chapters.items()
    }
    judged = frame["verdict"].notna()
    suppressed = frame["is_suppressed"].fillna(False).astype(bool)
    status = frame["verdict"].astype(object).where(judged, None)
    status = status.where(judged, suppressed.map({True: "suppressed", False: "open"}))
    return frame.assign(
        place=frame["geo_code"].map(names).fillna(frame["geo_code"]),
        chapter=frame["chapter_no"].astype(int),
        chapter_title=frame["chapter_no"].astype(int).map(chapters),
        status=status,
    )


def filtered(frame: pd.DataFrame, year: int | None, severity: str | None) -> pd.DataFrame:
    if year is not None:
        frame = frame[frame["year"] == year]
    if severity is not None:
        frame = frame[frame["severity"] == severity]
    return frame


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in ("open", "real", "error", "suppressed")}


def by_chapter(frame: pd.DataFrame) -> pd.DataFrame:
    """Flags per chapter: all, open, judged."""
    grouped = frame.groupby(["chapter", "chapter_title"])
    out = grouped.size().rename("flags").to_frame()
    out["open"] = grouped["status"].apply(lambda s: int((s == "open").sum()))
    out["judged"] = grouped["status"].apply(lambda s: int(s.isin(["real", "error"]).sum()))
    return out.reset_index().sort_values("chapter")


def by_place(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby(["geo_code", "place"])
    out = grouped.size().rename("flags").to_frame()
    out["open"] = grouped["status"].apply(lambda s: int((s == "open").sum()))
    out["judged"] = grouped["status"].apply(lambda s: int(s.isin(["real", "error"]).sum()))
    return out.reset_index().sort_values(["flags", "geo_code"], ascending=[False, True])


def heat_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Chapters down, places across, the number of flags in each cell."""
    if frame.empty:
        return pd.DataFrame()
    return frame.pivot_table(
        index="chapter_title", columns="place", values="anomaly_id", aggfunc="count", fill_value=0
    )


def heat_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    counts = frame.groupby(["chapter_title", "place"]).size().rename("flags").reset_index()
    # The counts in the reader's digits: Vega writes numbers in Latin ones.
    counts["flags_text"] = [figures.number(n, 0, lang) for n in counts["flags"]]
    legend = alt.Legend(labelExpr=label_digits(lang) or "datum.label")
    chapter_t, place_t, flags_t = (
        ("فصل", "محل", "تعداد هشدار") if lang == "fa" else ("Chapter", "Place", "Flags")
    )
    cells = (
        alt.Chart(counts)
        .mark_rect()
        .encode(
            x=alt.X("place:N", title=place_t),
            y=alt.Y("chapter_title:N", title=chapter_t),
            color=alt.Color(
                "flags:Q", title=flags_t, scale=alt.Scale(scheme="orangered"), legend=legend
            ),
            tooltip=[
                alt.Tooltip("chapter_title:N", title=chapter_t),
                alt.Tooltip("place:N", title=place_t),
                alt.Tooltip("flags_text:N", title=flags_t),
            ],
        )
    )
    numbers = (
        alt.Chart(counts)
        .mark_text(fontSize=13)
        .encode(x="place:N", y="chapter_title:N", text="flags_text:N")
    )
    # The height holds the axes too (Streamlit fits the chart in it): room for the rotated
    # place names below the rows.
    return (cells + numbers).properties(height=150 + 34 * counts["chapter_title"].nunique())


def by_submission(frame: pd.DataFrame) -> list[dict]:
    """The flags by the submission they were found in, those with open flags first: what
    a link to the review page opens (flags not of one submission, such as a missing
    total, are left out)."""
    of_one = frame[frame["submission_id"].notna()]
    if of_one.empty:
        return []
    grouped = (
        of_one.assign(is_open=of_one["status"] == "open")
        .groupby(["submission_id", "table_id", "table_number", "year"])
        .agg(flags=("is_open", "size"), open=("is_open", "sum"))
        .reset_index()
        .sort_values(["open", "flags", "submission_id"], ascending=[False, False, True])
    )
    return [
        {"submission_id": int(r.submission_id), "table_id": r.table_id,
         "table_number": r.table_number, "year": int(r.year), "flags": int(r.flags),
         "open": int(r.open)}
        for r in grouped.itertuples()
    ]  # fmt: skip
