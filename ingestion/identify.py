"""Which table, reference year and agency a file is: from our form, the uploader, or the file.

In order: the hidden metadata sheet of our own forms; what the uploader said
(--table/--year/--agency, or the upload page); the inbox path convention
`<year>/<agency>/<table_id>.<ext>`; the table number and year in the file's title rows.
The sources must agree: a form for another year or agency than the uploader's is
refused, and so is a file whose title names another year than the one it is sent for
(the classic "1395 file sent as 1396").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingestion.problems import Problem, Rejected, error
from ingestion.readers import Book
from salnameh.catalog import Catalog
from salnameh.jalali import current_jalali_year
from salnameh.persian import (
    NumberFormatError,
    canonical_text,
    parse_cell,
    to_ascii_digits,
    to_persian_digits,
)
from salnameh.reference import Reference

FIRST_YEAR = 1335  # the first national census; nothing older is a yearbook year here
_TABLE_NUMBER = re.compile(r"جدول\s*(?:شماره\s*)?(\d{1,2})\s*[-–ـ.]\s*(\d{1,3})")
_YEAR = re.compile(r"(?:سال|year)\D{0,12}?(1[34]\d\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    table_id: str
    year: int
    agency: str
    source: str  # form, uploader, path, title: where the table and year came from


@dataclass(frozen=True)
class TitleHints:
    number: str | None
    year: int | None


def title_hints(book: Book, rows: int = 8) -> TitleHints:
    """Table number and year written in the title rows above the table, if any: the rows
    before the first figure (a short table's footnotes, «... از سال ۱۳۹۹ ...», are no title)."""
    number = year = None
    for sheet in book.sheets[:1]:
        for row in sheet.cells[:rows]:
            if _holds_figure(row):
                break
            for cell in row[:3]:
                if not isinstance(cell, str) or not cell.strip():
                    continue
                text = to_ascii_digits(canonical_text(cell))
                if number is None and (found := _TABLE_NUMBER.search(text)):
                    number = f"{found.group(1)}-{found.group(2)}"
                if year is None and (found := _YEAR.search(text)):
                    year = int(found.group(1))
                    # "1395-1396" or typed right to left "1396-1395": a span starts earlier.
                    after = text[found.end() : found.end() + 8]
                    if (other := re.match(r"\s*[-–/]\s*(1[34]\d\d)", after)) and abs(
                        int(other.group(1)) - year
                    ) == 1:
                        year = min(year, int(other.group(1)))
    return TitleHints(number, year)


def _holds_figure(row: list[object]) -> bool:
    """Whether a row holds a number (typed, or text that reads as one): a table's body."""
    for cell in row:
        try:
            number, _flag = parse_cell(cell)
        except NumberFormatError:
            continue
        if number is not None:
            return True
    return False


def path_hints(path: Path, catalog: Catalog, reference: Reference) -> dict[str, object]:
    """The inbox convention <year>/<agency>/<table_id>.<ext>, where the parts fit."""
    hints: dict[str, object] = {}
    if path.stem in catalog.tables:
        hints["table_id"] = path.stem
    if path.parent.name in reference.agencies:
        hints["agency"] = path.parent.name
    if path.parent.parent.name.isdigit() and len(path.parent.parent.name) == 4:
        hints["year"] = int(path.parent.parent.name)
    return hints


def identify(
    book: Book,
    path: Path,
    catalog: Catalog,
    reference: Reference,
    table_id: str | None = None,
    year: int | None = None,
    agency: str | None = None,
) -> Identity:
    """The file's identity, or Rejected saying what is missing or contradictory."""
    form = book.metadata or {}
    title = title_hints(book)
    guessed = path_hints(path, catalog, reference)
    by_number = {t.number: t.id for t in catalog}
    problems: list[Problem] = []

    if form:
        source = "form"
        form_year = int(form["year"]) if str(form.get("year", "")).isdigit() else None
        if year is not None and form_year is not None and year != form_year:
            problems.append(_wrong_year(form_year, year, "the form"))
        if agency is not None and form.get("agency") and form["agency"] != agency:
            problems.append(_wrong_agency(form["agency"], agency, reference, "this form"))
        if table_id is not None and form.get("table_id") and form["table_id"] != table_id:
            problems.append(_wrong_table(form["table_id"], table_id, catalog))
        table_id = form.get("table_id") or table_id
        year = form_year or year
        agency = agency or form.get("agency")
    else:
        source = "uploader" if table_id and year else "path"
        table_id = table_id or guessed.get("table_id")
        year = year or guessed.get("year")
        agency = agency or guessed.get("agency")
        if table_id is None and title.number in by_number:
            table_id, source = by_number[title.number], "title"
        if year is None and title.year is not None:
            year, source = title.year, "title"
    if problems:
        raise Rejected(problems)

    missing = [name for name, v in (("table", table_id), ("year", year)) if v is None]
    if missing:
        raise Rejected(
            [error("unidentified",
                   "معلوم نیست این فایل کدام جدول و کدام سال است. فایل را با فرم همان جدول "
                   "بفرستید یا جدول و سال را انتخاب کنید.",
                   f"Cannot tell which {' and '.join(missing)} this file is for: it is not "
                   "one of our forms and its title does not say. Upload it on the table's "
                   "page, or give --table and --year.")]
        )  # fmt: skip
    if table_id not in catalog.tables:
        raise Rejected(
            [error("unknown_table",
                   f"جدولی با شناسه «{table_id}» در فهرست جداول سالنامه نیست.",
                   f"There is no table {table_id!r} in the catalog; "
                   "`salnameh catalog list` shows the ids.")]
        )  # fmt: skip
    table = catalog.table(table_id)
    agency = agency or table.agency
    if agency not in reference.agencies:
        raise Rejected(
            [error("unknown_agency", f"دستگاه «{agency}» شناخته نیست.",
                   f"There is no agency {agency!r} in the reference list.")]
        )  # fmt: skip
    if agency != table.agency:
        problems.append(_wrong_agency(table.agency, agency, reference, f"table {table.number}"))
    if not FIRST_YEAR <= year <= current_jalali_year():
        problems.append(
            error("year_out_of_range", f"سال {year} سال آماری معتبری نیست.",
                  f"{year} is not a valid reference year (from {FIRST_YEAR} to "
                  f"{current_jalali_year()}).")
        )  # fmt: skip
    elif not table.published_in(year):
        years = ", ".join(map(str, table.years or ()))
        problems.append(
            error("year_not_collected",
                  f"جدول {table.number} برای سال {year} گردآوری نمی‌شود (سال‌ها: {years}).",
                  f"Table {table.number} is not collected for {year}; its years are {years}.")
        )  # fmt: skip
    if title.year is not None and title.year != year and title.number in (None, table.number):
        problems.append(_title_year(title.year, year))
    if title.number is not None and title.number != table.number and source != "title":
        problems.append(
            error("wrong_table",
                  f"عنوان فایل جدول {title.number} است ولی برای جدول {table.number} "
                  "فرستاده شده است.",
                  f"The file's title says table {title.number}, but it was sent as table "
                  f"{table.number} ({table.title.en}). Send it for the right table.")
        )  # fmt: skip
    if problems:
        raise Rejected(problems)
    return Identity(table_id, int(year), agency, source)


def _wrong_year(in_file: int, claimed: int, what: str) -> Problem:
    return error(
        "wrong_year",
        f"این فرم برای سال {in_file} است ولی برای سال {claimed} بارگذاری شده است؛ فرم سال "
        f"{claimed} را دریافت و پر کنید.",
        f"{what.capitalize()} is for {in_file}, but it was uploaded for {claimed}. "
        f"Download the {claimed} form and fill that in.",
    )


def _title_year(in_title: int, claimed: int) -> Problem:
    return error(
        "wrong_year",
        f"عنوان فایل سال {in_title} را نشان می‌دهد ولی برای سال {claimed} فرستاده شده است. "
        f"ارقام سال {claimed} را بفرستید یا سال را درست انتخاب کنید.",
        f"The file's title says {in_title}, but it was sent for {claimed}. Send the "
        f"{claimed} figures, or upload this file for {in_title}.",
    )


def _table_words(table_id: str, catalog: Catalog) -> tuple[str, str]:
    """A table as the liaison knows it from the form: number and title; the id only for
    a table the catalog does not hold."""
    table = catalog.tables.get(table_id)
    if table is None:
        return f"«{table_id}»", f"'{table_id}'"
    return (to_persian_digits(f"{table.number} «{table.title.fa}»"),
            f"{table.number} ({table.title.en})")  # fmt: skip


def _wrong_table(in_form: str, claimed: str, catalog: Catalog) -> Problem:
    form_fa, form_en = _table_words(in_form, catalog)
    claimed_fa, claimed_en = _table_words(claimed, catalog)
    return error("wrong_table",
                 f"این فرم جدول {form_fa} است، نه جدول {claimed_fa}.",
                 f"This is the form of table {form_en}, not of table {claimed_en}.")  # fmt: skip


def _wrong_agency(owner: str, uploader: str, reference: Reference, what: str) -> Problem:
    """Agencies by their names: a liaison knows neither code."""
    owner_agency, uploader_agency = reference.agencies.get(owner), reference.agencies.get(uploader)
    owner_fa = owner_agency.name_fa if owner_agency else owner
    owner_en = owner_agency.name_en if owner_agency else owner
    uploader_en = uploader_agency.name_en if uploader_agency else uploader
    what_fa = "این فرم" if what == "this form" else to_persian_digits(what.replace("table", "جدول"))
    return error(
        "wrong_agency",
        f"{what_fa} به {owner_fa} سپرده شده است و دستگاه شما نمی‌تواند آن را بارگذاری کند.",
        f"{what.capitalize()} is assigned to {owner_en}; {uploader_en} cannot submit it.",
    )
