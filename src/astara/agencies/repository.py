"""Queries on agencies and users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from astara.db.models import Agency, User


def get_agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalars(select(Agency).where(Agency.code == code)).one_or_none()


def add_agency(session: Session, code: str, name: str, country: str | None) -> Agency:
    agency = Agency(code=code, name=name, country=country)
    session.add(agency)
    session.flush()
    return agency


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def add_user(session: Session, agency: Agency, username: str, role: str, display_name: str = "") -> User:
    user = User(agency_id=agency.id, username=username, role=role, display_name=display_name or username)
    session.add(user)
    session.flush()
    return user


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.code)))
