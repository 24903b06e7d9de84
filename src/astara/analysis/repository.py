"""The grouped queries behind every statistic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import cast as type_cast

from sqlalchemy import ColumnElement, Select, String, cast, func, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import SeizureEvent as E
from astara.db.models import SeizureItem as I
from astara.seizures.dimensions import Dimension

Conditions = Sequence[tuple[Dimension, ColumnElement[bool]]]


def needs_items(by: Sequence[Dimension], conditions: Conditions) -> bool:
    return any(d.level == "item" for d in by) or any(d.level == "item" for d, _ in conditions)


def _filtered(
    stmt: Select[Any], scope: Scope, conditions: Conditions, exclude_possible_duplicates: bool
) -> Select[Any]:
    stmt = scoped(stmt, E, scope)
    for _dim, clause in conditions:
        stmt = stmt.where(clause)
    if exclude_possible_duplicates:
        stmt = stmt.where(E.possible_duplicate_of.is_(None))
    return stmt


def _has_multi_item_events(session: Session, scope: Scope) -> bool:
    return session.scalar(scoped(select(E.id), E, scope).where(E.item_count > 1).limit(1)) is not None


def grouped(
    session: Session,
    scope: Scope,
    by: Sequence[Dimension],
    conditions: Conditions,
    exclude_possible_duplicates: bool = False,
    engine: str = "sql",
) -> list[tuple[Any, ...]]:
    """Rows of (*keys, events, items, kg, items_without_kg, source_rows) per group.

    ``engine="duckdb"`` runs the same statement on the columnar snapshot of the embedded store
    (:mod:`astara.analysis.columnar`) instead of the store itself.

    When neither the grouping nor the filters look at items, the event rows' own item totals
    answer without a join. Otherwise events are counted once per group even when several of
    their items fall in it, and item conditions (drug, drug group) restrict both the events and
    the kilograms counted.
    """
    keys = [type_cast(ColumnElement[Any], d.expr()).label(f"k{i}") for i, d in enumerate(by)]

    def run(stmt: Select[Any]) -> list[tuple[Any, ...]]:
        if engine == "duckdb":
            from astara.analysis import columnar

            return columnar.execute(session, stmt)
        return [tuple(r) for r in session.execute(stmt)]

    if not needs_items(by, conditions):
        stmt = select(
            *keys,
            func.count(),
            func.sum(E.item_count),
            func.coalesce(func.sum(E.total_kg), 0.0),
            func.sum(E.items_without_kg),
            func.sum(E.duplicate_count),
        ).select_from(E)
        stmt = _filtered(stmt, scope, conditions, exclude_possible_duplicates).group_by(*keys)
        return run(stmt)
    if engine != "duckdb" and not _has_multi_item_events(session, scope):
        # Every event has one item: counting items counts events, and duplicate counts add up.
        stmt = select(
            *keys,
            func.count(),
            func.count(),
            func.coalesce(func.sum(I.kg), 0.0),
            func.sum(func.coalesce(I.kg * 0, 1)),
            func.sum(E.duplicate_count),
        ).join(I, I.event_id == E.id)
        stmt = _filtered(stmt, scope, conditions, exclude_possible_duplicates).group_by(*keys)
        return run(stmt)
    per_event = select(
        *keys,
        E.id.label("event_id"),
        func.max(E.duplicate_count).label("rows"),
        func.sum(I.kg).label("kg"),
        func.count(I.id).label("items"),
        func.sum(func.coalesce(I.kg * 0, 1)).label("no_kg"),
    ).join(I, I.event_id == E.id)
    sub = (
        _filtered(per_event, scope, conditions, exclude_possible_duplicates).group_by(*keys, E.id).subquery()
    )
    outer_keys = [sub.c[f"k{i}"] for i in range(len(by))]
    stmt = select(
        *outer_keys,
        func.count().label("events"),
        func.sum(sub.c["items"]),
        func.coalesce(func.sum(sub.c["kg"]), 0.0),
        func.sum(sub.c["no_kg"]),
        func.sum(sub.c["rows"]),
    ).group_by(*outer_keys)
    return run(stmt)


def _raw(name: str, expr: Any) -> Dimension:
    """A grouping only analysis uses (not a user filter): an event column as it is stored."""
    return Dimension(name, "event", lambda: expr, str, name)


# Transit countries are a JSON list; grouped as its text, which both stores compare equal.
TRANSIT = _raw("transit", cast(E.transit_countries, String))
LAT = _raw("lat", E.lat)
LON = _raw("lon", E.lon)
