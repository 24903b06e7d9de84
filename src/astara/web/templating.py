"""The one Jinja2 environment of the pages: translation, formatting and the CSRF token in every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from astara.auth.roles import PERMISSIONS
from astara.kit.countries import country_name
from astara.vocab import get_vocabulary
from astara.web.deps import csrf_token
from astara.web.i18n import page_context


def _term(code: str | None, kind: str) -> str:
    """A vocabulary code as its label (``land_border`` -> "Land border crossing"), or the code itself."""
    if not code:
        return ""
    try:
        if kind == "drugs":
            return get_vocabulary().drugs.get(code).name
        return str(getattr(get_vocabulary(), kind).get(code).label)
    except KeyError:
        return code


def _context(request: Request) -> dict[str, Any]:
    user_name = request.session.get("name")
    role = getattr(request.state, "role", None)
    return {**page_context(request), "csrf_token": csrf_token(request), "user_name": user_name,
            "may": lambda permission: role is not None and role in PERMISSIONS[permission]}  # fmt: skip


templates = Jinja2Templates(directory=Path(__file__).with_name("templates"), context_processors=[_context])
templates.env.filters["country"] = lambda code: f"{country_name(code)}" if code else ""
templates.env.filters["term"] = _term
