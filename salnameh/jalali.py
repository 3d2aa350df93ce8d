"""The Jalali (Solar Hijri) calendar, as users read dates.

Years are Jalali everywhere; 'add 621' is wrong for the days between 1 January and
Nowruz, so conversions go through persiantools. Times shown to users are in Asia/Tehran.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from persiantools.jdatetime import JalaliDate, JalaliDateTime

from salnameh.persian import to_ascii_digits, to_persian_digits

TEHRAN = ZoneInfo("Asia/Tehran")
MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip


def jalali_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last Gregorian day of a Jalali year (1 Farvardin to the end of Esfand)."""
    first = JalaliDate(year, 1, 1).to_gregorian()
    last = JalaliDate(year + 1, 1, 1).to_gregorian() - dt.timedelta(days=1)
    return first, last


def today_in_tehran() -> dt.date:
    return dt.datetime.now(TEHRAN).date()


def jalali_year_of(day: dt.date) -> int:
    return JalaliDate(day).year


def current_jalali_year(now: dt.datetime | None = None) -> int:
    now = now or dt.datetime.now(TEHRAN)
    return JalaliDate(now.astimezone(TEHRAN).date()).year


def format_jalali(moment: dt.datetime | dt.date, persian_digits: bool = True) -> str:
    """'1402/07/15 14:30' in Tehran time for a datetime, '1402/07/15' for a date."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        text = JalaliDateTime(moment.astimezone(TEHRAN)).strftime("%Y/%m/%d %H:%M")
    else:
        text = JalaliDate(moment).strftime("%Y/%m/%d")
    return to_persian_digits(text) if persian_digits else text


def period_label(year: int, period: str) -> str:
    """How a reference period is written in the yearbook: 1402, or 1401-1402 for spans."""
    if period in ("academic_year", "crop_year"):
        return f"{year}-{year + 1}"
    return str(year)


def parse_jalali_day(text: str) -> dt.date:
    """A Jalali day as people type it (1403/05/31, ۱۴۰۳/۰۵/۳۱ or 1403-05-31) as a Gregorian
    date; ValueError saying what was expected otherwise."""
    try:
        year, month, day = (
            int(p) for p in to_ascii_digits(text.strip()).replace("-", "/").split("/")
        )
        return JalaliDate(year, month, day).to_gregorian()
    except ValueError:
        raise ValueError(f"{text!r} is not a Jalali day like 1403/05/31 (year/month/day)") from None
