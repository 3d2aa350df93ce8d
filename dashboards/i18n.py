"""Persian-first page chrome: the right-to-left layout (the font is the theme's)."""

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
