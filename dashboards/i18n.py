"""Persian-first page chrome: direction, fonts and the few words the portal needs."""

from __future__ import annotations

# Vazirmatn is fetched from the npm registry by `make setup` into dashboards/static/fonts/
# (served by Streamlit's static serving, never committed); where it is missing the browser
# falls back to Noto Sans Arabic or DejaVu Sans, both of which shape Persian.
FONT_STACK = 'Vazirmatn, "Noto Sans Arabic", "DejaVu Sans", Tahoma, sans-serif'
FONT_FACE = """
  @font-face { font-family: Vazirmatn; font-weight: 400; font-display: swap;
    src: url("app/static/fonts/Vazirmatn-Regular.woff2") format("woff2"); }
  @font-face { font-family: Vazirmatn; font-weight: 700; font-display: swap;
    src: url("app/static/fonts/Vazirmatn-Bold.woff2") format("woff2"); }
"""
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
    """The portal's style: the Persian font always, right-to-left unless in English."""
    body = FONT_FACE + f"  .stApp, .stApp * {{ font-family: {FONT_STACK}; }}\n"
    # Code and the icon font keep their own faces.
    body += (
        "  .stApp code, .stApp pre, .stApp [data-testid='stIconMaterial']"
        " { font-family: revert; }\n"
    )
    if lang == "fa":
        body += RTL_RULES
    return f"<style>{body}</style>"


# Kept for pages written before page_css: the right-to-left rules alone.
RTL_CSS = f"<style>{RTL_RULES}</style>"


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
