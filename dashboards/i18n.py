"""Persian-first page chrome: direction, fonts and the few words the portal needs."""

from __future__ import annotations

RTL_CSS = """
<style>
  .stApp, .stMarkdown, .stSelectbox, .stRadio, [data-testid="stSidebar"] {
    direction: rtl; text-align: right;
    font-family: Vazirmatn, "DejaVu Sans", Tahoma, sans-serif;
  }
  h1, h2, h3, [data-testid="stHeading"], [data-testid="stCaptionContainer"] {
    direction: rtl; text-align: right;
  }
  /* Charts and data grids keep left-to-right axes and column order. */
  [data-testid="stVegaLiteChart"], [data-testid="stDataFrame"] { direction: ltr; }
</style>
"""

WORDS = {
    "title": ("سالنامه آماری استان تهران", "Tehran Province Statistical Yearbook"),
    "language": ("زبان", "Language"),
    "chapter": ("فصل", "Chapter"),
    "tables": ("جدول‌ها", "Tables"),
    "table": ("جدول", "Table"),
    "agency": ("دستگاه متولی", "Responsible agency"),
    "period": ("دوره", "Period"),
    "geography": ("سطح جغرافیایی", "Geography"),
    "measures": ("شاخص‌ها", "Measures"),
    "dimensions": ("طبقه‌بندی‌ها", "Breakdowns"),
    "rules": ("قواعد کنترل", "Validation rules"),
    "footnotes": ("یادداشت‌ها", "Notes"),
    "catalog_summary": (
        "{tables} جدول در {chapters} فصل",
        "{tables} tables in {chapters} chapters",
    ),
    "demo_files": (
        "{files} فایل نمونه دستگاه‌ها برای سال‌های {first} تا {last}",
        "{files} demo agency files for {first}-{last}",
    ),
}


def word(key: str, lang: str, **values: object) -> str:
    fa, en = WORDS[key]
    return (fa if lang == "fa" else en).format(**values)
