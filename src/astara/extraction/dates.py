"""Dates in news text, resolved against the publication date.

Absolute dates ("May 1, 2022", "1 May", "Dec. 15", "July 2018", "19.02.2021", "2021-02-19") and
relative ones ("on Tuesday", "yesterday", "last week", "last month", "earlier this month") become
ISO strings as precise as the text allows: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. A date
without a year takes the publication year (the year before when that would put it after the
publication). A date that a reporting verb governs ("the service reported on May 5") is marked
``reporting``: it dates the report, not the seizure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from astara.extraction.languages import Language
from astara.extraction.text import words_in
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    import jdatetime
else:
    jdatetime = deferred("jdatetime", "only dates in the Persian calendar need it")

__all__ = ["DateMention", "find_dates", "find_dates_in", "parse_published"]

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    ("ymd", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("dmy", re.compile(r"\b(?P<day>[0-3]?\d)[./](?P<m>[01]?\d)[./](?P<year>(?:19|20)\d\d)\b")),
    ("mdy", re.compile(rf"\b{_MON}\s+{_DAY}\b(?:,?\s+{_YEAR})?", re.IGNORECASE)),
    ("dmy", re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MON}\b(?:,?\s+{_YEAR})?", re.IGNORECASE)),
    ("my", re.compile(rf"\b{_MON}\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)),
    (
        "m",
        re.compile(
            r"\b(?:in|since|during|early|late|mid|end of|beginning of)[- ](?P<mon>"
            r"january|february|march|april|may|june|july|august|september|october|november|"
            r"december)\b(?!\s+\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "wd",
        re.compile(
            r"\b(?P<last>last\s+|this\s+|on\s+|early\s+|late\s+)?(?P<wd>monday|tuesday|wednesday|"
            r"thursday|friday|saturday|sunday)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>the day before yesterday|yesterday|today|tonight|last night|this morning|"
            r"last week|this week|earlier this week|late last week|last month|earlier this month|"
            r"this month|last weekend|over the weekend|last year)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "ago",
        re.compile(
            r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)\s+"
            r"(?P<unit>days?|weeks?|months?)\s+ago\b",
            re.IGNORECASE,
        ),
    ),
    ("y", re.compile(r"\b(?:in|since|during|of)\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)),
]
_DIGIT = re.compile(r"\d")
_REL_WORDS = frozenset(
    ("yesterday", "today", "tonight", "night", "morning", "week", "month", "weekend", "year")
)


def _worth_trying(kind: str, words: frozenset[str], has_digit: bool) -> bool:
    """Can a pattern of this kind match a span with these words? Skips most patterns cheaply."""
    if kind in ("ymd", "dmy", "y"):
        return has_digit
    if kind in ("mdy", "my", "m"):
        return not words.isdisjoint(MONTHS)
    if kind == "wd":
        return not words.isdisjoint(WEEKDAYS)
    if kind == "rel":
        return not words.isdisjoint(_REL_WORDS)
    return "ago" in words  # "ago"


_REPORTING = re.compile(
    r"\b(said|says|reported|announced|announces|stated|told|informed|noted|added|declared|according to|"
    r"briefed|broke the news|press release|revealed|disclosed|confirmed|tweeted|wrote)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
_REPORTING_AFTER = re.compile(r"^[^.;]{0,6}\b(said|reported|announced|stated|told)\b", re.IGNORECASE)


_DATELINE = re.compile(r"^\W*[A-Z][\w .'-]{0,30},\s*$")


def groups_mon(m: re.Match[str]) -> str | None:
    return m.groupdict().get("mon")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    reporting: bool
    relative: bool


def parse_published(value: object) -> dt.date | None:
    """The publication date from the input (ISO date or datetime text), or None."""
    if not value:
        return None
    text = str(value).strip()[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _with_year(month: int, day: int | None, published: dt.date | None, year_hint: int | None) -> str | None:
    if published is not None:
        year = published.year
        try:
            candidate = dt.date(year, month, day or 1)
        except ValueError:
            return None
        if candidate > published + dt.timedelta(days=2):
            year -= 1
    elif year_hint is not None:
        year = year_hint
    else:
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _ymd(year: int, month: int, day: int | None) -> str | None:
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _relative(word: str, published: dt.date) -> str | None:
    word = " ".join(word.lower().split())
    if word in ("today", "tonight", "this morning"):
        return published.isoformat()
    if word in ("yesterday", "last night"):
        return (published - dt.timedelta(days=1)).isoformat()
    if word == "the day before yesterday":
        return (published - dt.timedelta(days=2)).isoformat()
    if word in ("last week", "late last week", "last weekend", "over the weekend"):
        return (published - dt.timedelta(days=7 if word == "last week" else 4)).isoformat()[:7]
    if word in ("this week", "earlier this week", "this month", "earlier this month"):
        return published.isoformat()[:7]
    if word == "last month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        return first.isoformat()[:7]
    if word == "last year":
        return str(published.year - 1)
    return None


_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "a few": 3, "several": 4}  # fmt: skip


def _ago(n: str, unit: str, published: dt.date) -> str:
    count = int(n) if n.isdigit() else _COUNTS.get(n.lower(), 1)
    if unit.lower().startswith("day"):
        return (published - dt.timedelta(days=count)).isoformat()
    if unit.lower().startswith("week"):
        return (published - dt.timedelta(days=7 * count)).isoformat()[:7]
    month = published.month - count
    year = published.year + (month - 1) // 12
    return f"{year:04d}-{(month - 1) % 12 + 1:02d}"


def _weekday(name: str, qualifier: str, published: dt.date) -> str:
    back = (published.weekday() - WEEKDAYS[name.lower()]) % 7
    if qualifier.strip().lower() == "last" and back == 0:
        back = 7
    return (published - dt.timedelta(days=back)).isoformat()


def find_dates(
    text: str, published: dt.date | None, start: int = 0, end: int | None = None, year_hint: int | None = None
) -> list[DateMention]:
    """Dates in ``text[start:end]``; overlapping matches keep the first (most precise) pattern."""
    stop = len(text) if end is None else end
    found: list[DateMention] = []
    span = text[start:stop]
    words = words_in(span)
    has_digit = _DIGIT.search(span) is not None
    for kind, pattern in _PATTERNS:
        if not _worth_trying(kind, words, has_digit):
            continue
        for m in pattern.finditer(text, start, stop):
            if any(d.start < m.end() and m.start() < d.end for d in found):
                continue
            value = _value(kind, m, published, year_hint)
            if value is None:
                continue
            mon = groups_mon(m)
            if mon is not None and mon[0].islower() and mon.lower() in ("may", "march"):
                continue  # "may be", "march on"
            before = text[max(start, m.start() - 60) : m.start()]
            reporting = bool(
                _REPORTING.search(before)
                or _REPORTING_AFTER.match(text, m.end(), stop)
                or _DATELINE.match(text[start : m.start()])
            )
            found.append(DateMention(m.start(), m.end(), value, reporting, kind in ("wd", "rel", "ago")))
    found.sort(key=lambda d: d.start)
    return found


def _value(kind: str, m: re.Match[str], published: dt.date | None, year_hint: int | None) -> str | None:
    groups = m.groupdict()
    if kind in ("ymd", "dmy") and groups.get("m"):
        return _ymd(int(m["year"]), int(m["m"]), int(m["day"]))
    if kind in ("mdy", "dmy"):
        month, day = MONTHS[m["mon"].lower()], int(m["day"])
        if not 1 <= day <= 31:
            return None
        if m["year"]:
            return _ymd(int(m["year"]), month, day)
        return _with_year(month, day, published, year_hint)
    if kind == "my":
        return _ymd(int(m["year"]), MONTHS[m["mon"].lower()], None)
    if kind == "m":
        return _with_year(MONTHS[m["mon"].lower()], None, published, year_hint)
    if kind == "y":
        return m["year"]
    if published is None:
        return None
    if kind == "wd":
        return _weekday(m["wd"], m["last"] or "", published)
    if kind == "ago":
        return _ago(m["n"], m["unit"], published)
    return _relative(m["rel"], published)


@cache
def _lang_patterns(lang: Language) -> list[tuple[str, re.Pattern[str]]]:
    months = "|".join(sorted((re.escape(m) for m in lang.months), key=len, reverse=True))
    out = [
        ("ymd", _PATTERNS[0][1]),
        ("dmy", _PATTERNS[1][1]),
        (
            "dmy",
            re.compile(
                rf"(?<!\w)(?P<day>[0-3]?\d)(?:-?\w{{0,3}})?\s+(?P<mon>{months})\w{{0,4}}(?:\s+(?P<year>(?:19|20)\d\d))?",
                re.I,
            ),
        ),
        ("my", re.compile(rf"(?<!\w)(?P<mon>{months})\w{{0,4}}\s+(?P<year>(?:19|20)\d\d)", re.I)),
    ]
    if lang.jalali_months:
        jalali = "|".join(sorted(map(re.escape, lang.jalali_months), key=len, reverse=True))
        out.append(
            (
                "jalali",
                re.compile(
                    rf"(?<!\w)(?P<day>[0-3]?\d)\s*(?P<mon>{jalali})(?!\w)(?:\s+(?:ماه\s+)?(?P<year>1[34]\d\d))?"
                ),
            )
        )
    if lang.relative_days:
        words = "|".join(sorted(map(re.escape, lang.relative_days), key=len, reverse=True))
        out.append(("rel", re.compile(rf"(?<!\w)(?P<rel>{words})(?!\w)", re.I)))
    return out


def _jalali(m: re.Match[str], lang: Language, published: dt.date | None) -> str | None:
    month, day = lang.jalali_months[m["mon"]], int(m["day"])
    if m["year"]:
        year = int(m["year"])
    elif published is not None:
        year = jdatetime.date.fromgregorian(date=published).year
    else:
        return None
    try:
        day_g = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None
    if not m["year"] and published is not None and day_g > published + dt.timedelta(days=2):
        day_g = jdatetime.date(year - 1, month, day).togregorian()
    return str(day_g.isoformat())


def find_dates_in(
    text: str, lang: Language, published: dt.date | None, start: int = 0, end: int | None = None
) -> list[DateMention]:
    """Dates in ``text[start:end]`` of a language read from data: numeric dates, a day and a month
    name (Babel's names; Jalali months in Persian, converted to Gregorian), a month and a year,
    "yesterday" and "today" resolved against ``published``."""
    stop = len(text) if end is None else end
    found: list[DateMention] = []
    for kind, pattern in _lang_patterns(lang):
        for m in pattern.finditer(text, start, stop):
            if any(d.start < m.end() and m.start() < d.end for d in found):
                continue
            value: str | None
            if kind == "jalali":
                value = _jalali(m, lang, published)
            elif kind == "rel":
                offset = lang.relative_days[" ".join(m["rel"].lower().split())]
                value = None if published is None else (published + dt.timedelta(days=offset)).isoformat()
            elif kind in ("dmy", "my") and m.groupdict().get("mon"):
                month = lang.months.get(m["mon"].lower())
                if month is None:
                    continue
                day = int(m["day"]) if kind == "dmy" else None
                if day is not None and not 1 <= day <= 31:
                    continue
                value = (
                    _ymd(int(m["year"]), month, day) if m["year"] else _with_year(month, day, published, None)
                )
            else:
                value = _value(kind, m, published, None)
            if value is not None:
                found.append(DateMention(m.start(), m.end(), value, False, kind == "rel"))
    found.sort(key=lambda d: d.start)
    return found
