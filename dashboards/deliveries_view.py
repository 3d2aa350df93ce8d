"""Which province delivered which edition of which year, and when: the national hub's
deliveries page, from the rows `salnameh national status` prints (salnameh.national.status),
so the page and the command cannot disagree.

Public: every package is an edition a province has already released, and the national
totals say they are the sum of "3 of 31 provinces"; which three, in which edition, is what
a reader needs to weigh them. Nothing here is a figure.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboards import figures
from salnameh.reference import Province

STATES = {
    "received": ("دریافت‌شده", "received"),
    "superseded": ("جایگزین‌شده با ویرایش بعدی", "superseded by a later edition"),
}


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def day(text: str, lang: str) -> str:
    """An ISO time as its Jalali day in Tehran, in the reader's digits."""
    return figures.jalali_day(_moment(text), lang) if text else ""


def delivered_cell(row: dict, lang: str) -> str:
    """'ویرایش ۲، ۱۶ آذر ۱۴۰۵' (fa) or 'edition 2, 16 Azar 1405' (en): the edition in force
    and the day the hub received it."""
    edition = figures.digits(row["edition"], lang)
    word = "ویرایش" if lang == "fa" else "edition"
    return figures.joined([f"{word} {edition}", day(row["received_at"], lang)], lang)


def delivery_grid(rows: list[dict], provinces: dict[str, Province], lang: str) -> pd.DataFrame:
    """Province x year: every province of the seed (those that sent nothing too, so a gap
    shows), a column per year received, each cell the edition in force and when it came.
    The first column, the code, is the index a table shows."""
    fa = lang == "fa"
    years = sorted({r["year"] for r in rows}, reverse=True)
    in_force = {(r["province"], r["year"]): r for r in rows if r["state"] == "received"}
    grid = []
    for code, province in provinces.items():
        line = {
            "کد" if fa else "Code": figures.digits(code, lang),
            "استان" if fa else "Province": province.short_fa if fa else province.short_en,
        }
        for year in years:
            found = in_force.get((code, year))
            line[figures.year(year, lang)] = "" if found is None else delivered_cell(found, lang)
        grid.append(line)
    frame = pd.DataFrame(grid)
    return frame.set_index(frame.columns[0])


def delivered_counts(rows: list[dict], n_provinces: int, lang: str) -> list[str]:
    """'۱۳۹۰: ۳ استان از ۳۱' per year, newest first."""
    fa = lang == "fa"
    counts = {}
    for r in rows:
        if r["state"] == "received":
            counts.setdefault(r["year"], set()).add(r["province"])
    return [
        f"{figures.year(year, lang)}: "
        + (
            f"{figures.digits(len(held), lang)} استان از {figures.digits(n_provinces, lang)}"
            if fa
            else f"{len(held)} of {n_provinces} provinces"
        )
        for year, held in sorted(counts.items(), reverse=True)
    ]


def package_list(rows: list[dict], lang: str) -> pd.DataFrame:
    """Every package received, superseded ones too, in the reader's language and digits."""
    fa = lang == "fa"
    return pd.DataFrame(
        [
            {
                "province": r["province_fa"] if fa else r["province_en"],
                "year": figures.year(r["year"], lang),
                "edition": figures.digits(r["edition"], lang),
                "state": STATES.get(r["state"], (r["state"], r["state"]))[0 if fa else 1],
                "released": day(r["released_at"], lang),
                "received": day(r["received_at"], lang),
                "tables": figures.digits(r["tables"], lang),
                "observations": figures.number(r["observations"], 0, lang),
                "manifest_sha256": r["manifest_sha256"][:12],
            }
            for r in rows
        ],
        columns=[
            "province",
            "year",
            "edition",
            "state",
            "released",
            "received",
            "tables",
            "observations",
            "manifest_sha256",
        ],
    )
