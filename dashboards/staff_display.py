"""How the staff pages write numbers, dates and states, in the reader's language.

Persian readers get Persian digits and Jalali dates in Tehran time; English readers get
Latin digits and the same Jalali dates (the cycle's deadlines are Jalali in both). Plain
functions, no Streamlit, so the pages and the tests share them.
"""

from __future__ import annotations

import datetime as dt
import math

from salnameh.jalali import format_jalali
from salnameh.persian import format_number, to_persian_digits

STATES = {
    # collection.status and the ledger's submission states
    "assigned": ("ارسال‌نشده", "not sent"),
    "rejected": ("ردشده", "rejected"),
    "accepted": ("پذیرفته، در انتظار بررسی", "accepted, awaiting review"),
    "returned": ("بازگشت به دستگاه", "returned to the agency"),
    "approved": ("تأییدشده", "approved"),
    "in_review": ("در دست بررسی", "in review"),
    "received": ("دریافت‌شده", "received"),
    "loading": ("در حال بارگذاری", "loading"),
    "loaded": ("نسخه جاری", "current version"),
    "superseded": ("جایگزین‌شده", "superseded"),
    "unchanged": ("تکراری (بدون تغییر)", "same file again"),
}
VERDICTS = {
    "accepted": ("پذیرفته شد", "accepted"),
    "rejected": ("پذیرفته نشد", "rejected"),
    "unchanged": ("بدون تغییر (همین فایل پیش‌تر رسیده بود)", "unchanged (sent before)"),
}
SEVERITIES = {
    "error": ("خطا", "error"),
    "warning": ("هشدار", "warning"),
    "note": ("یادداشت", "note"),
    "info": ("آگاهی", "info"),
}
ANOMALY_KINDS = {
    "unit_slip": ("اشتباه واحد (حدود هزار برابر)", "unit slip (about x1000)"),
    "sharp_drop": ("افت شدید", "sharp drop"),
    "sharp_rise": ("جهش شدید", "sharp rise"),
    "sudden_zero": ("صفر ناگهانی", "sudden zero"),
    "broken_identity": ("ناسازگاری با جدول دیگر", "broken cross-table identity"),
    "gap": ("بدون رقم", "gap (no figure)"),
    "partial_total": ("جمع ناقص", "partial total"),
}
FLAG_VERDICTS = {
    "real": ("واقعی است (رقم درست است)", "real (the figure is right)"),
    "error": ("خطاست (به دستگاه برگردد)", "error (back to the agency)"),
    None: ("داوری‌نشده", "not judged"),
}


def words(table: dict, key, lang: str) -> str:
    fa, en = table.get(key, (str(key), str(key)))
    return fa if lang == "fa" else en


def digits(text: object, lang: str) -> str:
    """Persian digits in Persian, as they are in English."""
    text = "" if text is None else str(text)
    return to_persian_digits(text) if lang == "fa" else text


def number(value: object, lang: str, decimals: int | None = None) -> str:
    """A figure with thousands separators; empty for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    if decimals is None:
        decimals = 0 if value.is_integer() else 1
    return format_number(value, decimals, lang)


def percent(share: float | None, lang: str) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "-"
    return digits(f"{100 * share:.0f}%", lang).replace("%", "٪" if lang == "fa" else "%")


def jalali_day(day: dt.date | str, lang: str) -> str:
    """A Gregorian date (or ISO text) as its Jalali day, 1403/03/31."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return format_jalali(day, persian_digits=lang == "fa")


def jalali_moment(moment: str | dt.datetime | None, lang: str) -> str:
    """A UTC timestamp from the ledger as Jalali date and time in Tehran."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return format_jalali(moment, persian_digits=lang == "fa")


def days_phrase(days_left: int, lang: str) -> str:
    """'5 days left', 'due today' or '12 days overdue'."""
    if days_left > 0:
        return digits(f"{days_left} روز مانده", lang) if lang == "fa" else f"{days_left} days left"
    if days_left == 0:
        return "مهلت امروز" if lang == "fa" else "due today"
    late = -days_left
    return digits(f"{late} روز گذشته", lang) if lang == "fa" else f"{late} days overdue"
