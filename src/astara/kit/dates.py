"""Dates as agencies write them: ISO, partial (a year or a month), day-first, Excel serials, Jalali.

A partial date is stored as its first day plus a precision, so "2016" and "2016-05" sort and
filter like dates while remembering how much the source said.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

import jdatetime
from pydantic import AfterValidator

PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ](\d{1,2}:\d{2}(?::\d{2})?).*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[T ](\d{1,2}:\d{2}(?::\d{2})?))?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
JALALI_YEARS = range(1300, 1500)  # a four-digit year in this range is a Jalali (Solar Hijri) year


class DateError(ValueError):
    """A date that cannot be read; the message says why."""


@dataclass(frozen=True)
class PartialDate:
    date: dt.date
    precision: str  # day | month | year
    time: str | None = None
    calendar: str = "gregorian"

    def iso(self) -> str:
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


def _build(year: int, month: int | None, day: int | None, time: str | None) -> PartialDate:
    if year in JALALI_YEARS:
        try:
            gregorian = jdatetime.date(year, month or 1, day or 1).togregorian()
        except ValueError as exc:
            raise DateError(f"not a valid Jalali date: {exc}") from exc
        precision = "day" if day else "month" if month else "year"
        return PartialDate(gregorian, precision, time, calendar="jalali")
    if not 1900 <= year <= 2100:
        raise DateError(f"year {year} is out of range (1900-2100, or 1300-1499 Jalali)")
    try:
        value = dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise DateError(f"not a valid date: {exc}") from exc
    return PartialDate(value, "day" if day else "month" if month else "year", time)


@lru_cache(maxsize=65536)
def parse_date(text: str) -> PartialDate:
    """Read ``text`` as a (possibly partial) date; raise :class:`DateError` with the reason."""
    raw = text.strip().translate(PERSIAN_DIGITS)
    if not raw:
        raise DateError("date is empty")
    if m := _ISO.match(raw):
        year, month, day = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
        return _build(year, month, day, m[4])
    if m := _DAY_FIRST.match(raw):
        return _build(int(m[3]), int(m[2]), int(m[1]), m[4])
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):  # an Excel serial day number that lost its format
        return PartialDate(_EXCEL_EPOCH + dt.timedelta(days=int(float(raw))), "day")
    raise DateError(f"{text!r} is not a date (use YYYY-MM-DD, YYYY-MM, YYYY, DD.MM.YYYY or a Jalali date)")


def from_value(value: object) -> PartialDate:
    """Accept what a spreadsheet reader hands over: a date, a datetime or text."""
    if isinstance(value, dt.datetime):
        time = value.strftime("%H:%M") if (value.hour or value.minute) else None
        return PartialDate(value.date(), "day", time)
    if isinstance(value, dt.date):
        return PartialDate(value, "day")
    if isinstance(value, int | float):
        return parse_date(str(int(value)) if float(value).is_integer() and value < 3000 else str(value))
    return parse_date(str(value))


def to_jalali(value: dt.date) -> str:
    """Display a Gregorian date in the Jalali calendar, as YYYY/MM/DD."""
    return str(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))


def as_utc(value: dt.datetime) -> dt.datetime:
    """A naive datetime from the store (UTC) marked as UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


UtcDateTime = Annotated[dt.datetime, AfterValidator(as_utc)]
"""A timestamp in an API response: the store keeps naive UTC; this says so ("...Z" / "+00:00")."""
