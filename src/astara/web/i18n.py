"""The pages' language: the user's choice kept in the session, else the browser's, and what every
template gets to write in it. The catalogue and the formatting are :mod:`astara.i18n`'s."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from astara.i18n import (
    LANGUAGES,
    RTL,
    best_language,
    localise_date,
    localise_digits,
    localise_number,
    translate,
)


def language_of(request: Request) -> str:
    lang = request.session.get("lang") if "session" in request.scope else None
    return lang if lang in LANGUAGES else best_language(request.headers.get("accept-language", ""))


def page_context(request: Request) -> dict[str, Any]:
    """What every template gets: ``t`` (translate), ``lang``, ``dir``, number and date formatters."""
    lang = language_of(request)
    return {
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "languages": LANGUAGES,
        "t": lambda key, **values: translate(lang, key, **values),
        "num": lambda value: localise_number(value, lang),
        "digits": lambda value: localise_digits(str(value), lang),
        "date": lambda value, precision="day": localise_date(value, lang, precision),
    }
