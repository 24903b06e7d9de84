"""Agency tenancy, enforced in exactly one place.

Every repository query on a table with an ``agency_id`` column passes through :func:`scoped`, and
every UPDATE or DELETE on one is built by :func:`scoped_update` or :func:`scoped_delete`; a test
walks every such model and checks that agency A never sees agency B's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Delete, Select, Update, delete, update

T = TypeVar("T", bound=tuple[Any, ...])


@dataclass(frozen=True)
class Scope:
    """Who is acting: the agency whose data may be read or written, and the user."""

    agency_id: int
    agency_code: str
    user_id: int | None = None
    role: str = "analyst"
    # how the acting user was established, for the audit trail: "session", "token", "cli" (a named
    # ASTARA_USER), "cli-default" (no ASTARA_USER: the agency's administrator), "partner", "system",
    # "job" (a background job, acting as the user who queued it)
    via: str = ""


def scoped(stmt: Select[T], model: Any, scope: Scope) -> Select[T]:
    """Restrict ``stmt`` to rows of ``model`` owned by the scope's agency."""
    return stmt.where(model.agency_id == scope.agency_id)


def scoped_update(model: Any, scope: Scope) -> Update:
    """``UPDATE model`` of the scope's agency's rows only (named for :mod:`astara.db.versions`)."""
    return (
        update(model)
        .where(model.agency_id == scope.agency_id)
        .execution_options(astara_agency=scope.agency_id)
    )


def scoped_delete(model: Any, scope: Scope) -> Delete:
    """``DELETE FROM model`` of the scope's agency's rows only (named for :mod:`astara.db.versions`)."""
    return (
        delete(model)
        .where(model.agency_id == scope.agency_id)
        .execution_options(astara_agency=scope.agency_id)
    )
