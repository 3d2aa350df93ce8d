"""The pieces of ingestion on their own: places, identity hints, CSV sniffing, layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingestion.identify import TitleHints, title_hints
from ingestion.layout import TableShape, find_layout
from ingestion.places import Places
from ingestion.readers import Book, Sheet, choose_delimiter, decode_text, read_csv
from ingestion.values import _as_numbers, long_values
from salnameh.persian import parse_cell
from salnameh.reference import Reference

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


def test_a_county_from_the_wrong_year_says_when_it_existed_and_where_it_belonged(reference):
    places = Places(reference, "county", 1390)
    pardis = places.match("پردیس")
    assert pardis.code is None and pardis.known
    assert "from 1391" in pardis.en and "Tehran county" in pardis.en
    assert "۱۳۹۱" in pardis.fa or "1391" in pardis.fa
    assert Places(reference, "county", 1391).match("پردیس").code == "2320"


def test_place_spellings_codes_and_aliases(reference):
    places = Places(reference, "county", 1396)
    assert places.match("رباط كريم").code == "2312"  # Arabic letters, space
    assert places.match("رباطکریم").code == "2312"
    assert places.match("اسلام‌شهر").code == "2310"  # ZWNJ
    assert places.match("شمیران").code == "2304"  # alias seed
    assert places.match("۲۳۰۹").code == "2309"  # SCI code in Persian digits
    assert places.match(2309.0).code == "2309"  # code typed as a number
    assert places.match("کل استان").code == "23"
    assert places.match("Pishva").code == "2318"
    assert not places.match("کرج").code  # left for Alborz in 1389
    assert not places.match("مریخ").known


def test_tehran_is_the_province_in_a_province_table_and_the_county_in_a_county_table(
    reference,
):
    assert Places(reference, "province", 1396).match("تهران").code == "23"
    assert Places(reference, "county", 1396).match("تهران").code == "2301"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,950.5", 1950.5),
        ("۱۲٬۳۴۵٫۶", 12345.6),
        ("١٢٣٤", 1234.0),
        ("50/3", 50.3),
        ("12.5%", 12.5),
        ("۱۲٫۵٪", 12.5),
    ],
)
def test_numbers_as_agencies_type_them(raw, expected):
    assert parse_cell(raw) == (expected, None)


def test_delimiter_and_encoding_are_detected():
    lines = ["a;b;c", "1;2,5;3", "4;5;6"]
    assert choose_delimiter(lines) == ";"
    assert choose_delimiter(["a\tb", "1\t2"]) == "\t"
    assert choose_delimiter(['"1,234",5', '"6,789",1']) == ","
    text = "شهرستان,دانش‌آموز\r\nتهران,12\r\n"
    assert decode_text(text.encode("utf-8-sig")) == (text, "utf-8-sig")
    arabic = "شهرستان,تعداد\r\nري,12\r\n"
    assert decode_text(arabic.encode("cp1256")) == (arabic, "cp1256")
    assert decode_text(text.encode("utf-16")) == (text, "utf-16")


def test_title_rows_give_table_number_and_year():
    book = Book("csv", [Sheet("csv", [["جدول ۱۷-۳ - دانش‌آموزان"], ["سال ۱۳۹۵-۱۳۹۶"], []])])
    hints = title_hints(book)
    assert hints.number == "17-3" and hints.year == 1395


def test_a_footnote_under_a_short_table_is_no_title():
    """A one-county province's table ends within the rows a title is looked for in; the
    year in its footnote («... از سال ۱۳۹۹ ...») is not the file's year."""
    rows = [["شهرستان", "شعبه"], ["کل استان", "508"], ["قم", "508"], [],
            ["* بانک‌های ادغام‌شده از سال ۱۳۹۹ در گروه بانک‌های دولتی آمده‌اند."]]  # fmt: skip
    assert title_hints(Book("csv", [Sheet("csv", rows)])).year is None
    titled = [["جدول ۱۴-۲"], ["سال ۱۳۹۰"], *rows]
    assert title_hints(Book("csv", [Sheet("csv", titled)])) == TitleHints("14-2", 1390)


def test_layout_from_a_csv_with_joined_headers_and_carried_labels(reference, catalog):
    table = catalog.table("literacy_learners_county_sex")
    shape = TableShape(table, reference, 1396)
    header_fa = [m.title.fa for m in table.measures]
    sexes = [c.label_fa for c in reference.members("sex")]
    header = ["شهرستان"] + [f"{m} - {s}" for m in header_fa for s in sexes]
    rows = [["جدول 21-4"], ["سال 1396"], header]
    for geo in shape.places.expected:
        name = "کل استان" if geo.level == "province" else geo.name_fa
        rows.append([name] + ["۱۰"] * (len(header) - 1))
    rows += [["مأخذ: نهضت سوادآموزی"], [""] * len(header)]
    text = "\n".join(",".join(r) for r in rows).encode("utf-8")
    book = read_csv(text, "x.csv")
    layout = find_layout(book.sheets[0], shape)
    assert not isinstance(layout, list), layout
    assert [p.code for p in layout.problems if p.severity == "error"] == []
    assert len(layout.rows) == len(shape.places.expected)
    values, problems = long_values(layout, shape)
    assert problems == []
    assert len(values) == len(shape.places.expected) * len(header_fa) * len(sexes)
    assert set(values["value"]) == {10.0}
    assert values["row"].min() == 4  # 1-based rows, as the liaison sees them


def test_yearbook_symbols_become_flags_never_zero(reference, catalog):
    table = catalog.table("post_units_county")
    shape = TableShape(table, reference, 1396)
    header = ["شهرستان"] + [m.title.fa for m in table.measures]
    rows = [header]
    for i, geo in enumerate(shape.places.expected):
        name = "کل استان" if geo.level == "province" else geo.name_fa
        cell = ["...", "-", "ـ", "×", "//", "**"][i % 6] if i else "5"
        rows.append([name] + [cell] * (len(header) - 1))
    layout = find_layout(Sheet("s", rows), shape)
    values, problems = long_values(layout, shape)
    assert problems == []
    flagged = values[values["geo"] != "23"]
    assert flagged["value"].isna().all()
    assert set(flagged["flag"]) == {
        "not_available", "not_collected", "not_applicable", "negligible", "estimated",
    }  # fmt: skip


def test_path_convention(catalog, reference):
    from ingestion.identify import path_hints

    hints = path_hints(Path("inbox/1398/post/post_units_county.xlsx"), catalog, reference)
    assert hints == {"table_id": "post_units_county", "agency": "post", "year": 1398}


def _read_by_pandas(texts: list[str]) -> np.ndarray:
    """Which texts pd.to_numeric(errors="coerce") reads as a finite number: the values step
    judges the others with parse_cell ('nan' and 'inf' typed as text included)."""
    found = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(float)
    return np.isfinite(found)


def test_text_cells_are_read_as_numbers_where_pandas_reads_them_correctly_rounded():
    """A CSV's cells are parsed by Arrow (3.6 times faster, half the memory): the cells
    pandas reads as numbers, and no others, each the nearest float to its decimal text
    (as Python's float() gives it; pandas is a unit in the last place off on some long
    numbers written with a '+')."""
    rng = np.random.default_rng(1396)
    figures = np.concatenate([rng.integers(-10**12, 10**12, 3000).astype(float),
                              rng.normal(0, 1e6, 3000), rng.lognormal(0, 40, 3000)])  # fmt: skip
    formats = ["{!r}", "{:.3f}", "{:.17g}", "{:e}", "{:.0f}", " {:.2f} ", "\t{:g}\n", "+{:.1f}"]
    texts = [form.format(x) for x in figures for form in formats[: 2 + int(abs(x)) % 7]]
    texts += ["-0", ".5", "5.", "-.5", "+.5e-3", "1E+05", "0012", "1e500", "-1e-400",
              "4.9e-324", "99999999999999999999", "1_000", "0x1A", "1.5e", "e5", "nan",
              "inf", "Infinity", "۱۲", "١٢", "1,234", "١٫٥", "12%", "1 000", "-", "...", "",
              "  ", "\u00a012", "12\u200c"]  # fmt: skip
    ours = _as_numbers(np.array(texts, dtype=object))
    read = np.isfinite(ours)
    assert read.tolist() == _read_by_pandas(texts).tolist()
    nearest = [float(t) for t, r in zip(texts, read, strict=True) if r]
    assert ours[read].tolist() == nearest
    assert np.signbit(ours[texts.index("-0")])
    # a block with numbers among the text still goes through pandas
    mixed = np.array([1.5, "2", "x", None], dtype=object)
    assert np.array_equal(_as_numbers(mixed), [1.5, 2.0, np.nan, np.nan], equal_nan=True)
    # the caller fills in what parse_cell reads
    ours[~read] = 0.0
    # text Arrow cannot hold (a lone surrogate) is read by pandas, as before
    odd = np.array(["12", "a\udcff"], dtype=object)
    assert np.array_equal(_as_numbers(odd), [12.0, np.nan], equal_nan=True)
