"""Request plumbing shared by the route modules: who is acting, and the unit of work.

A request acts as a user, established by a bearer API token (``Authorization: Bearer ...``) or by
the signed session cookie of a login. Requests that change something on the strength of the
cookie must also carry the session's CSRF token (header ``X-CSRF-Token`` or form field
``csrf_token``); token requests carry no cookie and need none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
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


def password_mark(user: User) -> str:
    """Changes when the password does: a session made before a password change stops working."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def log_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update(user_id=user.id, mark=password_mark(user), lang=user.language)
    csrf_token(request)


def _acting(request: Request, session: Session, csrf: str | None) -> Scope:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth.scope_for_token(session, header[7:])
    user_id = request.session.get("user_id")
    if user_id is None:
        raise NotAuthenticated("log in, or send an API token (Authorization: Bearer ...)")
    scope = auth.scope_for_user_id(session, int(user_id))
    user = session.get(User, scope.user_id)
    if user is None or request.session.get("mark") != password_mark(user):
        request.session.clear()
        raise NotAuthenticated("your password was changed; log in again")
    if request.method not in SAFE_METHODS:
        check_csrf(request, csrf)
    return scope


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
