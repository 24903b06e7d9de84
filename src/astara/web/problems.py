"""A failed action's problem as a page shows it: in the page's language, at its fields.

Services raise errors with English messages (the API's and the CLI's words). A page knows what the
person tried, so it names the situation; the catalogue's sentence for that situation and kind of
error is shown, else a sentence for the kind of error with the service's message beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from astara.errors import AstaraError
from astara.i18n import catalogue, localise_number, translate
from astara.web.i18n import language_of
from astara.web.templating import templates

CSRF_MARK = "(CSRF check)"


@dataclass(frozen=True)
class Shown:
    """What a template shows of an error: ``message`` and ``details`` as an AstaraError has them."""

    message: str
    status_code: int
    code: str
    details: list[dict[str, Any]] = field(default_factory=list)


def _filled(language: str, key: str, marker: Markup, **values: Any) -> Markup:
    """The catalogue's sentence with each value inside ``marker``: what the person typed is data, not
    words of the page's language."""
    entry = catalogue()[key]
    text = escape(entry.get(language) or entry["en"])
    return text.format(**{k: marker.format(localise_number(v, language)) for k, v in values.items()})


def problem_text(language: str, exc: AstaraError, situation: str = "", **values: Any) -> str:
    """The sentence a page shows for ``exc`` when the person tried ``situation``."""
    if CSRF_MARK in exc.message:
        return translate(language, "problem.csrf")
    specific = f"problem.{situation}.{exc.code}"
    if situation and specific in catalogue():
        return _filled(language, specific, Markup('<bdi class="data">{}</bdi>'), **values)
    if language == "en":
        return exc.message
    generic = f"problem.{exc.code}" if f"problem.{exc.code}" in catalogue() else "problem.other"
    # the service's own words are English: the page's sentence says so in its language before them
    return _filled(language, generic, Markup('<bdi lang="en">{}</bdi>'), detail=exc.message)


def shown(request: Request, exc: AstaraError, situation: str = "", **values: Any) -> Shown:
    language = language_of(request)
    text = problem_text(language, exc, situation, **values)
    details = [{**d, "reason": field_reason(language, d)} for d in exc.details]
    return Shown(text, exc.status_code, exc.code, details)


def field_reason(language: str, detail: dict[str, Any]) -> str:
    """A field's problem: the service's own words in English, else what the field needs."""
    reason = str(detail.get("reason", ""))
    if language == "en" and reason:
        return reason
    name = str(detail.get("field", "")).split(".")[-1]
    key = f"problem.field.{name}" if f"problem.field.{name}" in catalogue() else "problem.field"
    value = str(detail.get("value", "") or "")
    text = translate(language, key)
    return f"{text} ({value})" if value else text


def field_errors(language: str, details: list[dict[str, Any]]) -> dict[str, str]:
    """Error details (``items.1.quantity``) by form field name (``items-1-quantity``), in ``language``."""
    errors: dict[str, str] = {}
    for detail in details:
        name = str(detail.get("field", "")).replace(".", "-") or "form"
        errors.setdefault(name, field_reason(language, detail))
    return errors


def error_page(request: Request, exc: AstaraError, situation: str = "", **values: Any) -> HTMLResponse:
    """A page route's error as a page of the site, in its language, with the error's status."""
    language = language_of(request)
    title = f"error.title.{exc.status_code}"
    context = {
        "page_title": translate(language, title if title in catalogue() else "error.title.other"),
        "message": problem_text(language, exc, situation, **values),
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code)
