"""Spreadsheet safety: cells that a spreadsheet program would run as a formula are escaped."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """Prefix text that starts like a formula with ``'`` so it is shown, not evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
