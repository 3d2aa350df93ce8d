"""The agreement with SCI, measured, for the portal: the rows the page shows and the
report's files, from salnameh.agreement.measure (which checks the role). No Streamlit here."""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashboards.staff_display import jalali_day
from publishing.sla_report import (
    MILESTONE_TITLES,
    STATES,
    printed_on,
    shown_target,
    shown_value,
    write_sla_pdf,
    write_sla_xlsx,
)
from salnameh.access import Actor
from salnameh.agreement import measure
from salnameh.ledger import Ledger
from salnameh.reference import Reference
from salnameh.settings import Home


def sla_report(salnameh_home: Home, ledger: Ledger, year: int, actor: Actor) -> dict:
    return measure(ledger, year, actor, printed=printed_on(salnameh_home, year))


def measure_rows(report: dict, lang: str) -> list[dict]:
    fa = lang == "fa"
    return [
        {
            "measure": r["title_fa"] if fa else r["title_en"],
            "target": shown_target(r, lang),
            "due": jalali_day(r["due"], lang) if r["due"] else "-",
            "value": shown_value(r, lang),
            "to_date": shown_value(r, lang, "value_to_date"),
            "state_code": r["state"],
            "state": STATES[r["state"]][0 if fa else 1],
        }
        for r in report["measures"]
    ]


def timetable_rows(report: dict, lang: str) -> list[dict]:
    return [
        {"milestone": MILESTONE_TITLES[m] if lang == "fa" else m.replace("_", " "),
         "date": jalali_day(d, lang)}
        for m, d in report["timetable"].items()
    ]  # fmt: skip


def extension_rows(report: dict, lang: str) -> list[dict]:
    return [
        {"table_id": x["table_id"], "until": jalali_day(x["until"], lang), "reason": x["reason"],
         "actor": x["actor"]}
        for x in report["extensions"]
    ]  # fmt: skip


def report_files(report: dict, reference: Reference) -> dict[str, bytes]:
    """The report for SCI as PDF and xlsx bytes, named sla-<year>.<ext>."""
    year = report["year"]
    with tempfile.TemporaryDirectory(prefix="salnameh-sla-") as folder:
        pdf = write_sla_pdf(report, reference, Path(folder) / f"sla-{year}.pdf")
        xlsx = write_sla_xlsx(report, Path(folder) / f"sla-{year}.xlsx")
        return {pdf.name: pdf.read_bytes(), xlsx.name: xlsx.read_bytes()}
