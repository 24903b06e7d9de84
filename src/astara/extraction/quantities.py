"""Quantities as news texts write them: "244 kg 605 grams", "1.2 tonnes", "2,900 pounds",
"two tons", "34.27 million pills", "more than 40 kg", "10-15 kg".

Each :class:`Quantity` keeps its span, the number, the unit code of the vocabulary (``kg``, ``g``,
``t``, ``lb``, ``l``, ``tablet`` ...), its kind (mass, volume, tablet, package, item), the
qualifier ("more than", "about") and, for counts such as "9,310 oxycodone pills", the span of
the words between the number and the unit (they usually name the drug).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from astara.extraction.languages import UNIT_KINDS, english_words
from astara.extraction.text import words_in
from astara.kit.numbers import NumberError, parse_number

__all__ = ["Quantity", "find_quantities", "word_number"]

_EN = english_words()
_SMALL = list(_EN.ones)  # a word's place is its value
_TENS = list(_EN.tens)
WORD_VALUES: dict[str, float] = {w: float(i) for i, w in enumerate(_SMALL)}
WORD_VALUES.update({w: float(20 + 10 * i) for i, w in enumerate(_TENS)})
WORD_VALUES.update(_EN.phrases)
SCALES = dict(_EN.scales)
# unit surface form (lower case) -> (unit code, kind)
UNIT_FORMS: dict[str, tuple[str, str]] = {
    form: (code, UNIT_KINDS[code]) for code, forms in _EN.units.items() for form in forms
}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\u00a0\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_ONES = "(?:" + "|".join(_SMALL[1:10]) + ")"
_WORDNUM = (
    rf"(?:(?:an?|{_ONES})\s+hundred(?:\s+(?:and\s+)?(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ]"
    + _ONES
    + r")?|"
    + "|".join(sorted(_SMALL[1:], key=len, reverse=True))
    + r"))?|"
    r"half an?|a single|a dozen|dozens of|an?|"
    + r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_SMALL[1:10])
    + r"))?)|"
    + "|".join(sorted(_SMALL, key=len, reverse=True))
    + ")"
)
_SCALE = "(?:" + "|".join(w for w in SCALES if len(w) > 1) + ")"
_QUAL = (
    r"(?:more than|over|above|in excess of|at least|nearly|almost|about|around|approximately|"
    r"approx\.?|some|roughly|up to|close to|an estimated|estimated|less than|under|just over|"
    r"just under|a total of|total of|totall?ing|upwards of)"
)
_UNIT_ALT = "|".join(sorted((re.escape(f) for f in UNIT_FORMS), key=len, reverse=True))
_VALUE = (
    rf"(?:(?P<num>{_NUM})|(?P<word>{_WORDNUM}))(?:\s*(?P<scale>{_SCALE})\b"
    rf"(?:\s+(?P<thousands>\d{{1,3}})\s+thousand\b)?)?"
)
_RANGE = rf"(?:\s*(?:-|–|to|or|(?(btw)and|(?!)))\s*(?P<high>{_NUM})(?:\s*(?P<hscale>{_SCALE})\b)?)?"
_QUANTITY = re.compile(
    rf"(?:(?P<qual>{_QUAL})\s+)?(?P<btw>between\s+)?(?<![\w.,-]){_VALUE}{_RANGE}"
    rf"(?:\s*|-)(?P<unit>{_UNIT_ALT})(?![\w-])"
    rf"(?:\s*(?:and\s+)?(?P<num2>\d{{1,3}})\s*(?P<unit2>g|gr|grams?|grammes?|г|гр|грамм|граммов)(?![\w-]))?",
    re.IGNORECASE,
)
# "9,310 oxycodone pills": up to four words between the number and a count unit.
_COUNT_AFTER = re.compile(
    rf"(?:(?P<qual>{_QUAL})\s+)?(?<![\w.,-]){_VALUE}"
    r"\s+(?P<inner>(?:[\w\"“”'’-]+\s+){0,3}?[\w\"“”'’-]+)\s+(?P<unit>pills?|tablets?|tabs|capsules?|ampoules?|"
    r"plants|bushes|roots|packages|packets|packs|parcels|bags|sacks|boxes|bricks|blocks|bundles)\b",
    re.IGNORECASE,
)
# Cheap pre-check: a span with no word that can begin a unit holds no quantity, so the costly
# patterns above (which try a number word at every position) run only where one occurs.
_UNIT_WORDS = frozenset(form.split()[0].lower() for form in UNIT_FORMS)
_COUNT_UNIT_WORDS = frozenset(
    ("pill", "pills", "tablet", "tablets", "tabs", "capsule", "capsules", "ampoule", "ampoules", "plants",
     "bushes", "roots", "packages", "packets", "packs", "parcels", "bags", "sacks", "boxes", "bricks",
     "blocks", "bundles")
)  # fmt: skip
_BETWEEN_OK = re.compile(r"^(?!(?:.*\s)?\d)[^,;:.()]*$")


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    value: float
    unit: str
    kind: str  # mass, volume, tablet, item, package
    raw: str
    qualifier: str | None = None
    high: float | None = None
    inner: tuple[int, int] | None = None  # words between number and count unit


def word_number(text: str) -> float | None:
    """The value of a number written in words ("two", "twenty-five", "a hundred and five"), or None."""
    key = " ".join(text.lower().replace("-", " ").replace(" and ", " ").split())
    if " hundred" in key:
        head, _, tail = key.partition(" hundred")
        hundreds = WORD_VALUES.get(head)
        rest = word_number(tail) if tail.strip() else 0.0
        return None if hundreds is None or rest is None else hundreds * 100 + rest
    if key in WORD_VALUES:
        return WORD_VALUES[key]
    parts = key.split()
    if len(parts) == 2 and parts[0] in WORD_VALUES and parts[1] in WORD_VALUES:
        return WORD_VALUES[parts[0]] + WORD_VALUES[parts[1]]
    return None


def _number(text: str) -> float | None:
    try:
        return parse_number(text.replace("\u00a0", " "))
    except NumberError:
        return None


def _value(m: re.Match[str]) -> float | None:
    value = _number(m.group("num")) if m.group("num") else word_number(m.group("word"))
    if value is None:
        return None
    value *= SCALES.get((m.group("scale") or "").lower(), 1.0)
    if m.group("thousands"):
        value += float(m.group("thousands")) * 1000  # "12 million 500 thousand"
    return value


def _make(
    text: str, m: re.Match[str], value: float, unit_text: str, end: int, inner: tuple[int, int] | None
) -> Quantity | None:
    code, kind = UNIT_FORMS.get(unit_text, UNIT_FORMS.get(unit_text.rstrip("s"), ("", "")))
    if not code:
        return None
    if not m.group("num") and (
        len(unit_text) == 1 or (m.group("word").lower() in ("a", "an") and kind != "mass")
    ):
        return None  # "two t", "a pack"
    high = None
    if "high" in m.groupdict() and m.group("high"):
        high = _number(m.group("high"))
        if high is not None:
            high *= SCALES.get((m.group("hscale") or m.group("scale") or "").lower(), 1.0)
            if high <= value:
                high = None
    qual = m.group("qual")
    return Quantity(
        start=m.start(),
        end=end,
        value=value,
        unit=code,
        kind=kind,
        raw=text[m.start() : end],
        qualifier=" ".join(qual.lower().split()) if qual else None,
        high=high,
        inner=inner,
    )


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every quantity with a unit in ``text[start:end]`` (offsets into ``text``)."""
    stop = len(text) if end is None else end
    found: list[Quantity] = []
    words = words_in(text[start:stop])
    if words.isdisjoint(_UNIT_WORDS):
        return found
    for m in _QUANTITY.finditer(text, start, stop):
        value = _value(m)
        if value is None:
            continue
        unit_text = m.group("unit").lower()
        q_end = m.end()
        if m.group("num2") and m.group("unit2"):
            if unit_text in ("kg", "kgs", "kilogram", "kilograms", "kilo", "kilos", "кг", "килограмм"):
                value += float(m.group("num2")) / 1000.0
            else:
                q_end = m.end("unit")
        quantity = _make(text, m, value, " ".join(unit_text.split()), q_end, None)
        if quantity is not None:
            found.append(quantity)
    taken = [(q.start, q.end) for q in found]
    count_units = not words.isdisjoint(_COUNT_UNIT_WORDS)
    for m in _COUNT_AFTER.finditer(text, start, stop) if count_units else ():
        if any(a < m.end() and m.start() < b for a, b in taken) or not _BETWEEN_OK.match(m.group("inner")):
            continue
        value = _value(m)
        if value is None:
            continue
        quantity = _make(text, m, value, m.group("unit").lower(), m.end(), (m.start("inner"), m.end("inner")))
        if quantity is not None:
            found.append(quantity)
    found.sort(key=lambda q: q.start)
    return found
