"""Creating agencies and users, and turning an (agency, user) pair into a :class:`Scope`."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from astara.agencies import repository
from astara.agencies.scope import Scope
from astara.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from astara.kit.countries import CountryNotFound, resolve_country

ROLES = ("analyst", "liaison", "supervisor", "administrator")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


def create_agency(session: Session, code: str, name: str, country: str | None = None) -> Scope:
    """Create an agency with its first user, ``admin@CODE``; return a scope acting as that user."""
    code = code.strip().upper()
    if not _CODE.match(code):
        raise InvalidInput(f"agency code {code!r} must be 2-32 letters, digits, '-' or '_'")
    if repository.get_agency_by_code(session, code):
        raise Conflict(f"agency {code} already exists")
    try:
        resolved = resolve_country(country) if country else None
    except CountryNotFound:
        raise InvalidInput(f"country {country!r} of agency {code} is not a country name or code") from None
    agency = repository.add_agency(session, code, name.strip() or code, resolved)
    user = repository.add_user(
        session, agency, f"admin@{code.lower()}", "administrator", f"{code} administrator"
    )
    return Scope(agency_id=agency.id, agency_code=agency.code, user_id=user.id, role=user.role)


def ensure_agency(session: Session, code: str, name: str = "", country: str | None = None) -> Scope:
    """Return the scope of agency ``code``'s administrator, creating the agency when missing."""
    agency = repository.get_agency_by_code(session, code.strip().upper())
    if agency is None:
        return create_agency(session, code, name or code, country)
    return scope_for(session, agency.code, None)


def scope_for(session: Session, agency_code: str, username: str | None, *, via: str = "cli-default") -> Scope:
    """Resolve who is acting: user ``username`` (a login name, or a name the agency's code completes
    to ``name@agency``) with their role, or, without one, the agency's administrator ``admin@agency``.
    """
    agency = repository.get_agency_by_code(session, agency_code.strip().upper())
    if agency is None:
        raise NotFound(f"agency {agency_code!r} does not exist: create it with `astara agency add`")
    if username:
        user = repository.get_user(session, username) or repository.get_user(
            session, f"{username}@{agency.code.lower()}"
        )
        if user is None or user.agency_id != agency.id:
            raise NotFound(f"user {username!r} (ASTARA_USER) does not exist in agency {agency.code}")
        if not user.active:
            raise PermissionDenied(f"user {user.username} (ASTARA_USER) is disabled")
    else:
        user = repository.get_user(session, f"admin@{agency.code.lower()}")
    return Scope(
        agency_id=agency.id,
        agency_code=agency.code,
        user_id=user.id if user else None,
        role=user.role if user else "analyst",
        via=via,
    )
