"""Table builder (PxWeb style): a table, the members of each of its dimensions, which go
down and which across; the result as a table or a chart, and downloads of exactly it.

The whole selection is in the address (`dashboards.table_builder.selection_params`), so a
copied link opens the same table; a link that no longer fits the released figures says
what it got wrong and shows what it can."""

from __future__ import annotations

import html
from functools import partial

import streamlit as st

from dashboards import figures
from dashboards import table_builder as builder
from dashboards.context import catalog, reference
from dashboards.public import query, require_snapshot
from dashboards.session import keep_choices, lang, tr

LANG = lang()
FA = LANG == "fa"
FORMAT_TITLES = {
    "xlsx": ("اکسل (xlsx، همین چیدمان)", "Excel (xlsx, this layout)"),
    "csv": ("CSV (یک سطر برای هر رقم)", "CSV (one row per figure)"),
    "jsonstat": ("JSON-stat 2.0", "JSON-stat 2.0"),
    "sdmx": ("SDMX-CSV 2.0", "SDMX-CSV 2.0"),
    "parquet": ("Parquet", "Parquet"),
}
KEPT = ("tb_table", "tb_m_", "tb_rows", "tb_cols", "tb_view")  # the choices' widget keys
VIEW_TITLES = {"table": tr("جدول", "Table"), "chart": tr("نمودار", "Chart")}
# Beyond this many cells the grid is not drawn (the downloads still hold everything).
MAX_SHOWN = 20_000
STYLE = """
<style>
table.tb { border-collapse: collapse; font-size: 0.85rem; }
table.tb th, table.tb td { border: 1px solid #bbb; padding: 2px 8px; }
table.tb th { background: rgba(128, 128, 128, 0.12); text-align: center; }
table.tb td { text-align: right; direction: ltr; white-space: nowrap; }
</style>
"""


def apply_address(table, axes) -> None:
    """Put what the address asks for into the widgets, when the address is new (a link
    opened, a URL typed), not when it is the one this page wrote."""
    params = st.query_params.to_dict()
    if params == st.session_state.get("tb_written"):
        return
    selection, problems = builder.selection_from_params(params, table, axes)
    st.session_state["tb_problems"] = [tr(p.fa, p.en) for p in problems]
    for axis in axes:
        st.session_state[f"tb_m_{axis.id}"] = list(selection.members[axis.id])
    st.session_state["tb_rows"] = list(selection.rows)
    st.session_state["tb_cols"] = list(selection.columns)
    st.session_state["tb_view"] = selection.view
    st.session_state["tb_written"] = params


def choose_all(axis_id: str, codes: list[str]) -> None:
    st.session_state[f"tb_m_{axis_id}"] = codes


def swap() -> None:
    rows = st.session_state.get("tb_rows", [])
    st.session_state["tb_rows"] = list(st.session_state.get("tb_cols", []))
    st.session_state["tb_cols"] = list(rows)


keep_choices(*KEPT)  # across the language switch (dashboards.session says why)

st.title(tr("جدول‌ساز", "Table builder"))
st.caption(
    tr(
        "جدولی برگزینید، سپس اعضای هر بعد و چیدمان سطرها و ستون‌ها را؛ نشانی صفحه همین "
        "انتخاب را نگه می‌دارد و می‌توان آن را فرستاد.",
        "Choose a table, then the members of each dimension and what goes down and across; "
        "the page's address keeps the selection, so it can be shared.",
    )
)
require_snapshot()
tables = query(
    "SELECT table_id, table_number, title_fa, title_en FROM marts.dim_table ORDER BY sort_order"
)
known = catalog().tables
tables = tables[tables["table_id"].isin(known)]
titles = {
    r.table_id: figures.table_label(r.table_number, r.title_fa if FA else r.title_en, LANG)
    for r in tables.itertuples()
}
if not titles:
    st.info(tr("هنوز جدولی منتشر نشده است.", "No table has been released yet."))
    st.stop()
asked = None
if st.query_params.to_dict() != st.session_state.get("tb_written"):  # a new address
    try:
        asked = builder.table_from_params(st.query_params.to_dict(), titles)
    except builder.SelectionProblem as problem:
        st.warning(tr(problem.fa, problem.en))
        st.query_params.clear()
if asked is not None and st.session_state.get("tb_table") != asked:
    st.session_state["tb_table"] = asked
if st.session_state.get("tb_table") not in titles:
    st.session_state["tb_table"] = next(iter(titles))
table_id = st.selectbox(tr("جدول", "Table"), list(titles), key="tb_table", format_func=titles.get)
table = known[table_id]
axes = builder.table_axes(query, table, reference())
if not axes:
    st.info(
        tr(
            "از این جدول هنوز رقمی منتشر نشده است.",
            "No figure of this table has been released yet.",
        )
    )
    st.stop()
if st.query_params.get("table") != table_id:
    # Another table chosen from the list: its own default selection, as an address.
    st.query_params.from_dict(builder.selection_params(builder.default_selection(table, axes)))
    st.session_state.pop("tb_written", None)
apply_address(table, axes)
for problem in st.session_state.pop("tb_problems", []):
    st.warning(problem)

by_id = {a.id: a for a in axes}
st.header(tr("اعضای ابعاد", "Members of each dimension"), divider="gray")
columns = st.columns(min(len(axes), 3))
for i, axis in enumerate(axes):
    with columns[i % len(columns)]:
        codes = list(axis.codes())
        st.multiselect(
            axis.title(LANG),
            codes,
            key=f"tb_m_{axis.id}",
            format_func=lambda c, a=axis: a.member(c).label(LANG),
        )
        left, right = st.columns(2)
        left.button(
            tr("همه", "All"), key=f"tb_all_{axis.id}", on_click=choose_all, args=(axis.id, codes)
        )
        right.button(
            tr("هیچ", "None"), key=f"tb_none_{axis.id}", on_click=choose_all, args=(axis.id, [])
        )

st.header(tr("چیدمان", "Layout"), divider="gray")
ids = [a.id for a in axes]
left, middle, right = st.columns([3, 3, 2])
with left:
    rows = st.multiselect(
        tr("در سطرها", "Down the side (rows)"),
        ids,
        key="tb_rows",
        format_func=lambda a: by_id[a].title(LANG),
    )
kept_cols = [a for a in st.session_state.get("tb_cols", []) if a in ids and a not in rows]
st.session_state["tb_cols"] = kept_cols + [a for a in ids if a not in rows and a not in kept_cols]
with middle:
    st.multiselect(
        tr("در ستون‌ها", "Across (columns)"),
        ids,
        key="tb_cols",
        disabled=True,
        format_func=lambda a: by_id[a].title(LANG),
    )
    st.button(tr("جابه‌جایی سطر و ستون", "Swap rows and columns"), key="tb_swap", on_click=swap)
with right:
    view = st.radio(
        tr("نما", "View"),
        list(builder.VIEWS),
        key="tb_view",
        horizontal=True,
        format_func=VIEW_TITLES.get,
    )

selection = builder.Selection(
    table.id,
    {a.id: tuple(c for c in a.codes() if c in st.session_state[f"tb_m_{a.id}"]) for a in axes},
    tuple(rows),
    tuple(st.session_state["tb_cols"]),
    view,
)
written = builder.selection_params(selection)
if st.query_params.to_dict() != written:
    st.query_params.from_dict(written)
st.session_state["tb_written"] = written

empty = [by_id[a].title(LANG) for a, codes in selection.members.items() if not codes]
if empty:
    st.info(
        tr(
            f"از «{'، '.join(empty)}» دست‌کم یک عضو برگزینید.",
            f"Choose at least one member of {', '.join(empty)}.",
        )
    )
    st.stop()

cells = builder.selected_cells(query, table, selection)
st.header(
    figures.table_label(table.number, table.title.fa if FA else table.title.en, LANG),
    divider="gray",
)
size = figures.number(selection.size(), 0, LANG)
st.caption(
    figures.joined(
        [
            tr(f"{size} خانه", f"{size} cells"),
            tr("خانه خالی: رقمی منتشر نشده است", "an empty cell: no figure released"),
        ],
        LANG,
    )
)
if view == "chart":
    st.altair_chart(builder.chart(cells, selection, axes, table, LANG), width="stretch")
elif selection.size() > MAX_SHOWN:
    st.info(
        tr(
            "این انتخاب برای نمایش بزرگ است؛ اعضای کمتری برگزینید یا آن را دریافت کنید.",
            "This selection is too large to show; choose fewer members or download it.",
        )
    )
else:
    grid = builder.pivot(cells, selection, axes, LANG)
    direction = "rtl" if FA else "ltr"
    # A region that scrolls sideways must take keyboard focus (tabindex), and be named.
    # As HTML, not markdown: Streamlit's markdown turns every cell into a React element
    # (measured on a reload of the default pivot: 0.1-0.19 s more of the browser's CPU).
    st.html(
        f'{STYLE}<div style="overflow-x: auto; direction: {direction}" '
        f'tabindex="0" role="region" aria-label="{html.escape(titles[table_id])}" '
        f'data-testid="tb-pivot">{builder.pivot_html(grid)}</div>'
    )
# The symbols as markdown text: «*» and «**» would otherwise open a list or bold type.
legend = [
    f"{s.replace('*', chr(92) + '*')} {meaning}" for s, meaning in figures.symbols_legend(LANG)
]
st.caption(tr("نشانه‌ها: ", "Symbols: ") + figures.joined(legend, LANG))

st.header(tr("دریافت همین انتخاب", "Download this selection"), divider="gray")
edition = builder.selection_edition(table, cells)
buttons = st.columns(len(builder.FORMATS))
for column, fmt in zip(buttons, builder.FORMATS, strict=True):
    with column:
        # Written when clicked, not on every change of the selection: the answer stays quick.
        st.download_button(
            tr(*FORMAT_TITLES[fmt]),
            data=partial(
                builder.download, fmt, cells, selection, table, axes, edition, reference(), LANG
            ),
            file_name=builder.download_name(selection, table, fmt),
            mime=builder.MIME[fmt],
            key=f"tb_download_{fmt}",
            on_click="ignore",
        )
