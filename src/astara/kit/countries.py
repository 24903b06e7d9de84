"""Any way of writing a country, to its ISO 3166-1 alpha-2 code.

    resolve_country("Iran, Islamic Republic of")  # 'IR'
    resolve_country("Азербайджан")                # 'AZ'
    resolve_country("Unknown")                    # None
    country_name("AZ", "ru")                      # 'Азербайджан'

The alias table is built once from pycountry (codes, names, official and common names, and the
iso-codes translations shipped with pycountry) plus the extra aliases, "unknown"-type values,
short display names and historic countries in ``astara/gazetteer/data/country_aliases.yaml``
(kept next to the gazetteer data, which is where the project's place-name data lives).

Matching ignores case, accents, punctuation and spaces; Russian Cyrillic is transliterated to
Latin and Persian/Arabic letter variants are unified (see :func:`fold`). Every distinct input is
resolved once and then answered from a dict.

Codes outside ISO 3166-1: ``XK`` Kosovo (user-assigned, as used by the EU and IMF); historic
countries keep their ISO 3166-3 alpha-2 codes where ISO still reserves them (``AN`` Netherlands
Antilles, ``CS`` Serbia and Montenegro, ``SU`` USSR, ``YU`` Yugoslavia, ``DD`` German Democratic
Republic); Czechoslovakia gets the user-assigned ``XC`` because its old ``CS`` was re-used.
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from astara.kit import dates, yamlfile
from astara.kit.dates import PERSIAN_DIGITS
from astara.kit.pickled import pickled

ALIASES_FILE = Path(__file__).resolve().parents[1] / "gazetteer" / "data" / "country_aliases.yaml"
REGIONS_FILE = ALIASES_FILE.with_name("unodc_regions.csv")
# pycountry translations used as aliases, after English; a key two of them disagree on is dropped.
TRANSLATION_LANGS = (
    "ru",
    "az",
    "fa",
    "tr",
    "uk",
    "kk",
    "ky",
    "uz",
    "tk",
    "tg",
    "hy",
    "ka",
    "ar",
    "ps",
    "ur",
    "de",
    "fr",
    "es",
    "pt",
    "it",
)

# Letters that Unicode decomposition does not reduce to a base letter, and Persian/Arabic variants.
_PRE = str.maketrans(
    {
        "ə": "e",
        "Ə": "e",
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "þ": "th",
        "ð": "d",
        "й": "y",
        "Й": "y",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ـ": "",
        "\u200c": " ",
        "\u200d": "",
        "'": "",
        "’": "",
        "ʼ": "",
        "`": "",
        "´": "",
        "ʻ": "",
        "‘": "",
    }
)
_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "ә": "e",
        "ғ": "g",
        "қ": "k",
        "ң": "n",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
        "ј": "y",
        "ҹ": "c",
        "ҝ": "g",
        "є": "ye",
        "ґ": "g",
    }
)
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Matching form of a name: lower case, no accents, Cyrillic in Latin, words split by one space.

    >>> fold("Azərbaycan Respublikası"), fold("Астаринский р-н"), fold("Côte d'Ivoire")
    ('azerbaycan respublikasi', 'astarinskiy r n', 'cote divoire')
    """
    text = text.translate(_PRE).casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(PERSIAN_DIGITS))
        text = "".join(c for c in text if not unicodedata.combining(c)).translate(_CYRILLIC)
    return _NON_WORD.sub(" ", text).strip()


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


class CountryNotFound(ValueError):
    """A non-empty country value that matches no known country."""

    def __init__(self, text: str) -> None:
        super().__init__(f"unknown country: {text!r}")
        self.text = text


class NotACountryName(CountryNotFound):
    """A value that does not even look like a country name or code (a formula, a number)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.args = (f"{text!r} is not a country name or code (a name begins with a letter)",)


# A name: a letter of any script first, then letters, marks, spaces, the punctuation names use,
# and digits (as in "Kosovo under UNSCR 1244"); or an ISO 3166-1 numeric code (a spreadsheet may
# have dropped its leading zeros). No sign, no formula: "-4" and "=1+2" are not countries.
_SHAPE = re.compile(r"[^\W\d_][\w\s.'’ʼ\-‐–(),&/،]*|\d{1,3}")


@dataclass(frozen=True)
class _Table:
    codes: dict[str, str]  # folded key -> alpha-2
    unknown_raw: frozenset[str]  # casefolded spellings meaning "no country" (e.g. "n/a")
    unknown_keys: frozenset[str]  # folded keys meaning "no country", unless they are a country


@cache
def _load_yaml() -> dict[str, Any]:
    with ALIASES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yamlfile.safe_load(handle)
    return data


@cache
def _table() -> _Table:
    """The alias table, from its pickle when one was made from the same sources (this code, the
    aliases file and pycountry's names and translations): building it is slow for a command's start."""
    locales = Path(pycountry.LOCALES_DIR)
    catalogs = [locales / lang / "LC_MESSAGES" / "iso3166-1.mo" for lang in TRANSLATION_LANGS]
    sources = [
        Path(__file__),
        Path(dates.__file__),
        ALIASES_FILE,
        Path(pycountry.DATABASE_DIR) / "iso3166-1.json",
    ]
    sources += [path for path in catalogs if path.exists()]
    return pickled(Path(__file__).parent / "__pycache__", "countries", sources, _Table, _build_table)


def _build_table() -> _Table:
    data = _load_yaml()
    codes: dict[str, str] = {}

    def add(name: str | None, code: str) -> None:
        key = _key(name) if name else ""
        if key and key not in codes:
            codes[key] = code

    for code, names in data["aliases"].items():
        for name in names:
            add(str(name), code)
    countries = list(pycountry.countries)
    for country in countries:
        for attr in ("alpha_2", "alpha_3", "numeric"):
            add(getattr(country, attr), country.alpha_2)
    for country in countries:
        for attr in ("name", "official_name", "common_name"):
            add(getattr(country, attr, None), country.alpha_2)
    for code, entry in data["historic"].items():
        for name in entry["names"]:
            add(str(name), code)
    translated: dict[str, set[str]] = {}
    for lang in TRANSLATION_LANGS:
        catalog = _catalog(lang)
        if catalog is None:
            continue
        for country in countries:
            for attr in ("name", "official_name", "common_name"):
                english = getattr(country, attr, None)
                if english:
                    translated.setdefault(_key(catalog.gettext(english)), set()).add(country.alpha_2)
    for key, found in translated.items():
        if len(found) == 1 and key:
            codes.setdefault(key, found.pop())
    unknown = [str(value) for value in data["unknown"]]
    return _Table(
        codes=codes,
        unknown_raw=frozenset(value.casefold() for value in unknown),
        unknown_keys=frozenset(key for key in map(_key, unknown) if key not in codes),
    )


@cache
def _names() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Display names (alpha-2 -> lang -> name) and the historic codes' English names (no full table)."""
    data = _load_yaml()
    display = {code: {str(k): str(v) for k, v in names.items()} for code, names in data["display"].items()}
    return display, {code: str(entry["en"]) for code, entry in data["historic"].items()}


_PAREN = re.compile(r"\s*\([^)]*\)\s*")
_MISSING = "?"
_NOT_A_NAME = "!"
_cache: dict[str, str | None] = {}


def _lookup(text: str) -> str | None:
    table = _table()
    raw = " ".join(text.split()).casefold()
    key = _key(text)
    if not key or raw in table.unknown_raw or key in table.unknown_keys:
        return None
    if not _SHAPE.fullmatch(text.strip()):
        return _NOT_A_NAME
    if key.isdigit():
        key = key.zfill(3)
    code = table.codes.get(key)
    if code is not None:
        return code
    candidates = []
    if "(" in text:
        candidates.append(_PAREN.sub(" ", text))  # "Iraq (Central Iraq)" -> "Iraq"
    if text.count(",") == 1:
        head, tail = text.split(",")
        candidates.append(f"{tail} {head}")  # "Congo, Democratic Republic of the" -> "... the Congo"
    for candidate in candidates:
        code = table.codes.get(_key(candidate))
        if code is not None:
            return code
    return _MISSING


@cache
def _plain_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes that name their own country whatever the full table holds.

    The full table (:func:`_table`, slow to build with its translations) is not needed to
    resolve a code like "AZ": only the aliases file could give such a text another meaning (as
    another country's alias, a historic name or an "unknown" value), and codes it mentions are
    left out here.
    """
    data = _load_yaml()
    texts = [str(n) for names in data["aliases"].values() for n in names]
    texts += [str(v) for v in data["unknown"]]
    texts += [str(n) for entry in data["historic"].values() for n in entry["names"]]
    claimed = {_key(t) for t in texts} | {" ".join(t.split()).casefold() for t in texts}
    return frozenset(
        c.alpha_2
        for c in pycountry.countries
        if _key(c.alpha_2) not in claimed and c.alpha_2.casefold() not in claimed
    )


def resolve_country(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code for ``text``; None for empty or "unknown"-type values.

    Raises :class:`CountryNotFound` for a value that names no known country.
    """
    if len(text) == 2 and text in _plain_codes():
        return text
    try:
        code = _cache[text]
    except KeyError:
        code = _lookup(text)
        if len(_cache) > 100_000:
            _cache.clear()
        _cache[text] = code
    if code == _MISSING:
        raise CountryNotFound(text)
    if code == _NOT_A_NAME:
        raise NotACountryName(text)
    return code


def country_name(code: str, lang: str = "en") -> str:
    """Display name of a country code in ``lang`` (en, ru, az, fa, tr; others where pycountry has them).

    Falls back to English when there is no name in ``lang``. Raises :class:`CountryNotFound` for
    a code that is neither ISO 3166-1 alpha-2 nor one of the historic/user-assigned codes above.
    """
    display, historic = _names()
    code = code.strip().upper()
    names = display.get(code, {})
    if lang in names:
        return names[lang]
    if code in historic:
        return names.get("en", historic[code])
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise CountryNotFound(code)
    english = str(getattr(country, "common_name", None) or country.name)
    catalog = _catalog(lang) if lang != "en" else None
    if catalog is not None:
        for source in (getattr(country, "common_name", None), country.name):
            translated = catalog.gettext(source) if source else ""
            if translated and translated != source:
                return translated
    return names.get("en", english)


@cache
def _catalog(lang: str) -> gettext.NullTranslations | None:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return None


def iso_country_name(code: str) -> str:
    """The ISO 3166 short name ("Iran, Islamic Republic of"), the style of UNODC's IDS files."""
    country = pycountry.countries.get(alpha_2=code.strip().upper()) if len(code.strip()) == 2 else None
    return str(country.name) if country is not None else country_name(code)


@cache
def _regions() -> dict[str, tuple[str, str]]:
    with REGIONS_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["country"]: (row["region"], row["subregion"]) for row in rows}


def unodc_region(code: str | None) -> tuple[str, str] | None:
    """UNODC's (region, subregion) of a country, as the IDS layout and the World Drug Report write
    them (``("Asia", "Central Asia and Transcaucasian countries")`` for AZ), or None.

    From ``gazetteer/data/unodc_regions.csv``, written from UNODC's own files by
    ``scripts/unodc-regions.py``.
    """
    return _regions().get(code or "")
