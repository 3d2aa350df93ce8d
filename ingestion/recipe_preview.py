"""What a recipe makes of a workbook, shown before anything is recorded.

`salnameh recipe preview R.yaml FILE` runs the same check an ingest runs (read, map,
validate: `Ingestor.check`, which touches no store) and prints the mapped figures with the
cell each came from, then the validation report, so whoever writes a recipe sees at once
whether a row, a column or a sheet went astray.
"""

from __future__ import annotations

from ingestion.ingest import Checked
from ingestion.recipe_mapping import SUMMED
from ingestion.values import LONG_COLUMNS


def cell_name(sheet: str, row: int, column: str) -> str:
    """A value's place in the workbook, as Excel writes a reference: 'رئ!B4'."""
    return "(sum)" if sheet == SUMMED else f"{sheet}!{column}{row}"


def preview_lines(checked: Checked, place_names: dict[str, str], show_all: bool) -> list[str]:
    """The mapped values (each place's grand total, or every value) and the report."""
    lines = []
    identity = checked.identity
    if identity is not None:
        lines.append(f"table {identity.table_id}, year {identity.year}, agency "
                     f"{identity.agency} ({identity.source})")  # fmt: skip
    values = checked.values
    if values is not None:
        frame = values[LONG_COLUMNS]
        if not show_all:  # each place's all-members total: the figure a reader checks first
            totals = frame["dim_key"].astype(str).map(_all_totals)
            frame = frame[totals] if totals.any() else frame.head(40)
        lines.append(f"{len(values)} values mapped; showing {len(frame)}:")
        for row in frame.itertuples(index=False):
            shown = "" if row.value != row.value else f"{row.value:,.0f}"
            flag = f" [{row.flag}]" if isinstance(row.flag, str) else ""
            place = place_names.get(row.geo, row.geo)
            lines.append(f"  {place:<24} {row.dim_key:<40} {shown:>14}{flag}  "
                         f"{cell_name(row.sheet, row.row, row.column)}")  # fmt: skip
    verdict = "would be rejected" if checked.report.has_errors else "would be accepted"
    lines.append(f"{verdict}: {checked.report.error_count} error(s)")
    for problem in checked.report.problems:
        where = problem.where()
        lines.append(f"  [{problem.severity}] {problem.code}{f' ({where})' if where else ''}: "
                     f"{problem.en}")  # fmt: skip
    return lines


def _all_totals(dim_key: str) -> bool:
    return all(part.endswith("=total") for part in dim_key.split(";"))
