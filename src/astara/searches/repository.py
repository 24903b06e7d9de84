"""Queries on saved searches: scoped to the agency, and to the acting user within it."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import SavedSearch


def _mine(scope: Scope) -> Select[tuple[SavedSearch]]:
    return scoped(select(SavedSearch), SavedSearch, scope).where(SavedSearch.user_id == scope.user_id)


def list_saved(session: Session, scope: Scope) -> list[SavedSearch]:
    return list(session.scalars(_mine(scope).order_by(SavedSearch.name, SavedSearch.id)))


def get(session: Session, scope: Scope, search_id: int) -> SavedSearch | None:
    return session.scalars(_mine(scope).where(SavedSearch.id == search_id)).first()


def named(session: Session, scope: Scope, name: str) -> SavedSearch | None:
    return session.scalars(_mine(scope).where(SavedSearch.name == name)).first()


def add(session: Session, saved: SavedSearch) -> None:
    session.add(saved)
    session.flush()


def delete(session: Session, saved: SavedSearch) -> None:
    session.delete(saved)
    session.flush()
