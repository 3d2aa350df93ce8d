"""The print edition: an edition as a PDF a printer can take, written with WeasyPrint.

Cover, foreword, symbols, contents with page numbers, then each chapter and its tables,
right to left in Persian with Persian digits. A table that runs over a page repeats its
header rows; every page carries its number. The text stays text, so the PDF is searchable.
"""

from __future__ import annotations

import html
import itertools
from pathlib import Path

import pandas as pd

from publishing.edition import Edition
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.jalali import format_jalali
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS, to_persian_digits
from salnameh.reference import Reference
from salnameh.table_grid import table_grid

# Vazirmatn where installed, else Noto Sans Arabic (fonts-noto-core, which .ci/run installs),
# else DejaVu Sans: each shapes Persian.
STYLE = """
@page { size: A4; margin: 18mm 15mm 20mm 15mm;
        @bottom-center { content: counter(page, persian); font-size: 9pt; } }
@page cover { @bottom-center { content: none; } }
html { direction: rtl; font-family: "Vazirmatn", "Noto Sans Arabic", "DejaVu Sans", sans-serif;
       font-size: 8.5pt; }
.cover { page: cover; text-align: center; padding-top: 70mm; page-break-after: always; }
.cover h1 { font-size: 26pt; margin-bottom: 8mm; } .cover p { font-size: 14pt; }
.page { page-break-after: always; }
h1.chapter { page-break-before: always; font-size: 16pt; border-bottom: 1pt solid #444; }
h2 { font-size: 11pt; margin: 6mm 0 2mm; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
th, td { border: 0.4pt solid #888; padding: 1mm 1.5mm; }
th { background: #eee; font-weight: bold; text-align: center; }
td.n { text-align: left; direction: ltr; white-space: nowrap; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.note { font-size: 7.5pt; color: #333; margin: 0.5mm 0; }
.toc a { color: black; text-decoration: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page, persian); }
.toc li { list-style: none; margin: 1mm 0; }
"""


def fa(value: object) -> str:
    return html.escape(to_persian_digits(str(value)))


def number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}".replace(",", "٬").replace(".", "٫")
    return to_persian_digits(text)


def table_html(table: TableDecl, year: int, rows: pd.DataFrame, reference: Reference) -> str:
    """One table in its printed layout: places and row members down, measures across."""
    grid = table_grid(table, year, reference)
    depth = grid.header_depth
    head = ["<tr>" + "".join(f'<th rowspan="{depth}">{html.escape(fa_)}</th>'
                             for fa_, _en in grid.label_headers)]  # fmt: skip
    per_measure = len(grid.columns) // len(table.measures)
    head[0] += "".join(f'<th colspan="{per_measure}">{html.escape(m.title.fa)}</th>'
                       for m in table.measures) + "</tr>"  # fmt: skip
    for level in range(depth - 1):
        cells = "".join(f"<th>{html.escape(c.members[level].label_fa)}</th>" for c in grid.columns)
        head.append(f"<tr>{cells}</tr>")
    figures = {}
    for r in rows.itertuples():
        members = tuple(p.split("=", 1)[1] for p in r.dim_key.split(";")) if r.dim_key else ()
        figures[(r.geo_code, members, r.measure_id)] = r
    body = []
    for row in grid.rows:
        cells = [f"<td>{html.escape(row.place_label) if row.first_of_place else ''}</td>"]
        cells += [f"<td>{html.escape(c.label_fa)}</td>" for c in row.members]
        cells += [f'<td class="n">{_cell(figures.get(grid.key(row, c)), c.measure.decimals)}</td>'
                  for c in grid.columns]  # fmt: skip
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody></table>"


def _cell(r, decimals: int) -> str:
    if r is None:
        return ""
    if isinstance(r.flag, str):
        return html.escape(FLAG_SYMBOL[r.flag])
    return number(r.value, decimals)


def edition_html(values: pd.DataFrame, edition: Edition, catalog: Catalog,
                 reference: Reference, revisions: pd.DataFrame | None = None) -> str:  # fmt: skip
    year, edition_no = fa(edition.year), fa(edition.number)
    province = html.escape(reference.province_names.title_fa)
    parts = [
        f'<section class="cover"><h1>سالنامه آماری {province}</h1>'
        f"<p>{year}</p><p>ویرایش {edition_no}</p>"
        f"<p>سازمان مدیریت و برنامه‌ریزی {province}</p></section>",
        f'<section class="page"><h1>پیشگفتار</h1><p>سالنامه آماری {province} حاصل همکاری '
        "دستگاه‌های اجرایی استان است. ارقام هر جدول را دستگاه متولی آن فراهم کرده و کارشناسان "
        "سازمان پس از بررسی و تأیید منتشر کرده‌اند.</p>"
        f"<p>تاریخ انتشار این ویرایش: {fa(_released(edition))}</p></section>",
        '<section class="page"><h1>نشانه‌ها</h1><table>'
        + "".join(
            f"<tr><td>{html.escape(s)}</td><td>{html.escape(SYMBOL_MEANINGS[f][0])}</td></tr>"
            for f, s in sorted(FLAG_SYMBOL.items(), key=lambda kv: kv[1])
        )
        + "</table></section>",
    ]
    by_table = dict(tuple(values.groupby("table_id", sort=False)))
    tables = [catalog.table(t) for t in edition.tables]
    toc = ['<section class="page toc"><h1>فهرست</h1><ul>']
    for t in tables:
        toc.append(
            f'<li><a href="#{t.id}">جدول {fa(t.number)} - {html.escape(t.title.fa)}</a></li>'
        )
    if revisions is not None and not revisions.empty:
        toc.append('<li><a href="#revisions">تجدیدنظرها</a></li>')
    toc.append("</ul></section>")
    parts += toc
    chapters = reference.chapters
    for chapter_no, group in itertools.groupby(tables, key=lambda t: t.chapter):
        title = chapters[chapter_no].title_fa
        parts.append(f'<h1 class="chapter">فصل {fa(chapter_no)}: {html.escape(title)}</h1>')
        for t in group:
            parts.append(f'<h2 id="{t.id}">جدول {fa(t.number)} - {html.escape(t.title.fa)}</h2>')
            parts.append(table_html(t, edition.year, by_table[t.id], reference))
            parts.append(
                f'<p class="note">مأخذ: {html.escape(reference.agencies[t.agency].name_fa)}</p>'
            )
            parts += [f'<p class="note">* {html.escape(n.fa)}</p>' for n in t.footnotes]
    if revisions is not None and not revisions.empty:
        parts.append('<h1 class="chapter" id="revisions">تجدیدنظرها</h1><table><thead><tr>'
                     "<th>جدول</th><th>مکان</th><th>اعضا</th><th>سنجه</th><th>رقم پیشین</th>"
                     "<th>رقم جدید</th><th>دلیل</th></tr></thead><tbody>")  # fmt: skip
        for r in revisions.itertuples():
            old = "" if pd.isna(r.old_value) else number(r.old_value, 1)
            new = "" if pd.isna(r.new_value) else number(r.new_value, 1)
            cells = [r.table_id, fa(r.geo_code or ""), r.dim_key or "", r.measure_id or ""]
            row = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            row += f'<td class="n">{old}</td><td class="n">{new}</td>'
            parts.append(f"<tr>{row}<td>{html.escape(r.reason or '')}</td></tr>")
        parts.append("</tbody></table>")
    return ("<!doctype html><html lang='fa' dir='rtl'><head><meta charset='utf-8'>"
            f"<title>سالنامه آماری {province} {year}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>")  # fmt: skip


def _released(edition: Edition) -> str:
    import datetime as dt

    moment = dt.datetime.fromisoformat(edition.released_at_utc)
    return format_jalali(moment.date(), persian_digits=False)


def write_pdf(values: pd.DataFrame, edition: Edition, catalog: Catalog, reference: Reference,
              path: Path, revisions: pd.DataFrame | None = None) -> Path:  # fmt: skip
    from weasyprint import HTML

    document = edition_html(values, edition, catalog, reference, revisions)
    HTML(string=document).write_pdf(path)
    return path
