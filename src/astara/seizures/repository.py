"""Queries on seizure events and items, always scoped to the acting agency."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from astara.agencies.scope import Scope, scoped, scoped_update
from astara.db.models import SeizureEvent, SeizureItem, utcnow
from astara.seizures.dimensions import Dimension, text_search

SORTABLE = {
    "date": SeizureEvent.date,
    "country": SeizureEvent.country,
    "place": SeizureEvent.place_text,
    "drug": SeizureEvent.drug_code,  # the drug every item shares; events of several drugs sort last
    "kg": SeizureEvent.total_kg,
    "departure": SeizureEvent.departure_country,
    "created": SeizureEvent.created_at,
    "reference": SeizureEvent.reference,
}


def _filtered(
    scope: Scope, conditions: Sequence[tuple[Dimension, ColumnElement[bool]]], q: str | None
) -> Select[Any]:
    stmt = scoped(select(SeizureEvent), SeizureEvent, scope)
    for dim, clause in conditions:
        if dim.level == "item":
            stmt = stmt.where(exists().where(SeizureItem.event_id == SeizureEvent.id, clause))
        else:
            stmt = stmt.where(clause)
    for _dim, clause in text_search(q):
        stmt = stmt.where(clause)
    return stmt


def count_events(
    session: Session,
    scope: Scope,
    conditions: Sequence[tuple[Dimension, ColumnElement[bool]]],
    q: str | None = None,
) -> int:
    stmt = _filtered(scope, conditions, q).with_only_columns(func.count()).order_by(None)
    return int(session.scalar(stmt) or 0)


def list_events(
    session: Session,
    scope: Scope,
    conditions: Sequence[tuple[Dimension, ColumnElement[bool]]],
    *,
    q: str | None = None,
    sort: str = "-date",
    offset: int = 0,
    limit: int = 50,
) -> list[SeizureEvent]:
    stmt = _page(_filtered(scope, conditions, q), sort, offset, limit)
    return list(session.scalars(stmt.options(selectinload(SeizureEvent.items))))


def _page(stmt: Select[Any], sort: str, offset: int, limit: int) -> Select[Any]:
    column = SORTABLE[sort.lstrip("-")]
    descending = sort.startswith("-")
    order = column.desc() if descending else column.asc()
    # the id breaks ties in the same direction, so an index on (agency, column, id) serves the whole
    # ORDER BY (an import gives thousands of rows one created_at)
    tie = SeizureEvent.id.desc() if descending else SeizureEvent.id.asc()
    return stmt.order_by(order.nulls_last(), tie).offset(offset).limit(limit)


Columns = Sequence[InstrumentedAttribute[Any]]


def list_rows(
    session: Session,
    scope: Scope,
    conditions: Sequence[tuple[Dimension, ColumnElement[bool]]],
    columns: Columns,
    *,
    q: str | None = None,
    sort: str = "-date",
    offset: int = 0,
    limit: int = 50,
) -> list[Row[Any]]:
    """A page of events as rows of ``columns`` only (no ORM objects): what a list page shows."""
    stmt = _page(_filtered(scope, conditions, q).with_only_columns(*columns), sort, offset, limit)
    return list(session.execute(stmt))


def item_rows(session: Session, event_ids: Sequence[str], columns: Columns) -> list[Row[Any]]:
    """(event id, ``columns``...) of the items of these events, in position order: one statement.
    The ids come from a scoped query; items have no agency of their own."""
    if not event_ids:
        return []
    stmt = (
        select(SeizureItem.event_id, *columns)
        .where(SeizureItem.event_id.in_(event_ids))
        .order_by(SeizureItem.event_id, SeizureItem.position)
    )
    return list(session.execute(stmt))


def iter_events(
    session: Session,
    scope: Scope,
    conditions: Sequence[tuple[Dimension, ColumnElement[bool]]],
    batch: int = 2000,
    q: str | None = None,
) -> Iterator[SeizureEvent]:
    """Every matching event with its items, in id order, fetched in batches (for exports)."""
    last: str | None = None
    base = _filtered(scope, conditions, q).options(selectinload(SeizureEvent.items))
    while True:
        stmt = base.order_by(SeizureEvent.id).limit(batch)
        if last is not None:
            stmt = stmt.where(SeizureEvent.id > last)
        rows = list(session.scalars(stmt))
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def get_event(session: Session, scope: Scope, event_id: str) -> SeizureEvent | None:
    stmt = scoped(select(SeizureEvent), SeizureEvent, scope).where(SeizureEvent.id == event_id)
    return session.scalars(stmt.options(selectinload(SeizureEvent.items))).one_or_none()


def find_by_reference(session: Session, scope: Scope, reference: str) -> SeizureEvent | None:
    stmt = scoped(select(SeizureEvent), SeizureEvent, scope).where(SeizureEvent.reference == reference)
    return session.scalars(stmt.options(selectinload(SeizureEvent.items))).first()


def advance_version(session: Session, scope: Scope, event: SeizureEvent, expected: int) -> bool:
    """Move ``event`` from version ``expected`` to the next in one conditional UPDATE, so of writers
    that read the same version exactly one finds it still there (the database decides, not this
    process); True for that one, and ``event`` then holds its new version."""
    stmt = (
        scoped_update(SeizureEvent, scope)
        .where(SeizureEvent.id == event.id, SeizureEvent.version == expected)
        .values(version=expected + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(event, ["version", "updated_at"])
    return True


def current_version(session: Session, scope: Scope, event_id: str) -> int | None:
    """The stored version, read afresh (not from the session's copy)."""
    stmt = scoped(select(SeizureEvent.version), SeizureEvent, scope).where(SeizureEvent.id == event_id)
    return session.scalars(stmt).one_or_none()


def add_event(session: Session, event: SeizureEvent) -> None:
    session.add(event)
    session.flush()


def place_points(
    session: Session,
    scope: Scope,
    conditions: Sequence[tuple[Dimension, ColumnElement[bool]]],
    q: str | None = None,
    limit: int = 5000,
) -> list[tuple[Any, ...]]:
    """(place id, a place text, lat, lon, events, kg) per located place, busiest first."""
    e = SeizureEvent
    stmt = (
        _filtered(scope, conditions, q)
        .with_only_columns(
            e.place_id, func.min(e.place_text), e.lat, e.lon, func.count(), func.sum(e.total_kg)
        )
        .where(e.lat.is_not(None), e.lon.is_not(None))
        .group_by(e.place_id, e.lat, e.lon)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(stmt)]
