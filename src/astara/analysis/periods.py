"""Periods as analysts write them: ``2016``, ``2016Q3`` (or ``2016-Q3``) and ``2016-03``.

A period turns into the ``FIELD=VALUE`` filter ``astara stats`` takes, so every figure computed for
a period is the figure ``astara stats --where`` gives, and knows the period before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from astara.errors import InvalidInput

_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*-?\s*(?:[Qq](\d)|(\d{1,2})))?\s*$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str = "year"  # year | quarter | month
    number: int = 0  # the quarter (1-4) or the month (1-12); 0 for a year

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.year} Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    def where(self) -> str:
        """The ``astara stats`` filter for this period."""
        if self.kind == "quarter":
            return f"quarter={self.year}{self.number}"
        if self.kind == "month":
            return f"month={self.year}-{self.number:02d}"
        return f"year={self.year}"

    def previous(self) -> Period:
        if self.kind == "year":
            return Period(self.year - 1)
        size = 4 if self.kind == "quarter" else 12
        if self.number == 1:
            return Period(self.year - 1, self.kind, size)
        return Period(self.year, self.kind, self.number - 1)


def parse_period(text: str) -> Period:
    """``2016`` -> the year, ``2016Q3``/``2016-Q3`` -> a quarter, ``2016-03`` -> a month."""
    match = _PATTERN.match(text)
    if not match:
        raise InvalidInput(f"a period is written 2016, 2016Q3 or 2016-03, not {text!r}")
    year, quarter, month = int(match[1]), match[2], match[3]
    if quarter is not None:
        if not 1 <= int(quarter) <= 4:
            raise InvalidInput(f"a quarter is 1 to 4, not {quarter!r}")
        return Period(year, "quarter", int(quarter))
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise InvalidInput(f"a month is 1 to 12, not {month!r}")
        return Period(year, "month", int(month))
    return Period(year)
