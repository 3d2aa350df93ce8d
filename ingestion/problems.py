"""What ingestion found wrong in a file, said so a liaison can fix it.

Every problem has a stable code (for scripts and tests), a severity (an error rejects
the file, a warning lets it through, a note only informs), where it is (sheet, row,
column as the liaison sees them: 1-based rows, Excel column letters) and the message in
Persian and in English.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from salnameh.persian import persian_message

ERROR = "error"
WARNING = "warning"
NOTE = "note"


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str
    fa: str
    en: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as the spreadsheet shows it
    column: str | None = None  # Excel letters (A, B, ... AA) or a CSV column number
    value: str | None = None

    def __post_init__(self) -> None:
        # One rule for every message: Persian text in Persian digits (salnameh.persian).
        object.__setattr__(self, "fa", persian_message(self.fa))

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def line(self) -> str:
        where = self.where()
        return f"[{self.severity}] {self.code}{f' ({where})' if where else ''}: {self.en}"

    def as_dict(self) -> dict:
        return asdict(self)


class Rejected(Exception):
    """Processing cannot go on: the problems say why (at least one error among them)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.en for p in problems[:3]))


def error(code: str, fa: str, en: str, **where) -> Problem:
    return Problem(code, ERROR, fa, en, **where)


def warning(code: str, fa: str, en: str, **where) -> Problem:
    return Problem(code, WARNING, fa, en, **where)


def note(code: str, fa: str, en: str, **where) -> Problem:
    return Problem(code, NOTE, fa, en, **where)


@dataclass
class Report:
    """All problems of one file, in the order found, capped so a broken file stays readable."""

    limit: int = 200
    problems: list[Problem] = field(default_factory=list)
    dropped: dict[tuple[str, str], int] = field(default_factory=dict)  # (severity, code)

    def add(self, problem: Problem) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(problem)
        else:
            key = (problem.severity, problem.code)
            self.dropped[key] = self.dropped.get(key, 0) + 1

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def error_count(self) -> int:
        """Errors kept plus those dropped past the limit."""
        dropped = sum(n for (severity, _code), n in self.dropped.items() if severity == ERROR)
        return len(self.errors) + dropped

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)


def column_letter(index: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
