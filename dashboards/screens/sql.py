"""SQL on the public snapshot: read-only, nothing outside it reachable, a row and a time
limit; the documented schema beside the editor."""

from __future__ import annotations

import streamlit as st

from dashboards import figures
from dashboards import sql_console as console
from dashboards.context import salnameh_home
from dashboards.grids import PLAIN, grid_frame, numeric_columns
from dashboards.public import query, require_snapshot
from dashboards.session import keep_choice, lang, tr

LANG = lang()
FA = LANG == "fa"

st.title(tr("پرس‌وجوی SQL", "SQL"))
require_snapshot()
st.caption(
    tr(
        f"پرس‌وجو (DuckDB) فقط روی ارقام منتشرشده اجرا می‌شود و فقط خواندنی است. حداکثر "
        f"{figures.number(console.MAX_ROWS, 0, LANG)} ردیف و "
        f"{figures.digits(int(console.TIMEOUT_S), LANG)} ثانیه.",
        f"Queries (DuckDB SQL) run on the released figures only, read-only; at most "
        f"{console.MAX_ROWS:,} rows and {console.TIMEOUT_S:g} seconds.",
    )
)

# SQL reads left to right whatever the page's direction.
st.markdown(
    "<style>.st-key-sql_text textarea { direction: ltr; text-align: left; }</style>",
    unsafe_allow_html=True,
)


def show_columns(mine) -> None:
    """A table's columns, with the comments dbt wrote on them."""
    st.dataframe(
        mine[["column_name", "data_type", "comment"]],
        hide_index=True,
        column_config={
            "column_name": tr("ستون", "Column"),
            "data_type": tr("نوع", "Type"),
            "comment": tr("توضیح", "Description"),
        },
    )


editor, documentation = st.columns([3, 2])
with editor:
    keep_choice("sql_example")  # across the language switch (dashboards.session says why)
    example = st.selectbox(
        tr("نمونه‌ها", "Examples"),
        [None, *console.EXAMPLES],
        key="sql_example",
        format_func=lambda k: "—" if k is None else console.EXAMPLES[k][0 if FA else 1],
    )
    if example and st.session_state.get("sql_example_loaded") != example:
        st.session_state["sql_text"] = console.EXAMPLES[example][2]
        st.session_state["sql_example_loaded"] = example
    with st.form("sql_form"):
        sql = st.text_area(
            "SQL", key="sql_text", height=200, placeholder="SELECT * FROM marts.dim_table LIMIT 10"
        )
        submitted = st.form_submit_button(tr("اجرا", "Run"))
    if submitted:
        st.session_state["sql_result"] = console.run_sql(salnameh_home(), sql)
    result = st.session_state.get("sql_result")
    if result is not None:
        if result.frame is None:
            st.error(tr(result.error_fa, result.error_en))
            if result.detail:
                st.code(result.detail, language=None)
        else:
            rows = len(result.frame)
            if result.truncated:
                st.warning(
                    tr(
                        f"فقط {figures.number(rows, 0, LANG)} ردیف نخست نشان داده شده است؛ "
                        "پرس‌وجو را محدودتر کنید (WHERE یا LIMIT).",
                        f"Only the first {rows:,} rows are shown; narrow the query down (WHERE or "
                        "LIMIT).",
                    )
                )
            else:
                st.caption(tr(f"{figures.number(rows, 0, LANG)} ردیف", f"{rows:,} rows"))
            # Numbers as text in the reader's digits (the CSV below keeps them as numbers).
            plain = dict.fromkeys(numeric_columns(result.frame), PLAIN)
            st.dataframe(grid_frame(result.frame, LANG, plain), hide_index=True, key="sql_rows")
            st.download_button(
                tr("دریافت نتیجه (CSV)", "Download the result (CSV)"),
                data=console.csv_bytes(result.frame),
                file_name="salnameh-query.csv",
                mime="text/csv",
                key="sql_csv",
            )

with documentation:
    st.header(tr("جدول‌ها و ستون‌ها", "Tables and columns"))
    tables, columns = console.schema(query)
    for table in tables.itertuples(index=False):
        name = f"{table.schema_name}.{table.table_name}"
        # A table's columns are drawn only when it is opened: a grid for each of the
        # snapshot's tables, drawn on every visit, cost the page a tenth of a second of the
        # server and more of the browser.
        listed = st.expander(name, key=f"sql_schema_{name}", on_change="rerun")
        with listed:
            if isinstance(table.comment, str) and table.comment:
                st.caption(table.comment)
            if listed.open:
                show_columns(
                    columns[
                        (columns["schema_name"] == table.schema_name)
                        & (columns["table_name"] == table.table_name)
                    ]
                )
    st.caption(
        tr(
            "توضیح‌ها به انگلیسی و از مستندات انبار داده (dbt) است.",
            "The descriptions come from the warehouse's documentation (dbt).",
        )
    )
