"""Vocabulary codes as labels in a page's or report's language, from the vocabulary's own translations.

English is the fallback only where a vocabulary has no label in the language; :func:`gaps` lists those,
so a missing translation is visible (``tests/web/test_page_languages.py``).
"""

from __future__ import annotations

from typing import Any

from astara.kit.countries import CountryNotFound, country_name
from astara.vocab.loader import get_vocabulary

LANGUAGES = ("en", "az", "ru", "fa")


def _entries(kind: str) -> Any:
    vocabulary = get_vocabulary()
    return vocabulary.drugs if kind == "drugs" else getattr(vocabulary, kind)


def label(kind: str, code: str | None, language: str) -> str:
    """``code`` of vocabulary ``kind`` (``"transport"``, ``"drugs"``, ``"countries"``...) in ``language``.

    An unknown code is shown as it is (it is data: the vocabulary never named it).
    """
    if not code:
        return ""
    if kind == "countries":
        try:
            return country_name(code, language)
        except CountryNotFound:
            return code
    try:
        entry = _entries(kind).get(code)
    except (KeyError, AttributeError):
        return code
    return str(entry.label_in(language) or entry.label)


def translated(kind: str, code: str | None, language: str) -> str | None:
    """The label of a known code in ``language``, or None where the vocabulary has none (English is shown)."""
    if not code or kind == "countries":
        return label(kind, code, language) if code else None
    try:
        return _entries(kind).get(code).label_in(language)  # type: ignore[no-any-return]
    except (KeyError, AttributeError):
        return code


def description(kind: str, code: str | None, language: str) -> str:
    """The description of a term (a TLP level's rule, a status's meaning) in ``language``, else English."""
    try:
        term = _entries(kind).get(code)
    except (KeyError, AttributeError):
        return ""
    return str(term.descriptions.get(language) or term.description or "")


def gaps() -> dict[tuple[str, str], list[str]]:
    """(kind, language) -> the codes whose label falls back to English in that language."""
    vocabulary = get_vocabulary()
    kinds: dict[str, Any] = {"drugs": vocabulary.drugs, **vocabulary.term_sets()}
    found: dict[tuple[str, str], list[str]] = {}
    for kind, entries in kinds.items():
        for language in LANGUAGES[1:]:
            missing = [e.code for e in entries.all() if e.label_in(language) is None]
            if missing:
                found[kind, language] = missing
    return found
