"""Quantities in any language whose words are data (:mod:`astara.extraction.languages`).

A quantity is a number phrase ("1,5", "312 bin 450", "سه هزار و دویست"), a unit or a counter,
and optionally a smaller second part ("456 kq 800 qram", "1 тонна 600 кг", "یک کیلو و ۹۶۰ گرم").
The text must be normalised (:func:`languages.normalise`) so digits are ASCII; offsets hold.
Numbers follow the language's decimal mark: in Azerbaijani "1,640 qram" is 1.64 g.
"""

from __future__ import annotations

import re
from functools import cache

from astara.extraction.languages import UNIT_KINDS, Language, stem_pattern
from astara.extraction.quantities import Quantity

__all__ = ["find_amounts", "number_value"]

_FACTOR = {"t": 1000.0, "kg": 1.0, "g": 0.001, "mg": 1e-6, "l": 1.0, "ml": 0.001}
_DIGITS = r"\d+(?:[.,]\d+)*(?:/\d+)?"


@cache
def _patterns(lang: Language) -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]], re.Pattern[str]]:
    token = rf"(?:{_DIGITS}|{stem_pattern(list(lang.ones))}|{stem_pattern(list(lang.scales))}\.?)"
    joiner = rf"(?:\s+(?:{'|'.join(map(re.escape, lang.joiners))})\s+|\s+)" if lang.joiners else r"\s+"
    number = rf"{token}(?:{joiner}{token})*"
    forms: list[tuple[str, str]] = []
    for code, surface in lang.units.items():
        forms += [(f, code) for f in surface]
    forms += [(f, "piece") for f in lang.counters]
    forms.sort(key=lambda f: -len(f[0]))
    alternation = "(?P<unit>" + "|".join(stem_pattern([form]) for form, _ in forms) + ")"
    units = [(re.compile(stem_pattern([form]), re.IGNORECASE), code) for form, code in forms]
    qual = [(q, w) for q, ws in lang.qualifiers.items() for w in ws]
    qual_re = stem_pattern([w for _, w in qual])
    after = stem_pattern([w for ws in lang.qualifiers_after.values() for w in ws])
    pattern = re.compile(
        rf"(?:(?P<qual>{qual_re})\s+)?(?<![\w.,/-])(?P<num>{number})\s*-?\s*(?:{alternation})"
        rf"(?:{joiner}(?P<num2>{number})\s*(?P<unit2>{_small(lang)}))?"
        rf"(?:\s+(?P<after>{after}))?",
        re.IGNORECASE,
    )
    count_forms = [
        f for code in ("tablet", "capsule", "ampoule", "package") for f in lang.units.get(code, [])
    ]
    count_after = re.compile(
        rf"(?<![\w.,/-])(?P<num>{number})\s+(?P<inner>(?:[^\W\d]+\s+){{0,2}}?[^\W\d]+)\s+"
        rf"(?P<unit>{stem_pattern(count_forms)})",
        re.IGNORECASE,
    )
    return pattern, units, count_after


def _small(lang: Language) -> str:
    return stem_pattern([f for code in ("kg", "g", "mg", "ml") for f in lang.units.get(code, [])])


def _digits(text: str, lang: Language) -> float | None:
    raw = text.replace("/", ".")
    if lang.decimal_comma:
        if raw.count(",") > 1 or re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
            raw = raw.replace(",", "").replace(".", "")  # thousands written 1.515 or 1,250,000
        else:
            raw = raw.replace(".", "").replace(",", ".") if "," in raw else raw
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


def number_value(text: str, lang: Language) -> float | None:
    """The value of a number phrase: "312 bin 450" is 312,450; "سه هزار و دویست" is 3,200."""
    total = current = 0.0
    last: tuple[str, float] | None = None  # kind ("digits", "word", "scale") and value of the last token
    for word in text.lower().split():
        word = word.rstrip(".") if not word[0].isdigit() else word
        if word in lang.joiners:
            continue
        if word in lang.scales:
            scale = lang.scales[word]
            if scale < 1000:
                current = (current or 1.0) * scale
            else:
                total += (current or 1.0) * scale
                current = 0.0
            last = ("scale", scale)
            continue
        digits = word[0].isdigit()
        value = _digits(word, lang) if digits else lang.ones.get(word)
        if value is None:
            return None
        if last is not None and last[0] == "digits" and digits:
            if len(word) != 3:
                return None  # "2021 15" is two numbers
            current = current * 1000 + value  # "2 340": thousands grouped by a space
        elif last is not None and last[0] != "scale" and value >= last[1]:
            return None  # "yedi on" is no number; "هفتصد و چهل" is
        else:
            current += value
        last = ("digits" if digits else "word", value)
    return total + current if last is not None else None


def _tail_value(text: str, lang: Language) -> tuple[float, int] | None:
    """The value of the longest tail of ``text`` that is one number, and where that tail starts."""
    for m in re.finditer(r"\S+", text):
        value = number_value(text[m.start() :], lang)
        if value is not None:
            return value, m.start()
    return None


def _unit_code(m: re.Match[str], units: list[tuple[re.Pattern[str], str]]) -> tuple[str, str]:
    raw = m.group("unit")
    return next((code for form, code in units if form.fullmatch(raw)), ""), raw


def _second_unit(raw: str, lang: Language) -> str | None:
    key = " ".join(raw.lower().split())
    for code in ("kg", "g", "mg", "ml"):
        for form in lang.units.get(code, []):
            if re.fullmatch(stem_pattern([form]), key):
                return code
    return None


def find_amounts(text: str, lang: Language, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every quantity with a unit or counter in ``text[start:end]`` (``text`` normalised)."""
    pattern, units, count_after = _patterns(lang)
    stop = len(text) if end is None else end
    found: list[Quantity] = []
    pos = start
    while (m := pattern.search(text, pos, stop)) is not None:
        pos = m.end()
        tail = _tail_value(m.group("num"), lang)
        code, unit_text = _unit_code(m, units)
        if tail is None or not code or tail[0] <= 0:
            continue
        value, skip = tail
        q_start = m.start("num") + skip if skip else m.start()
        if len(unit_text) == 1 and (
            not m.group("num")[0].isdigit() or (value.is_integer() and 1900 <= value <= 2100)
        ):
            continue  # "2021 г." is a year; "bir q" is no amount
        q_end = m.end("after") if m.group("after") else m.end("unit")
        if m.group("num2"):
            second = _second_unit(m.group("unit2"), lang)
            part = number_value(m.group("num2"), lang)
            smaller = second is not None and code in _FACTOR and _FACTOR[second] < _FACTOR[code]
            if second is not None and smaller and part is not None and part * _FACTOR[second] < _FACTOR[code]:
                value += part * _FACTOR[second] / _FACTOR[code]
                q_end = max(q_end, m.end("unit2"))
            else:
                pos = q_end  # "4 bags 27 kg": the second figure is a quantity of its own
        qual = None
        if m.group("qual") and not skip:
            qual = next((q for q, ws in lang.qualifiers.items() if _in(m.group("qual"), ws)), None)
        if qual is None and m.group("after"):
            qual = next((q for q, ws in lang.qualifiers_after.items() if _in(m.group("after"), ws)), None)
        found.append(
            Quantity(
                start=q_start,
                end=q_end,
                value=value,
                unit=code,
                kind=UNIT_KINDS[code],
                raw=text[q_start:q_end],
                qualifier=qual,
            )
        )
    taken = [(q.start, q.end) for q in found]
    for m in count_after.finditer(text, start, stop):
        tail = _tail_value(m.group("num"), lang)
        if tail is None or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        unit = next(
            c
            for c in ("tablet", "capsule", "ampoule", "package")
            if _in(m.group("unit"), lang.units.get(c, []))
        )
        q_start = m.start("num") + tail[1]
        found.append(
            Quantity(q_start, m.end(), tail[0], unit, UNIT_KINDS[unit], text[q_start : m.end()],
                     inner=(m.start("inner"), m.end("inner")))
        )  # fmt: skip
    found.sort(key=lambda q: q.start)
    return found


def _in(word: str, forms: list[str]) -> bool:
    return re.fullmatch(stem_pattern(forms), " ".join(word.lower().split())) is not None
