"""The print edition: an edition as a PDF a printer can take, written with WeasyPrint.

Cover, foreword, symbols, contents with page numbers, then each chapter and its tables, as
SCI's yearbooks print them: each table's title, then its unit, the table, its source agency
and its footnotes. A table of the year the edition lacks keeps its place, in the contents
and in its chapter, with a note saying why. Persian (right to left, Persian digits) or
English (left to right, Latin digits) from the same edition and the same layout rules.

Page breaks: a table's title and unit stay with its first rows; a place's rows (a county's
school levels, the province's months) stay together; a table never leaves its first or
last rows alone on a page. A table that runs over a page repeats its header rows; every
page carries its number. The text stays text, so the PDF is searchable.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
from pathlib import Path

import pandas as pd

from publishing.edition import Edition
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.jalali import format_jalali
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS, format_number, to_persian_digits
from salnameh.reference import Code, Reference
from salnameh.table_grid import GridRow, table_grid

LANGUAGES = ("fa", "en")

# Rows a table never leaves alone at the foot of a page or at the head of the next one.
ORPHAN_ROWS = 3

# Columns from which a table is set smaller to fit the page's width.
WIDE = 8

# Vazirmatn where installed, else Noto Sans Arabic (fonts-noto-core, which .ci/run installs),
# else DejaVu Sans: each shapes Persian. `{counter}` is the page numbers' digits.
STYLE = """
@page { size: A4; margin: 18mm 15mm 20mm 15mm;
        @bottom-center { content: counter(page, {counter}); font-size: 9pt; } }
@page cover { @bottom-center { content: none; } }
html { direction: {direction}; font-size: 8.5pt;
       font-family: "Vazirmatn", "Noto Sans Arabic", "DejaVu Sans", sans-serif; }
.cover { page: cover; text-align: center; padding-top: 70mm; page-break-after: always; }
.cover h1 { font-size: 26pt; margin-bottom: 8mm; } .cover p { font-size: 14pt; }
.page { page-break-after: always; }
h1.chapter { page-break-before: always; font-size: 16pt; border-bottom: 1pt solid #444; }
h2 { font-size: 11pt; margin: 6mm 0 1mm; page-break-after: avoid; }
.unit { font-size: 8pt; margin: 0 0 1mm; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5mm; }
th, td { border: 0.4pt solid #888; padding: 1mm 1.5mm; }
th { background: #eee; font-weight: bold; text-align: center; }
td.n { text-align: {figures_align}; direction: ltr; white-space: nowrap; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; } tr.k { page-break-after: avoid; }
.whole { page-break-inside: avoid; }
.note { font-size: 7.5pt; color: #333; margin: 0.5mm 0; page-break-before: avoid; }
th { hyphens: auto; overflow-wrap: break-word; }
table.wide { font-size: 7pt; } table.wide th, table.wide td { padding: 0.8mm 1mm; }
.absent { border: 0.6pt dashed #888; padding: 2mm 3mm; margin: 1mm 0 3mm; }
.lacks { border-inline-start: 2pt solid #888; padding: 0 3mm; }
.toc a { color: black; text-decoration: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page, {counter}); }
.toc li { list-style: none; margin: 1mm 0; } .toc li.absent-entry { color: #555; }
.toc h2 { margin-top: 4mm; }
"""

# Every sentence the print edition says, in each language; `{…}` are filled in.
WORDS = {
    "fa": {
        "yearbook": "سالنامه آماری {province}",
        "edition": "ویرایش {number}",
        "publisher": "سازمان مدیریت و برنامه‌ریزی {province}",
        "foreword": "پیشگفتار",
        "foreword_text": "سالنامه آماری {province} حاصل همکاری دستگاه‌های اجرایی استان است. ارقام "
        "هر جدول را دستگاه متولی آن فراهم کرده و کارشناسان سازمان پس از بررسی و تأیید منتشر "
        "کرده‌اند.",
        "released": "تاریخ انتشار این ویرایش: {date}",
        "lacks": "این ویرایش {lacking} جدول از {total} جدول سال را ندارد: جدول‌هایی که داده آنها "
        "نرسیده یا هنوز تأیید نشده است. جای هر یک در فهرست و در فصل خود با یادداشتی مشخص شده "
        "و در ویرایش‌های بعد می‌آید.",
        "symbols": "نشانه‌ها",
        "contents": "فهرست",
        "chapter": "فصل {number}: {title}",
        "table": "جدول {number} - {title}",
        "unit": "واحد: {unit}",
        "source": "مأخذ: {agency}",
        "absent_entry": "(در این ویرایش نیست)",
        "not_received": "این جدول در این ویرایش نیست: داده آن از دستگاه متولی ({agency}) "
        "نرسیده است.",
        "not_approved": "این جدول در این ویرایش نیست: داده آن رسیده ولی هنوز تأیید نشده است "
        "(دستگاه متولی: {agency}).",
        "not_in_edition": "این جدول در این ویرایش نیست (دستگاه متولی: {agency}).",
        "revisions": "تجدیدنظرها",
        "revisions_text": "ارقامی که این ویرایش نسبت به ویرایش {previous} تغییر داده است.",
        "revision_heads": ("جدول", "مکان", "اعضا", "سنجه", "رقم پیشین", "رقم جدید", "دلیل"),
        "province_total": "کل استان",
    },
    "en": {
        "yearbook": "Statistical Yearbook of {province}",
        "edition": "Edition {number}",
        "publisher": "{province} Management and Planning Organization",
        "foreword": "Foreword",
        "foreword_text": "The Statistical Yearbook of {province} is the work of the province's "
        "agencies. Each table's figures were provided by the agency responsible for it and "
        "published after review and approval by the organization's experts.",
        "released": "This edition was released on {date} (Jalali calendar).",
        "lacks": "This edition lacks {lacking} of the year's {total} tables: tables whose data "
        "were not received or are not yet approved. Each keeps its place, in the contents and "
        "in its chapter, with a note, and will come in a later edition.",
        "symbols": "Symbols",
        "contents": "Contents",
        "chapter": "Chapter {number}: {title}",
        "table": "Table {number} - {title}",
        "unit": "Unit: {unit}",
        "source": "Source: {agency}",
        "absent_entry": "(not in this edition)",
        "not_received": "This table is not in this edition: its data were not received from "
        "the agency responsible ({agency}).",
        "not_approved": "This table is not in this edition: its data were received but are "
        "not yet approved (agency responsible: {agency}).",
        "not_in_edition": "This table is not in this edition (agency responsible: {agency}).",
        "revisions": "Revisions",
        "revisions_text": "The figures this edition changed against edition {previous}.",
        "revision_heads": (
            "Table",
            "Place",
            "Members",
            "Measure",
            "Previous figure",
            "New figure",
            "Reason",
        ),
        "province_total": "Province total",
    },
}


class PrintEdition:
    """One edition's print layout in one language."""

    def __init__(
        self,
        edition: Edition,
        catalog: Catalog,
        reference: Reference,
        lang: str = "fa",
        lacking: dict[str, str] | None = None,
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"the print edition is in {' or '.join(LANGUAGES)}, not {lang!r}")
        self.edition, self.catalog, self.reference, self.lang = edition, catalog, reference, lang
        self.words = WORDS[lang]
        # Tables of the year the edition lacks; those the ledger did not record (an edition
        # released before it recorded them) are said to be absent without a reason.
        held = set(edition.tables)
        self.absent = {
            t: "not_in_edition" for t in catalog.tables_of(edition.year) if t not in held
        } | dict(lacking or {})
        self.absent = {t: why for t, why in self.absent.items() if t in catalog.tables}
        order = [t for t in catalog.tables if t in held or t in self.absent]
        self.tables = [catalog.table(t) for t in order]

    # ---------------------------------------------------------------- words and figures
    def say(self, key: str, **fill: object) -> str:
        """A sentence in the reader's language, its numbers in the reader's digits."""
        return html.escape(self.words[key].format(**{k: self.digits(v) for k, v in fill.items()}))

    def digits(self, value: object) -> str:
        return to_persian_digits(str(value)) if self.lang == "fa" else str(value)

    def text(self, pair) -> str:
        """The reader's half of a (fa, en) text: a catalog Text or a tuple."""
        fa, en = (pair.fa, pair.en) if hasattr(pair, "fa") else pair
        return fa if self.lang == "fa" else en

    def number(self, value: float, decimals: int) -> str:
        return format_number(value, decimals, self.lang)

    def figure(self, value, flag, decimals: int) -> str:
        if isinstance(flag, str):
            return html.escape(FLAG_SYMBOL[flag])
        if value is None or pd.isna(value):
            return ""
        return self.number(value, decimals)

    def agency(self, table: TableDecl) -> str:
        agency = self.reference.agencies[table.agency]
        return agency.name_fa if self.lang == "fa" else agency.name_en

    def unit(self, unit_id: str) -> str:
        unit = self.reference.units[unit_id]
        return unit.title_fa if self.lang == "fa" else unit.title_en

    def code(self, code: Code) -> str:
        return code.label_fa if self.lang == "fa" else code.label_en

    def place(self, row: GridRow) -> str:
        if row.geo.level == "province":
            return self.words["province_total"]
        return row.geo.name_fa if self.lang == "fa" else row.geo.name_en

    def title(self, table: TableDecl) -> str:
        return self.say("table", number=table.number, title=self.text(table.title))

    # ---------------------------------------------------------------------- the parts
    def html(self, values: pd.DataFrame, revisions: pd.DataFrame | None = None) -> str:
        province = self.text(
            (self.reference.province_names.title_fa, self.reference.province_names.name_en)
        )
        by_table = dict(tuple(values.groupby("table_id", sort=False)))
        parts = [
            self.cover(province),
            self.foreword(province),
            self.symbols(),
            self.contents(revisions),
        ]
        chapters = self.reference.chapters
        for chapter_no, group in itertools.groupby(self.tables, key=lambda t: t.chapter):
            chapter = chapters[chapter_no]
            title = self.say(
                "chapter", number=chapter_no, title=self.text((chapter.title_fa, chapter.title_en))
            )
            parts.append(f'<h1 class="chapter">{title}</h1>')
            for t in group:
                if t.id in self.absent:
                    parts.append(self.absent_table(t))
                else:
                    parts.append(self.table(t, by_table[t.id]))
        if revisions is not None and not revisions.empty:
            parts.append(self.revisions(revisions))
        style = (
            STYLE.replace("{counter}", "persian" if self.lang == "fa" else "decimal")
            .replace("{direction}", "rtl" if self.lang == "fa" else "ltr")
            .replace("{figures_align}", "left" if self.lang == "fa" else "right")
        )
        direction = "rtl" if self.lang == "fa" else "ltr"
        heading = self.say("yearbook", province=province)
        return (
            f"<!doctype html><html lang='{self.lang}' dir='{direction}'><head>"
            f"<meta charset='utf-8'><title>{heading} {self.digits(self.edition.year)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
        )

    def cover(self, province: str) -> str:
        return (
            f'<section class="cover"><h1>{self.say("yearbook", province=province)}</h1>'
            f"<p>{self.digits(self.edition.year)}</p>"
            f"<p>{self.say('edition', number=self.edition.number)}</p>"
            f"<p>{self.say('publisher', province=province)}</p></section>"
        )

    def foreword(self, province: str) -> str:
        released = dt.datetime.fromisoformat(self.edition.released_at_utc).date()
        date = format_jalali(released, persian_digits=False)
        lacks = ""
        if self.absent:
            said = self.say("lacks", lacking=len(self.absent), total=len(self.tables))
            lacks = f'<p class="lacks">{said}</p>'
        return (
            f'<section class="page"><h1>{self.say("foreword")}</h1>'
            f"<p>{self.say('foreword_text', province=province)}</p>{lacks}"
            f"<p>{self.say('released', date=date)}</p></section>"
        )

    def symbols(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(s)}</td><td>{html.escape(self.text(SYMBOL_MEANINGS[f]))}</td></tr>"
            for f, s in sorted(FLAG_SYMBOL.items(), key=lambda kv: kv[1])
        )
        return (
            f'<section class="page"><h1>{self.say("symbols")}</h1><table>{rows}</table></section>'
        )

    def contents(self, revisions: pd.DataFrame | None) -> str:
        chapters = self.reference.chapters
        toc = [f'<section class="page toc"><h1>{self.say("contents")}</h1>']
        for chapter_no, group in itertools.groupby(self.tables, key=lambda t: t.chapter):
            chapter = chapters[chapter_no]
            title = self.text((chapter.title_fa, chapter.title_en))
            toc.append(f"<h2>{self.say('chapter', number=chapter_no, title=title)}</h2><ul>")
            for t in group:
                if t.id in self.absent:
                    toc.append(
                        f'<li class="absent-entry"><a href="#{t.id}">{self.title(t)} '
                        f"{self.say('absent_entry')}</a></li>"
                    )
                else:
                    toc.append(f'<li><a href="#{t.id}">{self.title(t)}</a></li>')
            toc.append("</ul>")
        if revisions is not None and not revisions.empty:
            toc.append(f'<ul><li><a href="#revisions">{self.say("revisions")}</a></li></ul>')
        toc.append("</section>")
        return "".join(toc)

    def heading(self, table: TableDecl) -> str:
        """The title and, when every measure has the same one, the unit under it."""
        units = list(dict.fromkeys(m.unit for m in table.measures))
        unit = f'<p class="unit">{self.say("unit", unit=self.unit(units[0]))}</p>'
        return f'<h2 id="{table.id}">{self.title(table)}</h2>{unit if len(units) == 1 else ""}'

    def notes(self, table: TableDecl) -> str:
        notes = [f'<p class="note">{self.say("source", agency=self.agency(table))}</p>']
        notes += [f'<p class="note">* {html.escape(self.text(n))}</p>' for n in table.footnotes]
        return "".join(notes)

    def absent_table(self, table: TableDecl) -> str:
        why = self.say(self.absent[table.id], agency=self.agency(table))
        return f'<section class="whole">{self.heading(table)}<p class="absent">{why}</p></section>'

    def table(self, table: TableDecl, rows: pd.DataFrame) -> str:
        """One table in its printed layout: places and row members down, measures across,
        each measure headed with its unit when the table's measures differ in unit."""
        grid = table_grid(table, self.edition.year, self.reference)
        depth = grid.header_depth
        several_units = len({m.unit for m in table.measures}) > 1
        head = [
            "<tr>"
            + "".join(
                f'<th rowspan="{depth}">{html.escape(self.text(label))}</th>'
                for label in grid.label_headers
            )
        ]
        per_measure = len(grid.columns) // len(table.measures)
        for m in table.measures:
            unit = f" ({html.escape(self.unit(m.unit))})" if several_units else ""
            head[0] += f'<th colspan="{per_measure}">{html.escape(self.text(m.title))}{unit}</th>'
        head[0] += "</tr>"
        for level in range(depth - 1):
            cells = "".join(
                f"<th>{html.escape(self.code(c.members[level]))}</th>" for c in grid.columns
            )
            head.append(f"<tr>{cells}</tr>")
        figures = {}
        for r in rows.itertuples():
            members = tuple(p.split("=", 1)[1] for p in r.dim_key.split(";")) if r.dim_key else ()
            figures[(r.geo_code, members, r.measure_id)] = r
        lines = []
        for row in grid.rows:
            cells = [f"<td>{html.escape(self.place(row)) if row.first_of_place else ''}</td>"]
            cells += [f"<td>{html.escape(self.code(c))}</td>" for c in row.members]
            for c in grid.columns:
                r = figures.get(grid.key(row, c))
                shown = "" if r is None else self.figure(r.value, r.flag, c.measure.decimals)
                cells.append(f'<td class="n">{shown}</td>')
            lines.append((row.first_of_place, "<tr>" + "".join(cells) + "</tr>"))
        # WeasyPrint keeps rows together by `break-after: avoid` between them (a row group's
        # `break-inside: avoid` it forces onto a page that cannot hold it).
        body = "".join(
            line.replace("<tr>", '<tr class="k">', 1) if n < len(block) - 1 else line
            for block in unbreakable(lines)
            for n, line in enumerate(block)
        )
        wide = ' class="wide"' if len(grid.label_headers) + len(grid.columns) > WIDE else ""
        keep = "whole" if len(lines) <= 2 * ORPHAN_ROWS else "long"
        return (
            f'<section class="{keep}">{self.heading(table)}'
            f'<table data-table="{table.id}"{wide}><thead>{"".join(head)}</thead>'
            f"<tbody>{body}</tbody></table>{self.notes(table)}</section>"
        )

    def revisions(self, revisions: pd.DataFrame) -> str:
        """What this edition changed against the previous one, cell by cell, in words:
        table number and title, place, members and measure by name, figures formatted."""
        year = self.edition.year
        places = {g.code: g for g in self.reference.all_geography if g.valid_in(year)}
        heads = "".join(f"<th>{html.escape(h)}</th>" for h in self.words["revision_heads"])
        rows = []
        for r in revisions.itertuples():
            table = self.catalog.tables.get(r.table_id)
            if table is None:  # a table since dropped from the catalog: its id is all we know
                title, measure, decimals = html.escape(r.table_id), None, 1
            else:
                title = self.title(table)
                measure = next((m for m in table.measures if m.id == r.measure_id), None)
                decimals = measure.decimals if measure else 1
            geo = places.get(r.geo_code) if isinstance(r.geo_code, str) else None
            if geo is None:
                place = self.digits(r.geo_code) if isinstance(r.geo_code, str) else ""
            elif geo.level == "province":
                place = self.words["province_total"]
            else:
                place = geo.name_fa if self.lang == "fa" else geo.name_en
            cells = [
                title,
                html.escape(place),
                html.escape(self.members(r.dim_key)),
                html.escape(self.text(measure.title)) if measure else "",
            ]
            row = "".join(f"<td>{c}</td>" for c in cells)
            old = self.figure(r.old_value, r.old_flag, decimals)
            new = self.figure(r.new_value, r.new_flag, decimals)
            row += f'<td class="n">{old}</td><td class="n">{new}</td>'
            reason = r.reason if isinstance(r.reason, str) else ""
            rows.append(f"<tr>{row}<td>{html.escape(reason)}</td></tr>")
        previous = self.say("revisions_text", previous=self.edition.number - 1)
        return (
            f'<h1 class="chapter" id="revisions">{self.say("revisions")}</h1><p>{previous}</p>'
            f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def members(self, dim_key) -> str:
        """'school_level=primary;sex=female' as the reader says it: «ابتدایی، زن»."""
        if not isinstance(dim_key, str) or not dim_key:
            return ""
        labels = []
        for part in dim_key.split(";"):
            code_list, code = part.split("=", 1)
            found = {c.code: c for c in self.reference.members(code_list)}.get(code)
            labels.append(self.text((found.label_fa, found.label_en)) if found else code)
        return ("، " if self.lang == "fa" else ", ").join(labels)


def unbreakable(lines: list[tuple[bool, str]]) -> list[list[str]]:
    """A table's rows in the blocks a page may not break: each place's rows together, and
    the first and the last ORPHAN_ROWS rows held to their neighbours, so that no page ends
    or begins with a row that could stand with the next."""
    blocks: list[list[str]] = []
    for first_of_place, line in lines:
        if first_of_place or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    while len(blocks) > 1 and len(blocks[0]) < ORPHAN_ROWS:
        blocks[0] += blocks.pop(1)
    while len(blocks) > 1 and len(blocks[-1]) < ORPHAN_ROWS:
        tail = blocks.pop()
        blocks[-1] += tail
    return blocks


def edition_html(
    values: pd.DataFrame,
    edition: Edition,
    catalog: Catalog,
    reference: Reference,
    revisions: pd.DataFrame | None = None,
    lang: str = "fa",
    lacking: dict[str, str] | None = None,
) -> str:
    return PrintEdition(edition, catalog, reference, lang, lacking).html(values, revisions)


def write_pdf(
    values: pd.DataFrame,
    edition: Edition,
    catalog: Catalog,
    reference: Reference,
    path: Path,
    revisions: pd.DataFrame | None = None,
    lang: str = "fa",
    lacking: dict[str, str] | None = None,
) -> Path:
    from weasyprint import HTML

    document = edition_html(values, edition, catalog, reference, revisions, lang, lacking)
    HTML(string=document).write_pdf(path)
    return path


# The booklet's figures and words, as the print edition writes them in Persian.
def fa(value: object) -> str:
    return html.escape(to_persian_digits(str(value)))


def number(value: float, decimals: int) -> str:
    return format_number(value, decimals, "fa")
