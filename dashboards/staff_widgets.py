"""Streamlit pieces the staff pages share: the agency picker, tables with headers in the
reader's language, and a file's verdict. Data comes from the *_view modules."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards.context import catalog, reference
from dashboards.liaison_view import (
    agencies_for,
    agency_name,
    form_workbook,
    outcome_message,
    problem_rows,
)
from dashboards.session import keep_choice, lang, tr
from salnameh.access import Actor

AGENCY_KEY, CHOSEN_AGENCY = "staff_agency", "staff_agency_chosen"


def pick_agency(actor: Actor) -> str:
    """A liaison's own agency; a coordinator chooses one, remembered across the liaison
    pages (Streamlit forgets a widget's own state when another page runs)."""
    choices = agencies_for(actor, reference())
    if len(choices) == 1:
        st.caption(tr("دستگاه: ", "Agency: ") + agency_name(reference(), choices[0], lang()))
        return choices[0]
    remembered = st.session_state.get(CHOSEN_AGENCY)
    names = {a: f"{agency_name(reference(), a, lang())} ({a})" for a in choices}
    index = choices.index(remembered) if remembered in choices else 0
    chosen = choose(tr("دستگاه", "Agency"), names, key=AGENCY_KEY, index=index)
    st.session_state[CHOSEN_AGENCY] = chosen
    return chosen


def table_of(
    rows: list[dict],
    columns: dict[str, tuple[str, str]],
    key: str | None = None,
    height: int | str = "auto",
    static: bool = False,
    widths: dict[str, str] | None = None,
):
    """Rows shown with the given columns, headed in the reader's language.

    `static` tables (st.table) wrap long text and are mirrored by the page's right-to-left
    style. Scrolling grids (st.dataframe) keep left-to-right column order (STACK.md), so
    for Persian readers their columns are reversed: the first column sits on the right.
    `widths` ("small", "medium", "large" by column key) keep a wide grid within the page,
    where a Persian reader would otherwise find its first columns scrolled out of sight."""
    frame = (
        pd.DataFrame(rows, columns=list(columns)) if rows else pd.DataFrame(columns=list(columns))
    )
    frame = frame.rename(columns={k: tr(fa, en) for k, (fa, en) in columns.items()})
    if static:
        return st.table(frame, hide_index=True)
    if lang() == "fa":
        frame = frame[frame.columns[::-1]]
    config = {tr(*columns[k]): st.column_config.Column(width=w) for k, w in (widths or {}).items()}
    return st.dataframe(frame, hide_index=True, key=key, height=height, column_config=config)


PROBLEM_COLUMNS = {
    "severity": ("نوع", "Severity"),
    "sheet": ("برگه", "Sheet"),
    "row": ("ردیف", "Row"),
    "column": ("ستون", "Column"),
    "value": ("مقدار", "Value"),
    "message": ("شرح", "Message"),
}


def show_problems(problems: list, with_notes: bool = True) -> None:
    rows = problem_rows(problems, lang(), with_notes)
    if not rows:
        st.caption(tr("هیچ خطا یا هشداری نیست.", "No errors or warnings."))
        return
    table_of(rows, PROBLEM_COLUMNS, static=True)


def show_outcome(outcome) -> None:
    """A file's verdict, at once: accepted, rejected or unchanged, and every problem."""
    text = outcome_message(outcome, lang())
    if outcome.verdict == "accepted":
        st.success(text)
    elif outcome.verdict == "rejected":
        st.error(text)
    else:
        st.info(text)
    show_problems(outcome.problems, with_notes=outcome.verdict != "accepted")


def chart(spec: alt.Chart) -> None:
    """An Altair chart; its container stays left to right (the page CSS sees to it)."""
    height = spec.to_dict().get("height")
    st.altair_chart(spec, width="stretch", height=height if isinstance(height, int) else "content")


def flash(page: str, kind: str, text: str) -> None:
    """Say something after the rerun that follows an action (the page above it is redrawn
    with the new state first)."""
    st.session_state[f"flash_{page}"] = (kind, text)


def show_flash(page: str) -> None:
    kind, text = st.session_state.pop(f"flash_{page}", (None, None))
    if kind is not None:
        {"success": st.success, "error": st.error, "info": st.info}[kind](text)


@st.cache_data(max_entries=64, show_spinner=False)
def _form(table_id: str, year: int, catalog_version: str) -> tuple[str, bytes]:
    return form_workbook(catalog(), reference(), table_id, year)


def form_download(table_id: str, year: int) -> None:
    """The table's empty form for the year, as `salnameh templates` writes it."""
    name, data = _form(table_id, year, catalog().version)
    st.download_button(
        tr("دریافت فرم (xlsx)", "Download the form (xlsx)"),
        data,
        file_name=name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="form_download",
    )


def choose(label: str, labels: dict, key: str, widget=None, **options):
    """A selectbox (or radio, or any choice widget given) over `labels`' keys, each shown
    as its label. The labels are made while the page runs, in the reader's language, so
    the choice shows the same text whoever asks for it later (AppTest does). The choice
    outlives the language switch (dashboards.session.keep_choices says why)."""
    widget = widget or st.selectbox
    keep_choice(key)
    return widget(label, list(labels), key=key, format_func=labels.__getitem__, **options)
