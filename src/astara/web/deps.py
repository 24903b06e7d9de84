"""Request plumbing shared by the route modules: who is acting, and the unit of work.

A request acts as a user, established by a bearer API token (``Authorization: Bearer ...``) or by
the signed session cookie of a login, which holds only the id of a session kept in the store (so
logging out ends it everywhere, within a second: `astara.auth.acting`), the CSRF token and the
language. Requests that change something on the strength of the cookie must also carry the
session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``); token requests carry
no cookie and need none.
"""

from __future__ import annotations

import dataclasses
import hmac
import ipaddress
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth import acting, sessions
from astara.auth import service as auth
from astara.db.models import User
from astara.errors import NotAuthenticated, PermissionDenied
from astara.runtime import Runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def check_csrf(request: Request, submitted: str | None = None) -> None:
    expected = request.session.get("csrf")
    given = submitted or request.headers.get("x-csrf-token", "")
    if not expected or not hmac.compare_digest(str(expected), given):
        raise PermissionDenied(
            "the form has expired or did not come from this site (CSRF check); reload the page and retry"
        )


def client_address(request: Request) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy (ASTARA_TRUSTED_PROXIES),
    the rightmost X-Forwarded-For hop that is not itself a trusted proxy."""
    peer = request.client.host if request.client else ""
    trusted = runtime_of(request).settings.trusted_proxy_networks
    if not _within(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def log_in(request: Request, session: Session, user: User) -> None:
    """Start a session of ``user`` in the store and put its id (nothing else about the user) in the cookie."""
    request.session.clear()
    request.session.update(sid=sessions.start(session, user, client_address(request)), lang=user.language)
    csrf_token(request)


def log_out(request: Request, session: Session) -> None:
    """End this cookie's session in the store: every worker sees it at once."""
    sid = request.session.get("sid")
    if isinstance(sid, str):
        sessions.end(session, sid, client_address(request))
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def logged_in(request: Request) -> bool:
    return isinstance(request.session.get("sid"), str)


def _acting(request: Request, session: Session, csrf: str | None) -> Scope:
    scope = _who(request, session)
    if request.method not in SAFE_METHODS and not _by_token(request) and not _checked(request):
        check_csrf(request, csrf)
        # a page that re-renders after a failed write opens another unit without the form's token
        request.state.csrf_checked = True
    request.state.role = scope.role  # the page's links follow the role as it is now, not at login
    return scope


def _checked(request: Request) -> bool:
    return getattr(request.state, "csrf_checked", False) is True


def _by_token(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def _who(request: Request, session: Session) -> Scope:
    """The acting user's scope: once a request, and from the runtime's cache when the same
    credential was resolved within the last second (:mod:`astara.auth.acting`)."""
    if _by_token(request):
        credential = acting.key("token", request.headers["authorization"][7:].strip())
    else:
        sid = request.session.get("sid")
        if not isinstance(sid, str):
            raise NotAuthenticated("log in, or send an API token (Authorization: Bearer ...)")
        credential = acting.key("session", sid)
    known = getattr(request.state, "acting", None)
    if known is not None and known[0] == credential:
        return known[1]  # type: ignore[no-any-return]
    cache = runtime_of(request).acting
    scope = cache.get(credential)
    if scope is None:
        scope = _resolve(request, session)
        cache.put(credential, scope)
    request.state.acting = (credential, scope)
    return scope


def _resolve(request: Request, session: Session) -> Scope:
    if _by_token(request):
        return dataclasses.replace(
            auth.scope_for_token(session, request.headers["authorization"][7:]), via="token"
        )
    try:
        return sessions.scope_for_session(session, request.session["sid"])
    except NotAuthenticated:
        request.session.clear()
        raise


def require_login(request: Request) -> None:
    """NotAuthenticated unless a valid session or token: for an upload, before a byte of it is read
    (its CSRF token comes in the body, and is checked with the unit of work that follows)."""
    with runtime_of(request).session() as session:
        _who(request, session)


@contextmanager
def unit(request: Request, *, csrf: str | None = None) -> Iterator[tuple[Session, Scope]]:
    """One transaction for this request, acting as the authenticated user (else NotAuthenticated)."""
    with runtime_of(request).session() as session:
        yield session, _acting(request, session, csrf)


@contextmanager
def anonymous(request: Request) -> Iterator[Session]:
    """One transaction with nobody acting yet: login and first-run setup."""
    with runtime_of(request).session() as session:
        yield session
