"""Search over the yearbook's tables and indicators, in Persian and English, as people type:
Arabic ي/ك for ی/ک, words joined or split by a space or a half-space (ZWNJ), Persian,
Arabic-Indic or Latin digits, '3-2' or '۳-۲' for a table number.

Every text is reduced to `salnameh.persian.name_key` (canonical letters, ASCII digits, no
spaces, ZWNJ or punctuation, lower case); a query matches when each of its words' keys is
found in the entry's key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from salnameh.persian import canonical_text, name_key, to_ascii_digits

Query = Callable[..., pd.DataFrame]

TABLES = """
SELECT t.table_id, t.table_number, t.title_fa, t.title_en, t.chapter_no, t.sort_order,
       c.title_fa AS chapter_fa, c.title_en AS chapter_en
FROM marts.dim_table AS t JOIN marts.dim_chapter AS c USING (chapter_no)
ORDER BY t.sort_order
"""
INDICATORS = """
SELECT i.indicator_id, i.table_id, i.table_number, i.title_fa, i.title_en, i.is_headline,
       t.title_fa AS table_title_fa, t.title_en AS table_title_en, t.sort_order
FROM marts.dim_indicator AS i JOIN marts.dim_table AS t USING (table_id)
ORDER BY t.sort_order, NOT i.is_headline, i.indicator_id
"""
_TABLE_NUMBER = re.compile(r"^\d{1,2}\s*[-_/.]\s*\d{1,2}$")


@dataclass(frozen=True)
class Entry:
    kind: str  # table | indicator
    id: str  # table_id or indicator_id
    table_id: str
    number: str  # printed table number, e.g. 17-3
    title_fa: str
    title_en: str
    context_fa: str  # chapter (for a table) or table title (for an indicator)
    context_en: str
    is_headline: bool
    order: int
    title_key: str  # keys of the title, both languages
    key: str  # keys of everything searchable


def _key(*texts: object) -> str:
    return "|".join(name_key(str(t)) for t in texts if isinstance(t, str) and t)


def build_index(query: Query) -> list[Entry]:
    entries = []
    for r in query(TABLES).itertuples(index=False):
        title_key = _key(r.title_fa, r.title_en)
        entries.append(
            Entry(
                "table",
                r.table_id,
                r.table_id,
                r.table_number,
                r.title_fa,
                r.title_en,
                r.chapter_fa,
                r.chapter_en,
                True,
                int(r.sort_order),
                title_key,
                "|".join((title_key, _key(r.table_id, r.chapter_fa, r.chapter_en))),
            )
        )
    for r in query(INDICATORS).itertuples(index=False):
        title_key = _key(r.title_fa, r.title_en)
        context = _key(r.table_title_fa, r.table_title_en, r.indicator_id)
        entries.append(
            Entry(
                "indicator",
                r.indicator_id,
                r.table_id,
                r.table_number,
                r.title_fa,
                r.title_en,
                r.table_title_fa,
                r.table_title_en,
                bool(r.is_headline),
                int(r.sort_order),
                title_key,
                f"{title_key}|{context}",
            )
        )
    return entries


def query_words(text: str) -> tuple[list[str], str | None]:
    """The keys of the words typed, and a table number if one was typed ('3-2', '۳-۲')."""
    text = to_ascii_digits(canonical_text(text))
    number = None
    words = []
    for word in re.split(r"[\s\u200c]+", text):
        if _TABLE_NUMBER.match(word):
            number = re.sub(r"\s*[-_/.]\s*", "-", word)
        elif key := name_key(word):
            words.append(key)
    return words, number


def search(entries: list[Entry], text: str, limit: int = 40) -> list[Entry]:
    """Tables and indicators matching every word typed, best first: a typed table number
    first, then words found in titles, tables before indicators, headlines before their
    breakdowns, in yearbook order."""
    words, number = query_words(text)
    if not words and number is None:
        return []
    found = []
    for entry in entries:
        if number is not None and entry.number != number:
            continue
        if not all(w in entry.key for w in words):
            continue
        in_title = sum(w in entry.title_key for w in words)
        rank = (-in_title, entry.kind != "table", not entry.is_headline, entry.order)
        found.append((rank, entry))
    found.sort(key=lambda pair: pair[0])
    return [entry for _rank, entry in found[:limit]]
