"""Log in, log out, first-run set-up of the administrator, and the language switch."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from astara.auth import service as auth
from astara.auth.ratelimit import LoginLimits
from astara.errors import AstaraError, RateLimited
from astara.i18n import LANGUAGES, translate
from astara.web.deps import (
    anonymous,
    check_csrf,
    client_address,
    log_in,
    log_out,
    logged_in,
    runtime_of,
    unit,
)
from astara.web.i18n import language_of
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    """Only same-site paths as redirect targets (no open redirect to another host)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, next_url: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    with anonymous(request) as session:
        no_admin = auth.needs_setup(session)
    context = {"page_title": translate(language_of(request), "login.title"), "next": next_url,
               "error": error, "no_admin": no_admin}  # fmt: skip
    return templates.TemplateResponse(request, "login.html", context, status_code=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, _local(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    rt = runtime_of(request)
    limits = LoginLimits.of(rt.settings)
    try:
        with anonymous(request) as session:  # a failure is counted and audited: committed too
            user = auth.authenticate(session, username, password, limits, client_address(request),
                                     rt.agency or rt.settings.agency)  # fmt: skip
            if user is not None:
                log_in(request, session, user)
                request.session["name"] = user.display_name or user.username
    except RateLimited as exc:
        return _login_page(request, _local(next), exc.message, status=429)
    if user is None:
        message = translate(language_of(request), "login.failed")
        return _login_page(request, _local(next), message, status=401)
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    with anonymous(request) as session:
        log_out(request, session)
    return RedirectResponse("/login", status_code=303)


def _setup_allowed(request: Request, token: str) -> bool:
    expected: str = request.app.state.setup_token
    return bool(token) and hmac.compare_digest(expected, token)


@router.get("/setup", response_class=HTMLResponse)
def setup_form(request: Request, token: str = "") -> Response:
    with anonymous(request) as session:
        if not auth.needs_setup(session):
            return RedirectResponse("/login", status_code=303)
    error = None if _setup_allowed(request, token) else translate(language_of(request), "setup.bad_link")
    return _setup_page(request, token, error, status=200 if error is None else 403)


def _setup_page(request: Request, token: str, error: str | None, status: int = 200) -> HTMLResponse:
    rt = runtime_of(request)
    context = {"page_title": translate(language_of(request), "setup.title"), "token": token, "error": error,
               "suggested": f"admin@{(rt.agency or rt.settings.agency).lower()}"}  # fmt: skip
    return templates.TemplateResponse(request, "setup.html", context, status_code=status)


@router.post("/setup", response_class=HTMLResponse)
def setup(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
    token: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    lang = language_of(request)
    if not _setup_allowed(request, token):
        return _setup_page(request, token, translate(lang, "setup.bad_link"), status=403)
    if password != password_again:
        return _setup_page(request, token, translate(lang, "setup.mismatch"), status=422)
    rt = runtime_of(request)
    try:
        with anonymous(request) as session:
            user = auth.setup_administrator(session, rt.agency or rt.settings.agency, username, password)
            user.language = lang
            session.flush()
            log_in(request, session, user)
            request.session["name"] = user.display_name or user.username
    except AstaraError as exc:
        return _setup_page(request, token, exc.message, status=exc.status_code)
    return RedirectResponse("/", status_code=303)


@router.post("/language")
def choose_language(
    request: Request,
    language: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the pages' language; remembered for the user when logged in."""
    check_csrf(request, csrf_token)
    if language in LANGUAGES:
        request.session["lang"] = language
        if logged_in(request):
            with unit(request, csrf=csrf_token) as (session, scope):
                auth.set_language(session, scope, language)
    return RedirectResponse(_local(next), status_code=303)
