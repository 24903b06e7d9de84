"""The one Jinja2 environment of the pages: translation, formatting and the CSRF token in every page."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.datastructures import URL, URLPath

from astara.auth.roles import PERMISSIONS
from astara.i18n import catalogue, translate
from astara.vocab import labels
from astara.web.deps import csrf_token
from astara.web.i18n import page_context

#: label kinds whose names live in the pages' catalogue (``<kind>.<code>``), not in a vocabulary
CATALOGUE_KINDS = frozenset({"role", "audit_action", "job_status", "share_status", "sharing_field"})


@lru_cache(maxsize=8192)  # the vocabularies and the catalogue do not change while a process runs
def label(kind: str, code: str | None, language: str) -> Markup:
    """A code (``on_foot``, ``IR``, ``records.write``...) as the words of ``language``; unknown codes as they
    are. Where the vocabulary has no label in the language the English one is marked ``lang="en"``."""
    if not code:
        return Markup("")
    if kind in CATALOGUE_KINDS:
        key = f"{kind}.{code}"
        return escape(translate(language, key) if key in catalogue() else code)
    shown = labels.translated(kind, code, language)
    if shown is None:
        return Markup('<span lang="en">{}</span>').format(labels.label(kind, code, "en"))
    return escape(shown)


def _group(kind: str, key: Any, language: str) -> Markup:
    """A group of a total (a drug, a country of departure) in ``language``; a country keeps its code."""
    if key is None:
        return escape(translate(language, "share.unknown"))
    if kind == "countries":
        return Markup("{} ({})").format(label(kind, str(key), language), key)
    return label(kind, str(key), language)


def feature(name: str, language: str) -> Markup:
    """A matcher feature (``birth_date_match``, ``plate_conflict``, ``extra_city``) as what it compares, in
    ``language``; a feature the catalogue does not know stays its code."""
    base = re.sub(r"_(match|conflict|disjoint)$", "", name)
    if base.startswith("extra_"):
        return escape(translate(language, "match.f.extra", column=base.removeprefix("extra_")))
    key = f"match.f.{base}"
    if key in catalogue():
        return escape(translate(language, key))
    return Markup('<code dir="ltr">{}</code>').format(name)


def data(value: Any) -> Markup:
    """Stored free text (a place as recorded, a quote, a note, a name): shown as it is, marked as data."""
    if value is None or value == "":
        return Markup("")
    return Markup(f'<bdi class="data">{escape(value)}</bdi>')  # noqa: S704 - the value is escaped


def _context(request: Request) -> dict[str, Any]:
    context = page_context(request)
    lang = context["lang"]
    role = getattr(request.state, "role", None)
    return {
        **context,
        "csrf_token": csrf_token(request),
        "user_name": request.session.get("name"),
        "may": lambda permission: role is not None and role in PERMISSIONS[permission],
        "label_of": lambda kind, code: label(kind, code, lang),
        "describe_of": lambda kind, code: labels.description(kind, code, lang),
        # "12 of 12, 100.0 %": the percentage keeps its one decimal, as the API and the CLI write it
        "share_of": lambda part, whole, pct: translate(
            lang, "share.of", part=part, whole=whole, pct=context["digits"](f"{pct:.1f}")
        ),
        "group_of": lambda kind, key: _group(kind, key, lang),
        "feature_of": lambda name: feature(name, lang),
    }


@pass_context
def url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> URL:
    """Starlette's ``url_for`` (Request.url_for), each route's path found once: finding one walks
    every route of the app."""
    request: Request = context["request"]
    paths: dict[Any, URLPath] | None = getattr(request.app.state, "url_paths", None)
    if paths is None:
        paths = request.app.state.url_paths = {}
    key = (name, tuple(sorted(path_params.items())))
    path = paths.get(key)
    if path is None:
        provider = request.scope.get("router") or request.scope["app"]
        path = paths[key] = provider.url_path_for(name, **path_params)
    return path.make_absolute_url(base_url=request.base_url)


templates = Jinja2Templates(directory=Path(__file__).with_name("templates"), context_processors=[_context])
templates.env.filters["data"] = data
templates.env.globals["url_for"] = url_for
templates.env.auto_reload = False  # the templates ship with the package: no file checks a page
