"""A recipe proposed from a foreign workbook and the table it should fill.

`salnameh recipe draft FILE --table T --year Y --out R.yaml` looks at the workbook the way
a person writing a recipe would: which rows are the header (the one whose texts are the
table's column members, and those above it), which column holds the row labels, which
code list each header row and the label column belong to, where the place is (the sheet
names, else the title), which labels are not rows of the table (single years inside a
five-year group), and which texts it could not place at all. It writes the recipe and
says, cell by cell, what it could not map; a person corrects the YAML, then checks it
with `salnameh recipe preview`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

from ingestion.layout import label_index
from ingestion.places import Places
from ingestion.problems import column_letter
from ingestion.readers import Book, Sheet
from salnameh.declarations import TableDecl
from salnameh.persian import canonical_text, name_key, to_ascii_digits
from salnameh.reference import Reference

SEARCH_ROWS = 30


@dataclass
class Draft:
    recipe: dict
    unmapped: list[str] = field(default_factory=list)  # "sheet!cell: text (why)"
    guessed: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        return yaml.safe_dump(self.recipe, allow_unicode=True, sort_keys=False, width=100)


class DraftError(Exception):
    """The workbook gives nothing to draft from; the message says why."""


def draft_recipe(book: Book, table: TableDecl, reference: Reference, year: int) -> Draft:
    sheet = _first_filled(book)
    cells = sheet.rows(0, SEARCH_ROWS + 200)
    lists = {name: label_index(codes) for name, codes in reference.code_lists.items()}
    column_lists = [d.code_list for d in table.column_dimensions]
    last_header = _last_header_row(cells, lists, column_lists)
    if last_header is None:
        raise DraftError(f"no row of sheet {sheet.name!r} holds the column members of "
                         f"{table.id} ({', '.join(column_lists)})")  # fmt: skip
    label_col = _label_column(cells, last_header)
    first_header = _first_header_row(cells, last_header, label_col)
    draft = Draft({})
    levels = [_level(cells, r, label_col, lists, sheet, draft)
              for r in range(first_header, last_header + 1)]  # fmt: skip
    rows = _rows(cells, last_header + 1, label_col, lists, table, sheet, draft)
    place = _place(book, cells, reference, table, year, draft)
    header_first = str(cells[first_header][label_col]).strip() or "?"
    mapped = [rows["dimension"], *(level["dimension"] for level in levels)]
    keep = {name: reference.total_code(name) for name in mapped
            if name not in {d.code_list for d in table.dimensions}}  # fmt: skip
    title = next((str(v).strip() for v in cells[0] if str(v).strip()), sheet.name)
    texts = [t for t in (_words(title), *(lv.pop("_texts") for lv in levels)) if t]
    draft.recipe = {
        "id": re.sub(r"[^a-z0-9_]", "_", f"{table.id}_source"),
        "title": {"fa": canonical_text(title), "en": f"(to write) layout of {book.sheets[0].name}"},
        "source": "(to write: who sends this layout)",
        "fingerprint": {"texts": texts},
        "sheets": "all",
        "place": place,
        "header": {"first": canonical_text(header_first), "levels": levels},
        "rows": rows,
        "cells": {"empty": "missing"},
        "targets": {table.id: {"keep": keep} if keep else {}},
    }
    return draft


def _first_filled(book: Book) -> Sheet:
    for sheet in book.sheets:
        if any(str(v).strip() for row in sheet.rows(0, SEARCH_ROWS) for v in row):
            return sheet
    raise DraftError("the workbook has no filled-in sheet")


def _matches(texts: list[str], keys: dict[str, str]) -> int:
    return sum(1 for t in texts if name_key(t) in keys)


def _texts(row: list[object], start: int = 0) -> list[tuple[int, str]]:
    return [(c, str(v).strip()) for c, v in enumerate(row) if c >= start and str(v).strip()]


def _last_header_row(cells, lists, column_lists) -> int | None:
    """The row whose texts are most the table's column members (e.g. «مرد», «زن»)."""
    best, best_score = None, 1
    for r, row in enumerate(cells[:SEARCH_ROWS]):
        texts = [t for _c, t in _texts(row)]
        score = max((_matches(texts, lists[name]) for name in column_lists if name in lists),
                    default=0)  # fmt: skip
        if score > best_score:
            best, best_score = r, score
    return best


def _label_column(cells, header: int) -> int:
    """The leftmost column whose cells below the header are mostly text."""
    below = cells[header + 1 : header + 60]
    for c in range(max((len(r) for r in below), default=0)):
        texts = [row[c] for row in below if c < len(row) and str(row[c]).strip()]
        if texts and sum(isinstance(v, str) for v in texts) * 2 > len(texts):
            return c
    return 0


def _first_header_row(cells, last: int, label_col: int) -> int:
    """The header's top row: up from the last header row while the rows right of the
    labels hold text (the title row above holds one long text in the label column)."""
    first = last
    while first > 0:
        above = _texts(cells[first - 1], label_col + 1)
        if not above or not all(isinstance(t, str) for _c, t in above):
            break
        first -= 1
    return first


def _level(cells, r: int, label_col: int, lists, sheet: Sheet, draft: Draft) -> dict:
    texts = _texts(cells[r], label_col + 1)
    name = max(lists, key=lambda n: _matches([t for _c, t in texts], lists[n]))
    unknown: list[str] = []
    for c, text in texts:
        if name_key(text) in lists[name]:
            continue
        draft.unmapped.append(f"{sheet.name}!{column_letter(c)}{r + 1}: «{text}» is no label "
                              f"of {name}; put it under the code it means")  # fmt: skip
        unknown = [*unknown, canonical_text(text)] if canonical_text(text) not in unknown \
            else unknown  # fmt: skip
    draft.guessed.append(f"header row {r + 1} read as code list {name}")
    level = {"dimension": name, "_texts": canonical_text(texts[0][1]) if texts else ""}
    if unknown:  # '?' is no code: catalog check fails until a person says which code
        level["labels"] = {"?": unknown}
    return level


def _rows(cells, first: int, label_col: int, lists, table: TableDecl, sheet: Sheet,
          draft: Draft) -> dict:  # fmt: skip
    labels = [(r, str(row[label_col]).strip()) for r, row in enumerate(cells[first:], first)
              if label_col < len(row) and str(row[label_col]).strip()]  # fmt: skip
    words = Counter(w for _r, t in labels for w in canonical_text(t).split()[-1:])
    strip = [w for w, n in words.most_common(1) if n * 2 > len(labels) and not w.isdigit()]
    clean = [(r, _stripped(t, strip)) for r, t in labels]
    row_lists = [d.code_list for d in table.row_dimensions] or list(lists)
    name = max(row_lists, key=lambda n: _matches([t for _r, t in clean], lists.get(n, {})))
    skip = []
    if any(re.fullmatch(r"\d+", to_ascii_digits(t)) for _r, t in clean):
        skip.append(r"^\d+$")
    unknown: list[str] = []
    for r, text in clean:
        if name_key(text) in lists.get(name, {}) or (skip and re.fullmatch(r"\d+", text)):
            continue
        draft.unmapped.append(f"{sheet.name}!{column_letter(label_col)}{r + 1}: «{text}» is no "
                              f"member of {name}: put it under its code in rows.labels, or "
                              "a pattern for it under rows.skip")  # fmt: skip
        if text not in unknown:
            unknown.append(text)
    draft.guessed.append(f"row labels in column {column_letter(label_col)} read as {name}"
                         + (f", the word «{strip[0]}» dropped" if strip else ""))  # fmt: skip
    rows: dict = {"dimension": name}
    if unknown:
        rows["labels"] = {"?": unknown}
    if strip:
        rows["strip"] = strip
    if skip:
        rows["skip"] = skip
    return rows


def _stripped(text: str, words: list[str]) -> str:
    cleaned = to_ascii_digits(canonical_text(text))
    for word in words:
        cleaned = cleaned.replace(word, " ")
    return " ".join(cleaned.split())


def _place(book: Book, cells, reference: Reference, table: TableDecl, year: int,
           draft: Draft) -> dict:  # fmt: skip
    places = Places(reference, "county", year)
    named = [s.name for s in book.sheets if places.match(s.name).code is not None]
    if len(named) * 2 > len(book.sheets):
        for sheet in book.sheets:
            if sheet.name not in named:
                draft.unmapped.append(f"sheet «{sheet.name}»: no county of the province in "
                                      f"{year}; add an alias to geography_aliases.csv")  # fmt: skip
        draft.guessed.append("the place is the sheet's name")
        return {"from": "sheet_name"}
    draft.guessed.append("the place is in the title (say so otherwise)")
    return {"from": "title", "pattern": r"\((?P<place>[^)]+)\)"}


def _words(title: str) -> str:
    """A stable piece of the title: its words without digits or the place in brackets."""
    text = re.sub(r"\(.*?\)|[\d\-]+", " ", canonical_text(title))
    return " ".join(text.split()[:4])
