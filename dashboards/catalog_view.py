"""What the portal shows of the catalog, as plain data (no Streamlit here)."""

from __future__ import annotations

import csv
from pathlib import Path

from salnameh.catalog import Catalog, TableDecl
from salnameh.jalali import period_label
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference


def chapter_options(catalog: Catalog, reference: Reference, lang: str) -> list[tuple[int, str]]:
    """(chapter number, label) for chapters that have tables, in order."""
    numbers = sorted({t.chapter for t in catalog})
    options = []
    for number in numbers:
        chapter = reference.chapters[number]
        title = chapter.title_fa if lang == "fa" else chapter.title_en
        shown = to_persian_digits(str(number)) if lang == "fa" else str(number)
        options.append((number, f"{shown}. {title}"))
    return options


def tables_of_chapter(catalog: Catalog, chapter: int) -> list[TableDecl]:
    return [t for t in catalog if t.chapter == chapter]


def table_card(table: TableDecl, reference: Reference, lang: str) -> dict[str, object]:
    """The facts of one table in the reader's language."""
    fa = lang == "fa"
    agency = reference.agencies[table.agency]
    years = table.years
    period = (
        "، ".join(period_label(y, table.period) for y in years) if years and fa
        else ", ".join(period_label(y, table.period) for y in years) if years
        else ("هر سال" if fa else "every year")
    )  # fmt: skip
    dims = []
    for dim in table.dimensions:
        title_fa, title_en = reference.code_list_titles[dim.code_list]
        dims.append(title_fa if fa else title_en)
    measures = [
        f"{m.title.fa if fa else m.title.en} ({_unit(reference, m.unit, fa)})"
        for m in table.measures
    ]
    return {
        "number": to_persian_digits(table.number) if fa else table.number,
        "title": table.title.fa if fa else table.title.en,
        "agency": agency.name_fa if fa else agency.name_en,
        "period": period,
        "geography": {"county": ("شهرستان", "county"), "province": ("استان", "province")}[
            table.geography
        ][0 if fa else 1],
        "dimensions": dims,
        "measures": measures,
        "rules": [r.kind for r in table.rules],
        "footnotes": [n.fa if fa else n.en for n in table.footnotes],
    }


def _unit(reference: Reference, unit: str, fa: bool) -> str:
    found = reference.units[unit]
    return found.title_fa if fa else found.title_en


def demo_summary(demo_dir: Path) -> dict[str, int] | None:
    """How many demo agency files exist and for which years, or None if none were made."""
    manifest = demo_dir / "manifest.csv"
    if not manifest.exists():
        return None
    with manifest.open(encoding="utf-8") as handle:
        years = [int(row["year"]) for row in csv.DictReader(handle)]
    if not years:
        return None
    return {"files": len(years), "first": min(years), "last": max(years)}
