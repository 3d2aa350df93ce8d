"""Text from agencies must never run as a formula in Excel or LibreOffice.

A cell whose text starts with = + - @ (or a tab or carriage return, which some readers
strip before looking) is a formula to a spreadsheet. Such text gets a leading apostrophe;
a yearbook symbol ('-' alone, '...') and numbers are left as they are.
"""

from __future__ import annotations

from salnameh.persian import SYMBOLS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    if not isinstance(value, str) or value in SYMBOLS or not value.startswith(FORMULA_STARTS):
        return value
    return "'" + value
