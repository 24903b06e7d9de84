"""The one grouped query behind every statistic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import SeizureEvent as E
from astara.db.models import SeizureItem as I
from astara.seizures.dimensions import Dimension


def grouped(
    session: Session,
    scope: Scope,
    by: Sequence[Dimension],
    conditions: Sequence[tuple[Dimension, ColumnElement[bool]]],
    exclude_possible_duplicates: bool = False,
) -> list[tuple[Any, ...]]:
    """Rows of (*keys, events, items, kg, items_without_kg, source_rows) per group.

    Events are counted once per group even when several of their items fall in it; item
    conditions (drug, drug group) restrict both the events and the kilograms counted.
    """
    keys = [cast(ColumnElement[Any], d.expr()).label(f"k{i}") for i, d in enumerate(by)]
    per_event = scoped(
        select(
            *keys,
            E.id.label("event_id"),
            func.max(E.duplicate_count).label("rows"),
            func.sum(I.kg).label("kg"),
            func.count(I.id).label("items"),
            func.sum(func.coalesce(I.kg * 0, 1)).label("no_kg"),
        ).join(I, I.event_id == E.id),
        E,
        scope,
    )
    for _dim, clause in conditions:
        per_event = per_event.where(clause)
    if exclude_possible_duplicates:
        per_event = per_event.where(E.possible_duplicate_of.is_(None))
    sub = per_event.group_by(*keys, E.id).subquery()
    outer_keys = [sub.c[f"k{i}"] for i in range(len(by))]
    stmt = select(
        *outer_keys,
        func.count().label("events"),
        func.sum(sub.c["items"]),
        func.coalesce(func.sum(sub.c["kg"]), 0.0),
        func.sum(sub.c["no_kg"]),
        func.sum(sub.c["rows"]),
    ).group_by(*outer_keys)
    return [tuple(r) for r in session.execute(stmt)]
