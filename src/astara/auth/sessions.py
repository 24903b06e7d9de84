"""Browser sessions kept in the store: the cookie holds a random token, the row says if it still counts.

Logging out, changing the password and disabling the user end a session in this process at once
and in every other worker within a second (a request reads the row unless it was read in the last
second: :mod:`astara.auth.acting`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth import acting, repository
from astara.auth.service import scope_for_user_id, scope_of
from astara.db.models import User, WebSession, utcnow
from astara.errors import NotAuthenticated
from astara.sharing import audit

LIFETIME = dt.timedelta(hours=8)  # a working day, as the cookie's own max-age


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, client: str = "") -> str:
    """A new session of ``user`` (audited as a login); the token returned goes in the cookie, never stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    repository.add_web_session(
        session,
        WebSession(id=_digest(token), agency_id=user.agency_id, user_id=user.id, created_at=now,
                   expires_at=now + LIFETIME),
    )  # fmt: skip
    scope = dataclasses.replace(scope_of(session, user), via="session")
    audit.append(session, scope, "login", details={"client": client})
    return token


def scope_for_session(session: Session, token: str) -> Scope:
    """Who acts through this session token; NotAuthenticated once it is revoked or expired."""
    row = repository.get_web_session(session, _digest(token))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise NotAuthenticated("your session has ended (logged out, expired or password changed); log in")
    return dataclasses.replace(scope_for_user_id(session, row.user_id), via="session")


def end(session: Session, token: str, client: str = "") -> None:
    """Revoke one session (logout, audited); an ended or unknown one stays as it is."""
    row = repository.get_web_session(session, _digest(token))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    acting.changed(session)
    user = repository.get_user_by_id(session, row.user_id)
    if user is not None:
        audit.append(session, dataclasses.replace(scope_of(session, user), via="session"), "logout",
                     details={"client": client})  # fmt: skip
