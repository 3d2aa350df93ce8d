"""The "selected indicators" booklet: the headline figure of every table for the province
over the last five years, as released, one short PDF next to the yearbook."""

from __future__ import annotations

import html
from pathlib import Path

from publishing.print_edition import fa, number
from salnameh.reference import Reference
from salnameh.settings import Home
from salnameh.snapshots import PUBLIC, open_snapshot

YEARS_SHOWN = 5

STYLE = """
@page { size: A4; margin: 14mm;
        @bottom-center { content: counter(page, persian); font-size: 8pt; } }
html { direction: rtl; font-family: "Vazirmatn", "Noto Sans Arabic", "DejaVu Sans", sans-serif;
       font-size: 7.5pt; }
h1 { font-size: 14pt; text-align: center; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.4pt solid #888; padding: 0.8mm 1.2mm; }
th { background: #eee; } td.n { text-align: left; direction: ltr; white-space: nowrap; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
"""

HEADLINES = """
SELECT s.year, i.table_number, i.title_fa AS indicator, u.title_fa AS unit, s.value, s.flag,
       i.decimals
FROM marts.fct_indicator_series AS s
JOIN marts.dim_indicator AS i USING (indicator_id)
JOIN reference.units AS u ON u.unit = i.unit
WHERE s.version = 'released' AND s.basis = 'as_published' AND s.geo_level = 'province'
  AND i.is_headline AND s.year BETWEEN ? - ? + 1 AND ?
ORDER BY i.chapter_no, i.table_number, i.measure_id, s.year
"""


def write_booklet(salnameh_home: Home, year: int, path: Path) -> Path:
    from weasyprint import HTML

    with open_snapshot(salnameh_home, PUBLIC) as con:
        rows = con.execute(HEADLINES, [year, YEARS_SHOWN, year]).df()
    years = sorted(set(rows["year"]))
    province = html.escape(Reference.for_home(salnameh_home).province_names.title_fa)
    head = "".join(f"<th>{fa(y)}</th>" for y in years)
    body = []
    for (number_, indicator, unit), group in rows.groupby(
        ["table_number", "indicator", "unit"], sort=False
    ):
        by_year = {r.year: r for r in group.itertuples()}
        cells = []
        for y in years:
            r = by_year.get(y)
            shown = "" if r is None or r.value != r.value else number(r.value, int(r.decimals))
            cells.append(f'<td class="n">{shown}</td>')
        body.append(f"<tr><td>{fa(number_)}</td><td>{html.escape(indicator)}</td>"
                    f"<td>{html.escape(unit)}</td>{''.join(cells)}</tr>")  # fmt: skip
    document = (
        "<!doctype html><html lang='fa' dir='rtl'><head><meta charset='utf-8'>"
        f"<style>{STYLE}</style></head><body><h1>گزیده شاخص‌های {province} {fa(year)}</h1>"
        f"<table><thead><tr><th>جدول</th><th>شاخص</th><th>واحد</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></body></html>"
    )
    HTML(string=document).write_pdf(path)
    return path
