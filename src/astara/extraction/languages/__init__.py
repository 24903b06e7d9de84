"""What differs by language, as data: one YAML file a language (``<code>.yaml`` beside this module).

A file lists number words, units, counters, qualifiers, drug words and their case endings, the
cue words of seizures, statistics, new incidents and destruction (with where the main verb
stands), the words that join a quantity to its drug,
and date words. Babel adds what it knows for the locale (decimal mark, month and weekday names).
:func:`get_language` loads and checks a file once, on first use, and compiles its patterns.
A sixth language is one more file here plus its code in ``service.EXTRACTORS``.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import UnknownLocaleError

from astara.kit import yamlfile
from astara.kit.deferred import deferred
from astara.kit.pickled import pickled

if TYPE_CHECKING:
    from babel import dates as babel_dates
    from babel import numbers as babel_numbers
else:
    babel_dates = deferred("babel.dates", "only a locale not yet cached reads Babel's data")
    babel_numbers = deferred("babel.numbers", "only a locale not yet cached reads Babel's data")

__all__ = [
    "LANGUAGE_FILES",
    "EnglishWords",
    "Language",
    "LanguageDataError",
    "english_words",
    "get_language",
    "load_language",
    "normalise",
    "stem_pattern",
]

DIR = Path(__file__).resolve().parent
LANGUAGE_FILES = tuple(sorted(p.stem for p in DIR.glob("??.yaml")))
# unit code (as quantities.py names them) -> kind
UNIT_KINDS = {
    **dict.fromkeys(("kg", "g", "mg", "t", "lb", "oz"), "mass"),
    **dict.fromkeys(("l", "ml"), "volume"),
    **dict.fromkeys(("tablet", "pill", "capsule"), "tablet"),
    **dict.fromkeys(("ampoule", "piece", "plant", "dose", "bottle", "blotter"), "item"),
    "package": "package",
}
UNIT_CODES = frozenset(UNIT_KINDS)
TRANSPORT = frozenset({"truck", "car", "bus", "rail", "air", "sea", "postal", "on_foot", "other"})
ROUTE_KEYS = (
    "origin_before", "destination_before", "transit_before", "transit_after", "origin_endings",
    "destination_endings", "person_after", "place_before", "place_endings",
)  # fmt: skip
QUALIFIERS = frozenset({"more than", "about", "nearly", "less than", "up to", "a total of"})
_KEYS = {
    "code", "name", "sentence_start", "numbers", "units", "counters", "qualifiers", "qualifiers_after",
    "drugs", "cues", "link", "dates", "route", "agencies", "agency_countries", "not_places", "transport",
    "main_verb",
}  # fmt: skip

# Persian and Arabic-Indic digits, Arabic letter variants, the Persian decimal and group marks and
# the zero-width non-joiner, each replaced by one character so offsets into the text still hold.
_NORMAL = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬يكۀة\u200c\u200d\u00a0\u202f",
    "01234567890123456789.,یکهه    ",
)


class LanguageDataError(ValueError):
    """A language file that does not hold what the extractor needs; the message names the key."""


# Latin and Cyrillic letters that look alike, for words typed in a mix of the two scripts.
_LATIN_LOOK = "aceopxyABCEHKMOPTX"
_CYRILLIC_LOOK = "асеорхуАВСЕНКМОРТХ"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOK, _CYRILLIC_LOOK)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOK, _LATIN_LOOK)
_MIXED = re.compile(r"[^\W\d_]*(?:[а-яёА-ЯЁ][a-zA-Z]|[a-zA-Z][а-яёА-ЯЁ])[^\W\d_]*")
# Azerbaijani in Cyrillic script, letter for letter into the Latin script the language file uses.
_AZ_CYRILLIC = str.maketrans(
    "АаБбҸҹЧчДдЕеӘәФфҜҝҒғҺһХхЫыИиЖжКкГгЛлМмНнОоӨөПпРрСсШшТтУуҮүВвЈјЗзЙй",
    "AaBbCcÇçDdEeƏəFfGgĞğHhXxIıİiJjKkQqLlMmNnOoÖöPpRrSsŞşTtUuÜüVvYyZzYy",
)
AZ_CYRILLIC_LETTERS = frozenset("ӘәҜҝҒғҺһҸҹӨөҮүЈј")


def _fold_mixed(m: re.Match[str]) -> str:
    word = m.group()
    cyrillic = sum("а" <= c.lower() <= "я" or c in "ёЁ" for c in word)
    return word.translate(_TO_CYRILLIC if cyrillic * 2 >= len(word) else _TO_LATIN)


def normalise(text: str, code: str = "") -> str:
    """``text`` with digits, letter variants and joiners made uniform, character for character.

    A word typed in both Latin and Cyrillic letters takes the script most of its letters are in;
    Azerbaijani written in Cyrillic is spelled in Latin letters (``code`` "az").
    """
    text = text.translate(_NORMAL)
    if code == "az" and any(c in AZ_CYRILLIC_LETTERS for c in text[:6000]):
        text = text.translate(_AZ_CYRILLIC)
    if _MIXED.search(text) is not None:
        text = _MIXED.sub(_fold_mixed, text)
    return text


def stem_pattern(forms: list[str]) -> str:
    """An alternation of word forms; a form ending in ``*`` is a stem that takes any ending."""
    parts = []
    for form in sorted(forms, key=len, reverse=True):
        if form.startswith("re:"):
            parts.append(f"(?:{form[3:]})")
            continue
        words = normalise(form).split()
        body = r"\s+".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words)
        parts.append(body + ("" if form.endswith("*") else r"(?!\w)"))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


@dataclass(frozen=True, eq=False)  # one object a language, hashed by identity
class Language:
    code: str
    name: str
    decimal_comma: bool
    sentence_start: str
    ones: dict[str, float]
    scales: dict[str, float]
    joiners: frozenset[str]
    units: dict[str, list[str]]
    counters: list[str]
    qualifiers: dict[str, list[str]]
    qualifiers_after: dict[str, list[str]]
    generic_drugs: list[str]
    drug_names: dict[str, list[str]]
    drug_endings: tuple[str, ...]
    seizure: re.Pattern[str]
    not_seizure: re.Pattern[str]
    statistic: re.Pattern[str]
    new_incident: re.Pattern[str]
    total: re.Pattern[str]
    conjunctions: frozenset[str]
    left_link: re.Pattern[str]
    type_link: re.Pattern[str]
    type_words: re.Pattern[str]
    strict_units: re.Pattern[str]
    hypothetical: re.Pattern[str]
    destroyed: re.Pattern[str]
    verb_last: bool  # the main verb ends the sentence (Turkish, Azerbaijani, Persian)
    months: dict[str, int]
    jalali_months: dict[str, int]
    weekdays: dict[str, int]
    relative_days: dict[str, int]
    route: dict[str, frozenset[str]]
    agencies: dict[str, list[str]]
    agency_countries: dict[str, str]
    transport: dict[str, list[str]]
    not_places: frozenset[str]

    def strict_unit(self, quantity: str) -> bool:
        """Does the quantity end in a unit that is also an ordinary word (Persian "تن": persons)?"""
        return self.strict_units.search(quantity) is not None

    def ending_stems(self, word: str) -> tuple[str, ...]:
        """``word`` without each of the language's case endings it ends with (longest first)."""
        return _ending_stems(self.drug_endings, word)


@lru_cache(maxsize=65536)
def _ending_stems(endings: tuple[str, ...], word: str) -> tuple[str, ...]:
    return tuple(word[: -len(e)] for e in endings if word.endswith(e) and len(word) - len(e) >= 3)


def _words(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LanguageDataError(f"{where}: {key} must be a list of words")
    return [normalise(v.lower()) for v in value]


def _table(
    raw: dict[str, Any], key: str, where: str, allowed: frozenset[str] | None = None
) -> dict[str, list[str]]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise LanguageDataError(f"{where}: {key} must map names to lists of words")
    out = {}
    for name in value:
        if allowed is not None and name not in allowed:
            raise LanguageDataError(f"{where}: {key}: {name!r} is not one of {sorted(allowed)}")
        out[str(name)] = _words(value, name, f"{where}: {key}")
    return out


def _numbers(raw: dict[str, Any], key: str, where: str) -> dict[str, float]:
    value = raw.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, (int, float)) and v > 0 for v in value.values()):
        raise LanguageDataError(f"{where}: numbers.{key} must map words to positive numbers")
    return {normalise(str(k).lower()): float(v) for k, v in value.items()}


def _regex(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + stem_pattern(words), re.IGNORECASE)


@dataclass(frozen=True)
class _LocaleFacts:
    decimal_comma: bool
    months: dict[str, int]
    weekdays: dict[str, int]


def _locale_facts(code: str) -> _LocaleFacts:
    """:func:`_babel`, kept as a pickle named by a digest of Babel's data for the locale."""
    spec = importlib.util.find_spec("babel")
    data = Path(spec.origin).parent / "locale-data" if spec and spec.origin else DIR
    sources = [Path(__file__), *(p for p in (data / f"{code}.dat", data / "root.dat") if p.is_file())]
    return pickled(DIR / "__pycache__", f"locale-{code}", sources, _LocaleFacts, lambda: _babel(code))


def _babel(code: str) -> _LocaleFacts:
    """Decimal mark, month names and weekday names Babel knows for the locale."""
    try:
        decimal_comma = babel_numbers.get_decimal_symbol(code) == ","
    except UnknownLocaleError as exc:
        raise LanguageDataError(f"{code}.yaml: Babel has no locale {code!r}") from exc

    months: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in babel_dates.get_month_names(width, context, code).items():
                months.setdefault(normalise(name.lower().rstrip(".")), int(number))
    days = {
        normalise(name.lower()): int(n)
        for n, name in babel_dates.get_day_names("wide", "format", code).items()
    }
    return _LocaleFacts(decimal_comma, months, days)


def load_language(code: str, directory: Path = DIR) -> Language:
    """Read and check ``<directory>/<code>.yaml``; a bad file raises :class:`LanguageDataError`."""
    path = directory / f"{code}.yaml"
    where = path.name
    try:
        raw = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LanguageDataError(f"no language file for {code!r}") from exc
    if not isinstance(raw, dict) or raw.get("code") != code:
        raise LanguageDataError(f"{where}: code must be {code!r}")
    unknown = set(raw) - _KEYS
    if unknown:
        raise LanguageDataError(f"{where}: unknown keys {sorted(unknown)}")
    numbers = raw.get("numbers", {})
    drugs = raw.get("drugs", {})
    cues = raw.get("cues", {})
    link = raw.get("link", {})
    dates = raw.get("dates", {})
    if not all(isinstance(x, dict) for x in (numbers, drugs, cues, link, dates)):
        raise LanguageDataError(f"{where}: numbers, drugs, cues, link and dates must be mappings")
    for key in ("seizure", "statistic"):
        if not cues.get(key):
            raise LanguageDataError(f"{where}: cues.{key} is required")
    facts = _locale_facts(code)
    decimal_comma, months, weekdays = facts.decimal_comma, dict(facts.months), facts.weekdays
    for name, number in dates.get("months", {}).items():
        months[normalise(str(name).lower())] = int(number)
    relative = dates.get("relative_days", {})
    route = raw.get("route", {})
    if not isinstance(route, dict) or set(route) - set(ROUTE_KEYS):
        raise LanguageDataError(f"{where}: route takes only {', '.join(ROUTE_KEYS)}")
    return Language(
        code=code,
        name=str(raw.get("name", code)),
        decimal_comma=decimal_comma,
        sentence_start=str(raw.get("sentence_start", r"\S")),
        ones=_numbers(numbers, "ones", where),
        scales=_numbers(numbers, "scales", where),
        joiners=frozenset(_words(numbers, "joiners", where)),
        units=_table(raw, "units", where, UNIT_CODES),
        counters=_words(raw, "counters", where),
        qualifiers=_table(raw, "qualifiers", where, QUALIFIERS),
        qualifiers_after=_table(raw, "qualifiers_after", where, QUALIFIERS),
        generic_drugs=_words(drugs, "generic", where),
        drug_names=_table(drugs, "names", where),
        drug_endings=tuple(sorted(_words(drugs, "endings", where), key=len, reverse=True)),
        seizure=_regex(_words(cues, "seizure", where)),
        not_seizure=_regex(_words(cues, "not_seizure", where)),
        statistic=_regex(_words(cues, "statistic", where)),
        new_incident=_regex(_words(cues, "new_incident", where)),
        total=_regex(_words(cues, "total", where)),
        conjunctions=frozenset(_words(link, "conjunctions", where)),
        left_link=re.compile(
            r"^[\s:,(–—-]*(?:" + stem_pattern(_words(link, "weight", where)) + r")?[\s:(–—-]*$", re.I
        ),
        type_link=re.compile(
            r"^[\s:(–—-]*(?:" + stem_pattern(_words(link, "type", where)) + r")?[\s:\"“«(–—-]*$", re.I
        ),
        type_words=_regex(_words(link, "type", where)),
        strict_units=re.compile(r"(?<!\w)" + stem_pattern(_words(link, "strict_units", where)) + "$", re.I),
        hypothetical=_regex(_words(cues, "hypothetical", where)),
        destroyed=_regex(_words(cues, "destroyed", where)),
        verb_last=_main_verb(raw, where) == "last",
        months=months,
        jalali_months={normalise(str(k)): int(v) for k, v in dates.get("jalali_months", {}).items()},
        weekdays=weekdays,
        relative_days={normalise(str(k).lower()): int(v) for k, v in relative.items()},
        route={key: frozenset(_words(route, key, where)) for key in ROUTE_KEYS},
        agencies=_table(raw, "agencies", where),
        agency_countries=_agency_countries(raw, where),
        transport=_table(raw, "transport", where, TRANSPORT),
        not_places=frozenset(_words(raw, "not_places", where)),
    )


def _main_verb(raw: dict[str, Any], where: str) -> str:
    value = raw.get("main_verb", "first")
    if value not in ("first", "last"):
        raise LanguageDataError(f"{where}: main_verb must be first or last")
    return str(value)


def _agency_countries(raw: dict[str, Any], where: str) -> dict[str, str]:
    value = raw.get("agency_countries", {})
    agencies = raw.get("agencies", {})
    if not isinstance(value, dict):
        raise LanguageDataError(f"{where}: agency_countries must map agency names to ISO codes")
    for name, code in value.items():
        if name not in agencies or not (isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code)):
            raise LanguageDataError(
                f"{where}: agency_countries: {name!r} needs an agency of that name and an ISO code"
            )
    return {str(k): str(v) for k, v in value.items()}


@cache
def get_language(code: str) -> Language:
    """The checked data of one language, loaded once a process."""
    return load_language(code)


@dataclass(frozen=True)
class EnglishWords:
    """The word lists of the English reader (``en_words.yaml``); its patterns are code."""

    ones: tuple[str, ...]
    tens: tuple[str, ...]
    phrases: dict[str, float]
    scales: dict[str, float]
    units: dict[str, list[str]]


def english_words(path: Path = DIR / "en_words.yaml") -> EnglishWords:
    """Read and check the English word lists (once, when the English reader is imported)."""
    raw = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    numbers = raw.get("numbers", {}) if isinstance(raw, dict) else {}
    ones, tens = _words(numbers, "ones", where), _words(numbers, "tens", where)
    if len(ones) != 20 or len(tens) != 8:
        raise LanguageDataError(
            f"{where}: numbers.ones lists zero to nineteen, numbers.tens twenty to ninety"
        )
    return EnglishWords(
        ones=tuple(ones),
        tens=tuple(tens),
        phrases=_numbers(numbers, "phrases", where),
        scales=_numbers(numbers, "scales", where),
        units=_table(raw, "units", where, UNIT_CODES),
    )
