"""Which identities hold in the figures of a printed table: totals over their parts.

A printed «جمع» row or column is a rule only if its figures add up, since a table may
print an average or a rate beside a total member. Sums are judged with a tolerance,
because SCI totals may differ from the sum of rounded parts (DOMAIN.md section 4).
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.printed_table import PrintedTable

HOLDS_SHARE = 0.95  # of the tested totals; a sheet may carry a typo or two


def _adds_up(total: float, parts: list[float], decimals: int) -> bool:
    """Printed totals may differ from the sum of rounded parts (DOMAIN.md section 4)."""
    rounding = 0.5 * len(parts) * 10**-decimals
    return abs(total - sum(parts)) <= max(rounding, 0.005 * abs(total))


@dataclass
class Cells:
    """Every figure by (place, member codes in dimension order, measure index)."""

    values: dict[tuple, float]

    decimals: list[int]  # per measure: how far a sum of rounded parts may stray

    @classmethod
    def build(cls, t: PrintedTable, row_keys: list, col_keys: list, decimals: list[int]) -> Cells:
        """From each data row's (place, row member codes) and each value column's
        (measure, column member codes); a cell with an unknown place or label is left out."""
        values = {}
        for i, (place, row_codes) in enumerate(row_keys):
            for j, col in enumerate(t.value_cols):
                measure, col_codes = col_keys[j]
                value = t.figures[col][i]
                codes = (*row_codes, *col_codes)
                if value is None or place is None or None in codes:
                    continue
                values[(place, codes, measure)] = value
        return cls(values, decimals)

    def _judge(self, tests: dict[int, list[bool]]) -> list[int]:
        return sorted(m for m, t in tests.items() if t and sum(t) >= HOLDS_SHARE * len(t))

    def parts_sum(self, dim: int, total: str) -> list[int]:
        """The measures whose total member is the sum of the others, along dimension `dim`."""
        groups: dict[tuple, dict[str, float]] = {}
        for (place, codes, measure), value in self.values.items():
            rest = (place, codes[:dim] + codes[dim + 1 :], measure)
            groups.setdefault(rest, {})[codes[dim]] = value
        tests: dict[int, list[bool]] = {}
        for (_place, _rest, measure), members in groups.items():
            parts = [v for code, v in members.items() if code != total]
            if total in members and len(parts) >= 2:
                ok = _adds_up(members[total], parts, self.decimals[measure])
                tests.setdefault(measure, []).append(ok)
        return self._judge(tests)

    def counties_sum(self, provinces: set[str]) -> list[int]:
        """The measures whose province row is the sum of the county rows."""
        groups: dict[tuple, dict[str, float]] = {}
        for (place, codes, measure), value in self.values.items():
            groups.setdefault((codes, measure), {})[place] = value
        tests: dict[int, list[bool]] = {}
        for (_codes, measure), by_place in groups.items():
            province = [v for p, v in by_place.items() if p in provinces]
            counties = [v for p, v in by_place.items() if p not in provinces]
            if province and len(counties) >= 2:
                ok = _adds_up(province[0], counties, self.decimals[measure])
                tests.setdefault(measure, []).append(ok)
        return self._judge(tests)

    def measure_sums(self, n_measures: int) -> list[tuple[int, list[int]]]:
        """(total, parts): a measure equal to the sum of the measures printed right after
        it (or right before it) in every row; the longest such run."""
        found, used = [], set()
        for total in range(n_measures):
            if total in used:
                continue
            runs = [list(range(total + 1, end)) for end in range(n_measures, total + 2, -1)]
            runs += [list(range(start, total)) for start in range(0, total - 1)]
            for parts in runs:
                if used & {total, *parts} or not self._sums_to(total, parts):
                    continue
                found.append((total, parts))
                used |= {total, *parts}
                break
        return found

    def _sums_to(self, total: int, parts: list[int]) -> bool:
        tests = []
        for (place, codes, measure), value in self.values.items():
            if measure != total:
                continue
            values = [self.values.get((place, codes, p)) for p in parts]
            if None not in values:
                tests.append(_adds_up(value, values, self.decimals[total]))
        return bool(tests) and sum(tests) >= HOLDS_SHARE * len(tests)
