"""The Streamlit frontend's code each public page needs, asked for with the page itself.

Why: Streamlit's frontend loads the code of most elements (a chart, a data grid, a
multiselect) only when the first such element arrives from the server, so a page opened the
first time fetches and compiles it last, one wave after another. Measured in Chromium on one
core (the explorer's first opening): the main bundle by 0.6 s, the websocket at 1.2 s, the
widgets' code asked for at 1.4-1.8 s and the chart's and grid's (2.5 MB) at 2.1 s, the page
interactive at 3.1 s. Named in the page's HTML as module preloads, the browser fetches and
compiles that code while it waits for the server; paired runs on the same machine (old and
new server side by side) gave the first opening of the county map 0.59 s sooner, the county
page 0.32 s, the explorer 0.14-0.27 s, the other pages within the runs' spread (0.2 s).
Preloading what a page does not draw costs it instead (the search page, given the chart's
and grid's code: 0.39 s slower), so each page names its own.

The files are read from the Vite manifest Streamlit ships (their names change with every
Streamlit release); a component the manifest does not hold is passed over, since a preload is
only a hint. tests/test_portal_public.py checks each page's list against what the page draws,
and that every name is in the installed Streamlit's manifest.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit

STATIC = Path(streamlit.__file__).parent / "static"

# Streamlit's frontend components (their names in the manifest) each public page draws,
# besides the menu's own (the language radio, the search box, the style and scripts as
# HTML): keyed by the page's address ("" the home). rehype-raw draws Markdown that carries
# HTML. A national hub's own page (deliveries) is not listed: it gets no preloads.
SHELL = ("Radio", "TextInput", "Html")
PAGE_COMPONENTS: dict[str, tuple[str, ...]] = {
    "": ("Selectbox", "PageLink"),
    "yearbook": ("Selectbox", "DownloadButton", "PageLink", "rehype-raw"),
    "explorer": (
        "ArrowVegaLiteChart",
        "DataFrame",
        "Multiselect",
        "Slider",
        "Checkbox",
        "DownloadButton",
    ),
    "table_builder": ("Multiselect", "Selectbox", "Button", "DownloadButton"),
    "county": ("ArrowVegaLiteChart", "DataFrame", "Multiselect", "Selectbox", "PageLink"),
    "county_map": ("ArrowVegaLiteChart", "DataFrame", "Selectbox", "Checkbox", "PageLink"),
    "search": (),
    "sql": ("Selectbox", "TextArea", "Button", "rehype-raw"),
}


@functools.cache
def _manifest() -> dict[str, dict]:
    return json.loads((STATIC / "manifest.json").read_text(encoding="utf-8"))


@functools.cache
def _in_index() -> frozenset[str]:
    """The files Streamlit's own page already loads or preloads."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return frozenset(part.removeprefix("./") for part in page.split('"') if part.startswith("./"))


def _entry(component: str) -> str | None:
    """The manifest's key of `component`'s code: the entry of that name."""
    named = (key for key, entry in _manifest().items()
             if entry.get("name") == component and entry["file"].endswith(".js"))  # fmt: skip
    return next(named, None)


def _files(key: str, found: dict[str, None]) -> None:
    """`key`'s file and every file it imports, in load order, into `found`."""
    entry = _manifest().get(key)
    if entry is None or entry["file"] in found or not entry["file"].endswith(".js"):
        return
    for imported in entry.get("imports", []):
        _files(imported, found)
    found[entry["file"]] = None


def known(component: str) -> bool:
    """Whether the installed Streamlit's manifest holds `component`."""
    return _entry(component) is not None


def links(path: str) -> bytes:
    """The module preloads for the page at `path` ("/explorer"), nothing for any other."""
    page = path.strip("/")
    return _links(page) if page in PAGE_COMPONENTS else b""


@functools.cache  # keyed by the listed pages only: any address can be asked for
def _links(page: str) -> bytes:
    found: dict[str, None] = {}
    for component in (*SHELL, *PAGE_COMPONENTS[page]):
        key = _entry(component)
        if key is not None:
            _files(key, found)
    return "".join(f'<link rel="modulepreload" crossorigin href="./{file}">'
                   for file in found if file not in _in_index()).encode()  # fmt: skip
