"""Spreadsheet safety: cells that a spreadsheet program would run as a formula are escaped.

Every file a person may open in a spreadsheet program (exports, rejects, linkage results) writes
its cells through :func:`escape_row`: CSV through :class:`CsvWriter`, XLSX rows by calling it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """Prefix text that starts like a formula with ``'`` so it is shown, not evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_row(values: Iterable[object]) -> list[object]:
    """``values`` with each cell escaped (:func:`escape_cell`)."""
    return [escape_cell(v) for v in values]


class CsvWriter:
    """A ``csv.writer`` whose every cell, header included, is escaped."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, values: Iterable[object]) -> None:
        self._writer.writerow(escape_row(values))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
