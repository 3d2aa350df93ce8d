"""Persian text as agencies really type it: canonical letters, digits, separators, symbols.

Agency files mix Arabic and Persian code points, three digit systems and two sets of
separators. Everything that compares names or parses numbers goes through here, so one
spelling rule holds across ingestion, the warehouse and the portal.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"
TATWEEL = "\u0640"

# Arabic letters that Persian keyboards and old systems still produce, to the Persian ones.
_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ي Arabic yeh -> ی
        "\u0649": "\u06cc",  # ى alef maksura -> ی
        "\u0643": "\u06a9",  # ك Arabic kaf -> ک
        "\u0629": "\u0647",  # ة teh marbuta -> ه
        "\u06c0": "\u0647",  # ۀ heh with yeh above -> ه (spelled ه + ی in the key only)
        "\u0623": "\u0627",  # أ -> ا (keys only; see name_key)
        "\u0625": "\u0627",  # إ -> ا
    }
)
# Persian ۰-۹ and Arabic-Indic ٠-٩ to ASCII; identifiers stay strings, so leading zeros live.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_ASCII_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# Yearbook symbols: a cell holding one has no number (DOMAIN.md section 4). Longest first.
SYMBOLS = {
    "××": "cannot_calculate",
    "**": "estimated",
    "...": "not_available",
    "//": "negligible",
    "×": "not_applicable",
    "*": "provisional",
    "-": "not_collected",
    "ـ": "not_collected",
}
SYMBOL_MEANINGS = {
    "not_collected": ("آمارگیری نشده", "not collected"),
    "not_available": ("در دسترس نیست", "not available"),
    "not_applicable": ("موردی ندارد", "not applicable"),
    "cannot_calculate": ("قابل محاسبه نیست", "cannot be calculated"),
    "negligible": ("ناچیز", "negligible"),
    "provisional": ("موقت", "provisional"),
    "estimated": ("برآوردی", "estimated"),
}
FLAG_SYMBOL = {"not_collected": "-", **{v: k for k, v in SYMBOLS.items() if v != "not_collected"}}


def to_ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def to_persian_digits(text: str) -> str:
    return text.translate(_ASCII_TO_PERSIAN)


# Text quoted from a file («...») stays as the liaison typed it; a digit inside a Latin
# word or code (UTF-8, B12, .xlsx) stays Latin.
_QUOTED_OR_DIGITS = re.compile(r"«[^»]*»|(?<![0-9A-Za-z])(?<![A-Za-z]-)[0-9][0-9,.]*")


def persian_message(text: str) -> str:
    """A Persian message in the reader's digits: «سال 1395» -> «سال ۱۳۹۵», «1390, 1395» ->
    «۱۳۹۰، ۱۳۹۵»; quotations of the file and Latin codes are left alone."""

    def persian(found: re.Match) -> str:
        part = found.group()
        if part.startswith("«"):
            return part
        number = part.rstrip(",.")
        tail = part[len(number):].replace(",", "،")
        return to_persian_digits(number.replace(",", "٬").replace(".", "٫")) + tail

    return _QUOTED_OR_DIGITS.sub(persian, text)


def format_number(value: float, decimals: int | None, lang: str) -> str:
    """A figure as the reader writes it: 13267637 -> '۱۳٬۲۶۷٬۶۳۷' (fa), '13,267,637' (en).

    Persian separates thousands with ٬ and decimals with ٫ (never a Latin comma beside
    Persian digits); no scientific notation, whatever the size. decimals=None prints a
    whole number without decimals and anything else with the decimals it has (up to 6).
    """
    value = float(value)
    places = 6 if decimals is None else decimals
    text = f"{value:,.{places}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang != "fa":
        return text
    return to_persian_digits(text.replace(",", "٬").replace(".", "٫"))


# Compiled once: names are keyed by the thousand when a table's code lists are indexed.
_ZWNJ_RUN = re.compile(f"\\s*{ZWNJ}+\\s*")
_SPACES = re.compile(r"\s+")
# The separators go with the rest of the punctuation: a label such as «۲٫۵ میکرون» is
# typed "2.5" by a liaison whose system writes Latin digits (٫ and ٬ are U+066B, U+066C).
_KEY_DROPPED = re.compile(r"[\s\u200c\u200d\u066b\u066c\-_.,،()]+")


def canonical_text(text: str) -> str:
    """Display form: Persian letters, no tatweel, single spaces, ZWNJ kept where typed."""
    text = unicodedata.normalize("NFC", text).translate(_LETTERS).replace(TATWEEL, "")
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    return _SPACES.sub(" ", text).strip()


# One pass for a key: letters canonical, digits ASCII, tatweel gone.
_KEY_CHARACTERS = str.maketrans(
    {**_LETTERS, **{chr(k): chr(v) for k, v in _DIGITS.items()}, TATWEEL: None}
)


def name_key(text: str) -> str:
    """Matching key for names: spelling variants of one place or item give one key.

    «رباطکریم», «رباط كريم» and «رباط‌کریم» all become «رباطکریم»: letters canonical,
    digits ASCII, and spaces, ZWNJ and punctuation dropped. (canonical_text's spacing
    rules are not needed here, since every space and ZWNJ goes: a table's code lists are
    keyed by the thousand, once per file.)
    """
    text = unicodedata.normalize("NFC", text).casefold().translate(_KEY_CHARACTERS)
    return _KEY_DROPPED.sub("", text)


# What a reader types into a search box differs from a title by more than name_key folds:
# آ typed as ا, tashkil (harakat, tanwin, shadda, superscript alef) copied from a text that
# carries it, hamza seats typed bare, and the invisible direction marks a PDF copy adds.
_MARKS = re.compile(
    "[\u064b-\u065f\u0670\u06d6-\u06ed"  # tashkil
    "\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]"  # direction marks
)
_SEARCH_LETTERS = str.maketrans({"\u0622": "\u0627", "\u0626": "\u06cc", "\u0624": "\u0648"})


def search_key(text: str) -> str:
    """Key for matching typed words against titles and names: name_key's, and also آ as ا,
    ئ as ی, ؤ as و, tashkil and direction marks gone. «دانش اموز», «دانشآموز» and
    «دانش‌آموز» give one key. (Looser than name_key, whose keys tell ingested names apart,
    so kept separate from it.)"""
    # The marks go before name_key's NFC, so آ decomposed as ا + maddah keys as ا too.
    return name_key(_MARKS.sub("", text)).translate(_SEARCH_LETTERS)


# A table number as people type or copy it: two parts of one or two digits in any digit
# system, joined by a hyphen, tatweel, the Unicode hyphens and dashes, a slash, a point or
# an underscore, spaces allowed around it. Digits are ASCII by then (to_ascii_digits).
TABLE_NUMBER_DASHES = "-\u0640\u2010\u2011\u2012\u2013\u2014\u2212/._"
_TABLE_NUMBER = re.compile(
    f"(?<![0-9])([0-9]{{1,2}})\\s*[{re.escape(TABLE_NUMBER_DASHES)}]\\s*([0-9]{{1,2}})(?![0-9])"
)


def split_table_numbers(text: str) -> tuple[list[tuple[str, str]], str]:
    """The table numbers typed in `text`, each as its two parts in the order typed, and the
    text without them: «جمعیت ٣-١٧» -> ([("3", "17")], "جمعیت "). A number copied from a
    right-to-left PDF may come with its parts swapped; which order is meant is the
    caller's to decide (a search tries both)."""
    text = to_ascii_digits(_MARKS.sub("", unicodedata.normalize("NFC", text)))
    numbers = [(m.group(1), m.group(2)) for m in _TABLE_NUMBER.finditer(text)]
    return numbers, _TABLE_NUMBER.sub(" ", text)


class NumberFormatError(ValueError):
    """A cell that is neither a number nor a yearbook symbol."""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# A number as a program writes it in text (pandas and fastexcel read and write these):
# ASCII digits, a point, an exponent; no separators.
PLAIN_DECIMAL = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"


def parse_cell(raw: object) -> tuple[float | None, str | None]:
    """A cell's number and flag: (value, None), (None, symbol flag) or (None, None) if empty.

    Accepts Persian/Arabic digits, ٬ or , thousands separators, ٫ or . or / decimals and
    a trailing percent sign. A yearbook symbol gives a flag and no number, never 0.
    Raises NumberFormatError for anything else, so a typo is reported, not guessed at.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        raise NumberFormatError(f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        return (None, None) if raw != raw else (float(raw), None)  # NaN is an empty cell
    # Symbols are matched before canonical_text, which would drop a lone tatweel (ـ).
    compact = re.sub(r"[\s\u200c]+", "", str(raw))
    if compact in SYMBOLS:
        return None, SYMBOLS[compact]
    if compact and set(compact) <= {"-", "ـ"}:
        return None, "not_collected"
    compact = canonical_text(compact)
    if not compact:
        return None, None
    number = to_ascii_digits(compact).strip("%٪")
    number = number.replace("٬", "").replace("،", ",").replace("٫", ".")
    if "," in number:
        # 12,345 (thousands) or 12,345,678 or 1,234.5; a lone comma before 1-2 digits is
        # a decimal comma.
        whole, dot, fraction = number.partition(".")
        groups = whole.lstrip("+-").split(",")
        if dot and all(len(g) == 3 for g in groups[1:]) and groups[0]:
            groups = [whole.replace(",", "") + dot + fraction]
            number = groups[0]
        groups = number.lstrip("+-").split(",")
        if all(len(g) == 3 for g in groups[1:]) and groups[0]:
            number = number.replace(",", "")
        elif len(groups) == 2:
            number = number.replace(",", ".")
        else:
            raise NumberFormatError(f"{raw!r}: cannot tell thousands from decimals")
    if number.count("/") == 1 and "." not in number:
        number = number.replace("/", ".")  # «50/3» is 50.3 in Persian prose
    if not _NUMBER.match(number):
        raise NumberFormatError(f"{raw!r} is not a number or a yearbook symbol")
    return float(number), None
