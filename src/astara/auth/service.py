"""Logging in, users' passwords and languages, API tokens, and the first-run administrator."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy.orm import Session

from astara.agencies import repository as agencies
from astara.agencies.scope import Scope
from astara.auth import acting, ratelimit, repository
from astara.auth.passwords import check_strength, hash_password, needs_rehash, verify_password
from astara.auth.ratelimit import LoginLimits
from astara.auth.roles import ROLES, require
from astara.db.models import ApiToken, User, utcnow
from astara.errors import AstaraError, Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from astara.sharing import audit

LANGUAGES = ("en", "az", "ru", "fa")
TOKEN_USE_PRECISION = dt.timedelta(minutes=10)  # how exactly "last used" is kept
TOKEN_PREFIX = "astara_"  # noqa: S105 - marks a string as an Astara token; not a secret


def scope_of(session: Session, user: User) -> Scope:
    agency = repository.get_agency(session, user.agency_id)
    if agency is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFound(f"agency of user {user.username} is missing")
    return Scope(agency_id=agency.id, agency_code=agency.code, user_id=user.id, role=user.role)


def scope_for_user_id(session: Session, user_id: int, *, by_token: bool = False) -> Scope:
    """The scope of a logged-in user; a user deactivated since logging in is logged out.

    A token's user needs no password (an account for a script may have none).
    """
    user = repository.get_user_by_id(session, user_id)
    if user is None or not user.active or (user.password_hash is None and not by_token):
        raise NotAuthenticated("your session has ended; log in again")
    return scope_of(session, user)


def authenticate(
    session: Session,
    username: str,
    password: str,
    limits: LoginLimits,
    client: str = "",
    instance_agency: str = "",
) -> User | None:
    """The user whose name and password these are, else None (RateLimited while locked).

    A failure is counted and audited in ``session`` (against the user's agency, or the instance's
    for an unknown name, with the name tried and never the password): the caller commits it.
    """
    ratelimit.check(session, limits, username, client)
    user = agencies.get_user(session, username.strip())
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.active:
        ratelimit.failed(session, limits, username, client)
        agency = (
            repository.get_agency(session, user.agency_id)
            if user is not None
            else agencies.get_agency_by_code(session, instance_agency.strip().upper())
        )
        if agency is not None:
            scope = Scope(agency_id=agency.id, agency_code=agency.code, via="session")
            details = {"username": username.strip()[:100], "client": client}
            audit.append(session, scope, "login_failed", details=details, actor="anonymous")
        return None
    ratelimit.succeeded(session, limits, username, client)
    assert user.password_hash is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def needs_setup(session: Session) -> bool:
    """True until some active user has a password: the first administrator must be created."""
    return repository.count_users_who_can_log_in(session) == 0


def setup_administrator(session: Session, agency_code: str, username: str, password: str) -> User:
    """First run: give the instance agency an administrator who can log in. Refused afterwards."""
    if not needs_setup(session):
        raise Conflict("this instance already has an administrator; log in instead")
    agency = agencies.get_agency_by_code(session, agency_code.strip().upper())
    if agency is None:
        raise NotFound(f"agency {agency_code!r} does not exist: create it with `astara agency add`")
    username = _valid_username(username)
    check_strength(password, username)
    user = agencies.get_user(session, username)
    if user is not None and user.agency_id != agency.id:
        raise Conflict(f"user {username} belongs to another agency")
    if user is None:
        user = agencies.add_user(session, agency, username, "administrator")
    user.role, user.active, user.password_hash = "administrator", True, hash_password(password)
    return user


def _invalid(field: str, problem: str, message: str, kind: type[AstaraError] = InvalidInput) -> AstaraError:
    """An error naming its field and problem, so a page can say it in its own language."""
    return kind(message, details=[{"field": field, "reason": message, "problem": problem}])


def _valid_username(username: str) -> str:
    username = username.strip()
    if not 3 <= len(username) <= 64 or any(c.isspace() for c in username):
        raise _invalid("username", "username_form", "a user name has 3 to 64 characters and no spaces")
    return username


def _valid_role(role: str) -> str:
    if role not in ROLES:
        raise _invalid("role", "role_unknown", f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def add_user(
    session: Session, scope: Scope, username: str, role: str, password: str | None, display_name: str = ""
) -> User:
    """An administrator adds a user to their own agency."""
    require(scope, "users.manage")
    role, username = _valid_role(role), _valid_username(username)
    if agencies.get_user(session, username):
        raise _invalid("username", "username_taken", f"user {username} already exists", Conflict)
    if len(display_name) > 200:
        raise _invalid("display_name", "display_name_long", "a display name has at most 200 characters")
    if password is not None:
        check_strength(password, username)
    agency = repository.get_agency(session, scope.agency_id)
    assert agency is not None
    user = agencies.add_user(session, agency, username, role, display_name.strip())
    if password is not None:
        user.password_hash = hash_password(password)
    audit.append(session, scope, "user", details={"change": "add", "user": username, "role": role})
    return user


def list_users(session: Session, scope: Scope) -> list[User]:
    """The agency's users, for an administrator."""
    require(scope, "users.manage")
    return repository.list_users(session, scope)


def _agency_user(session: Session, scope: Scope, username: str) -> User:
    user = agencies.get_user(session, username.strip())
    if user is None or user.agency_id != scope.agency_id:
        raise NotFound(f"user {username!r} does not exist in agency {scope.agency_code}")
    return user


def _keep_an_administrator(session: Session, scope: Scope, user: User) -> None:
    """Refuse a change that would leave the agency without an active administrator."""
    last = user.role == "administrator" and user.active
    if last and repository.count_active_administrators(session, scope) <= 1:
        message = f"{user.username} is the agency's last administrator; make another user administrator first"
        raise _invalid("user", "last_administrator", message, Conflict)


def set_role(session: Session, scope: Scope, username: str, role: str) -> User:
    """An administrator changes a user's role; the agency keeps at least one administrator."""
    require(scope, "users.manage")
    user, role = _agency_user(session, scope, username), _valid_role(role)
    if user.role == role:
        return user
    if role != "administrator":
        _keep_an_administrator(session, scope, user)
    change = {"change": "role", "user": user.username, "from": user.role, "to": role}
    audit.append(session, scope, "user", details=change)
    user.role = role
    acting.changed(session)
    return user


def set_active(session: Session, scope: Scope, username: str, active: bool) -> User:
    """Disable a user (their sessions end at once, their tokens stop working) or enable them again."""
    require(scope, "users.manage")
    user = _agency_user(session, scope, username)
    if user.active == active:
        return user
    if not active:
        if user.id == scope.user_id:
            message = "you cannot disable yourself; ask another administrator"
            raise _invalid("user", "disable_self", message, Conflict)
        _keep_an_administrator(session, scope, user)
        repository.revoke_web_sessions(session, user.id)
    user.active = active
    acting.changed(session)
    audit.append(session, scope, "user",
                 details={"change": "enable" if active else "disable", "user": user.username})  # fmt: skip
    return user


def set_password(session: Session, scope: Scope, username: str, password: str) -> None:
    """Users change their own password; administrators anyone's in their agency."""
    user = _agency_user(session, scope, username)
    if user.id != scope.user_id:
        require(scope, "users.manage")
    check_strength(password, user.username)
    user.password_hash = hash_password(password)
    audit.append(session, scope, "user", details={"change": "password", "user": user.username})
    repository.revoke_web_sessions(session, user.id)  # whoever knew the old password is logged out
    acting.changed(session)


def set_language(session: Session, scope: Scope, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if scope.user_id is None:
        raise NotAuthenticated("log in to choose a language")
    user = repository.get_user_by_id(session, scope.user_id)
    assert user is not None
    user.language = language


def language_of(session: Session, scope: Scope) -> str:
    user = repository.get_user_by_id(session, scope.user_id) if scope.user_id is not None else None
    return user.language if user is not None else "en"


# ---------------------------------------------------------------------------- API tokens
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, scope: Scope, name: str) -> tuple[ApiToken, str]:
    """A new API token for the acting user; the plain token is returned once and never stored."""
    if scope.user_id is None:
        raise NotAuthenticated("API tokens belong to a user; act as one")
    name = name.strip()
    if not name or len(name) > 100:
        raise _invalid("name", "token_name", "a token needs a name of 1 to 100 characters (what it is for)")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        agency_id=scope.agency_id,
        user_id=scope.user_id,
        name=name,
        prefix=plain[:12],
        token_hash=_digest(plain),
    )
    audit.append(session, scope, "token", details={"change": "create", "name": name, "prefix": plain[:12]})
    return repository.add_token(session, token), plain


def scope_for_token(session: Session, plain: str) -> Scope:
    token = repository.token_by_hash(session, _digest(plain.strip()))
    if token is None or token.revoked_at is not None:
        raise NotAuthenticated("the API token is not valid (unknown or revoked)")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_PRECISION:
        # Best effort, in its own short transaction: a read request must not become a write (on
        # SQLite, twenty readers each upgrading to a writer would lock each other out).
        repository.touch_token(session, token.id, now)
    return scope_for_user_id(session, token.user_id, by_token=True)


def list_tokens(session: Session, scope: Scope) -> list[ApiToken]:
    """The acting user's tokens; an administrator sees the whole agency's."""
    mine_only = scope.role != "administrator"
    return repository.list_tokens(session, scope, scope.user_id if mine_only else None)


def revoke_token(session: Session, scope: Scope, token_id: int) -> ApiToken:
    token = repository.get_token(session, scope, token_id)
    if token is None:
        raise NotFound(f"API token {token_id} does not exist")
    if token.user_id != scope.user_id and scope.role != "administrator":
        raise PermissionDenied("only an administrator may revoke another user's token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        acting.changed(session)
        audit.append(
            session, scope, "token", details={"change": "revoke", "id": token.id, "name": token.name}
        )
    return token


def token_owners(session: Session, scope: Scope) -> dict[int, str]:
    """User id -> user name of the agency, to say whose token is whose."""
    return {u.id: u.username for u in repository.list_users(session, scope)}
