"""The period a page shows, from ``?period=``: all recorded data (the default), or a year, quarter
or month written as analysts write them (``2016``, ``2016Q3``, ``2016-03``, see analysis/periods.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.periods import Period, parse_period
from astara.analysis.service import stats
from astara.errors import InvalidInput
from astara.i18n import localise_date, localise_number, translate
from astara.kit.cache import figures, store_of

ALL = "all"


@dataclass(frozen=True)
class PagePeriod:
    period: Period | None  # None: all recorded data
    bad: str = ""  # the text given when it names no period (then all recorded data is shown)

    @property
    def value(self) -> str:
        return period_value(self.period)

    def where(self) -> list[str]:
        return [self.period.where()] if self.period else []


def period_value(period: Period | None) -> str:
    """The period as ``?period=`` writes it."""
    if period is None:
        return ALL
    if period.kind == "quarter":
        return f"{period.year}Q{period.number}"
    if period.kind == "month":
        return f"{period.year}-{period.number:02d}"
    return str(period.year)


def page_period(text: str | None) -> PagePeriod:
    """The period ``text`` names; text that names none gives all recorded data, kept in ``bad``."""
    text = (text or "").strip()
    if not text or text.lower() == ALL:
        return PagePeriod(None)
    try:
        return PagePeriod(parse_period(text))
    except InvalidInput:
        return PagePeriod(None, bad=text)


def period_label(period: Period | None, language: str) -> str:
    """``2016``, ``2016 Q3`` or the month in the page's calendar, in the page's digits."""
    if period is None:
        return translate(language, "period.all")
    if period.kind == "month":
        return localise_date(f"{period.year}-{period.number:02d}", language, "month")
    year = _year(period.year, language)
    if period.kind == "quarter":
        return translate(language, "period.quarter", year=year, quarter=period.number)
    return year


def _year(year: int, language: str) -> str:
    """A year in the page's digits, without the thousands separator numbers get."""
    return localise_number(year, language).replace(",", "").replace("٬", "")


@dataclass
class YearChoices:
    year: Period
    quarters: list[Period] = field(default_factory=list)
    months: list[Period] = field(default_factory=list)


def period_choices(session: Session, scope: Scope) -> list[YearChoices]:
    """The years, quarters and months that have records, newest first (cached like the figures)."""

    def compute() -> list[YearChoices]:
        keys = [int(g.key) for g in stats(session, scope, ["month"]).groups if g.key is not None]
        years: dict[int, YearChoices] = {}
        for key in sorted(keys, reverse=True):
            year, month = divmod(key, 100)
            choice = years.setdefault(year, YearChoices(Period(year)))
            if month:  # 0: a date known only to its year
                quarter = Period(year, "quarter", (month + 2) // 3)
                if quarter not in choice.quarters:
                    choice.quarters.append(quarter)
                choice.months.append(Period(year, "month", month))
        for choice in years.values():
            choice.quarters.sort()
            choice.months.sort()
        return list(years.values())

    return figures.get(store_of(session), scope.agency_id, ("period choices",), compute)


Options = list[tuple[str, list[tuple[str, str]]]]


def period_options(choices: list[YearChoices], language: str) -> Options:
    """The choices as a select's option groups: (year label, [(value, label), ...]) per year."""
    return [
        (
            _year(c.year.year, language),
            [(period_value(p), period_label(p, language)) for p in [c.year, *c.quarters, *c.months]],
        )
        for c in choices
    ]
