"""The Salnameh portal: the yearbook's tables by chapter, Persian first.

Run with `salnameh serve` (or `make demo`). Later pages (figures, indicators, uploads,
review) read the published snapshots; this entry page reads only the catalog.
"""

from __future__ import annotations

import streamlit as st

from dashboards.catalog_view import chapter_options, demo_summary, table_card, tables_of_chapter
from dashboards.i18n import RTL_CSS, word
from salnameh.catalog import load_catalog
from salnameh.persian import to_persian_digits
from salnameh.reference import Reference
from salnameh.settings import home


@st.cache_resource
def catalog_and_reference():
    return load_catalog(), Reference()


def main() -> None:
    st.set_page_config(page_title="سالنامه آماری استان تهران", layout="wide")
    lang = st.sidebar.radio("زبان / Language", ["fa", "en"], format_func=lambda x: {
        "fa": "فارسی", "en": "English"}[x], key="lang")  # fmt: skip
    if lang == "fa":
        st.markdown(RTL_CSS, unsafe_allow_html=True)
    catalog, reference = catalog_and_reference()
    st.title(word("title", lang))
    chapters = {t.chapter for t in catalog}
    summary = word("catalog_summary", lang, tables=len(catalog), chapters=len(chapters))
    summary = to_persian_digits(summary) if lang == "fa" else summary
    # The catalog version is a hash: its digits stay Latin.
    st.caption(f"{summary} · catalog {catalog.version}")
    files = demo_summary(home().demo_dir)
    if files:
        text = word("demo_files", lang, **files)
        st.caption(to_persian_digits(text) if lang == "fa" else text)

    options = chapter_options(catalog, reference, lang)
    labels = dict(options)
    chapter = st.sidebar.selectbox(word("chapter", lang), [n for n, _ in options],
                                   format_func=labels.get, key="chapter")  # fmt: skip
    st.header(labels[chapter])
    for table in tables_of_chapter(catalog, chapter):
        card = table_card(table, reference, lang)
        with st.expander(f"{word('table', lang)} {card['number']}: {card['title']}"):
            st.markdown(f"**{word('agency', lang)}:** {card['agency']}")
            st.markdown(f"**{word('period', lang)}:** {card['period']}")
            st.markdown(f"**{word('geography', lang)}:** {card['geography']}")
            if card["dimensions"]:
                st.markdown(f"**{word('dimensions', lang)}:** " + "، ".join(card["dimensions"]))
            st.markdown(f"**{word('measures', lang)}:** " + "، ".join(card["measures"]))
            for note in card["footnotes"]:
                st.caption(note)


main()
