import datetime as dt

import pytest

from salnameh.jalali import (
    format_jalali,
    jalali_year_bounds,
    jalali_year_of,
    parse_jalali_day,
    period_label,
)

pytestmark = pytest.mark.unit


def test_year_bounds_follow_nowruz_not_add_621():
    assert jalali_year_bounds(1402) == (dt.date(2023, 3, 21), dt.date(2024, 3, 19))
    # 1403 is a leap year: Esfand has 30 days.
    assert jalali_year_bounds(1403) == (dt.date(2024, 3, 20), dt.date(2025, 3, 20))


def test_days_before_nowruz_belong_to_the_previous_year():
    assert jalali_year_of(dt.date(2024, 3, 19)) == 1402
    assert jalali_year_of(dt.date(2024, 3, 20)) == 1403


def test_timestamps_are_shown_in_tehran_time_with_persian_digits():
    moment = dt.datetime(2023, 3, 21, 0, 0, tzinfo=dt.UTC)  # 03:30 in Tehran
    assert format_jalali(moment) == "۱۴۰۲/۰۱/۰۱ ۰۳:۳۰"
    assert format_jalali(dt.date(2023, 3, 20), persian_digits=False) == "1401/12/29"


def test_academic_and_crop_years_are_written_as_spans():
    assert period_label(1401, "academic_year") == "1401-1402"
    assert period_label(1401, "year") == "1401"


def test_a_typed_jalali_day_reads_in_either_digits_and_a_wrong_one_says_what_is_expected():
    assert parse_jalali_day("1403/12/30") == dt.date(2025, 3, 20)  # 1403 is leap
    assert parse_jalali_day("۱۴۰۵/۱۲/۲۰") == parse_jalali_day("1405-12-20") == dt.date(2027, 3, 11)
    for wrong in ("1402/12/30", "1402/13/01", "20 Esfand", ""):
        with pytest.raises(ValueError, match="is not a Jalali day like 1403/05/31"):
            parse_jalali_day(wrong)
