"""A draft table declaration from a table as last year's yearbook printed it.

An office starting with Salnameh has hundreds of printed tables and no declarations. The
printed sheet (`ingestion.printed_table`) already shows most of a declaration: number and
titles in the title lines, the unit, the places down the side, the code lists in the
row labels and the header, the measures across, totals that must add up, notes below.
This module matches those parts against the reference seeds with the product's Persian
normalisation and says, cell by cell, what it guessed and what it could not decide, so a
person corrects a draft instead of typing a declaration. The figures decide the rules:
a total row becomes `parts_sum_to_total` only where its parts add up to it.

Not seen on one sheet, so never drafted: cross-table identities (`equals_table`), bounds
other than min 0, demo hints, the geography definition.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.draft_yaml import write_yaml
from ingestion.places import Places
from ingestion.printed_identities import Cells
from ingestion.printed_table import DraftInputError, PrintedTable, printed_table, read_sheet
from ingestion.problems import Problem, column_letter, note, warning
from salnameh.catalog_check import ID_PATTERN
from salnameh.jalali import current_jalali_year
from salnameh.persian import canonical_text, name_key, to_ascii_digits
from salnameh.reference import Reference

__all__ = ["Draft", "DraftInputError", "draft_declaration"]

PLACEHOLDER = "TODO"  # a field the draft could not decide: `catalog check` names it
TRANSLATE = "TODO: English"  # a text printed in Persian only
PROVINCE_ROW = "province"  # the one place of a table printed without a place column
COUNT_WORD = "تعداد"  # «تعداد روزهای ...»: a count of the unit that follows
_TABLE_FA = re.compile(r"جدول\s*(?:شماره\s*)?(\d{1,2})\s*[-–ـ.]\s*(\d{1,3})\s*[-–:.]?\s*(.*)")
_TABLE_EN = re.compile(r"table\s*(?:no\.?\s*)?(\d{1,2})\s*[-–.]\s*(\d{1,3})\s*[-–:.]?\s*(.*)", re.I)
_YEAR = re.compile(r"(?:سال|year)\D{0,12}?(1[34]\d\d)(?:\s*[-–/]\s*(1[34]\d\d))?", re.I)
_UNIT = re.compile(r"(?:واحد|unit)\s*:\s*(.+?)\s*(?:\s[-–]\s|$)", re.I)
_PERSIAN = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")
_TOTAL_WORDS = {name_key(w) for w in ("جمع", "کل", "جمع کل", "total", "all")}
_SPLIT_TITLE = re.compile(r"\s+(?:برحسب|بر حسب|به تفکیک|by)\s+|،|,", re.I)
_CENSUS = ("سرشماری", "census")
_SURVEY = ("آمارگیری", "طرح", "survey")
_CROP = ("زراعی", "crop")


@dataclass(frozen=True)
class Gloss:
    """A printed label: the Persian, and the English in brackets after it, if any."""

    fa: str
    en: str

    @property
    def key(self) -> str:
        return name_key(self.fa)


def split_gloss(text: str) -> Gloss:
    """'دانش‌آموز (Students)' -> fa, en; text without an English bracket stays whole."""
    text = canonical_text(text)
    if not text.endswith(")"):
        return Gloss(text, "")
    depth = 0
    for start in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[start], 0)
        if depth == 0:
            inner = text[start + 1 : -1]
            if inner and not _PERSIAN.search(inner) and _LATIN.search(inner):
                return Gloss(text[:start].strip(), inner.strip())
            break
    return Gloss(text, "")


def slug(text: str, limit: int = 40) -> str:
    """An id from English text: 'Deposits - total' -> deposits_total."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    found = ""
    for word in words:
        if len(found) + len(word) + 1 > limit:
            break
        found = f"{found}_{word}" if found else word
    return found if not found or found[0].isalpha() else f"m_{found}"


@dataclass
class Dimension:
    axis: str
    labels: list[Gloss]  # distinct labels, printed order
    cell: tuple[int, int]  # where the first label is
    list_id: str = ""
    codes: list[str] = field(default_factory=list)  # each label's code
    members: tuple[str, ...] | None = None
    total: str | None = None  # the code of the total member, if printed
    proposed: bool = False
    proposed_titles: tuple[str, str] = ("", "")


@dataclass
class MeasureDraft:
    title: Gloss
    cell: tuple[int, int]
    columns: list[int] = field(default_factory=list)  # indexes into value_cols
    id: str = ""
    unit: str | None = None
    type: str = "integer"
    decimals: int = 0
    min: float | None = None


@dataclass
class Draft:
    """The declaration as YAML text and what was guessed or left open, cell by cell."""

    table_id: str
    yaml_text: str
    findings: list[Problem]
    proposed_lists: list[str]  # ids of code lists the draft proposes

    @property
    def undecided(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == "warning"]

    def report(self) -> list[str]:
        """One entry per finding, open points first: the cell, then English and Persian."""
        lines = []
        for finding in sorted(self.findings, key=lambda f: f.severity != "warning"):
            mark = "could not decide" if finding.severity == "warning" else "guessed"
            cell = f"!{finding.column}{finding.row}" if finding.row else ""
            lines.append(f"{mark:>16}  '{finding.sheet}'{cell}: {finding.en}")
            lines.append(f"{'':>16}  {finding.fa}")
        return lines


def draft_declaration(
    path: Path,
    sheet_name: str,
    reference: Reference,
    table_id: str | None = None,
    out: Path | None = None,
) -> Draft:
    """Draft the declaration of the table on one sheet of a yearbook workbook.

    The id is `table_id`, else the name of the file it will be written to, else one made
    from the English title. Raises DraftInputError for a missing file or sheet or a sheet
    with no table."""
    sheet = read_sheet(path, sheet_name)
    printed = printed_table(sheet)
    return Drafter(printed, reference).draft(table_id, out)


class Drafter:
    """Builds one draft; each step records its findings against the cell it read."""

    def __init__(self, printed: PrintedTable, reference: Reference) -> None:
        self.t = printed
        self.reference = reference
        self.findings: list[Problem] = []
        self.geo_col: int | None = None  # the label column of the places, if any

    # -- findings -------------------------------------------------------------------

    def _where(self, cell: tuple[int, int] | None) -> dict:
        if cell is None:
            return {"sheet": self.t.sheet}
        return {"sheet": self.t.sheet, "row": cell[0] + 1, "column": column_letter(cell[1])}

    def guessed(self, code: str, fa: str, en: str, cell=None) -> None:
        self.findings.append(note(code, fa, en, **self._where(cell)))

    def undecided(self, code: str, fa: str, en: str, cell=None) -> None:
        self.findings.append(warning(code, fa, en, **self._where(cell)))

    # -- the whole draft --------------------------------------------------------------

    def draft(self, table_id: str | None, out: Path | None) -> Draft:
        number, chapter, title = self.title()
        year, period, years = self.period(chapter, title)
        unit = self.table_unit(title)
        agency, footnotes = self.footer()
        source = self.source(title, footnotes)
        self.guessed(
            "follows_proposed",
            "follows: proposed نوشته شد؛ اگر جدول از جدول سالنامه مرکز آمار پیروی "
            "می‌کند، شماره و ویرایش آن را بنویسید.",
            "follows: proposed written; if the table follows an SCI yearbook table, "
            'write {number: "...", edition: ...} once checked against that edition.',
        )
        if source == "census" and period == "year":
            period, years = "census_year", [year]
        places, geography = self.geography(year)
        row_dims = self.row_dimensions(places)
        measures, col_dims, col_keys = self.columns(title)
        dims = row_dims + col_dims
        self.measure_figures(measures, unit)
        rules = self.rules(places, geography, dims, row_dims, measures, col_keys)
        table_id = self.table_id(table_id, out, title, number)
        fields = {
            "id": table_id,
            "chapter": chapter,
            "number": number,
            "title": title,
            "agency": agency,
            "source": source,
            "period": period,
            "years": years,
            "geography": geography,
            "unit": unit,
            "dimensions": dims,
            "measures": measures,
            "rules": rules,
            "footnotes": footnotes,
        }
        text = write_yaml(fields, self.t.sheet, self.findings)
        proposed = [d.list_id for d in dims if d.proposed]
        return Draft(table_id, text, self.findings, proposed)

    # -- title lines --------------------------------------------------------------------

    def title(self) -> tuple[str, int | str, Gloss]:
        number, fa, en, number_cell = "", "", "", None
        for line in self.t.title_lines:
            text = to_ascii_digits(line.text)
            # Digits are matched in ASCII, the title kept as printed (۱۰ stays ۱۰).
            if not number and (found := _TABLE_FA.search(text)):
                number, number_cell = f"{found[1]}-{found[2]}", (line.row, line.col)
                fa = line.text[found.start(3) :]
            elif (found := _TABLE_EN.match(text)) and not en:
                number = number or f"{found[1]}-{found[2]}"
                en = line.text[found.start(3) :]
            elif _is_english_title(text) and not en:
                en = line.text
        if not fa:
            fa = next((x.text for x in self.t.title_lines if _PERSIAN.search(x.text)), "")
            first = self.t.title_lines[0] if self.t.title_lines else None
            self.undecided(
                "no_table_number",
                "شماره جدول («جدول ۳-۲») در عنوان پیدا نشد.",
                "no printed number ('جدول 3-2' / 'Table 3-2') in the title lines; "
                "write `number` and `chapter`.",
                (first.row, first.col) if first else None,
            )
        fa = _without_unit_bracket(fa, self.reference)[0].strip(" -–:")
        en = en.strip(" -–:.")
        if not en:
            en = TRANSLATE
            self.undecided(
                "no_english_title",
                "عنوان انگلیسی چاپ نشده است؛ آن را بنویسید.",
                "no English title printed; write `title.en`.",
                number_cell,
            )
        chapter: int | str = int(number.split("-")[0]) if number else PLACEHOLDER
        if isinstance(chapter, int) and chapter not in self.reference.chapters:
            self.undecided(
                "unknown_chapter",
                f"فصل {chapter} در فهرست فصل‌ها نیست.",
                f"chapter {chapter} is not one of chapters.csv",
                number_cell,
            )
        return number or PLACEHOLDER, chapter, Gloss(fa, en)

    def period(self, chapter, title: Gloss) -> tuple[int, str, list[int] | None]:
        for line in self.t.title_lines:
            found = _YEAR.search(to_ascii_digits(line.text))
            if not found:
                continue
            years = sorted(int(y) for y in found.groups() if y)
            if len(years) == 2 and years[1] - years[0] == 1:
                crop = chapter == 5 or _mentions(title, _CROP)
                period = "crop_year" if crop else "academic_year"
                self.guessed(
                    "period_guessed",
                    f"سال {years[0]}-{years[1]} دوره‌ای دوساله است: «{period}» فرض شد.",
                    f"the year {years[0]}-{years[1]} spans two years: taken as {period}",
                    (line.row, line.col),
                )
                return years[0], period, None
            return years[0], "year", None
        self.guessed(
            "no_year",
            "سال مرجع در عنوان نیست؛ دوره سالانه فرض شد.",
            "no reference year in the title lines: period taken as `year`, places "
            "matched against this year's counties.",
        )
        return current_jalali_year(), "year", None

    def table_unit(self, title: Gloss) -> str | None:
        for line in self.t.title_lines:
            found = _UNIT.search(line.text)
            if found:
                return self._unit(found[1], (line.row, line.col))
        title_line = next((x for x in self.t.title_lines if x.text.endswith(")")), None)
        if title_line is not None:
            unit = _without_unit_bracket(title_line.text, self.reference)[1]
            if unit:
                return unit
        return None

    def _unit(self, text: str, cell) -> str | None:
        unit = match_unit(text, self.reference)
        if unit is None:
            self.undecided(
                "unknown_unit",
                f"واحد «{text.strip()}» در units.csv نیست؛ آن را بیفزایید یا درست کنید.",
                f"unit {text.strip()!r} is not in units.csv; add it or correct `unit`.",
                cell,
            )
            return PLACEHOLDER
        return unit

    # -- lines below the table ------------------------------------------------------------

    def footer(self) -> tuple[str, list[Gloss]]:
        agency, footnotes, cells = None, [], []
        for line in self.t.footer_lines:
            text = line.text
            prefix, _, rest = text.partition(":")
            key = name_key(prefix)
            if key in {name_key("مأخذ"), name_key("ماخذ"), name_key("منبع"), "source"}:
                agency = agency or self._agency(rest.strip(), (line.row, line.col))
            elif key in {"note", "notes"} and footnotes and footnotes[-1].en == TRANSLATE:
                footnotes[-1] = Gloss(footnotes[-1].fa, rest.strip())
            elif key in {name_key("توضیح"), name_key("یادداشت"), name_key("توضیحات")}:
                footnotes.append(Gloss(rest.strip(), TRANSLATE))
                cells.append((line.row, line.col))
            elif text.startswith("*"):
                footnotes.append(Gloss(text.lstrip("* ").strip(), TRANSLATE))
                cells.append((line.row, line.col))
        for note_text, cell in zip(footnotes, cells, strict=True):
            if note_text.en == TRANSLATE:
                self.undecided(
                    "footnote_english",
                    f"پانوشت «{note_text.fa[:40]}» ترجمه انگلیسی ندارد.",
                    f"the footnote '{note_text.fa[:40]}' has no English; write its `en`.",
                    cell,
                )
        if agency is None:
            self.undecided(
                "no_agency",
                "خط «مأخذ:» زیر جدول نیست؛ دستگاه را بنویسید.",
                "no source line ('مأخذ:') under the table: write `agency`.",
            )
            agency = PLACEHOLDER
        return agency, footnotes

    def _agency(self, name: str, cell) -> str:
        key = name_key(name)
        for agency in self.reference.agencies.values():
            if key in {name_key(agency.name_fa), name_key(agency.name_en)}:
                return agency.agency_id
        near = [
            a
            for a in self.reference.agencies.values()
            if name_key(a.name_fa) in key or key in name_key(a.name_fa)
        ]
        if len(near) == 1:
            self.guessed(
                "agency_guessed",
                f"دستگاه «{name}» به «{near[0].name_fa}» نزدیک است.",
                f"agency {name!r} taken as {near[0].agency_id} ({near[0].name_en})",
                cell,
            )
            return near[0].agency_id
        self.undecided(
            "unknown_agency",
            f"دستگاه «{name}» در agencies.csv نیست.",
            f"agency {name!r} is not in agencies.csv; add it or write `agency`.",
            cell,
        )
        return PLACEHOLDER

    def source(self, title: Gloss, footnotes: list[Gloss]) -> str:
        texts = [title, *footnotes]
        found = "records"
        if any(_mentions(t, _CENSUS) for t in texts):
            found = "census"
        elif any(_mentions(t, _SURVEY) for t in texts):
            found = "survey"
        self.guessed(
            "source_guessed",
            f"نوع منبع «{found}» از عنوان و پانوشت‌ها حدس زده شد.",
            f"source taken as {found} from the title and notes (records unless they "
            "name a census or survey).",
        )
        return found

    # -- places and row labels --------------------------------------------------------------

    def geography(self, year: int) -> tuple[list[str | None] | None, str]:
        """Each data row's place code (None: no place column) and the geography level."""
        places = Places(self.reference, "county", year)
        provinces = {g.code for g in self.reference.geography if g.level == "province"}
        for col in self.t.label_cols:
            labels = self.t.labels[col]
            distinct = list(dict.fromkeys(x for x in labels if x))
            matches = {x: places.match(x) for x in distinct}
            known = [x for x in distinct if matches[x].known]
            counties = {m.code for m in matches.values() if m.code and m.code not in provinces}
            if len(counties) >= 2 and len(known) >= 0.8 * len(distinct):
                self.geo_col = col
                self._report_places(col, labels, matches, places, provinces)
                return [matches[x].code if x else None for x in labels], "county"
            if distinct and len(known) == len(distinct) and len(distinct) == 1:
                self.geo_col = col
                return [matches[x].code if x else None for x in labels], "province"
        self.geo_col = None
        return None, "province"

    def _report_places(self, col, labels, matches, places, provinces) -> None:
        seen = set()
        for i, label in enumerate(labels):
            match = matches.get(label)
            if not label or label in seen or match is None or match.code:
                continue
            seen.add(label)
            cell = (self.t.data_rows[i], col)
            self.undecided(
                "unknown_place",
                f"«{label}» شهرستان استان در سال {places.year} نیست. {match.fa}",
                f"{label!r} is not a county of the province in {places.year}. {match.en}".strip(),
                cell,
            )
        printed = {m.code for m in matches.values() if m.code}
        expected = {g.code for g in places.expected if g.code not in provinces}
        missing = sorted(expected - printed)
        if missing:
            self.guessed(
                "counties_missing",
                f"شهرستان‌های {', '.join(missing)} چاپ نشده‌اند.",
                f"counties {', '.join(missing)} valid in {places.year} are not "
                "printed; the declaration reports every county of the year.",
            )

    def row_dimensions(self, places) -> list[Dimension]:
        dims = []
        for col in self.t.label_cols:
            if col == self.geo_col:
                continue
            labels = self.t.labels[col]
            distinct = list(dict.fromkeys(x for x in labels if x))
            first = next((i for i, x in enumerate(labels) if x), 0)
            if len(distinct) < 2:
                if distinct:
                    self.guessed(
                        "label_column_ignored",
                        f"ستون {column_letter(col)} یک برچسب دارد و بُعد نیست.",
                        f"column {column_letter(col)} holds one label only: not "
                        "taken as a dimension.",
                        (self.t.data_rows[first], col),
                    )
                continue
            heading = split_gloss(self.t.header_text(col))
            dim = Dimension(
                "row", [split_gloss(x) for x in distinct], (self.t.data_rows[first], col)
            )
            self.match_dimension(dim, heading)
            dims.append(dim)
        return dims

    # -- code lists ------------------------------------------------------------------------

    def match_dimension(self, dim: Dimension, heading: Gloss | None = None) -> None:
        found = match_code_list(dim.labels, self.reference, heading)
        if found is not None and not found[2]:
            dim.list_id, dim.codes = found[0], found[1]
            full = [c.code for c in self.reference.code_lists[dim.list_id]]
            dim.members = None if dim.codes == full else tuple(dim.codes)
            dim.total = self.reference.total_code(dim.list_id)
            if dim.total not in dim.codes:
                dim.total = None
            return
        self._propose(dim, heading, found)

    def _propose(self, dim: Dimension, heading: Gloss | None, near) -> None:
        dim.proposed = True
        titles = (heading.fa, heading.en) if heading and heading.fa else ("", "")
        base = slug(titles[1]) or slug(" ".join(g.en for g in dim.labels[:3])) or "new_list"
        taken = set(self.reference.code_lists)
        dim.list_id = _unique(f"proposed_{base}", taken)
        codes: list[str] = []
        for i, label in enumerate(dim.labels, start=1):
            if label.key in _TOTAL_WORDS or name_key(label.en) in _TOTAL_WORDS:
                code = "total"
                dim.total = "total"
            else:
                code = slug(label.en, 30) or f"c{i:02d}"
            codes.append(_unique(code, set(codes)))
        dim.codes = codes
        dim.proposed_titles = titles
        labels = "، ".join(g.fa for g in dim.labels[:6])
        nearest = ""
        if near is not None:
            nearest = (
                f" The nearest list, {near[0]}, lacks {', '.join(repr(x) for x in near[2][:4])}."
            )
        self.undecided(
            "no_code_list",
            f"برچسب‌های «{labels}» با هیچ فهرست کد codes.csv جور نیستند؛ فهرست تازه "
            f"«{dim.list_id}» در پیش‌نویس پیشنهاد شد.",
            f"no code list of codes.csv holds the labels {labels}: a new list "
            f"{dim.list_id} is proposed at the end of the draft; add it to "
            f"codes.csv and code_lists.csv or pick an existing list.{nearest}",
            dim.cell,
        )

    # -- header: measures and column dimensions ------------------------------------------

    def columns(self, title: Gloss):
        """Measures, column dimensions, and each value column's (measure, member codes)."""
        t = self.t
        rows = []  # (header row, each value column's label)
        for r in t.header_rows:
            labels = [split_gloss(t.header[(r, c)]) for c in t.value_cols]
            if any(g.fa for g in labels):
                rows.append((r, labels))
        measure_row, dims, dim_rows = None, [], []
        for r, labels in rows:
            distinct = list({g.key: g for g in labels if g.fa}.values())
            cell = (r, t.value_cols[0])
            found = match_code_list(distinct, self.reference) if len(distinct) >= 2 else None
            # The first heading that is no code list names the measures; any other
            # heading of several labels is a dimension, a proposed list if need be.
            if measure_row is None and (found is None or found[2]):
                measure_row = (r, labels)
            elif len(distinct) >= 2:
                dim = Dimension("column", distinct, cell)
                self.match_dimension(dim)
                dims.append(dim)
                dim_rows.append(labels)
            else:
                self.guessed(
                    "heading_ignored",
                    f"سرستون «{distinct[0].fa}» نادیده گرفته شد.",
                    f"the heading {distinct[0].fa!r} spans every column below it: ignored.",
                    cell,
                )
        measures = self._measures(measure_row, title)
        keys = []
        for i in range(len(t.value_cols)):
            measure = next(n for n, m in enumerate(measures) if i in m.columns)
            codes = []
            for dim, labels in zip(dims, dim_rows, strict=True):
                index = {g.key: code for g, code in zip(dim.labels, dim.codes, strict=True)}
                codes.append(index.get(labels[i].key))
            keys.append((measure, tuple(codes)))
        self._check_cross(measures, dims, keys)
        return measures, dims, keys

    def _measures(self, measure_row, title: Gloss) -> list[MeasureDraft]:
        t = self.t
        if measure_row is None:
            fa = _SPLIT_TITLE.split(title.fa)[0].strip()
            en = _SPLIT_TITLE.split(title.en)[0].strip() if title.en != TRANSLATE else ""
            cell = (t.header_rows[0] if t.header_rows else t.data_rows[0], t.value_cols[0])
            self.guessed(
                "measure_from_title",
                f"سرستونی برای سنجه نیست؛ سنجه «{fa}» از عنوان گرفته شد.",
                f"no heading names the measure: one measure {en or fa!r} taken from the title.",
                cell,
            )
            return [MeasureDraft(Gloss(fa, en or TRANSLATE), cell, list(range(len(t.value_cols))))]
        r, labels = measure_row
        measures: dict[str, MeasureDraft] = {}
        for i, label in enumerate(labels):
            key = label.key or (measures and list(measures)[-1]) or ""
            if key not in measures:
                title = Gloss(label.fa, label.en or TRANSLATE)
                measures[key] = MeasureDraft(title, (r, t.value_cols[i]))
            measures[key].columns.append(i)
        return list(measures.values())

    def _check_cross(self, measures, dims, keys) -> None:
        expected = math.prod(len(d.codes) for d in dims)
        for measure in measures:
            if len(measure.columns) != expected:
                self.undecided(
                    "columns_not_crossed",
                    f"ستون‌های سنجه «{measure.title.fa}» حاصل‌ضرب اعضای ابعاد ستونی "
                    "نیستند؛ ابعاد را بررسی کنید.",
                    f"the columns of {measure.title.fa!r} are not every combination "
                    "of the column dimensions' members; check the dimensions.",
                    measure.cell,
                )
                return

    # -- measures --------------------------------------------------------------------------

    def measure_figures(self, measures: list[MeasureDraft], unit: str | None) -> None:
        taken: set[str] = set()
        for n, measure in enumerate(measures, start=1):
            measure.id = _unique(slug(measure.title.en) or f"measure_{n}", taken)
            taken.add(measure.id)
            if not slug(measure.title.en):
                self.undecided(
                    "measure_english",
                    f"سنجه «{measure.title.fa}» عنوان انگلیسی ندارد؛ شناسه "
                    f"«{measure.id}» گذاشته شد.",
                    f"measure {measure.title.fa!r} has no English title: id "
                    f"{measure.id} given; write its `title.en` and a better id.",
                    measure.cell,
                )
            figures = [v for i in measure.columns for v in self.t.figures[self.t.value_cols[i]]]
            numbers = [v for v in figures if v is not None]
            measure.decimals = max((_decimals(v) for v in numbers), default=0)
            measure.type = "decimal" if measure.decimals else "integer"
            if numbers and min(numbers) >= 0:
                measure.min = 0
            self._measure_unit(measure, unit)

    def _measure_unit(self, measure: MeasureDraft, unit: str | None) -> None:
        fa, in_brackets = _without_unit_bracket(measure.title.fa, self.reference)
        if in_brackets:
            measure.title = Gloss(fa.strip(), measure.title.en)
            measure.unit = in_brackets if in_brackets != unit else None
            return
        if unit is not None:
            return
        guess = unit_in_title(measure.title, self.reference)
        measure.unit = guess or PLACEHOLDER
        if guess:
            self.guessed(
                "unit_guessed",
                f"واحد سنجه «{measure.title.fa}» از عنوانش «{guess}» حدس زده شد.",
                f"the unit of {measure.title.fa!r} taken as {guess} from its title (no unit line).",
                measure.cell,
            )
        else:
            self.undecided(
                "no_unit",
                f"واحد سنجه «{measure.title.fa}» پیدا نشد.",
                f"no unit printed for {measure.title.fa!r}; write its `unit`.",
                measure.cell,
            )

    # -- rules -------------------------------------------------------------------------------

    def row_keys(self, places, row_dims: list[Dimension]) -> list[tuple]:
        """Each data row's (place, row member codes); None where a label is no code."""
        indexes = [{g.key: c for g, c in zip(d.labels, d.codes, strict=True)} for d in row_dims]
        keys = []
        for i in range(len(self.t.data_rows)):
            place = places[i] if places else PROVINCE_ROW
            codes = tuple(
                index.get(split_gloss(self.t.labels[dim.cell[1]][i]).key)
                for dim, index in zip(row_dims, indexes, strict=True)
            )
            keys.append((place, codes))
        return keys

    def rules(self, places, geography, dims, row_dims, measures, col_keys) -> list[dict]:
        decimals = [m.decimals for m in measures]
        cells = Cells.build(self.t, self.row_keys(places, row_dims), col_keys, decimals)
        rules = []
        for i, dim in enumerate(dims):
            if dim.total is None:
                continue
            holding = cells.parts_sum(i, dim.total)
            rule = self._rule(
                "parts_sum_to_total",
                holding,
                measures,
                dim.cell,
                f"«{dim.labels[dim.codes.index(dim.total)].fa}»",
            )
            if rule:
                rules.append({**rule, "dimension": dim.list_id})
        provinces = {g.code for g in self.reference.geography if g.level == "province"}
        if geography == "county" and any(p in provinces for p in places or ()):
            holding = cells.counties_sum(provinces)
            first = next(i for i, p in enumerate(places) if p in provinces)
            rule = self._rule(
                "counties_sum_to_province",
                holding,
                measures,
                (self.t.data_rows[first], self.geo_col),
                "کل استان",
            )
            if rule:
                rules.append(rule)
        for total, parts in cells.measure_sums(len(measures)):
            rules.append(
                {
                    "rule": "measures_sum",
                    "total": measures[total].id,
                    "parts": [measures[p].id for p in parts],
                }
            )
            self.guessed(
                "measures_sum",
                f"سنجه «{measures[total].title.fa}» برابر جمع سنجه‌های پس از آن است.",
                f"{measures[total].id} equals the sum of "
                f"{', '.join(measures[p].id for p in parts)} in every row: rule "
                "measures_sum drafted.",
                measures[total].cell,
            )
        return rules

    def _rule(self, kind, holding, measures, cell, total_label) -> dict | None:
        if not holding:
            self.guessed(
                f"{kind}_not_holding",
                f"ردیف/ستون {total_label} با جمع اجزا برابر نیست؛ قاعده‌ای نوشته نشد.",
                f"{total_label} is printed but the figures do not add up to it: no "
                f"{kind} rule drafted.",
                cell,
            )
            return None
        rule: dict = {"rule": kind}
        if len(holding) < len(measures):
            rule["measures"] = [measures[m].id for m in holding]
        return rule

    # -- id ----------------------------------------------------------------------------------

    def table_id(self, given: str | None, out: Path | None, title: Gloss, number: str) -> str:
        if given:
            chosen = given
        elif out is not None and ID_PATTERN.match(out.stem):
            chosen = out.stem
        else:
            chosen = slug(title.en if title.en != TRANSLATE else "", 48) or (
                f"table_{number.replace('-', '_')}" if number != PLACEHOLDER else "table"
            )
        if out is not None and out.stem != chosen:
            self.undecided(
                "id_and_file_name",
                f"نام فایل باید {chosen}.yaml باشد.",
                f"the id is {chosen} but the file is {out.name}; a declaration's "
                f"file is named <id>.yaml.",
            )
        return chosen


# -- matching ------------------------------------------------------------------------------


def match_code_list(labels: list[Gloss], reference: Reference, heading: Gloss | None = None):
    """(list id, each label's code, labels it lacks) of the list that holds most of the
    labels and the most of whose codes are printed; the heading breaks ties. None if no
    list holds even half of them."""
    best, best_score = None, None
    titles = reference.code_list_titles
    for list_id, codes in reference.code_lists.items():
        index = {}
        for code in codes:
            for text in (code.label_fa, code.label_en, code.code):
                index.setdefault(name_key(text), code.code)
        found = [index.get(g.key) or (index.get(name_key(g.en)) if g.en else None) for g in labels]
        hits = [c for c in found if c]
        if len(hits) * 2 < len(labels) or len(set(hits)) != len(hits):
            continue
        named = (
            heading is not None
            and bool(heading.fa)
            and (
                name_key(heading.fa) == name_key(titles.get(list_id, ("", ""))[0])
                or name_key(heading.en) == name_key(titles.get(list_id, ("", ""))[1])
            )
        )
        score = (len(hits), named, len(hits) / len(codes))
        if best_score is None or score > best_score:
            missing = [g.fa for g, c in zip(labels, found, strict=True) if not c]
            best, best_score = (list_id, [c or "" for c in found], missing), score
    return best


def match_unit(text: str, reference: Reference) -> str | None:
    gloss = split_gloss(text)
    keys = {name_key(gloss.fa), name_key(gloss.en)} - {""}
    for unit in reference.units.values():
        if keys & {name_key(unit.title_fa), name_key(unit.title_en), name_key(unit.unit)}:
            return unit.unit
    return None


def unit_in_title(title: Gloss, reference: Reference) -> str | None:
    """The unit a measure's Persian title is, or counts: «اتاق», «تخت», «تعداد روزهای
    یخبندان». Nothing else is guessed: a unit word elsewhere in a title is often not the
    unit («عملکرد در هکتار» is in kilograms, «ضریب اشغال تخت» in percent)."""
    # «روزهای» and «ماه‌ها» are plurals of a unit word: the suffix goes before matching.
    words = [re.sub(r"(?<=..)(های|ها)$", "", w) for w in _words(title.fa)]
    by_name = {" ".join(_words(u.title_fa)): u.unit for u in reference.units.values()}
    if " ".join(words) in by_name:
        return by_name[" ".join(words)]
    if words[:1] == _words(COUNT_WORD):
        counted = words[1:]
        for n in range(len(counted), 0, -1):
            if " ".join(counted[:n]) in by_name:
                return by_name[" ".join(counted[:n])]
    return None


def _words(text: str) -> list[str]:
    return canonical_text(text).replace("\u200c", " ").split()


def _without_unit_bracket(text: str, reference: Reference) -> tuple[str, str | None]:
    """'جمعیت (نفر)' -> ('جمعیت', 'person'); text without a unit bracket unchanged."""
    found = re.search(r"\(([^()]*)\)\s*$", text)
    if found:
        unit = match_unit(found[1], reference)
        if unit is not None:
            return text[: found.start()].rstrip(), unit
    return text, None


def _is_english_title(text: str) -> bool:
    lowered = text.lower()
    return (
        bool(_LATIN.search(text))
        and not _PERSIAN.search(text)
        and not lowered.startswith(("year", "unit", "source", "note"))
    )


def _mentions(text: Gloss, words: Iterable[str]) -> bool:
    both = f"{text.fa} {text.en}".lower()
    return any(w in both for w in words)


def _decimals(value: float) -> int:
    for places in range(5):
        scaled = value * 10**places
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, abs(scaled)):
            return places
    return 5


def _unique(base: str, taken: set[str]) -> str:
    found, n = base, 2
    while found in taken:
        found, n = f"{base}_{n}", n + 1
    return found
