"""Checking the values against their declaration: schema (pandera) and rules (sums).

The pandera schema is generated from the declaration: which places, members and
measures may appear, bounds and whole numbers per measure, one value per cell, and a
number or a yearbook symbol in every cell. The same column rules and checks are first run
on their own (`passes_schema`); pandera is imported and run only when they find a failure,
to report it row by row. The rules (parts sum to their total, counties
to the province, measures to a total measure) are vector sums with the declared
tolerance. Each failure is turned back into the sheet row and column it came from.
Cross-table identities (equals_table) need the other table's accepted figures and are
checked in the warehouse build.

A large table has a million rows here, so the checks work on whole columns and on the
integer codes of the label columns (categoricals, see ingestion.values), never row by
row: a group of cells is one integer per row, counted with np.bincount.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingestion.layout import TableShape
from ingestion.problems import Problem, error
from salnameh.declarations import Rule, TableDecl
from salnameh.persian import format_number
from salnameh.reference import Reference


@dataclass(frozen=True)
class ColumnRule:
    dtype: object  # as pandera names it: "category" or float
    allowed: list[str] | None  # the codes a label column may hold; None: any
    nullable: bool


def column_rules(shape: TableShape, reference: Reference) -> dict[str, ColumnRule]:
    """Each column of one table-year's long values: its type, codes and whether it may be
    empty, from the declaration."""
    table = shape.table
    columns = {
        "geo": ColumnRule("category", [g.code for g in shape.places.expected], False),
        "measure": ColumnRule("category", [m.id for m in table.measures], False),
        "value": ColumnRule(float, None, True),
        "flag": ColumnRule("category", None, True),
    }
    for dim in table.dimensions:
        codes = [c.code for c in reference.members(dim.code_list, dim.members)]
        columns[dim.code_list] = ColumnRule("category", codes, False)
    return columns


def frame_checks(shape: TableShape) -> dict[str, Callable[[pd.DataFrame], pd.Series]]:
    """The checks across columns, by name: True where a row passes."""
    table = shape.table

    def bound(side: str):
        limits = {m.id: getattr(m, side) for m in table.measures if getattr(m, side) is not None}

        def check(frame: pd.DataFrame) -> pd.Series:
            # Mapped on the measure's categories (a few), not on every row.
            limit = frame["measure"].map(limits, na_action="ignore").astype(float)
            if side == "min":
                return ~(frame["value"] < limit)
            return ~(frame["value"] > limit)

        return check

    integers = [m.id for m in table.measures if m.type == "integer"]
    keys = ["geo", *(d.code_list for d in table.dimensions), "measure"]

    def one_value_per_cell(frame: pd.DataFrame) -> pd.Series:
        ids, span = group_ids(frame, keys)
        counts = np.bincount(ids, minlength=span)
        if counts.max(initial=0) <= 1:  # nearly always: no count to look up row by row
            return pd.Series(True, index=frame.index)
        return pd.Series(counts[ids] == 1, index=frame.index)

    return {
        "unique_cell": one_value_per_cell,
        "below_min": bound("min"),
        "above_max": bound("max"),
        "not_integer": lambda f: pd.Series(
            ~among(f["measure"], integers) | _whole_or_empty(f["value"].to_numpy()),
            index=f.index,
        ),
        "missing_value": lambda f: f["value"].notna() | f["flag"].notna(),
    }


def schema_for(shape: TableShape, reference: Reference):
    """The pandera schema of one table-year's long values, from its declaration."""
    import pandera.pandas as pa

    columns = {}
    for name, rule in column_rules(shape, reference).items():
        check = one_of(rule.allowed) if rule.allowed is not None else None
        columns[name] = pa.Column(rule.dtype, check, nullable=rule.nullable)
    # ignore_na=False: pandera would otherwise scan the whole frame for rows that are empty
    # in every column, once per check; a row here always has its place and sheet row.
    checks = [pa.Check(check, name=name, ignore_na=False)
              for name, check in frame_checks(shape).items()]  # fmt: skip
    return pa.DataFrameSchema(columns, checks=checks, strict=False)


def one_of(allowed: list[str]):
    """pandera's isin for a categorical column, decided per category (see `among`)."""
    import pandera.pandas as pa

    check = lambda column: pd.Series(among(column, allowed), index=column.index)  # noqa: E731
    return pa.Check(check, name="isin")


def passes_schema(frame: pd.DataFrame, shape: TableShape, reference: Reference) -> bool:
    """Whether the frame certainly passes `schema_for`: every column there with its type,
    no empty label, every label among its codes, every check true. The same rules, run
    without pandera, whose import is 0.2 s of CPU at every command's start: pandera runs
    only for a frame that fails (or might), to name each failing row."""
    for name, rule in column_rules(shape, reference).items():
        if name not in frame.columns:
            return False
        column = frame[name]
        if rule.dtype == "category":
            if not isinstance(column.dtype, pd.CategoricalDtype):
                return False
        elif column.dtype != np.float64:
            return False
        if not rule.nullable and column.isna().any():
            return False
        if rule.allowed is not None and not among(column, rule.allowed).all():
            return False
    try:
        return all(bool(check(frame).all()) for check in frame_checks(shape).values())
    except Exception:  # pandera reports a check that cannot run: let it
        return False


def among(column: pd.Series, wanted: list[str]) -> np.ndarray:
    """Whether each row's label (a categorical) is one of `wanted`: decided once per
    category (a set, not pandas' isin on Arrow strings) and looked up by code."""
    labels, wanted = column.array, set(wanted)  # the Categorical itself
    hit = [category in wanted for category in labels.categories.tolist()]
    return np.array([*hit, False])[labels.codes]  # code -1 (no label): the last, False


def _whole_or_empty(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isnan(values) | (np.trunc(values) == values)  # % 1 is 20 times slower


def group_ids(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, int]:
    """(one integer per row, equal exactly where the rows agree on every key column, and
    an upper bound of the integers). The key columns are categoricals: their codes are
    combined in mixed radix, renumbered densely whenever the range outgrows the frame.
    Worked in place: a million-row temporary per key cost more than the arithmetic."""
    ids = np.zeros(len(frame), dtype=np.int64)
    span = 1
    for key in keys:
        labels = frame[key].array  # the Categorical itself
        ids *= len(labels.categories)
        ids += labels.codes
        span *= len(labels.categories)
        if span > 4 * len(frame) + 64:
            ids, uniques = pd.factorize(ids)
            span = len(uniques)
    return ids, span


def validate(frame: pd.DataFrame, shape: TableShape, reference: Reference) -> list[Problem]:
    problems = schema_problems(frame, shape, reference)
    for rule in shape.table.rules:
        problems += rule_problems(frame, rule, shape, reference)
    return problems


def _limit(value: float) -> tuple[str, str]:
    """A bound as people write it, in each language: 40,000 or 0.5, never 2.5e+06."""
    return format_number(value, None, "fa"), format_number(value, None, "en")


def _fmt(value: float, decimals: int) -> tuple[str, str]:
    return format_number(value, decimals, "fa"), format_number(value, decimals, "en")


def schema_problems(frame: pd.DataFrame, shape: TableShape, reference: Reference):
    if passes_schema(frame, shape, reference):
        return []
    from pandera.errors import SchemaErrors

    try:
        schema_for(shape, reference).validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    measures = {m.id: m for m in shape.table.measures}
    problems: list[Problem] = []
    cases = cases[cases["index"].notna()].drop_duplicates(["check", "index"])
    for check, index in zip(cases["check"], cases["index"], strict=True):
        row = frame.loc[int(index)]
        measure = measures.get(row["measure"])
        where = {"sheet": row["sheet"], "row": int(row["row"]), "column": row["column"]}
        place_fa, place_en = (
            shape.places.names(row["geo"])
            if row["geo"] in shape.known_geos
            else (row["geo"], row["geo"])
        )
        value = row["value"]
        decimals = measure.decimals if measure else 0
        shown, shown_en = ("", "") if pd.isna(value) else _fmt(value, decimals)
        title = measure.title if measure else None
        if check == "below_min":
            problems.append(error(
                "below_min",
                f"{title.fa} ({place_fa}): مقدار {shown} کمتر از حداقل مجاز "
                f"{_limit(measure.min)[0]} است.",
                f"{title.en} ({place_en}): {shown_en} is below the lowest allowed value, "
                f"{_limit(measure.min)[1]}."
                + (" Counts cannot be negative." if measure.min == 0 else ""),
                value=shown_en, **where))  # fmt: skip
        elif check == "above_max":
            problems.append(error(
                "above_max",
                f"{title.fa} ({place_fa}): مقدار {shown} بیشتر از حداکثر مجاز "
                f"{_limit(measure.max)[0]} است؛ واحد را "
                "بررسی کنید (مثلاً هزار نفر یا نفر).",
                f"{title.en} ({place_en}): {shown_en} is above the highest allowed value, "
                f"{_limit(measure.max)[1]}; "
                "check the unit (thousands or units?).",
                value=shown_en, **where))  # fmt: skip
        elif check == "not_integer":
            problems.append(error(
                "not_integer",
                f"{title.fa} ({place_fa}): مقدار {shown} باید عدد صحیح باشد.",
                f"{title.en} ({place_en}): {shown_en} should be a whole number.",
                value=shown_en, **where))  # fmt: skip
        elif check == "missing_value":
            problems.append(error(
                "missing_value",
                "خانه خالی است؛ عدد را بنویسید یا اگر رقمی نیست علامت - یا ... بگذارید.",
                "The cell is empty; type the figure, or - (not collected) or ... (not "
                "available) if there is none.",
                **where))  # fmt: skip
        elif "unique" in str(check) or "duplicate" in str(check):
            problems.append(error(
                "duplicate_value",
                "این خانه دو بار آمده است.",
                "This cell appears twice in the table.",
                **where))  # fmt: skip
        else:
            problems.append(error(
                "invalid_value",
                f"مقدار این خانه با تعریف جدول نمی‌خواند ({check}).",
                f"The cell does not fit the table's declaration ({check}).",
                **where))  # fmt: skip
    return problems


def _rule_measures(rule: Rule, table: TableDecl, reference: Reference) -> list[str]:
    if rule.measures is not None:
        return list(rule.measures)
    return [m.id for m in table.measures if reference.units[m.unit].additive]


def _allowed(rule: Rule, total, parts, decimals):
    """Declared tolerance, plus half a unit of the last digit for each rounded part."""
    rounding = np.zeros(len(total))
    rounded = decimals > 0  # most measures are counts: the power is taken for the others only
    rounding[rounded] = parts[rounded] * 0.5 * 10.0 ** (-decimals[rounded])
    return np.maximum(rule.tolerance, np.abs(total) * rule.tolerance_pct / 100) + rounding + 1e-9


def rule_problems(frame: pd.DataFrame, rule: Rule, shape: TableShape, reference: Reference):
    table = shape.table
    measures = _rule_measures(rule, table, reference)
    in_rule = among(frame["measure"], measures)
    if not in_rule.any():
        return []
    dims = [d.code_list for d in table.dimensions]
    if rule.kind == "parts_sum_to_total":
        total_code = reference.total_code(rule.dimension)
        is_total = (frame[rule.dimension] == total_code).to_numpy()
        keys = ["geo", "measure", *(d for d in dims if d != rule.dimension)]
        return _compare(frame, in_rule, is_total, keys, rule, shape, "parts")
    if rule.kind == "counties_sum_to_province":
        if table.geography != "county":
            return []
        is_total = (frame["geo"] == shape.places.province_code).to_numpy()
        return _compare(frame, in_rule, is_total, ["measure", *dims], rule, shape, "counties")
    if rule.kind == "measures_sum":
        in_rule = among(frame["measure"], [rule.total, *rule.parts])
        is_total = (frame["measure"] == rule.total).to_numpy()
        return _compare(frame, in_rule, is_total, ["geo", *dims], rule, shape, "measures")
    return []  # equals_table: checked in the warehouse, where the other table is


def _compare(frame, in_rule, is_total, keys, rule, shape: TableShape, kind: str):
    """Each total (in frame order) against the sum of the parts that share its keys.

    A part without a number (a symbol) leaves the sum unknown: nothing to compare.
    """
    group, span = group_ids(frame, keys)
    value = frame["value"].to_numpy()
    parts = in_rule & ~is_total
    part_group, part_value = group[parts], value[parts]
    parts_n = np.bincount(part_group, minlength=span)
    known = ~np.isnan(part_value)
    parts_known = parts_n if known.all() else np.bincount(part_group[known], minlength=span)
    parts_sum = _group_sums(part_value, part_group, span, known)

    totals = np.flatnonzero(in_rule & is_total)
    totals = totals[parts_n[group[totals]] > 0]  # a total without parts has nothing to match
    g = group[totals]
    checked = ~np.isnan(value[totals]) & (parts_known[g] == parts_n[g])
    totals, g = totals[checked], g[checked]
    if not len(totals):
        return []
    decimals = {m.id: m.decimals for m in shape.table.measures}
    places = frame["measure"].iloc[totals].map(decimals).astype(int).to_numpy()
    allowed = _allowed(rule, value[totals], parts_n[g], places)
    bad = np.abs(value[totals] - parts_sum[g]) > allowed
    rows = frame.iloc[totals[bad]][["geo", "measure", "value", "sheet", "row", "column"]]
    rows = rows.assign(parts_sum=parts_sum[g[bad]]).to_dict("records")
    return [_sum_problem(row, kind, rule, shape, int(decimals[row["measure"]])) for row in rows]


def _group_sums(values: np.ndarray, groups: np.ndarray, span: int, known: np.ndarray
                ) -> np.ndarray:  # fmt: skip
    """Each group's sum of its values, NaN left out: pandas' groupby sum, to the last bit.

    pandas adds with compensation (Kahan). Whole numbers whose magnitudes add up to less
    than 2**53 sum exactly in any order, compensated or not, so for them (counts: nearly
    every table) a plain np.bincount gives the same sums, several times faster.
    """
    numbers = values if known.all() else np.where(known, values, 0.0)  # `known`: not NaN
    scratch = np.trunc(numbers)
    if np.array_equal(scratch, numbers) and np.abs(numbers, out=scratch).sum() < 2.0**53:
        return np.bincount(groups, weights=numbers, minlength=span)
    sums = pd.Series(values).groupby(groups).sum()
    out = np.zeros(span)
    out[sums.index.to_numpy()] = sums.to_numpy()
    return out


def _sum_problem(row, kind: str, rule: Rule, shape: TableShape, decimals: int) -> Problem:
    table = shape.table
    measure = table.measure(row["measure"]) if kind != "measures" else table.measure(rule.total)
    total_fa, total_en = _fmt(row["value"], decimals)
    sum_fa, sum_en = _fmt(row["parts_sum"], decimals)
    gap_fa, gap_en = _fmt(row["value"] - row["parts_sum"], decimals)
    place_fa, place_en = shape.places.names(row["geo"])
    if kind == "counties":
        code = "counties_sum_mismatch"
        fa = (f"{measure.title.fa}: رقم کل استان {total_fa} است ولی جمع شهرستان‌ها {sum_fa} "
              f"می‌شود (اختلاف {gap_fa}).")  # fmt: skip
        en = (f"{measure.title.en}: the province total is {total_en} but the counties add "
              f"up to {sum_en} (difference {gap_en}).")  # fmt: skip
    elif kind == "parts":
        code = "parts_sum_mismatch"
        list_fa, list_en = shape.list_titles.get(rule.dimension, (rule.dimension,) * 2)
        fa = (f"{measure.title.fa} در ردیف {place_fa}: «جمع» {total_fa} است ولی اجزای آن "
              f"به تفکیک {list_fa} {sum_fa} می‌شود (اختلاف {gap_fa}).")  # fmt: skip
        en = (f"{measure.title.en} for {place_en}: the total is {total_en} but its parts "
              f"by {list_en.lower()} add up to {sum_en} (difference {gap_en}).")  # fmt: skip
    else:
        code = "measures_sum_mismatch"
        parts = " + ".join(table.measure(p).title.en for p in rule.parts)
        fa = (f"در ردیف {place_fa}: {measure.title.fa} {total_fa} است ولی جمع ستون‌های "
              f"اجزا {sum_fa} می‌شود (اختلاف {gap_fa}).")  # fmt: skip
        en = (f"{place_en}: {measure.title.en} is {total_en} but {parts} add up to "
              f"{sum_en} (difference {gap_en}).")  # fmt: skip
    tolerance_fa = tolerance_en = ""
    if rule.tolerance or rule.tolerance_pct:
        allowed_fa, allowed_en = _limit(rule.tolerance)
        pct_fa, pct_en = _limit(rule.tolerance_pct)
        tolerance_fa = f" اختلاف مجاز: {allowed_fa} یا {pct_fa}٪."
        tolerance_en = f" Allowed difference: {allowed_en} or {pct_en}%."
    return error(code, fa + " ارقام را اصلاح کنید." + tolerance_fa,
                 en + " Correct the figures." + tolerance_en,
                 sheet=row["sheet"], row=int(row["row"]), column=row["column"],
                 value=total_en)  # fmt: skip
