"""What the portal shows of the catalog, as plain data (no Streamlit here)."""

from __future__ import annotations

from salnameh.catalog import Catalog
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
