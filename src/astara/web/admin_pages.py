"""Administration in the browser: the agency's users, API tokens, and the audit log with its check.

Each action goes through the same service as the CLI and the API, which checks the role; a refusal is
the 403 page in the page's language, and a problem is shown at its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth import service as auth
from astara.auth.roles import ROLES
from astara.db.models import User
from astara.errors import AstaraError, NotAuthenticated, PermissionDenied
from astara.i18n import catalogue, translate
from astara.sharing import service as sharing
from astara.sharing.audit import ACTIONS
from astara.web.deps import check_csrf, csrf_token, unit
from astara.web.i18n import language_of
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
AUDIT_PAGE_SIZE = 50
USER_CHANGES = ("added", "role", "disabled", "enabled", "password")
VIAS = ("session", "token", "cli", "cli-default", "partner", "system")  # Scope.via, translated on the page


def _reading(request: Request) -> Any:
    """The unit of work of a page shown, also in answer to a POST: it only reads, so it needs no form
    token (the POST's own change was checked against it)."""
    return unit(request, csrf=csrf_token(request))


def _page(request: Request, template: str, title_key: str, status: int = 200, **context: Any) -> HTMLResponse:
    title = translate(language_of(request), title_key)
    return templates.TemplateResponse(request, template, {"page_title": title, **context}, status_code=status)


def _names(request: Request, prefix: str, codes: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Codes (roles, audit actions) as the page's language says them."""
    lang = language_of(request)
    return {code: translate(lang, f"{prefix}.{code}") for code in codes}


def _forbidden(request: Request, message_key: str) -> HTMLResponse:
    """The 403 page: what the page needs, in the page's language."""
    lang = language_of(request)
    context = {"page_title": translate(lang, "admin.forbidden"), "message": translate(lang, message_key)}
    return templates.TemplateResponse(request, "error.html", context, status_code=403)


def problems(request: Request, exc: AstaraError, target: str = "") -> dict[str, str]:
    """Each problem of ``exc`` at its field ("target/field"), in the page's language when the catalogue
    knows the problem, else in the service's words."""
    lang, known = language_of(request), catalogue()
    found: dict[str, str] = {}
    for detail in exc.details:
        key = f"admin.problem.{detail.get('problem')}"
        values = {k: v for k, v in detail.items() if k not in ("field", "reason", "problem")}
        text = translate(lang, key, **values) if key in known else str(detail.get("reason") or exc.message)
        found.setdefault(f"{target}/{detail.get('field') or 'form'}", text)
    if not found:
        key = f"admin.problem.{exc.code}"
        found[f"{target}/form"] = translate(lang, key) if key in known else exc.message
    return found


def _csrf_failed(request: Request, csrf: str) -> dict[str, str] | None:
    """A stale form is shown again with a fresh token and a word on why, rather than refused."""
    try:
        check_csrf(request, csrf)
    except PermissionDenied:
        return {"/form": translate(language_of(request), "admin.problem.csrf")}
    return None


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


# ------------------------------------------------------------------------------------------- users
def _users(
    request: Request, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
    status: int = 200, notice: str | None = None,
) -> HTMLResponse:  # fmt: skip
    try:
        with _reading(request) as (session, scope):
            users = auth.list_users(session, scope)
            me = scope.user_id
    except PermissionDenied:
        return _forbidden(request, "admin.users_forbidden")
    return _page(request, "users.html", "users.title", status, users=users, me=me,
                 roles=_names(request, "users.role", ROLES),
                 errors=errors or {}, values=values or {}, notice=notice)  # fmt: skip


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, done: str = "", who: str = "") -> HTMLResponse:
    notice = translate(language_of(request), f"users.done.{done}", name=who) if done in USER_CHANGES else None
    return _users(request, notice=notice)


def _user_change(
    request: Request, values: dict[str, str], target: str, done: str,
    change: Callable[[Session, Scope], object],
) -> Response:  # fmt: skip
    """Run one change as the acting user; its problems go back to the page at their fields."""
    stale = _csrf_failed(request, values.get("csrf_token", ""))
    if stale:
        return _users(request, stale, values, status=403)
    try:
        with unit(request, csrf=values.get("csrf_token", "")) as (session, scope):
            changed, acting = change(session, scope), scope.user_id
    except NotAuthenticated:
        raise
    except PermissionDenied:
        return _forbidden(request, "admin.users_forbidden")
    except AstaraError as exc:
        return _users(request, problems(request, exc, target), values, status=exc.status_code)
    if isinstance(changed, User) and changed.id == acting and changed.role != "administrator":
        return RedirectResponse("/", status_code=303)  # no longer an administrator: /users would refuse
    return RedirectResponse("/users?" + urlencode({"done": done, "who": target}), status_code=303)


@router.post("/users", response_class=HTMLResponse)
async def add_user(request: Request) -> Response:
    v = await _form(request)
    name = v.get("username", "").strip()
    values = {k: v.get(k, "") for k in ("csrf_token", "username", "display_name", "role")}

    def add(session: Session, scope: Scope) -> object:
        return auth.add_user(
            session, scope, name, v.get("role", ""), v.get("password", ""), v.get("display_name", "")
        )

    return _user_change(request, values, name, "added", add)


@router.post("/users/role", response_class=HTMLResponse)
async def change_role(request: Request) -> Response:
    v = await _form(request)
    name = v.get("username", "")
    role = v.get("role", "")
    return _user_change(
        request, v, name, "role", lambda session, scope: auth.set_role(session, scope, name, role)
    )


@router.post("/users/disable", response_class=HTMLResponse)
async def disable_user(request: Request) -> Response:
    return await _set_active(request, False)


@router.post("/users/enable", response_class=HTMLResponse)
async def enable_user(request: Request) -> Response:
    return await _set_active(request, True)


async def _set_active(request: Request, active: bool) -> Response:
    v = await _form(request)
    name = v.get("username", "")
    return _user_change(request, v, name, "enabled" if active else "disabled",
                        lambda session, scope: auth.set_active(session, scope, name, active))  # fmt: skip


@router.post("/users/password", response_class=HTMLResponse)
async def reset_password(request: Request) -> Response:
    v = await _form(request)
    name, password = v.get("username", ""), v.get("password", "")
    values = {"csrf_token": v.get("csrf_token", ""), "username": name}  # never the password
    return _user_change(request, values, name, "password",
                        lambda session, scope: auth.set_password(session, scope, name, password))  # fmt: skip


# ------------------------------------------------------------------------------------------ tokens
def _tokens(
    request: Request, errors: dict[str, str] | None = None, status: int = 200, notice: str | None = None,
    new: tuple[int, str] | None = None, name: str = "",
) -> HTMLResponse:  # fmt: skip
    with _reading(request) as (session, scope):
        tokens = auth.list_tokens(session, scope)
        owners = auth.token_owners(session, scope)
        everyone = scope.role == "administrator"
    response = _page(request, "tokens.html", "tokens.title", status, tokens=tokens, owners=owners,
                     everyone=everyone, errors=errors or {}, notice=notice, new=new, name=name)  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # the new token must not stay in a cache
    return response


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, revoked: str = "") -> HTMLResponse:
    notice = translate(language_of(request), "tokens.revoked_notice", name=revoked) if revoked else None
    return _tokens(request, notice=notice)


@router.post("/tokens", response_class=HTMLResponse)
async def create_token(request: Request) -> Response:
    """The new token is in this answer only: it is never stored, so never shown again."""
    v = await _form(request)
    name = v.get("name", "")
    stale = _csrf_failed(request, v.get("csrf_token", ""))
    if stale:
        return _tokens(request, stale, status=403, name=name)
    try:
        with unit(request, csrf=v.get("csrf_token", "")) as (session, scope):
            token, plain = auth.create_token(session, scope, name)
            session.flush()
            number = token.id
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return _tokens(request, problems(request, exc), status=exc.status_code, name=name)
    return _tokens(request, new=(number, plain), status=201)


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(request: Request, token_id: int) -> Response:
    v = await _form(request)
    stale = _csrf_failed(request, v.get("csrf_token", ""))
    if stale:
        return _tokens(request, stale, status=403)
    try:
        with unit(request, csrf=v.get("csrf_token", "")) as (session, scope):
            name = auth.revoke_token(session, scope, token_id).name
    except NotAuthenticated:
        raise
    except PermissionDenied:
        return _forbidden(request, "admin.token_forbidden")
    except AstaraError as exc:
        return _tokens(request, problems(request, exc), status=exc.status_code)
    return RedirectResponse("/tokens?" + urlencode({"revoked": name}), status_code=303)


# ------------------------------------------------------------------------------------------- audit
def _actor(actor: str, names: dict[str, str]) -> tuple[str, str]:
    """("user:5 (session)", names) -> ("leyla@az-scs", "session"): who, and how they were acting."""
    who, _, via = actor.partition(" (")
    return names.get(who, who), via.rstrip(")")


def _day(text: str, field: str, errors: dict[str, str], lang: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        errors[f"/{field}"] = translate(lang, "admin.problem.date", value=text.strip())
        return None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, action: str = "", actor: str = "", partner: str = "", record: str = "",
    since: str = "", until: str = "", page: int = 1, verify: str = "",
) -> HTMLResponse:  # fmt: skip
    """The audit log, filtered and a page at a time; with ``verify``, the whole chain checked."""
    lang = language_of(request)
    filters = {"action": action, "actor": actor, "partner": partner, "record": record, "since": since,
               "until": until}  # fmt: skip
    errors: dict[str, str] = {}
    days = _day(since, "since", errors, lang), _day(until, "until", errors, lang)
    page = max(page, 1)
    found, verified = None, None
    try:
        with unit(request) as (session, scope):
            if not errors:
                found = sharing.browse_audit(
                    session, scope, action=action, actor=actor, partner=partner, record=record,
                    since=days[0], until=days[1], offset=(page - 1) * AUDIT_PAGE_SIZE, limit=AUDIT_PAGE_SIZE,
                )  # fmt: skip
            if verify:
                verified = sharing.verify_audit(session, scope)
    except NotAuthenticated:
        raise
    except PermissionDenied:
        return _forbidden(request, "admin.audit_forbidden")
    except AstaraError as exc:
        errors.update(problems(request, exc))
    shown = {k: v for k, v in filters.items() if v}
    total = found.total if found else 0

    def link(number: int) -> str:
        return "/audit?" + urlencode({**shown, "page": number})

    names = found.actors if found else {}
    return _page(
        request, "audit.html", "audit.title", 422 if errors else 200, found=found, verified=verified,
        actions=_names(request, "audit.act", sorted(ACTIONS)), vias=_names(request, "audit.via", VIAS),
        errors=errors, actor_of=lambda actor: _actor(actor, names),
        page=page, size=AUDIT_PAGE_SIZE, **filters,
        newer_url=link(page - 1) if page > 1 else None,
        older_url=link(page + 1) if page * AUDIT_PAGE_SIZE < total else None,
        verify_url="/audit?" + urlencode({**shown, "page": page, "verify": 1}),
    )  # fmt: skip
