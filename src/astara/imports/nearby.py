"""Near-duplicate look-up: the first earlier row with the same quantity, or kilograms within a tolerance.

Rows are grouped by (country, date, drug). A linear scan of the group is the plain definition,
but groups of a large file hold thousands of rows (one country, one year-precision date, one
drug), which made the scan quadratic. A group therefore also keeps, per distinct quantity and
per distinct kilogram value, its first row, and the kilogram values sorted so that the ones
within tolerance are found by bisection. The answer is the same as the scan's: the earliest row
that matches either way.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Any

# Bounds for the bisection are widened by this much so that rounding never hides a candidate;
# every candidate is then checked with the exact condition.
_SLACK = 1e-9


class _Group:
    __slots__ = ("by_kg", "by_quantity", "kgs", "rows")

    def __init__(self) -> None:
        self.rows: list[tuple[str, int]] = []  # (event id, row number), in reading order
        self.by_quantity: dict[float, int] = {}  # quantity -> position of its first row
        self.by_kg: dict[float, int] = {}  # kilograms -> position of its first row
        self.kgs: list[float] = []  # the distinct kilogram values, sorted


class NearIndex:
    """Remembers rows; :meth:`add` answers with the earliest matching row seen before, if any."""

    def __init__(self, tolerance: float) -> None:
        self.tolerance = tolerance
        self.groups: dict[tuple[Any, ...], _Group] = {}

    def add(
        self, key: tuple[Any, ...], quantity: float, kg: float | None, event_id: str, number: int
    ) -> tuple[str, int] | None:
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group()
            best = None
        else:
            best = group.by_quantity.get(quantity) if quantity == quantity else None  # NaN equals nothing
            if kg is not None and kg == kg and group.kgs:
                best = self._within(group, kg, best)
        position = len(group.rows)
        group.rows.append((event_id, number))
        group.by_quantity.setdefault(quantity, position)
        if kg is not None and kg not in group.by_kg:
            group.by_kg[kg] = position
            insort(group.kgs, kg)
        return group.rows[best] if best is not None else None

    def _within(self, group: _Group, kg: float, best: int | None) -> int | None:
        """The earliest of ``best`` and the rows whose kilograms are within tolerance of ``kg``."""
        tol = self.tolerance
        kgs = group.kgs
        # |o - kg| <= tol * o  <=>  kg / (1 + tol) <= o <= kg / (1 - tol)  (for o, kg >= 0);
        # a negative kg (no unit gives one) falls back to checking every value.
        low = kg / (1 + tol) * (1 - _SLACK) if kg >= 0 else -float("inf")
        high = kg / (1 - tol) * (1 + _SLACK) if kg >= 0 and tol < 1 else float("inf")
        for j in range(bisect_left(kgs, low), len(kgs)):
            other = kgs[j]
            if other > high:
                break
            if abs(other - kg) <= tol * other:
                position = group.by_kg[other]
                if best is None or position < best:
                    best = position
        return best
