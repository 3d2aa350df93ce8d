"""Search over the yearbook's tables, indicators and places, in Persian and English, as
people type: Arabic ي/ك for ی/ک, آ typed as ا, tashkil, words joined or split by a space
or a half-space (ZWNJ), Persian, Arabic-Indic or Latin digits, and a table number with any
dash and its parts in either order («۱۷-۳», «17–3», «٣-١٧» as a right-to-left PDF copies it).

Texts and typed words are reduced to `salnameh.persian.search_key`; table numbers are taken
out of the typed text first (`split_table_numbers`). A typed word that names a place of the
home (a county, the province; on a national hub also the provinces and Iran) makes the
indicators that hold figures for that place come back as that place's series: «جمعیت
شمیرانات» is the population of Shemiranat, opened in the explorer with Shemiranat chosen.

How results are ranked (`score` and `rank`):
  score = 1000 if the typed table number is the entry's, 900 if it is with its parts
          swapped (a PDF copy), else 0
        + 200 if a place typed is the entry (a place result) or is held by the indicator
          (a place series)
        + for each other typed word, where it was found:
            30 a whole word of the title (or words, typed joined: «دانشآموزان»),
            20 the start of a title word («دانش» in «دانش‌آموزان»),
            10 elsewhere inside the title,
             5 only in the context (a table's chapter, an indicator's table, a place's
               province or level)
  rank: results with every typed word found come first, then partial ones (some words
  found, words of three letters or more only: shorter fragments are inside everything);
  within each, by score, then totals before breakdowns, then the years a place series
  holds (the longest series of a place first), then tables, indicators, places, then
  yearbook order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from dashboards.explorer_data import PLACES, place_options
from salnameh.persian import canonical_text, search_key, split_table_numbers

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
# The indicators with a published figure for one place, and in how many years. Asked per
# place typed, not for all at once: a national hub's series hold millions of rows.
HELD = """
SELECT indicator_id, count(DISTINCT year) AS years
FROM marts.fct_indicator_series
WHERE geo_code = ? AND basis = 'as_published' AND value IS NOT NULL
GROUP BY indicator_id
"""
# Every name a place has had (a county renamed keeps its old name in the geography).
NAMES = "SELECT DISTINCT geo_code, name_fa, name_en FROM marts.dim_geography"
LEVELS = {
    "nation": ("کشور", "country"),
    "province": ("استان", "province"),
    "county": ("شهرستان", "county"),
}

# The weights of the score (see the module's docstring).
NUMBER, NUMBER_SWAPPED, PLACE = 1000, 900, 200
WHOLE_WORD, WORD_START, IN_TITLE, IN_CONTEXT = 30, 20, 10, 5
PARTIAL_MIN_LETTERS = 3
# Words that say what is looked for rather than what it is called («جدول ۱۷-۳», "table 3-2").
NOT_SEARCHED = frozenset(map(search_key, ("جدول", "شماره", "table", "number", "no.")))
_WORDS = re.compile(r"[\s\u200c]+")
# Titles repeat their words (and indicators their table's title) thousands of times.
_key = lru_cache(maxsize=1 << 16)(search_key)


@dataclass(frozen=True)
class Keys:
    """A text's search keys: the title's words run together (each language apart), where
    each title word starts and ends in it, and the context's."""

    title: str
    starts: frozenset[int]
    ends: frozenset[int]
    context: str

    @classmethod
    def of(cls, titles: tuple[str, ...], context: tuple[str, ...]) -> Keys:
        title, starts, ends = "", set(), set()
        for text in titles:
            title += "|"
            for word in _WORDS.split(text or ""):
                if key := _key(word):
                    starts.add(len(title))
                    title += key
                    ends.add(len(title))
        return cls(title, frozenset(starts), frozenset(ends), "|".join(map(_key, context)))

    def weight(self, word: str) -> int:
        """Where `word` (a search key) is found, as its weight in the score; 0 if nowhere."""
        best = 0
        at = self.title.find(word)
        while at >= 0:
            if at in self.starts:
                best = max(best, WHOLE_WORD if at + len(word) in self.ends else WORD_START)
            else:
                best = max(best, IN_TITLE)
            at = self.title.find(word, at + 1)
        if best:
            return best
        return IN_CONTEXT if word in self.context else 0


@dataclass(frozen=True)
class Entry:
    kind: str  # table | indicator | place
    id: str  # table_id, indicator_id or geo_code
    table_id: str  # the table of a table or indicator; "" for a place
    number: str  # printed table number, e.g. 17-3; "" for a place
    title_fa: str
    title_en: str
    context_fa: str  # chapter (table), table title (indicator), province or level (place)
    context_en: str
    is_headline: bool
    order: int
    keys: Keys
    level: str = ""  # a place's: nation, province or county


@dataclass(frozen=True)
class Index:
    entries: list[Entry]
    places: dict[str, list[Entry]]  # by the search key of each of their names
    query: Query
    _held: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    def held(self, geo_code: str) -> dict[str, int]:
        """The indicators with figures for a place -> in how many years (kept once asked)."""
        if geo_code not in self._held:
            found = self.query(HELD, (geo_code,))
            self._held[geo_code] = dict(zip(found["indicator_id"], found["years"], strict=True))
        return self._held[geo_code]


@dataclass(frozen=True)
class Result:
    """One result: an entry, and the place it is shown for (a place series), with what
    matched, for the page to say: the table number ("number" or "number_swapped"), the
    place, and the typed words found in the title or in the context."""

    entry: Entry
    place: Entry | None
    score: int
    complete: bool  # every typed word found
    number: str  # "", "number" or "number_swapped"
    in_title: tuple[str, ...]  # typed words (as typed) found in the title
    in_context: tuple[str, ...]
    years: int  # years a place series holds

    @property
    def rank(self) -> tuple:
        kind = ("table", "indicator", "place").index(self.entry.kind)
        return (
            not self.complete,
            -self.score,
            not self.entry.is_headline,
            -self.years,
            kind,
            self.entry.order,
        )


def build_index(
    query: Query, national: bool = False, aliases: Callable[[str], Mapping[str, str]] | None = None
) -> Index:
    """Every table, indicator and place of the snapshot, keyed for search. `aliases`
    gives a province's other spellings of its places (alias -> code: «شمیران», «شهر ری»;
    `Reference.geography_aliases`), asked for each province the index holds."""
    entries = []
    for r in query(TABLES).itertuples(index=False):
        keys = Keys.of((r.title_fa, r.title_en), (r.chapter_fa, r.chapter_en))
        entries.append(
            Entry(
                kind="table",
                id=r.table_id,
                table_id=r.table_id,
                number=r.table_number,
                title_fa=r.title_fa,
                title_en=r.title_en,
                context_fa=r.chapter_fa,
                context_en=r.chapter_en,
                is_headline=True,
                order=int(r.sort_order),
                keys=keys,
            )
        )
    for r in query(INDICATORS).itertuples(index=False):
        keys = Keys.of((r.title_fa, r.title_en), (r.table_title_fa, r.table_title_en))
        entries.append(
            Entry(
                kind="indicator",
                id=r.indicator_id,
                table_id=r.table_id,
                number=r.table_number,
                title_fa=r.title_fa,
                title_en=r.title_en,
                context_fa=r.table_title_fa,
                context_en=r.table_title_en,
                is_headline=bool(r.is_headline),
                order=int(r.sort_order),
                keys=keys,
            )
        )
    places: dict[str, list[Entry]] = {}
    located = _places(query, national)
    other_names: dict[str, list[str]] = {}
    for code, name_fa, name_en in query(NAMES).itertuples(index=False):
        other_names.setdefault(code, []).extend((name_fa, name_en))
    for province in (p.id for p, _ in located if p.level == "province"):
        for alias, code in (aliases(province) if aliases else {}).items():
            other_names.setdefault(code, []).append(alias)
    for place, names in located:
        names = names + other_names.get(place.id, [])
        entries.append(place)
        for name in names:
            named = places.setdefault(search_key(name), [])
            if place not in named:
                named.append(place)
    return Index(entries, places, query)


def _places(query: Query, national: bool) -> list[tuple[Entry, list[str]]]:
    """The places the explorer offers (`place_options`), labelled as it labels them (on a
    hub a county with its province), each with its level and (for a county) its province
    as context, and the names it may be typed by: its own, in Persian and English, and a
    province's without the word «استان» / "Province"."""
    options = place_options(query, national)
    bare = query(PLACES).set_index("geo_code")
    provinces = options[options["level"] == "province"].set_index("geo_code")
    found = []
    for order, r in enumerate(options.itertuples(index=False)):
        name_fa = bare.at[r.geo_code, "name_fa"] if r.geo_code in bare.index else r.name_fa
        name_en = bare.at[r.geo_code, "name_en"] if r.geo_code in bare.index else r.name_en
        level_fa, level_en = LEVELS.get(r.level, ("", ""))
        parent = r.parent_code if isinstance(r.parent_code, str) else None
        if parent in provinces.index:
            context_fa = f"{level_fa}، {bare.at[parent, 'name_fa']}"
            context_en = f"{level_en}, {bare.at[parent, 'name_en']}"
        else:
            context_fa, context_en = level_fa, level_en
        keys = Keys.of((r.name_fa, r.name_en), (context_fa, context_en))
        names = [name_fa, name_en, r.name_fa, r.name_en]
        if r.level == "province":
            names += [re.sub(r"^استان\s+", "", name_fa), re.sub(r"\s+Province$", "", name_en)]
        place = Entry(
            kind="place",
            id=r.geo_code,
            table_id="",
            number="",
            title_fa=r.name_fa,
            title_en=r.name_en,
            context_fa=context_fa,
            context_en=context_en,
            # The province (and Iran) before its counties, as the explorer lists them.
            is_headline=r.level != "county",
            order=order,
            keys=keys,
            level=r.level,
        )
        found.append((place, names))
    return found


@dataclass(frozen=True)
class Typed:
    """What a search text says: table numbers (their two parts as typed), places named
    (by their words' positions), and every word (as typed, and as its key)."""

    numbers: list[tuple[str, str]]
    words: list[tuple[str, str]]  # (as typed, in canonical letters; search key)
    places: list[tuple[Entry, frozenset[int]]]


def read_text(index: Index, text: str) -> Typed:
    numbers, rest = split_table_numbers(text)
    # A word is told back (what matched) in canonical letters: «جمعيت» as «جمعیت».
    words = [
        (canonical_text(w), k)
        for w in _WORDS.split(rest)
        if (k := search_key(w)) and k not in NOT_SEARCHED
    ]
    places: list[tuple[Entry, frozenset[int]]] = []
    used: set[int] = set()
    # A place name may be several words («رباط کریم», "Robat Karim"): longest spans first.
    for length in range(min(len(words), 4), 0, -1):
        for start in range(len(words) - length + 1):
            span = set(range(start, start + length))
            if span & used:
                continue
            key = "".join(k for _w, k in words[start : start + length])
            # «تهران» names the county and (short) the province: both are offered.
            named = [p for p in index.places.get(key, []) if p not in (q for q, _ in places)]
            places.extend((place, frozenset(span)) for place in named)
            if named:
                used |= span
    return Typed(numbers, words, places)


def search(index: Index, text: str, limit: int = 40) -> list[Result]:
    """What `text` finds, best first (see the module's docstring for the ranking)."""
    typed = read_text(index, text)
    if not typed.words and not typed.numbers:
        return []
    found = [r for entry in index.entries if (r := _match(entry, typed, None)) is not None]
    # The same indicators again as the series of each place typed, matched by the other words.
    for place, span in typed.places:
        others = [w for i, w in enumerate(typed.words) if i not in span]
        if not others and not typed.numbers:
            continue  # the place alone: its own result says it
        for entry in index.entries:
            years = index.held(place.id).get(entry.id, 0) if entry.kind == "indicator" else 0
            if not years:
                continue
            result = _match(entry, Typed(typed.numbers, others, []), place, years)
            if result is not None and result.complete:
                found.append(result)
    found.sort(key=lambda r: r.rank)
    return found[:limit]


def _match(entry: Entry, typed: Typed, place: Entry | None, years: int = 0) -> Result | None:
    """The entry as a result of the typed text (shown for `place`, if given), or None."""
    number = ""
    if typed.numbers:
        if entry.kind == "place":
            return None
        parts = entry.number.split("-")
        for a, b in typed.numbers:
            if parts == [str(int(a)), str(int(b))]:
                number = "number"
            elif parts == [str(int(b)), str(int(a))] and not number:
                number = "number_swapped"
        if not number:
            return None
    score = {"": 0, "number": NUMBER, "number_swapped": NUMBER_SWAPPED}[number]
    in_title, in_context, partial_hit = [], [], False
    for as_typed, key in typed.words:
        weight = entry.keys.weight(key)
        score += weight
        if weight > IN_CONTEXT:
            in_title.append(as_typed)
        elif weight:
            in_context.append(as_typed)
        partial_hit |= bool(weight) and len(key) >= PARTIAL_MIN_LETTERS
    complete = len(in_title) + len(in_context) == len(typed.words)
    if place is not None or any(entry is p for p, _ in typed.places):
        score += PLACE
    if not complete and not partial_hit:
        return None
    if not typed.words and not number and place is None:
        return None
    return Result(entry, place, score, complete, number, tuple(in_title), tuple(in_context), years)
