"""`salnameh export` and the pipeline's export step: an edition in every format asked for.

Files go to <out>/<year>/edition-<n>/ (default out: <home>/exports), so editions never
overwrite one another.
"""

from __future__ import annotations

from pathlib import Path

from publishing.booklet import write_booklet
from publishing.edition import load_edition
from publishing.machine import write_csv, write_jsonstat, write_parquet
from publishing.package import write_package
from publishing.print_edition import write_pdf
from publishing.sdmx import write_sdmx
from publishing.workbook import write_workbook
from salnameh.catalog import load_catalog
from salnameh.reference import Reference
from salnameh.settings import Home
from salnameh.snapshots import INTERNAL, open_snapshot

FORMATS = ("xlsx", "pdf", "booklet", "csv", "parquet", "jsonstat", "sdmx")
# For SCI, not for readers: asked for by name, never part of "all".
PACKAGE = "package"


def edition_folder(salnameh_home: Home, year: int, number: int, out: Path | None = None) -> Path:
    """Where an edition's files go: <out>/<year>/edition-<n>/ (out: <home>/exports)."""
    return (out or salnameh_home.root / "exports") / str(year) / f"edition-{number}"


def print_edition_name(year: int, number: int) -> str:
    return f"yearbook-{year}-edition-{number}.pdf"


def export_edition(salnameh_home: Home, year: int | None, formats: tuple[str, ...] = FORMATS,
                   number: int | None = None, out: Path | None = None,
                   chapter: int | None = None) -> dict[str, list[Path]]:  # fmt: skip
    """Write the edition in the formats asked for; `chapter` limits the workbook to one."""
    unknown = set(formats) - {*FORMATS, PACKAGE}
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(sorted(unknown))}; known: {FORMATS}")
    edition, values = load_edition(salnameh_home, year, number)
    year = edition.year
    folder = edition_folder(salnameh_home, year, edition.number, out)
    folder.mkdir(parents=True, exist_ok=True)
    reference = Reference.for_home(salnameh_home)
    catalog = load_catalog().in_words_of(reference)
    written: dict[str, list[Path]] = {}
    if "xlsx" in formats:
        part = f"-chapter-{chapter}" if chapter is not None else ""
        path = folder / f"yearbook-{year}-edition-{edition.number}{part}.xlsx"
        changes = revisions(salnameh_home, year, edition.number)
        written["xlsx"] = [write_workbook(values, edition, catalog, reference, path, changes,
                                          chapter)]  # fmt: skip
    if "pdf" in formats:
        path = folder / print_edition_name(year, edition.number)
        changes = revisions(salnameh_home, year, edition.number)
        written["pdf"] = [write_pdf(values, edition, catalog, reference, path, changes)]
    if "booklet" in formats:
        path = folder / f"selected-indicators-{year}-edition-{edition.number}.pdf"
        written["booklet"] = [write_booklet(salnameh_home, year, path)]
    if "csv" in formats:
        written["csv"] = [write_csv(values, folder)]
    if "parquet" in formats:
        written["parquet"] = [write_parquet(values, folder)]
    if "jsonstat" in formats:
        written["jsonstat"] = write_jsonstat(values, edition, catalog, reference, folder)
    if "sdmx" in formats:
        written["sdmx"] = write_sdmx(values, edition, catalog, reference, folder)
    if PACKAGE in formats:
        changes = revisions(salnameh_home, year, edition.number)
        written[PACKAGE] = [write_package(values, edition, catalog, reference, changes, folder)]
    return written


def revisions(salnameh_home: Home, year: int, number: int):
    with open_snapshot(salnameh_home, INTERNAL) as con:
        return con.execute(
            "SELECT * FROM marts.fct_revisions WHERE year = ? AND edition_number = ?",
            [year, number],
        ).df()
