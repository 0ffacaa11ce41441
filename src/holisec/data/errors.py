"""Input errors that name the file, row and column of each problem."""
from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import numpy as np

#: How many problems an :class:`InputErrors` lists before "... and N more".
MAX_LISTED = 20


def _where(file: str | None, row: int | None, column: str | None) -> str:
    parts = []
    if file is not None:
        parts.append(str(file))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


class InputError(ValueError):
    """A problem in an input file.

    ``row`` is the 1-based line number in the file (the header is line 1; for Excel, the
    sheet's row number). Message: ``"{file}, row {row}, column {column!r}: {problem}"``,
    with unknown parts left out.
    """

    def __init__(self, problem: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None):
        self.file = None if file is None else str(file)
        self.row = None if row is None else int(row)
        self.column = None if column is None else str(column)
        self.problem = problem
        where = _where(self.file, self.row, self.column)
        super().__init__(f"{where}: {problem}" if where else problem)


class InputErrors(InputError):
    """Several input problems at once (the first :data:`MAX_LISTED` are listed).

    ``errors`` holds the listed :class:`InputError` objects, ``total`` how many were found;
    ``file``/``row``/``column``/``problem`` are those of the first one.
    """

    def __init__(self, errors: list[InputError], total: int | None = None, limit: int = MAX_LISTED):
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        self.errors = list(errors[:limit])
        self.total = max(int(total if total is not None else len(errors)), len(self.errors))
        first = self.errors[0]
        lines = [f"{self.total} problems in the input:"] + [f"  - {e}" for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"  ... and {self.total - len(self.errors)} more")
        ValueError.__init__(self, "\n".join(lines))
        self.file, self.row, self.column, self.problem = first.file, first.row, first.column, first.problem


class Problems:
    """Collects input problems; :meth:`raise_if_any` raises one :class:`InputError` or an
    :class:`InputErrors` listing up to ``limit`` of them, then "... and N more".

    >>> p = Problems("data.csv"); p.add("not a number: '12,x'", row=3, column="value")
    >>> p.raise_if_any()
    Traceback (most recent call last):
    holisec.data.errors.InputError: data.csv, row 3, column 'value': not a number: '12,x'
    """

    def __init__(self, file: str | None = None, limit: int = MAX_LISTED):
        self.file, self.limit = file, limit
        self.errors: list[InputError] = []
        self.total = 0

    def __len__(self) -> int:
        return self.total

    def add(self, problem: str, *, row: int | None = None, column: str | None = None,
            file: str | None = None) -> None:
        self.total += 1
        if len(self.errors) < self.limit:
            self.errors.append(InputError(problem, file=file or self.file, row=row, column=column))

    def add_many(self, rows: Iterable[int], column: str | None, problems: Iterable[str] | str) -> None:
        """Add one problem per row; only the first ``limit`` messages are built."""
        rows = np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows)
        n = len(rows)
        room = max(self.limit - len(self.errors), 0)
        texts = [problems] * min(n, room) if isinstance(problems, str) else list(islice(problems, room))
        for r, text in zip(rows[:room], texts):
            self.errors.append(InputError(text, file=self.file, row=int(r), column=column))
        self.total += n

    def raise_if_any(self) -> None:
        self.errors.sort(key=lambda e: (e.file or "", e.row or 0))
        if self.total == 1:
            raise self.errors[0]
        if self.total:
            raise InputErrors(self.errors, total=self.total, limit=self.limit)
