"""Queries on users' credentials and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import Agency, ApiToken, LoginFailure, User, WebSession, utcnow


def get_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_agency(session: Session, agency_id: int) -> Agency | None:
    return session.get(Agency, agency_id)


def count_users_who_can_log_in(session: Session) -> int:
    stmt = select(func.count()).select_from(User).where(User.password_hash.is_not(None), User.active)
    return int(session.scalar(stmt) or 0)


def list_users(session: Session, scope: Scope) -> list[User]:
    return list(session.scalars(scoped(select(User), User, scope).order_by(User.username)))


def user_names(session: Session, scope: Scope) -> dict[int, str]:
    stmt = scoped(select(User.id, User.username), User, scope)
    return {user_id: name for user_id, name in session.execute(stmt)}


def count_active_administrators(session: Session, scope: Scope) -> int:
    stmt = scoped(select(func.count()).select_from(User), User, scope).where(
        User.role == "administrator", User.active
    )
    return int(session.scalar(stmt) or 0)


def add_token(session: Session, token: ApiToken) -> ApiToken:
    session.add(token)
    session.flush()
    return token


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    """Unscoped on purpose: the token is what tells us who (and which agency) is acting."""
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()


def list_tokens(session: Session, scope: Scope, user_id: int | None = None) -> list[ApiToken]:
    stmt = scoped(select(ApiToken), ApiToken, scope).order_by(ApiToken.created_at)
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return list(session.scalars(stmt))


def get_token(session: Session, scope: Scope, token_id: int) -> ApiToken | None:
    stmt = scoped(select(ApiToken), ApiToken, scope).where(ApiToken.id == token_id)
    return session.scalars(stmt).one_or_none()


def touch_token(session: Session, token_id: int, when: dt.datetime) -> None:
    """Record a token's use on a connection of its own; a busy store skips it (it is bookkeeping)."""
    try:
        with session.get_bind().engine.connect() as conn, conn.begin():
            conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))
    except OperationalError:
        pass


def add_web_session(session: Session, row: WebSession) -> None:
    session.add(row)


def get_web_session(session: Session, digest: str) -> WebSession | None:
    """Unscoped on purpose: the session is what tells us who (and which agency) is acting."""
    return session.get(WebSession, digest)


def revoke_web_sessions(session: Session, user_id: int) -> None:
    """End every live session of a user (password changed, user disabled)."""
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def recent_failures(session: Session, key: str, since: dt.datetime, most: int) -> list[dt.datetime]:
    """When the last ``most`` failed logins under ``key`` after ``since`` happened, newest first."""
    stmt = (
        select(LoginFailure.at)
        .where(LoginFailure.key == key, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .limit(most)
    )
    return list(session.scalars(stmt))


def forget_failures_before(session: Session, before: dt.datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at <= before))


def forget_failures(session: Session, keys: list[str]) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
