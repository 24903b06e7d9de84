"""Astara's languages: English, Azerbaijani, Russian and Persian (right to left, Persian digits,
Jalali dates), from one catalogue: the YAML files of ``catalogue/`` (``messages.yaml`` and one file
per group of pages), read together; a key defined twice is an error.

Pages, reports and services that word their results (news evidence) translate through here; the
request-bound part (which language a request wants) is ``web/i18n.py``."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from astara.kit.deferred import deferred
from astara.kit.yamlfile import safe_load

if TYPE_CHECKING:
    import jdatetime
else:
    jdatetime = deferred("jdatetime", "only dates in Persian need it")

LANGUAGES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский", "fa": "فارسی"}
RTL = frozenset({"fa"})
CATALOGUE = Path(__file__).with_name("catalogue")
_PERSIAN_DIGITS = str.maketrans("0123456789.,", "۰۱۲۳۴۵۶۷۸۹٫٬")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOGUE.glob("*.yaml")):
        part: dict[str, dict[str, str]] = safe_load(path.read_text(encoding="utf-8")) or {}
        twice = sorted(set(part) & set(data))
        if twice:
            raise ValueError(f"{path.name} defines keys another catalogue file has: {', '.join(twice)}")
        data.update(part)
    return data


def translate(language: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``language`` (English when the language lacks it), filled in."""
    entry = catalogue()[key]
    text = entry.get(language) or entry["en"]
    return text.format(**{k: localise_number(v, language) for k, v in values.items()}) if values else text


def _plain(value: float) -> str:
    """A float with thousands separators and about three significant digits below 100."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    size = abs(value)
    decimals = 1 if size >= 100 else 2 if size >= 1 else min(6, max(3, 2 - math.floor(math.log10(size)) + 1))
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


def localise_digits(text: str, language: str) -> str:
    """Digits and separators of ``text`` as ``language`` writes them (Persian digits in Persian)."""
    return text.translate(_PERSIAN_DIGITS) if language == "fa" else text


def localise_number(value: Any, language: str) -> str:
    """Numbers with thousands separators; Persian digits and separators in Persian.

    >>> localise_number(0.0125, "en"), localise_number(1234.5678, "en"), localise_number(12, "fa")
    ('0.0125', '1,234.6', '۱۲')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return localise_digits(f"{value:,}" if isinstance(value, int) else _plain(value), language)


def localise_date(value: dt.date | str | None, language: str, precision: str | None = "day") -> str:
    """A (possibly partial) date: Jalali calendar with Persian digits in Persian, ISO otherwise.

    ``value`` may also be ISO text of a partial date ("2016", "2016-05", "2016-05-03"); text that is
    not a date is shown as it is.
    """
    if not value:
        return ""
    if isinstance(value, str):
        text, parts = value, value.strip().split("-")
        try:
            numbers = [int(p) for p in parts]
            value, precision = dt.date(*[*numbers, 1, 1][:3]), ("year", "month", "day")[len(parts) - 1]
        except (ValueError, TypeError, IndexError):
            return text
    if language != "fa":
        return value.isoformat()[: {"year": 4, "month": 7}.get(precision or "day", 10)]

    jalali = jdatetime.date.fromgregorian(date=value)
    if precision == "year":  # a Gregorian year spans two Jalali years; say which Gregorian one
        text = f"{value.year}"
    elif precision == "month":
        text = f"{jalali.year}/{jalali.month:02d} ({value.year}-{value.month:02d})"
    else:
        text = f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}"
    return text.translate(_PERSIAN_DIGITS)


def best_language(accept: str) -> str:
    """The first supported language of an Accept-Language header, else English."""
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"
