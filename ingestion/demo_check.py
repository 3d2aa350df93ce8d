"""What ingesting the demo files must give: every file accepted except the planted errors.

The demo generator plants four kinds of anomaly (app.demo.anomalies). Three are
errors a form's electronic validation must catch; a collapse is a plausible figure that
only the anomaly scores in the warehouse can question, so its file is accepted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

# Planted kind -> the problem code that must reject the file (None: must be accepted).
EXPECTED_CODE = {
    "broken_total": "counties_sum_mismatch",
    "missing_county": "missing_row",
    "unit_slip_x1000": "above_max",
    "collapse": None,
}


@dataclass(frozen=True)
class Expected:
    path: Path
    table_id: str
    year: int
    code: str | None  # None: accepted


def expected_verdicts(demo_dir: Path) -> list[Expected]:
    with (demo_dir / "anomalies.csv").open(encoding="utf-8") as handle:
        planted = {(r["table_id"], int(r["year"])): r["kind"] for r in csv.DictReader(handle)}
    with (demo_dir / "manifest.csv").open(encoding="utf-8") as handle:
        files = list(csv.DictReader(handle))
    return [
        Expected(
            demo_dir / f["path"],
            f["table_id"],
            int(f["year"]),
            EXPECTED_CODE.get(planted.get((f["table_id"], int(f["year"])), "collapse")),
        )
        for f in files
    ]


def surprises(expected: list[Expected], outcomes: dict[str, object]) -> list[str]:
    """Files whose verdict differs from the plan, said plainly; empty when all match."""
    found = []
    for item in expected:
        outcome = outcomes.get(str(item.path))
        if outcome is None:
            found.append(f"{item.path.name} ({item.year}): not ingested")
            continue
        codes = {p.code for p in outcome.errors}
        if item.code is None and outcome.verdict == "rejected":
            found.append(f"{item.table_id} {item.year}: rejected, expected accepted: "
                         f"{'; '.join(p.en for p in outcome.errors[:2])}")  # fmt: skip
        elif item.code is not None and outcome.verdict != "unchanged" and item.code not in codes:
            found.append(f"{item.table_id} {item.year}: expected {item.code}, got "
                         f"{outcome.verdict} {sorted(codes)}")  # fmt: skip
    return found
