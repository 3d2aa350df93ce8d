"""The agreement's report for SCI: each commitment of a year against its target, as a
Persian A4 PDF and a right-to-left workbook, from salnameh.agreement.measure."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from publishing.export import edition_folder, print_edition_name
from salnameh.jalali import format_jalali
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference
from salnameh.settings import Home

STATES = {
    "met": ("محقق شد", "met"),
    "not_met": ("محقق نشد", "not met"),
    "pending": ("در جریان", "pending"),
    "no_data": ("بی‌داده", "no data"),
}
MILESTONE_TITLES = {
    "forms_by": "طراحی فرم‌ها",
    "referrals_by": "ارسال ارجاع‌ها",
    "collection_by": "پایان گردآوری",
    "approval_by": "پایان تأیید",
    "electronic_by": "انتشار الکترونیکی",
    "print_by": "انتشار چاپی",
}


def printed_on(salnameh_home: Home, year: int) -> dt.date | None:
    """The day the year's first print edition was written (its PDF), if it was."""
    found = []
    for folder in (salnameh_home.root / "exports" / str(year)).glob("edition-*"):
        number = folder.name.removeprefix("edition-")
        if not number.isdigit():
            continue
        n = int(number)
        pdf = edition_folder(salnameh_home, year, n) / print_edition_name(year, n)
        if pdf.exists():
            found.append(dt.datetime.fromtimestamp(pdf.stat().st_mtime, dt.UTC).date())
    return min(found, default=None)


def shown_value(row: dict, lang: str = "fa", key: str = "value") -> str:
    """A measure's value (at its milestone; `key="value_to_date"`: now) as a reader reads it."""
    value = row[key]
    if value is None:
        return "-"
    text = f"{100 * value:.0f}%" if row["unit"] == "share" else f"{value:g}"
    return to_persian_digits(text).replace("%", "٪") if lang == "fa" else text


def shown_target(row: dict, lang: str = "fa") -> str:
    target = row["target"]
    text = f"{100 * target:.0f}%" if row["unit"] == "share" else f"{target:g}"
    # Words, not ≥ and ≤: those are mirrored in right-to-left text and would read reversed.
    if lang == "fa":
        word = "دست‌کم" if row["comparison"] == "at_least" else "حداکثر"
        return f"{word} {to_persian_digits(text).replace('%', '٪')}"
    return f"{'at least' if row['comparison'] == 'at_least' else 'at most'} {text}"


def _jalali(iso: str) -> str:
    return format_jalali(dt.date.fromisoformat(iso)) if iso else "-"


STYLE = """
@page { size: A4; margin: 18mm 15mm;
        @bottom-center { content: counter(page, persian); font-size: 8pt; } }
html { direction: rtl; font-family: "Vazirmatn", "Noto Sans Arabic", "DejaVu Sans", sans-serif;
       font-size: 9.5pt; }
h1 { font-size: 14pt; text-align: center; } h2 { font-size: 11pt; margin-top: 6mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.4pt solid #888; padding: 1mm 1.5mm; } th { background: #eee; }
td.n { text-align: center; white-space: nowrap; }
.met { color: #15602b; } .not_met { color: #a11; font-weight: bold; }
"""


def write_sla_pdf(report: dict, reference: Reference, path: Path) -> Path:
    from weasyprint import HTML

    e = html.escape
    province = e(reference.province_names.title_fa)
    rows = "".join(
        f"<tr><td>{e(r['title_fa'])}</td><td class='n'>{e(shown_target(r))}</td>"
        f"<td class='n'>{e(_jalali(r['due']))}</td><td class='n'>{e(shown_value(r))}</td>"
        f"<td class='n'>{e(shown_value(r, 'fa', 'value_to_date'))}</td>"
        f"<td class='n {r['state']}'>{STATES[r['state']][0]}</td></tr>"
        for r in report["measures"]
    )
    milestones = "".join(
        f"<tr><td>{MILESTONE_TITLES[m]}</td><td class='n'>{e(_jalali(d))}</td></tr>"
        for m, d in report["timetable"].items()
    )
    extended = (
        "".join(
            f"<tr><td>{e(x['table_id'])}</td><td class='n'>{e(_jalali(x['until']))}</td>"
            f"<td>{e(x['reason'])}</td></tr>"
            for x in report["extensions"]
        )
        or "<tr><td colspan='3'>تمدیدی داده نشده است.</td></tr>"
    )
    year = to_persian_digits(str(report["year"]))
    document = (
        "<!doctype html><html lang='fa' dir='rtl'><head><meta charset='utf-8'>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>گزارش سنجش تفاهم‌نامه سالنامه آماری {province}، سال {year}</h1>"
        f"<p>تاریخ گزارش: {e(_jalali(report['today']))} · "
        f"{to_persian_digits(str(report['tables']))} جدول از "
        f"{to_persian_digits(str(report['agencies']))} دستگاه · "
        f"{to_persian_digits(str(report['met']))} تعهد محقق، "
        f"{to_persian_digits(str(report['not_met']))} تعهد محقق‌نشده</p>"
        "<h2>تعهدها و هدف‌ها</h2><table><thead><tr><th>تعهد</th><th>هدف</th><th>مهلت</th>"
        f"<th>در مهلت</th><th>تاکنون</th><th>وضعیت</th></tr></thead><tbody>{rows}</tbody>"
        "</table>"
        "<h2>زمان‌بندی مرکز آمار ایران</h2><table><thead><tr><th>مرحله</th><th>تاریخ</th>"
        f"</tr></thead><tbody>{milestones}</tbody></table>"
        "<h2>تمدید مهلت جدول‌ها</h2><table><thead><tr><th>جدول</th><th>تا</th><th>دلیل</th>"
        f"</tr></thead><tbody>{extended}</tbody></table></body></html>"
    )
    HTML(string=document).write_pdf(path)
    return path


def write_sla_xlsx(report: dict, path: Path) -> Path:
    """The same report as a right-to-left workbook: measures, timetable, extensions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "تعهدها"
    sheet.sheet_view.rightToLeft = True
    sheet.append(["تعهد", "Measure", "هدف", "مقایسه", "مهلت", "مقدار در مهلت", "مقدار تاکنون",
                  "وضعیت", "State", "توضیح"])  # fmt: skip
    for r in report["measures"]:
        sheet.append([r["title_fa"], r["title_en"], r["target"], r["comparison"],
                      _jalali(r["due"]) if r["due"] else "", r["value"], r["value_to_date"],
                      STATES[r["state"]][0], STATES[r["state"]][1], r["note"]])  # fmt: skip
    times = book.create_sheet("زمان‌بندی")
    times.sheet_view.rightToLeft = True
    times.append(["مرحله", "milestone", "تاریخ", "date"])
    for m, d in report["timetable"].items():
        times.append([MILESTONE_TITLES[m], m, _jalali(d), d])
    extended = book.create_sheet("تمدیدها")
    extended.sheet_view.rightToLeft = True
    extended.append(["جدول", "تا", "until", "دلیل", "به دست", "زمان ثبت"])
    for x in report["extensions"]:
        extended.append([x["table_id"], _jalali(x["until"]), x["until"], x["reason"],
                         x["actor"], x["at"]])  # fmt: skip
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    book.save(path)
    return path
