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


# The browser's widgets (Streamlit's sliders are React Aria's) take their direction and
# digits from the browser's locale: a Persian page in an en-US browser would run its year
# slider left to right, the English page in an fa-IR browser right to left. React Aria
# reads its locale from this global before the browser's, but only anew on a
# `languagechange` event heard while one of its widgets is on the page; a slider drawn
# later (another page, the language switched) would keep the old one. So the event is
# sent again a moment after a slider appears, and a moment after the locale is set: a
# slider drawn in the same update as this script listens only once it is on the page (seen
# when pages came up faster: the Persian slider stayed left to right). Twice, at 50 and
# 500 ms, so a busy browser's late listener hears it too; the portal's language decides.
# (Its state has a name of its own: a tab open before this script changed kept `true` under
# the old one.)
WIDGET_LOCALES = {"fa": "fa-IR", "en": "en-US"}
_LOCALE_SCRIPT = """<script>
(() => {
  const key = Symbol.for("react-aria.i18n.locale");
  const state = (window.salnamehLocaleState ??= { timers: [] });
  const announce = () => window.dispatchEvent(new Event("languagechange"));
  const soon = () => {
    state.timers.forEach(clearTimeout);
    state.timers = [50, 500].map((ms) => setTimeout(announce, ms));
  };
  if (window[key] !== "%s") {
    window[key] = "%s";
    announce();
    soon();
  }
  if (state.observer) return;
  const slider = '[data-testid="stSlider"]';
  const added = (record) => [...record.addedNodes].some(
    (node) => node.nodeType === 1 && (node.matches(slider) || node.querySelector(slider)));
  state.observer = new MutationObserver((records) => {
    if (records.some(added)) soon();
  });
  state.observer.observe(document.body, { childList: true, subtree: true });
})();
</script>"""


def widget_locale_script(lang: str) -> str:
    """A script setting the widgets' locale to the reader's language (see WIDGET_LOCALES)."""
    locale = WIDGET_LOCALES.get(lang, WIDGET_LOCALES["en"])
    return _LOCALE_SCRIPT % (locale, locale)
