import pytest

from salnameh.persian import (
    NumberFormatError,
    canonical_text,
    format_number,
    name_key,
    parse_cell,
    persian_message,
    search_key,
    split_table_numbers,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("۱۲٬۳۴۵", 12345.0),  # Persian digits, Arabic thousands separator
        ("12,345,678", 12345678.0),
        ("٤٥٫٥", 45.5),  # Arabic-Indic digits, Arabic decimal separator
        ("50/3", 50.3),  # slash as decimal, as in Persian prose
        ("12.5%", 12.5),
        ("٪۵۰", 50.0),
        (" 1 234 ", 1234.0),
        (7, 7.0),
        (0, 0.0),
        ("0", 0.0),
        ("-3.5", -3.5),
    ],
)
def test_numbers_as_agencies_type_them(raw, expected):
    assert parse_cell(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("-", "not_collected"),
        ("ـ", "not_collected"),  # a lone tatweel
        ("...", "not_available"),
        ("×", "not_applicable"),
        ("××", "cannot_calculate"),
        ("//", "negligible"),
        ("*", "provisional"),
        ("**", "estimated"),
    ],
)
def test_yearbook_symbols_are_flags_never_numbers(raw, flag):
    assert parse_cell(raw) == (None, flag)


@pytest.mark.parametrize("raw", [None, "", "   ", float("nan")])
def test_empty_cells_are_empty(raw):
    assert parse_cell(raw) == (None, None)


@pytest.mark.parametrize("raw", ["abc", "12,34,5", "1.2.3", True])
def test_typos_are_reported_not_guessed(raw):
    with pytest.raises(NumberFormatError):
        parse_cell(raw)


def test_spelling_variants_of_a_county_share_one_key():
    variants = ["رباط کریم", "رباطکریم", "رباط كريم", "رباط‌کریم", " رباط  کریم "]
    assert len({name_key(v) for v in variants}) == 1
    assert name_key("رباط کریم") != name_key("کریم")


def test_a_label_with_a_decimal_matches_whichever_separator_is_typed():
    persian = "ذرات معلق کمتر از ۲٫۵ میکرون"
    assert name_key(persian) == name_key("ذرات معلق کمتر از 2.5 میکرون")
    assert name_key(persian) != name_key("ذرات معلق کمتر از ۲۵۰ میکرون")


def test_canonical_text_uses_persian_letters_and_drops_tatweel():
    assert canonical_text("كرمانشاه  يـزد") == "کرمانشاه یزد"
    assert canonical_text("دانش \u200c آموز") == "دانش\u200cآموز"


def test_numbers_read_in_the_readers_digits_without_scientific_notation():
    assert format_number(3_000_000, None, "fa") == "۳٬۰۰۰٬۰۰۰"
    assert format_number(2_500_000, None, "en") == "2,500,000"
    assert format_number(19_408, 1, "fa") == "۱۹٬۴۰۸٫۰"
    assert format_number(6022.0, 0, "fa") == "۶٬۰۲۲"
    assert format_number(0.5, None, "fa") == "۰٫۵"
    # Persian messages: digits in Persian, a list of years with the Persian comma; the
    # file's own text («...») and Latin codes (UTF-8, B12) stay as they are.
    said = persian_message("جدول 3-2 برای سال 1396 (سال‌ها: 1390, 1395) «ردیف 12» UTF-8 B12")
    assert said == "جدول ۳-۲ برای سال ۱۳۹۶ (سال‌ها: ۱۳۹۰، ۱۳۹۵) «ردیف 12» UTF-8 B12"


@pytest.mark.parametrize(
    "typed",
    [
        "دانش اموز",  # آ typed as ا, a space
        "دانشآموز",  # joined
        "دانش\u200cآموز",  # half-space, as the title spells it
        "دانشْ\u200cآمُوز",  # tashkil
        "دانش\u200cا\u0653موز",  # آ decomposed as ا + maddah
        "دانش\u200fآموز",  # a direction mark from a PDF copy
    ],
)
def test_search_key_folds_what_people_type_into_one_key(typed):
    assert search_key(typed) == search_key("دانش‌آموز") == "دانشاموز"


def test_search_key_is_looser_than_name_key():
    # name_key keeps آ (it tells ingested names apart); the search key does not.
    assert name_key("آموزش") != name_key("اموزش")
    assert search_key("آموزش") == search_key("اموزش")
    assert search_key("مسئول") == search_key("مسیول")
    assert search_key("كيلومتر") == search_key("کیلومتر")


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("17-3", ("17", "3")),
        ("۱۷-۳", ("17", "3")),  # Persian digits
        ("٣-١٧", ("3", "17")),  # Arabic-Indic, parts as a right-to-left PDF copies them
        ("۱۷ـ۳", ("17", "3")),  # tatweel
        ("17\u20103", ("17", "3")),  # hyphen
        ("17\u20113", ("17", "3")),  # non-breaking hyphen
        ("17–3", ("17", "3")),  # en dash
        ("17—3", ("17", "3")),  # em dash
        ("17 / 3", ("17", "3")),
        ("\u200f۳\u200e-\u200f۱۷", ("3", "17")),  # direction marks around the parts
    ],
)
def test_table_numbers_in_any_digits_and_dashes(typed, parts):
    assert split_table_numbers(f"جدول {typed} دانش‌آموز") == ([parts], "جدول   دانش‌آموز")


def test_years_and_long_numbers_are_not_table_numbers():
    assert split_table_numbers("جمعیت ۱۳۹۰-۱۳۹۵")[0] == []
    assert split_table_numbers("1395/12")[0] == []
    assert split_table_numbers("سال 1400")[0] == []
