"""The table builder (issue 20, item 1): its query and pivot against the public snapshot,
its address, every download read back by another tool, and its page under AppTest.

The browser test is in tests/test_portal_table_builder_browser.py."""

from __future__ import annotations

import dataclasses
import io
import json
import math

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboards import figures, preload
from dashboards import table_builder as builder
from salnameh.catalog import load_catalog
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.snapshots import PUBLIC, open_snapshot
from tests.conftest import components_drawn

pytestmark = pytest.mark.integration

ESTIMATE = "pop_county_sex_estimate"  # places x years x sex, every year
CENSUS = "pop_county_sex_age"  # places x census years x age group x sex


@pytest.fixture(scope="module")
def public(demo_home):
    """A query on the demo's public snapshot, and its reference."""
    with open_snapshot(home(demo_home.root), PUBLIC) as con:
        query = lambda sql, params=(): con.execute(sql, list(params)).df()  # noqa: E731
        yield query, con, Reference.for_home(home(demo_home.root))


def declared(table_id: str, reference: Reference):
    return load_catalog().in_words_of(reference).table(table_id)


def places_years_sex(query, reference):
    """The issue's selection: 16 places x every year x 2 sexes, places down, years and
    sex across."""
    table = declared(ESTIMATE, reference)
    axes = builder.table_axes(query, table, reference)
    chosen = builder.default_selection(table, axes)
    members = {**chosen.members, "geo": chosen.members["geo"][:16], "sex": ("male", "female")}
    selection = dataclasses.replace(
        chosen, members=members, rows=("geo",), columns=("year", "sex", "measure")
    )
    return table, axes, selection


def shown_figures(selection, axes, grid: pd.DataFrame) -> dict[tuple, float]:
    """The figures of a numbers pivot by the codes of each axis, in the order
    geo, year, code lists, measure (its labels read back to codes)."""
    by_id = {a.id: a for a in axes}
    back = {}
    for axis in axes:
        labels = {m.label("en"): m.code for m in axis.members}
        assert len(labels) == len(axis.members), axis.id  # labels name members uniquely
        back[axis.id] = labels
    found = {}
    for row_label, row in grid.iterrows():
        row_label = row_label if isinstance(row_label, tuple) else (row_label,)
        for column_label, value in row.items():
            column_label = column_label if isinstance(column_label, tuple) else (column_label,)
            if pd.isna(value):
                continue
            codes = dict(zip(selection.rows, row_label, strict=True))
            codes |= dict(zip(selection.columns, column_label, strict=True))
            key = tuple(back[a][codes[a]] for a in by_id)
            found[key] = float(value)
    return found


def snapshot_figures(con, table, selection) -> dict[tuple, float]:
    """The same cells straight from the public snapshot (figures only, not symbols)."""
    rows = con.execute(
        "SELECT geo_code, year, dim_key, measure_id, value FROM marts.fct_observations"
        " WHERE table_id = ? AND flag IS NULL",
        [table.id],
    ).fetchall()
    lists = [d.code_list for d in table.dimensions]
    found = {}
    for geo, year, dim_key, measure, value in rows:
        members = builder.members_of(dim_key)
        key = (geo, str(year), *(members[c] for c in lists), measure)
        chosen = (geo, str(year), *(members[c] for c in lists), measure)
        axis_ids = ["geo", "year", *lists, "measure"]
        if all(code in selection.members[a] for a, code in zip(axis_ids, chosen, strict=True)):
            found[key] = float(value)
    return found


# ------------------------------------------------------------------------- query and pivot


def test_a_tables_axes_are_its_released_members_in_the_yearbooks_order(public):
    query, con, reference = public
    table = declared(CENSUS, reference)
    axes = builder.table_axes(query, table, reference)
    assert [a.id for a in axes] == ["geo", "year", "age_group_5y", "sex", "measure"]
    by_id = {a.id: a for a in axes}
    assert by_id["year"].codes() == ("1390", "1395")  # a census table: two years
    assert by_id["geo"].codes()[0] == "23"  # the province first, then its counties
    released = {g for (g,) in con.execute(
        "SELECT DISTINCT geo_code FROM marts.fct_observations WHERE table_id = ?", [CENSUS]
    ).fetchall()}  # fmt: skip
    assert set(by_id["geo"].codes()) == released
    assert by_id["sex"].codes() == ("total", "male", "female")
    assert by_id["geo"].member("23").label("fa") == "استان تهران"
    assert by_id["age_group_5y"].member("0-4").label("fa") == "۰-۴"  # Persian digits


def test_a_places_by_years_by_sex_pivot_holds_the_public_snapshots_figures(public):
    query, con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    assert [len(selection.members[a]) for a in ("geo", "year", "sex")] == [16, 12, 2]
    cells = builder.selected_cells(query, table, selection)
    numbers = builder.pivot(cells, selection, axes, "en", numbers=True)
    assert numbers.shape == (16, 12 * 2)  # every chosen combination, even one not released
    got = shown_figures(selection, axes, numbers)
    want = snapshot_figures(con, table, selection)
    assert got == want and len(got) >= 16 * 11 * 2
    assert all(key[2] in ("male", "female") for key in got)  # no total crept in

    printed = builder.pivot(cells, selection, axes, "fa")
    province_1390_male = want[("23", "1390", "male", "population")]
    assert printed.iloc[0, 0] == figures.number(province_1390_male, 0, "fa")
    assert "٬" in printed.iloc[0, 0] and not any(d in printed.iloc[0, 0] for d in "0123456789")
    assert printed.columns.names == ["سال", "جنس", "سنجه"]
    english = builder.pivot(cells, selection, axes, "en")
    assert english.iloc[0, 0] == f"{province_1390_male:,.0f}"


def test_the_builder_and_the_yearbook_page_read_the_same_cells(public, demo_home):
    """One FROM clause (dashboards.released_cells) serves both: a table-year's cells in the
    builder are the yearbook page's, place names and decimals alike; a snapshot from
    before marts.dim_edition gives each cell its first edition and no release date."""
    from dashboards import yearbook_view

    query, _con, reference = public
    table, _axes, selection = places_years_sex(query, reference)
    one_year = dataclasses.replace(selection, members={**selection.members, "year": ("1395",)})
    cells = builder.selected_cells(query, table, one_year)
    page = yearbook_view.table_values(query, ESTIMATE, 1395)
    shared = ["geo_code", "geo_name_fa", "geo_name_en", "dim_key", "value", "decimals"]
    key = ["geo_code", "dim_key"]
    page = page[page["geo_code"].isin(one_year.members["geo"])]
    page = page[page["dim_key"].isin(cells["dim_key"])][shared].sort_values(key)
    assert len(cells) == 16 * 2 and cells["edition"].notna().all()
    pd.testing.assert_frame_equal(
        cells[shared].sort_values(key).reset_index(drop=True), page.reset_index(drop=True)
    )

    # The same snapshot seen without its editions' table, as an older one is.
    older = duckdb.connect()
    path = home(demo_home.root).snapshots_dir / f"{PUBLIC}.duckdb"
    older.execute(f"ATTACH '{path}' AS snapshot (READ_ONLY)")
    older.execute("CREATE SCHEMA marts")
    for mart in ("fct_observations", "dim_table", "dim_indicator", "dim_geography"):
        older.execute(f"CREATE VIEW marts.{mart} AS SELECT * FROM snapshot.marts.{mart}")
    old_query = lambda sql, params=(): older.execute(sql, list(params)).df()  # noqa: E731
    before = builder.selected_cells(old_query, table, one_year)
    assert before["released_at_utc"].isna().all()
    firsts = query(
        "SELECT geo_code, dim_key, first_edition FROM marts.fct_observations"
        " WHERE table_id = ? AND year = 1395",
        [ESTIMATE],
    ).set_index(key)["first_edition"]
    assert [int(e) for e in before["edition"]] == [
        int(firsts[(g, d)]) for g, d in zip(before["geo_code"], before["dim_key"], strict=True)
    ]
    pd.testing.assert_frame_equal(before[shared], cells[shared])


def test_the_layout_follows_the_chosen_rows_and_columns(public):
    query, _con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    cells = builder.selected_cells(query, table, selection)
    turned = dataclasses.replace(selection, rows=("sex", "year"), columns=("geo", "measure"))
    grid = builder.pivot(cells, turned, axes, "en", numbers=True)
    assert grid.shape == (2 * 12, 16)
    assert grid.index.names == ["Sex", "Year"] and grid.index[0] == ("Male", "1390")
    original = builder.pivot(cells, selection, axes, "en", numbers=True)
    assert shown_figures(turned, axes, grid) == shown_figures(selection, axes, original)


def test_symbols_stand_where_the_yearbook_prints_them(public):
    query, con, reference = public
    table_id, geo, year, dim_key, measure, symbol = con.execute(
        "SELECT table_id, geo_code, year, dim_key, measure_id, symbol"
        " FROM marts.fct_observations WHERE symbol IS NOT NULL AND dim_key <> ''"
        " ORDER BY table_id, year, geo_code LIMIT 1"
    ).fetchone()
    table = declared(table_id, reference)
    axes = builder.table_axes(query, table, reference)
    selection = builder.default_selection(table, axes)
    cells = builder.selected_cells(query, table, selection)
    printed = builder.pivot(cells, selection, axes, "fa")
    numbers = builder.pivot(cells, selection, axes, "fa", numbers=True)
    members = builder.members_of(dim_key)
    codes = {"geo": geo, "year": str(year), "measure": measure, **members}

    def position(axis_ids):
        place = 0
        for axis_id in axis_ids:
            chosen = selection.members[axis_id]
            place = place * len(chosen) + chosen.index(codes[axis_id])
        return place

    r, c = position(selection.rows), position(selection.columns)
    assert printed.iloc[r, c] == symbol and math.isnan(numbers.iloc[r, c])


# ----------------------------------------------------------------------------- the address


def test_the_address_reproduces_the_selection(public):
    query, _con, reference = public
    table = declared(CENSUS, reference)
    axes = builder.table_axes(query, table, reference)
    chosen = builder.default_selection(table, axes)
    selection = dataclasses.replace(
        chosen,
        members={**chosen.members, "age_group_5y": ("100+", "0-4"), "year": ("1395",)},
        rows=("age_group_5y", "geo"),
        columns=("sex", "year", "measure"),
        view="chart",
    )
    params = builder.selection_params(selection)
    again, problems = builder.selection_from_params(params, table, axes)
    assert problems == [] and again.members["age_group_5y"] == ("0-4", "100+")  # list order
    assert again == dataclasses.replace(selection, members=again.members)
    # «100+» typed into an address arrives as «100 »: still the same member.
    typed, problems = builder.selection_from_params(
        {**params, "age_group_5y": "0-4,100 "}, table, axes
    )
    assert problems == [] and typed.members["age_group_5y"] == ("0-4", "100+")


def test_a_wrong_or_stale_address_says_what_it_left_out(public):
    query, _con, reference = public
    table = declared(ESTIMATE, reference)
    axes = builder.table_axes(query, table, reference)
    default = builder.default_selection(table, axes)
    selection, problems = builder.selection_from_params(
        {"table": ESTIMATE, "geo": "2301,9999", "sex": "male", "view": "map"}, table, axes
    )
    assert selection.members["geo"] == ("2301",) and selection.members["sex"] == ("male",)
    assert selection.view == "table"
    english = " ".join(p.en for p in problems)
    assert "9999 is not a member of Place" in english and "no view 'map'" in english
    assert all(p.fa for p in problems)
    selection, problems = builder.selection_from_params(
        {"rows": "geo,colour", "cols": "year"}, table, axes
    )
    assert "no axis colour" in problems[0].en
    assert (selection.rows, selection.columns) == (default.rows, default.columns)
    selection, problems = builder.selection_from_params({"rows": "geo", "cols": "geo"}, table, axes)
    assert "both in the rows and the columns" in problems[0].en
    # An axis the address does not place still shows, across.
    selection, problems = builder.selection_from_params(
        {"rows": "year", "cols": "geo"}, table, axes
    )
    assert problems == [] and selection.columns == ("geo", "sex", "measure")
    with pytest.raises(builder.SelectionProblem, match="stale or wrong"):
        builder.table_from_params({"table": "no_such_table"}, {ESTIMATE: "..."})


# ------------------------------------------------------------------------------- downloads


def read_back(fmt: str, data: bytes, table, edition, reference, tmp_path) -> dict[tuple, float]:
    """A download's figures by (geo, year, members..., measure), read by a tool of its
    format's own (pandas for CSV, duckdb for Parquet, pyjstat and jsonstat-validator,
    pysdmx with the table's structure message, openpyxl), not by our code."""
    lists = [d.code_list for d in table.dimensions]
    if fmt in ("csv", "parquet"):
        if fmt == "csv":
            frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"geo_code": str})
        else:
            path = tmp_path / "selection.parquet"
            path.write_bytes(data)
            frame = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").df()
        frame = frame[frame["value"].notna()]
        return {
            (str(r.geo_code), str(r.year), *(builder.members_of(r.dim_key)[c] for c in lists),
             r.measure_id): float(r.value)
            for r in frame.itertuples()
        }  # fmt: skip
    if fmt == "jsonstat":
        from jsonstat_validator import validate_jsonstat
        from pyjstat import pyjstat

        assert validate_jsonstat(json.loads(data))
        frame = pyjstat.Dataset.read(data.decode("utf-8")).write("dataframe", naming="id")
        frame = frame[frame["value"].notna()]
        return {
            (r["geo"], r["year"], *(r[c] for c in lists), r["measure"]): float(r["value"])
            for r in frame.to_dict("records")
        }
    if fmt == "sdmx":
        from pysdmx.io import get_datasets

        from publishing.sdmx import sdmx_agency, sdmx_id, structure_message, time_period

        data_path, structure = tmp_path / "selection.csv", tmp_path / "structure.xml"
        data_path.write_bytes(data)
        structure.write_bytes(structure_message(table, edition, reference, sdmx_agency(reference)))
        (dataset,) = get_datasets(data_path, structure)
        codes = {c: {sdmx_id(m.code): m.code for m in reference.members(c)} for c in lists}
        years = {time_period(y): str(y) for y in range(1380, 1410)}
        return {
            (r["REF_AREA"], years[r["TIME_PERIOD"]], *(codes[c][r[c.upper()]] for c in lists),
             r["MEASURE"]): float(r["OBS_VALUE"])
            for r in dataset.data.to_dict("records") if r["OBS_STATUS"] == "A"
        }  # fmt: skip
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonstat", "sdmx"])
def test_each_machine_download_reads_back_equal_to_the_shown_selection(fmt, public, tmp_path):
    query, _con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    cells = builder.selected_cells(query, table, selection)
    shown = shown_figures(selection, axes, builder.pivot(cells, selection, axes, "en", True))
    edition = builder.selection_edition(table, cells)
    data = builder.download(fmt, cells, selection, table, axes, edition, reference, "fa")
    assert read_back(fmt, data, table, edition, reference, tmp_path) == shown and shown


def test_json_stat_lists_only_the_chosen_members(public):
    query, _con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    cells = builder.selected_cells(query, table, selection)
    edition = builder.selection_edition(table, cells)
    dataset = json.loads(
        builder.download("jsonstat", cells, selection, table, axes, edition, reference, "fa")
    )
    assert dataset["size"] == [16, 2, 12, 1]  # geo x sex x year x measure, nothing else
    assert list(dataset["dimension"]["sex"]["category"]["index"]) == ["male", "female"]
    # It names the newest edition of the latest year chosen, and the span of years.
    assert dataset["extension"]["edition"] == 1 and dataset["updated"].startswith("20")
    assert dataset["label"].endswith("(1390-1401)")


def test_the_workbook_download_is_the_pivot_as_shown(public):
    query, _con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    cells = builder.selected_cells(query, table, selection)
    grid = builder.pivot(cells, selection, axes, "fa", numbers=True)
    edition = builder.selection_edition(table, cells)
    data = builder.download("xlsx", cells, selection, table, axes, edition, reference, "fa")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.sheet_view.rightToLeft
    rows = list(sheet.iter_rows(values_only=True))
    header = len(selection.columns)  # one header row per column axis, below the title
    assert rows[header][0] == "محل" and rows[1][1] == "۱۳۹۰" and rows[2][1] == "مرد"
    body = rows[1 + header : 1 + header + len(grid)]
    assert [(r[0],) for r in body] == list(grid.index)  # one row axis: places
    got = [[float(v) if isinstance(v, float | int) else math.nan for v in r[1 : 1 + grid.shape[1]]]
           for r in body]  # fmt: skip
    assert pd.DataFrame(got).equals(pd.DataFrame(grid.to_numpy(dtype=float)))


# ---------------------------------------------------------------------------- the page


PAGE = "screens/table_builder.py"


def run(app):
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def printed(app) -> str:
    """What the page wrote as markdown and as HTML (the pivot is HTML)."""
    return "\n".join([m.value for m in app.markdown] + [h.value for h in app.html])


def test_the_page_opens_a_link_at_its_selection_and_offers_each_download(
    portal_page,
    demo_home,
    public,
):
    query, _con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    narrow = dataclasses.replace(selection, members={**selection.members, "year": ("1390", "1401")})
    app = portal_page(PAGE, demo_home.root, lang="fa")
    for name, value in builder.selection_params(narrow).items():
        app.query_params[name] = value
    run(app)
    assert app.selectbox(key="tb_table").value == ESTIMATE
    # Its HTML preloads the code of what it draws (dashboards/preload.py).
    assert components_drawn(app) <= {*preload.SHELL, *preload.PAGE_COMPONENTS["table_builder"]}
    assert app.multiselect(key="tb_m_sex").value == ["male", "female"]
    assert app.multiselect(key="tb_m_year").value == ["1390", "1401"]
    assert not app.warning
    cells = builder.selected_cells(query, table, narrow)
    shown = builder.pivot(cells, narrow, axes, "fa")
    text = printed(app)
    assert builder.pivot_html(shown) in text  # the pivot, as laid out
    # pandas' empty corner and header cells are plain cells: no empty header for a screen
    # reader to announce before the figures (axe's empty-table-header).
    assert "<th></th>" in shown.to_html() and "<th></th>" not in text
    assert figures.number(float(cells["value"].iloc[0]), 0, "fa") in text
    assert dict(app.query_params) == {**builder.selection_params(narrow)}  # unchanged
    # A button per format (each file is written when clicked; the browser test downloads one).
    buttons = app.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "اکسل (xlsx، همین چیدمان)", "CSV (یک سطر برای هر رقم)", "JSON-stat 2.0", "SDMX-CSV 2.0",
        "Parquet",
    ]  # fmt: skip


def test_the_page_writes_each_change_into_its_address(portal_page, demo_home):
    app = portal_page(PAGE, demo_home.root, lang="en")
    app.query_params["table"] = ESTIMATE
    run(app)
    assert app.query_params["rows"] == "geo" and app.query_params["sex"] == "total,male,female"
    app.button(key="tb_swap").click()
    run(app)
    assert app.query_params["rows"] == "year,sex,measure" and app.query_params["cols"] == "geo"
    app.multiselect(key="tb_m_sex").set_value(["female"])
    run(app)
    assert app.query_params["sex"] == "female"
    app.button(key="tb_none_geo").click()
    run(app)
    assert app.query_params["geo"] == ""
    assert "Choose at least one member of Place" in app.info[0].value
    app.radio(key="tb_view").set_value("chart")
    app.button(key="tb_all_geo").click()
    run(app)
    assert app.query_params["view"] == "chart" and app.query_params["geo"].startswith("23,")
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")


def test_a_stale_link_explains_itself_in_the_readers_language(portal_page, demo_home):
    app = portal_page(PAGE, demo_home.root, lang="en")
    app.query_params["table"] = "a_table_retired_long_ago"
    run(app)
    assert "is not among the released figures" in app.warning[0].value
    assert app.query_params["table"] == app.selectbox(key="tb_table").value  # a table shown
    app = portal_page(PAGE, demo_home.root, lang="fa")
    app.query_params.update({"table": ESTIMATE, "geo": "2301,7777", "rows": "colour"})
    run(app)
    warned = " ".join(w.value for w in app.warning)
    assert "«7777» در «محل» این جدول نیست" in warned and "محور «colour» ندارد" in warned
    assert app.multiselect(key="tb_m_geo").value == ["2301"]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_page_renders_a_first_table_in_each_language(portal_page, demo_home, lang):
    """No address: the first table, all of it, in the reader's digits only."""
    app = run(portal_page(PAGE, demo_home.root, lang=lang))
    assert app.title[0].value == ("جدول‌ساز" if lang == "fa" else "Table builder")
    pivot_html = next(h.value for h in app.html if 'class="dataframe tb"' in h.value)
    persian = set("۰۱۲۳۴۵۶۷۸۹") & set(pivot_html)
    latin = set("0123456789") & set(pivot_html.split("<tbody>")[1].replace("<tr>", ""))
    assert (persian and not latin) if lang == "fa" else (latin and not persian)
    assert app.query_params["table"] == app.selectbox(key="tb_table").value


def test_the_page_never_opens_the_internal_snapshot(portal_page, demo_home, monkeypatch):
    import streamlit as st

    opened: list[str] = []
    connect = duckdb.connect

    def watch(database=":memory:", *args, **kwargs):
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", watch)
    st.cache_data.clear()  # nothing served from an earlier test's cache
    app = portal_page(PAGE, demo_home.root, lang="en")
    app.query_params.update({"table": CENSUS, "view": "chart"})
    run(app)
    assert opened and all(path.endswith("public.duckdb") for path in opened), set(opened)


def test_the_benchmark_script_measures_the_issues_selection(demo_home):
    """benchmarks/table_builder_bench.py runs (in process, twice) on the selection the
    issue names; its figures are read, never judged, here."""
    from benchmarks.table_builder_bench import in_process

    result = in_process(demo_home.root, reps=2)
    assert result["selection"] == {"geo": 16, "year": 12, "sex": 2}
    assert result["cells"] == 382 and result["pivot_shape"] == [16, 24]
    assert set(result["downloads"]) == set(builder.FORMATS)


# ------------------------------------------------------------------------------- the CLI


def test_salnameh_select_writes_what_a_builder_link_selects(demo_home, public, tmp_path):
    """`salnameh select LINK` writes the file the page's button would, from the same
    functions; a stale link ends with exit 2 and the reason in English and Persian, and
    leaves no file."""
    from tests.conftest import run_salnameh

    query, _con, reference = public
    table, axes, selection = places_years_sex(query, reference)
    link = "http://portal/table_builder?" + "&".join(
        f"{k}={v}" for k, v in builder.selection_params(selection).items()
    )
    out = tmp_path / "selection.json"
    done = run_salnameh("select", link, "--format", "jsonstat", "--out", str(out),
                        home=demo_home.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cells = builder.selected_cells(query, table, selection)
    edition = builder.selection_edition(table, cells)
    shown = shown_figures(selection, axes, builder.pivot(cells, selection, axes, "en", True))
    assert read_back("jsonstat", out.read_bytes(), table, edition, reference, tmp_path) == shown

    stale = tmp_path / "stale.csv"
    refused = run_salnameh("select", "table=retired_table&geo=23", "--out", str(stale),
                           home=demo_home.root)  # fmt: skip
    assert refused.returncode == 2 and not stale.exists()
    assert "stale or wrong" in refused.stderr and "نشانی کهنه یا نادرست" in refused.stderr
