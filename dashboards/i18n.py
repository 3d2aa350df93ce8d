"""Persian-first page chrome: direction, fonts and the few words the portal needs."""

from __future__ import annotations

# The font (Vazirmatn, else Noto Sans Arabic or DejaVu Sans) is the theme's, set in
# .streamlit/config.toml; here only the direction.
RTL_RULES = """
  .stApp, .stMarkdown, .stSelectbox, .stMultiSelect, .stRadio, .stTextInput, .stTextArea,
  .stButton, .stAlert, .stTabs, [data-testid="stSidebar"], [data-testid="stExpander"],
  [data-testid="stMetric"], [data-testid="stTable"] {
    direction: rtl; text-align: right;
  }
  h1, h2, h3, h4, [data-testid="stHeading"], [data-testid="stCaptionContainer"] {
    direction: rtl; text-align: right;
  }
  /* Charts, maps, code and data grids keep left-to-right axes and column order:
     a mirrored axis clips its labels. */
  [data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"],
  [data-testid="stDataFrame"], [data-testid="stDeckGlJsonChart"], .stCode, code {
    direction: ltr; text-align: left;
  }
"""


def page_css(lang: str) -> str:
    """The portal's style: right-to-left unless the reader chose English."""
    return f"<style>{RTL_RULES}</style>" if lang == "fa" else ""


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
