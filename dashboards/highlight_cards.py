"""The home page's headline figures as one block of cards, each with its trend drawn as a
small SVG line.

Why not one `st.metric` each: the province's home shows about 140 figures, and each
metric with a sparkline is a Vega chart of its own. Measured in Chromium on the demo, the
page then took 2.2 s of the browser's main thread for a menu click (0.6 s of it Vega's
embedding alone), against 0.2-0.5 s for the other public pages; and every chart is a
separate message from the server. A line of a dozen points needs no chart library: here
it is an SVG polyline, and the whole grid one HTML element. The SVG goes in as an image
(a data address, with its alt text): Streamlit's `st.html` keeps HTML only and strips an
inline <svg>.

Every text is escaped here: titles and units come from the catalog, which agencies'
coordinators edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

# The line's box, in its own units; the image scales it to the card's width. An image
# cannot take the page's text colour, so the line is a mid blue that reads on a light and
# a dark theme alike.
WIDTH, HEIGHT, PAD = 120, 28, 2
LINE = "#4a7bb7"

# Cards flow in as many columns as fit (four on a laptop, one on a phone); a card off
# screen is neither laid out nor painted until scrolled to (content-visibility), nor its
# line decoded (loading="lazy"): most of the ~140 are below the fold. Colours are
# inherited, so a dark theme stays right; secondary text at 80 % opacity keeps WCAG's 4.5:1
# (see accessibility.READABLE_CSS).
CSS = """<style>
  .salnameh-chapter { font-size: 1.5rem; font-weight: 600; margin: 1.5rem 0 0.75rem;
    padding-bottom: 0.5rem; border-bottom: 2px solid rgba(128, 128, 128, 0.45); }
  .salnameh-cards { list-style: none; margin: 0 0 1rem; padding: 0; display: grid;
    grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0.75rem 1.25rem; }
  .salnameh-cards li { margin: 0; padding: 0.5rem 0;
    border-top: 1px solid rgba(128, 128, 128, 0.35);
    content-visibility: auto; contain-intrinsic-size: auto 9rem; }
  .salnameh-cards .label { font-size: 0.9rem; }
  .salnameh-cards .value { font-size: 1.6rem; font-weight: 700; line-height: 1.3; }
  .salnameh-cards .change, .salnameh-cards .source { font-size: 0.85rem; opacity: 0.8; }
  .salnameh-cards img { display: block; width: 100%; height: 1.75rem; margin-top: 0.25rem; }
</style>"""


@dataclass(frozen=True)
class Card:
    """One headline figure, every text already in the reader's language and digits."""

    label: str
    value: str
    change: str | None  # "+1.2% from 1400", or None
    source: str  # the table it comes from, and a break's note if any
    trend: list[float] | None  # oldest first; None or one value: no line
    trend_label: str  # what the line shows, for a screen reader


def sparkline(values: list[float], newest_left: bool, alt: str) -> str:
    """An image of `values` (oldest first) as a line scaled into the box, described by
    `alt`; a flat series is drawn mid-height. Persian reads right to left, so its newest
    figure is on the left."""
    low, high = min(values), max(values)
    span = high - low
    step = (WIDTH - 2 * PAD) / (len(values) - 1)
    points = []
    for n, value in enumerate(values):
        x = PAD + n * step
        if newest_left:
            x = WIDTH - x
        y = HEIGHT / 2 if span == 0 else PAD + (high - value) / span * (HEIGHT - 2 * PAD)
        points.append(f"{x:.1f},{y:.1f}")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' preserveAspectRatio="none"><polyline points="{" ".join(points)}" fill="none"'
        f' stroke="{LINE}" stroke-width="1.5" vector-effect="non-scaling-stroke"/></svg>'
    )
    return (
        f'<img alt="{escape(alt)}" loading="lazy" decoding="async"'
        f' src="data:image/svg+xml,{quote(svg)}">'
    )


def card_html(card: Card, newest_left: bool) -> str:
    line = ""
    if card.trend and len(card.trend) > 1:
        line = sparkline(card.trend, newest_left, card.trend_label)
    change = f'<div class="change">{escape(card.change)}</div>' if card.change else ""
    return (
        f'<li><div class="label">{escape(card.label)}</div>'
        f'<div class="value">{escape(card.value)}</div>{change}'
        f'<div class="source">{escape(card.source)}</div>{line}</li>'
    )


def chapters_html(chapters: list[tuple[str, list[Card]]], lang: str) -> str:
    """Each chapter's title (a third-level heading, under the page's h1 and h2) and its
    cards, with the style, as one block in the reader's direction."""
    newest_left = lang == "fa"
    parts = [CSS, f'<div dir="{"rtl" if newest_left else "ltr"}">']
    for title, cards in chapters:
        items = "".join(card_html(card, newest_left) for card in cards)
        parts.append(
            f'<h3 class="salnameh-chapter">{escape(title)}</h3>'
            f'<ul class="salnameh-cards" aria-label="{escape(title)}">{items}</ul>'
        )
    parts.append("</div>")
    return "".join(parts)
