"""Quantities written in the ways people write them: 1,234.5 / 1 234,5 / 1.234,5 / Persian digits."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from astara.kit.dates import PERSIAN_DIGITS

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(,\d{3})+$")


class NumberError(ValueError):
    """Text that is not a number; the message says why."""


@lru_cache(maxsize=65536)
def parse_number(text: str) -> float:
    """Parse a decimal number with either ``.`` or ``,`` as the decimal mark."""
    raw = _SPACES.sub("", text.strip().translate(PERSIAN_DIGITS).replace("٫", ".").replace("٬", ","))
    if not raw:
        raise NumberError("number is empty")
    if "," in raw and "." in raw:
        # The mark that comes last is the decimal mark; the other groups thousands.
        raw = (
            raw.replace(",", "")
            if raw.rfind(".") > raw.rfind(",")
            else raw.replace(".", "").replace(",", ".")
        )
    elif _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    elif raw.count(",") == 1:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise NumberError(f"{text!r} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise NumberError(f"{text!r} is not a finite number")
    return value


def from_value(value: object) -> float:
    """Accept what a spreadsheet reader hands over: an int, a float or text."""
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        if math.isnan(value) or math.isinf(value):
            raise NumberError(f"{value!r} is not a finite number")
        return float(value)
    return parse_number(str(value))
