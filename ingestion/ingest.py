"""Ingesting one file: archive it, read it, identify it, check it, record it, load it.

The one entry point the CLI, the upload page and the pipeline call. The order makes a
crash anywhere safe:

1. the original bytes go to the archive first (content-addressed, never deleted);
2. reading, identifying and validating touch no store;
3. the ledger records the attempt and its report in one transaction;
4. an accepted file's values go into the warehouse in one transaction (all or none);
5. only then does the ledger mark it loaded, which makes it the table-year's current
   version and supersedes the previous one.

A process killed between 3 and 5 leaves an accepted submission in state 'loading'; the
next ingest of the same file (or `resume_interrupted`) loads it again, replacing any rows
the dead process had committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import getpass
import stat
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.identify import Identity, identify
from ingestion.large_sheets import HEAD_ROWS, WholeSheetNeeded
from ingestion.layout import Layout, TableShape, find_layout
from ingestion.places import Places
from ingestion.problems import (
    ERROR,
    WARNING,
    Problem,
    Rejected,
    Report,
    column_letter,
    error,
    note,
)
from ingestion.readers import Book, read_book
from ingestion.recipe_mapping import (
    choose_recipe,
    near_miss,
    read_cube,
    table_values,
    target_for,
)
from ingestion.validate import validate
from ingestion.values import LONG_COLUMNS, long_values
from salnameh import archive
from salnameh.access import Actor, require
from salnameh.catalog import Catalog
from salnameh.installation import refuse_agency_files
from salnameh.jalali import format_jalali
from salnameh.ledger import Ledger
from salnameh.recipes import Recipe, usable_recipes
from salnameh.reference import Reference
from salnameh.settings import Home
from salnameh.warehouse import RawLoader

ACCEPTED, REJECTED, UNCHANGED = "accepted", "rejected", "unchanged"


@dataclass
class Outcome:
    """The verdict on one file, as the liaison and scripts see it."""

    path: str
    verdict: str  # accepted, rejected, unchanged
    submission_id: int | None
    identity: Identity | None
    n_values: int
    problems: list[Problem] = field(default_factory=list)
    message_fa: str = ""
    message_en: str = ""
    supersedes: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "verdict": self.verdict,
            "submission_id": self.submission_id,
            "table_id": self.identity.table_id if self.identity else None,
            "year": self.identity.year if self.identity else None,
            "agency": self.identity.agency if self.identity else None,
            "n_values": self.n_values,
            "supersedes": self.supersedes,
            "message_fa": self.message_fa,
            "message_en": self.message_en,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class Checked:
    """What reading and validating a file gave, before anything is stored."""

    identity: Identity | None
    report: Report
    values: object | None  # pandas frame of long values when there are no errors


class NotARegularFile(ValueError):
    """A path that exists but is no file to read (a named pipe, a socket, a device)."""

    def __init__(self, path: Path, kind_fa: str, kind_en: str) -> None:
        self.path = path
        self.fa = (f"{path} یک فایل معمولی نیست ({kind_fa}) و پذیرفته نمی‌شود؛ خود فایل "
                   "اکسل یا CSV را بفرستید.")  # fmt: skip
        self.en = (f"{path} is not a regular file ({kind_en}) and is refused; send the "
                   "Excel or CSV file itself.")  # fmt: skip
        super().__init__(self.en)


def refuse_unless_regular(path: Path) -> None:
    """Raise NotARegularFile for what exists but is not a file: reading a named pipe waits
    forever, and it used to be answered "no such file"."""
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return
    kind = next(((fa, en) for test, fa, en in _NOT_FILES if test(mode)),
                ("نوع ناشناخته", "an unknown kind"))  # fmt: skip
    raise NotARegularFile(path, *kind)


_NOT_FILES = (
    (stat.S_ISDIR, "پوشه", "a folder"),
    (stat.S_ISFIFO, "لوله نام‌دار", "a named pipe"),
    (stat.S_ISSOCK, "سوکت", "a socket"),
    (stat.S_ISCHR, "دستگاه", "a device"),
    (stat.S_ISBLK, "دستگاه", "a device"),
)


def read_sent_file(path: Path) -> bytes:
    """A sent file's bytes, once it is known to be a regular file (NotARegularFile if not)."""
    refuse_unless_regular(path)
    return path.read_bytes()


class Ingestor:
    """Catalog, reference data and stores of one installation, ready for many files."""

    def __init__(self, salnameh_home: Home, catalog: Catalog, reference: Reference) -> None:
        refuse_agency_files(salnameh_home)  # a national hub takes packages only
        self.home = salnameh_home.create()
        self.catalog = catalog
        self.reference = reference
        self.ledger = Ledger(salnameh_home.ledger_url)
        self._shapes: dict[tuple[str, int], TableShape] = {}
        self.head_rows: int | None = HEAD_ROWS  # None: every sheet is read whole
        self._loader: RawLoader | None = None
        self._recipes: list[Recipe] | None = None

    @property
    def recipes(self) -> list[Recipe]:
        """The shipped recipes (seeds/recipes) that fit this catalog, read once."""
        if self._recipes is None:
            self._recipes = usable_recipes(self.catalog, self.reference)
        return self._recipes

    @contextmanager
    def batch(self) -> Iterator[Ingestor]:
        """Keep the warehouse open across many files (each still loads all-or-nothing)."""
        with RawLoader(self.home) as loader:
            self._loader = loader
            try:
                yield self
            finally:
                self._loader = None

    def shape(self, table_id: str, year: int) -> TableShape:
        key = (table_id, year)
        if key not in self._shapes:
            self._shapes[key] = TableShape(self.catalog.table(table_id), self.reference, year)
        return self._shapes[key]

    # -------------------------------------------------------------------- pure part
    def check(self, data: bytes, path: Path, table_id=None, year=None, agency=None,
              recipe: Recipe | None = None) -> Checked:  # fmt: skip
        """Read, identify, normalize and validate; touches no store.

        A large sheet is read in two parts first (ingestion.large_sheets), and whole only
        if those cannot say exactly what a whole read would. A workbook in a foreign layout
        is read through its recipe: the one given, or the one whose fingerprint it has.
        """
        said = (table_id, year, agency)  # by the uploader, if anything
        try:
            return self._check(data, path, said, self.head_rows, recipe)
        except WholeSheetNeeded:
            return self._check(data, path, said, None, recipe)

    def _check(self, data: bytes, path: Path, said: tuple, head_rows: int | None,
               recipe: Recipe | None = None) -> Checked:  # fmt: skip
        report = Report()
        identity = book = None
        try:
            with cycle_collector_paused():
                book = read_book(data, path.name, head_rows)
                report.extend(book.notes)
                recipe = recipe or choose_recipe(book, self.recipes)
                if recipe is not None:
                    identity = self._recipe_identity(book, path, recipe, *said)
                    values = self._recipe_values(book, recipe, identity, report)
                else:
                    identity = self._identify(book, path, said)
                    values = self._table_values(book, identity, report)
        except WholeSheetNeeded:
            raise
        except Exception as exc:
            if head_rows is not None and _maybe_in_parts(book, data):
                # Whatever went wrong, a whole read says it exactly (or does not go wrong).
                raise WholeSheetNeeded(f"{type(exc).__name__} in a two-part read") from exc
            if isinstance(exc, Rejected):
                report.extend(exc.problems)
            else:  # a file must never take the process down with it
                report.add(_internal_error(exc))
            return Checked(identity, report, None)
        if report.has_errors:
            return Checked(identity, report, None)
        return Checked(identity, report, values)

    def _table_values(self, book: Book, identity: Identity, report: Report):
        shape = self.shape(identity.table_id, identity.year)
        if not book.sheets or not any(any(v != "" for v in row) for s in book.sheets
                                      for row in s.cells):  # fmt: skip
            raise Rejected(
                [error("empty_sheet", "برگه‌های فایل خالی است؛ جدول را پر کنید.",
                       "The file has no filled-in sheet; fill in the table and upload again.")]
            )  # fmt: skip
        layout, failures = None, []
        for sheet in book.sheets:  # the table is on the first sheet that holds it
            found = find_layout(sheet, shape)
            if isinstance(found, Layout):
                layout = found
                break
            failures = failures or found
        if layout is None:
            raise Rejected(failures)
        report.extend(layout.problems)
        for r, c in layout.sheet.uncomputed_formulas:
            report.add(
                error("formula_without_value",
                      "این خانه فرمول محاسبه‌نشده دارد؛ فایل را در اکسل باز و ذخیره کنید.",
                      "This cell holds a formula that was never calculated; open the file "
                      "in Excel or LibreOffice, let it calculate, save and upload again.",
                      sheet=layout.sheet.name, row=r + 1,
                      column=column_letter(c))
            )  # fmt: skip
        if report.has_errors:
            return None
        values, problems = long_values(layout, shape)
        report.extend(problems)
        if report.has_errors:
            return None
        report.extend(validate(values, shape, self.reference))
        return values[LONG_COLUMNS]

    def _identify(self, book: Book, path: Path, said: tuple) -> Identity:
        """A file's identity; one that cannot be identified but nearly fits a recipe's
        layout is told so, which says more than 'cannot tell which table'."""
        try:
            return identify(book, path, self.catalog, self.reference, *said)
        except Rejected:
            drifted = near_miss(book, self.recipes)
            if drifted is not None:
                raise Rejected([drifted]) from None
            raise

    def _recipe_identity(self, book: Book, path: Path, recipe: Recipe, table_id, year,
                         agency) -> Identity:  # fmt: skip
        """The identity of a recipe-mapped file: the table the uploader says (or the
        recipe's only one), the year the uploader says or the file's name gives (they
        must agree), the table's agency."""
        named = recipe.year_of(path.name)
        if year is not None and named is not None and named != year:
            raise Rejected([error(
                "wrong_year",
                f"نام فایل سال {named} را نشان می‌دهد ولی برای سال {year} فرستاده شده است.",
                f"The file's name says {named} (recipe '{recipe.id}'), but it was sent for "
                f"{year}. Send it for {named}, or send the {year} file.")])  # fmt: skip
        table_id = table_id or target_for(recipe, None).table_id
        found = identify(book, path, self.catalog, self.reference, table_id, year or named,
                         agency)  # fmt: skip
        target_for(recipe, found.table_id)  # the recipe must map onto the table said
        return dataclasses.replace(found, source=f"recipe:{recipe.id}")

    def _recipe_values(self, book: Book, recipe: Recipe, identity: Identity, report: Report):
        shape = self.shape(identity.table_id, identity.year)
        target = target_for(recipe, identity.table_id)
        places = shape.places
        if target.places == "sum_to_province":  # the sheets are counties, summed here
            places = Places(self.reference, "county", identity.year)
        cube = read_cube(book, recipe, places, self.reference)
        values, problems = table_values(cube, recipe, target, shape)
        report.add(note(
            "recipe_used",
            f"فایل با دستور نگاشت «{recipe.title.fa}» خوانده شد ({len(cube)} خانه).",
            f"The file was read through the recipe '{recipe.id}' ({len(cube)} cells).",
        ))  # fmt: skip
        report.extend(problems)
        if report.has_errors:
            return None
        report.extend(validate(values, shape, self.reference))
        return values[LONG_COLUMNS]

    # ------------------------------------------------------------------ with stores
    def ingest(
        self,
        path: Path,
        table_id: str | None = None,
        year: int | None = None,
        agency: str | None = None,
        uploader: str | None = None,
        data: bytes | None = None,
        actor: Actor | None = None,
        recipe: Recipe | None = None,
    ) -> Outcome:
        """Check, archive, record and load one file. With an `actor` (a signed-in user) the
        upload must be theirs to make: a liaison only for their own agency (Forbidden)."""
        uploader = actor.user_id if actor else uploader or f"cli:{getpass.getuser()}"
        data = read_sent_file(path) if data is None else data
        checked = self.check(data, path, table_id, year, agency, recipe)
        identity, report = checked.identity, checked.report
        if actor is not None:
            require(actor, "upload", identity.agency if identity else agency or actor.agency)
        sha256, _stored = archive.store(self.home.archive_dir, data)
        if identity is not None:
            same = self.ledger.find_same(
                sha256, identity.table_id, identity.year, identity.agency, self.catalog.version
            )
            if same is not None and _refused_only_as_closed(same):
                same = None  # the table-year may be open now: judge the file again
            if same is not None and same.verdict == REJECTED and checked.values is not None:
                same = None  # rejected then, passes now (its reference changed): judge again
            if same is not None and same.state != "loading":
                self.ledger.add_event(same.submission_id, "unchanged", uploader,
                                      f"same file sent again: {path.name}")  # fmt: skip
                if same.verdict == REJECTED:  # still wrong: say so again, and why
                    return _rejected_again(path, same, identity, report, self.catalog)
                return _unchanged(path, same, identity, self.catalog)
            if same is not None:  # accepted before, but the load was interrupted
                return self._load(path, same.submission_id, identity, checked, uploader)
            # An approved table-year takes no new version until a coordinator reopens it.
            locked = self.ledger.lock_reason(identity.table_id, identity.year)
            if locked is not None and checked.values is not None:
                report.add(_locked(identity, locked, self.catalog))
                checked = Checked(identity, report, None)
        verdict = REJECTED if checked.values is None else ACCEPTED
        if verdict == REJECTED and not report.has_errors:  # no errors, yet nothing to load
            report.add(_internal_error(RuntimeError("no values were produced")))
        submission_id = self.ledger.record(
            sha256=sha256,
            filename=path.name,
            size_bytes=len(data),
            table_id=identity.table_id if identity else None,
            year=identity.year if identity else None,
            agency=identity.agency if identity else None,
            identified_by=identity.source if identity else None,
            uploader=uploader,
            catalog_version=self.catalog.version,
            verdict=verdict,
            n_values=0 if checked.values is None else len(checked.values),
            n_errors=report.error_count,
            n_warnings=report.count(WARNING),
            report=[p.as_dict() for p in report.problems],
        )
        if verdict == REJECTED:
            return _rejected(path, submission_id, identity, report, self.catalog)
        return self._load(path, submission_id, identity, checked, uploader)

    def _load(self, path: Path, submission_id: int, identity: Identity, checked: Checked,
              uploader: str) -> Outcome:  # fmt: skip
        submission = self.ledger.get(submission_id)
        meta = {
            "submission_id": submission_id,
            "sha256": submission.sha256,
            "filename": submission.filename,
            "table_id": identity.table_id,
            "year": identity.year,
            "agency": identity.agency,
            "uploader": uploader,
            "catalog_version": self.catalog.version,
            "received_at": submission.received_at,
        }
        if self._loader is not None:
            n_values = self._loader.load(meta, checked.values)
        else:
            with RawLoader(self.home) as loader:
                n_values = loader.load(meta, checked.values)
        superseded = self.ledger.mark_loaded(submission_id, uploader)
        return _accepted(path, submission_id, identity, checked.report, n_values, superseded,
                         self.catalog)  # fmt: skip

    def resume_interrupted(self, uploader: str = "pipeline") -> list[Outcome]:
        """Finish every load a killed process left half-way, from the archived files."""
        outcomes = []
        for submission in self.ledger.interrupted():
            data = archive.read(self.home.archive_dir, submission.sha256)
            path = Path(submission.filename)
            checked = self.check(data, path, submission.table_id, submission.year,
                                 submission.agency)  # fmt: skip
            if checked.values is None:  # the catalog changed since: record why it stops
                self.ledger.add_event(submission.submission_id, "rejected", uploader,
                                      "no longer valid against the catalog")  # fmt: skip
                continue
            outcomes.append(self._load(path, submission.submission_id, checked.identity,
                                       checked, uploader))  # fmt: skip
        return outcomes


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a file is read and checked.

    A large file becomes hundreds of thousands of containers (a list per sheet row, a
    tuple per data row) that all stay alive; the collector scans every live object each
    time enough new ones appear, finds nothing to free, and took a fifth of the time of a
    million-value check. Reference counting frees everything as usual meanwhile.
    """
    if not gc.isenabled():  # paused already, by a caller: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _maybe_in_parts(book: Book | None, data: bytes) -> bool:
    """Whether the book was (or, unread, may have been) read in two parts."""
    if book is None:
        return data.startswith(b"PK\x03\x04")
    return any(sheet.in_parts for sheet in book.sheets)


def _refused_only_as_closed(submission) -> bool:
    codes = {p.get("code") for p in submission.report if p.get("severity") == ERROR}
    return submission.verdict == "rejected" and codes == {"table_year_approved"}


def _locked(identity: Identity, approved_at: str, catalog: Catalog) -> Problem:
    table_fa, table_en = _table_name(identity, catalog)
    moment = dt.datetime.fromisoformat(approved_at)
    return error(
        "table_year_approved",
        f"{table_fa} در {format_jalali(moment)} تأیید شده و بسته است؛ "
        "برای فرستادن دوباره، از هماهنگ‌کننده بخواهید آن را بازگشایی کند.",
        f"{table_en} was approved on {format_jalali(moment, persian_digits=False)} and is "
        "closed; ask the coordinator to reopen it before sending it again.",
    )


def _internal_error(exc: Exception) -> Problem:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return error(
        "internal_error",
        "خواندن فایل با خطای داخلی سامانه متوقف شد. فایل نگهداری شده است؛ با کارشناس آمار "
        "تماس بگیرید.",
        f"Reading the file stopped on an internal error ({type(exc).__name__}: {exc}{at}). "
        "The file is archived; please tell the statistics office.",
    )


def _table_name(identity: Identity | None, catalog: Catalog | None = None) -> tuple[str, str]:
    """How a verdict names the table: its printed number and title, as the liaison knows
    it from the form, with the id only for a table the catalog does not hold."""
    if identity is None:
        return "فایل", "The file"
    table = catalog.tables.get(identity.table_id) if catalog is not None else None
    if table is None:
        return (f"جدول {identity.table_id} سال {identity.year}",
                f"Table {identity.table_id} for {identity.year}")  # fmt: skip
    return (f"جدول {table.number} «{table.title.fa}» سال {identity.year}",
            f"Table {table.number} ({table.title.en}) for {identity.year}")  # fmt: skip


def _accepted(path, submission_id, identity, report, n_values, superseded, catalog=None
              ) -> Outcome:  # fmt: skip
    fa, en = _table_name(identity, catalog)
    warnings = report.count(WARNING)
    extra_en = f", with {warnings} warning(s)" if warnings else ""
    extra_fa = f" با {warnings} هشدار" if warnings else ""
    replaced_en = f"; replaces submission {superseded[-1]}" if superseded else ""
    replaced_fa = f"؛ جایگزین ارسال {superseded[-1]} شد" if superseded else ""
    return Outcome(
        str(path), ACCEPTED, submission_id, identity, n_values, report.problems,
        f"{fa} پذیرفته شد{extra_fa} ({n_values} رقم){replaced_fa}.",
        f"{en} was accepted{extra_en} ({n_values} values){replaced_en}.",
        superseded,
    )  # fmt: skip


def _rejected(path, submission_id, identity, report, catalog=None) -> Outcome:
    fa, en = _table_name(identity, catalog)
    n = len(report.errors)
    return Outcome(
        str(path), REJECTED, submission_id, identity, 0, report.problems,
        f"{fa} پذیرفته نشد: {n} خطا باید اصلاح شود. فایل اصلاح‌شده را دوباره بفرستید.",
        f"{en} was rejected: {n} error(s) to correct. Fix them and upload the file again.",
    )  # fmt: skip


def _rejected_again(path, same, identity, report, catalog=None) -> Outcome:
    """The very file rejected before, sent again: rejected again with its errors repeated
    (it used to pass as "unchanged", exit 0, as if nothing were wrong)."""
    fa, en = _table_name(identity, catalog)
    n = len(report.errors)
    return Outcome(
        str(path), REJECTED, same.submission_id, identity, 0, report.problems,
        f"{fa}: همین فایل پیش‌تر (ارسال {same.submission_id}) رد شده بود و هنوز {n} خطا "
        "دارد. خطاها را اصلاح کنید و فایل اصلاح‌شده را بفرستید.",
        f"{en}: this exact file was rejected before (submission {same.submission_id}) and "
        f"still has {n} error(s). Fix them and upload the corrected file.",
    )  # fmt: skip


def _unchanged(path, same, identity, catalog=None) -> Outcome:
    fa, en = _table_name(identity, catalog)
    said = "پذیرفته" if same.verdict == ACCEPTED else "رد"
    return Outcome(
        str(path), UNCHANGED, same.submission_id, identity, same.n_values,
        [note("same_file", "همین فایل قبلاً دریافت شده است.",
              "This exact file was received before.")],
        f"{fa}: همین فایل پیش‌تر (ارسال {same.submission_id}) دریافت و {said} شده بود؛ "
        "تغییری نکرد.",
        f"{en}: this exact file was already received as submission {same.submission_id} "
        f"({same.verdict}); nothing changed.",
    )  # fmt: skip


def inconsistencies(ingestor: Ingestor) -> list[str]:
    """Where the ledger and the warehouse disagree; empty when they are consistent.

    A loaded submission must have exactly its values in the raw layer; a rejected one,
    none; raw rows must belong to a submission the ledger knows. A submission still in
    'loading' (its process died) may hold rows or not: it is finished by
    `resume_interrupted`, and nothing downstream reads it until it is loaded.
    """
    from salnameh.warehouse import raw_counts

    counts = raw_counts(ingestor.home)
    known = {s.submission_id: s for s in ingestor.ledger.submissions()}
    found = []
    for sid, submission in known.items():
        held = counts.get(sid, 0)
        if submission.state in ("loaded", "superseded") and held != submission.n_values:
            found.append(f"submission {sid} is {submission.state} with {submission.n_values} "
                         f"values but the warehouse holds {held}")  # fmt: skip
        if submission.verdict == REJECTED and held:
            found.append(f"submission {sid} was rejected but {held} values were loaded")
    for sid in sorted(set(counts) - set(known)):
        found.append(f"the warehouse holds {counts[sid]} values of unknown submission {sid}")
    return found
