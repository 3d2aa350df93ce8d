"""How the portal writes figures, years and dates: as the printed yearbook does in Persian
(Persian digits, ٬ between thousands, ٫ before decimals, the yearbook's symbols in place of
missing figures), and with ASCII digits and commas in English."""

from __future__ import annotations

import datetime as dt
import math

from persiantools.jdatetime import JalaliDateTime

from salnameh.jalali import MONTHS_FA, TEHRAN, period_label
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS, format_number, to_persian_digits

MONTHS_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)


def digits(text: object, lang: str) -> str:
    """Text with Persian digits in Persian, as it is in English."""
    return to_persian_digits(str(text)) if lang == "fa" else str(text)


def joined(parts: list[str], lang: str) -> str:
    """Parts of one line: '، ' between them in Persian (a middle dot reads as the Persian
    zero '۰' beside digits), ' · ' in English."""
    return ("، " if lang == "fa" else " · ").join(p for p in parts if p)


def table_label(number: str, title: str, lang: str) -> str:
    """A table (or one of its indicators) named with its printed number. In Persian the
    number follows the word «جدول», so the bidi algorithm puts the chapter on the right as
    the yearbook prints it (docs/decisions.md); a number opening the line would not."""
    if lang == "fa":
        return to_persian_digits(f"جدول {number}: {title}")
    return f"{number} {title}"


def number(value: float, decimals: int, lang: str) -> str:
    """13267637 -> '۱۳٬۲۶۷٬۶۳۷' (fa) or '13,267,637' (en)."""
    return format_number(value, decimals, lang)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell(value: float | None, flag: str | None, decimals: int, lang: str) -> str:
    """A table cell as printed: the symbol when the cell holds one, else the number."""
    if isinstance(flag, str) and flag in FLAG_SYMBOL:
        return FLAG_SYMBOL[flag]
    if is_missing(value):
        return ""
    return number(float(value), int(decimals), lang)


def year(value: int, lang: str, period: str = "year") -> str:
    """A reference period as the yearbook writes it: 1402, or 1401-1402 for spans."""
    return digits(period_label(int(value), period), lang)


def jalali_day(moment: dt.datetime, lang: str) -> str:
    """A UTC moment as its day in Tehran: '۶ آذر ۱۴۰۵' or '6 Azar 1405'."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    day = JalaliDateTime(moment.astimezone(TEHRAN))
    if lang == "fa":
        return to_persian_digits(f"{day.day} {MONTHS_FA[day.month - 1]} {day.year}")
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def symbols_legend(lang: str) -> list[tuple[str, str]]:
    """(symbol, meaning) of every yearbook symbol, in the order the yearbook prints them."""
    fa = lang == "fa"
    return [
        (symbol, SYMBOL_MEANINGS[flag][0 if fa else 1])
        for flag, symbol in sorted(FLAG_SYMBOL.items(), key=lambda kv: kv[1])
    ]


def change(current: float, previous: float, unit: str, decimals: int, lang: str) -> str | None:
    """The change from the previous figure: points for percentages, else percent; None when
    there is nothing to compare with."""
    if is_missing(current) or is_missing(previous):
        return None
    if unit == "percent":
        delta = current - previous
        sign = "+" if delta > 0 else "-" if delta < 0 else ""
        points = number(abs(delta), max(int(decimals), 1), lang)
        return f"{sign}{points} " + ("واحد درصد" if lang == "fa" else "points")
    if previous == 0:
        return None
    ratio = (current - previous) / abs(previous) * 100
    sign = "+" if ratio > 0 else "-" if ratio < 0 else ""
    return f"{sign}{number(abs(ratio), 1, lang)}" + ("٪" if lang == "fa" else "%")
