"""The grouped queries behind every statistic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from typing import cast as type_cast

from sqlalchemy import ColumnClause, ColumnElement, Select, String, Table, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import iterate, replacement_traverse

from astara.agencies.scope import Scope, scoped
from astara.db.models import SeizureEvent as E
from astara.db.models import SeizureItem as I
from astara.kit.deferred import deferred
from astara.seizures.dimensions import Dimension

if TYPE_CHECKING:
    from astara.analysis import columnar
else:
    columnar = deferred("astara.analysis.columnar", "pyarrow and DuckDB: only for the duckdb engine")

Conditions = Sequence[tuple[Dimension, ColumnElement[bool]]]
EVENTS, ITEMS = type_cast(Table, E.__table__), type_cast(Table, I.__table__)
SHARED_DRUG = ("drug_code", "drug_group")  # item columns an event carries when its items share them


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


def _on_events(element: Any) -> Any:
    """``element`` (a key or a condition) on the event's own drug columns instead of its items',
    or None when it reads an item column that events do not carry."""
    clause: ColumnElement[Any] = (
        element.__clause_element__() if hasattr(element, "__clause_element__") else element
    )

    def item_column(e: Any) -> str | None:
        """The name of ``e`` when it is an item column."""
        table = getattr(e, "table", None)
        return e.name if isinstance(e, ColumnClause) and getattr(table, "name", None) == ITEMS.name else None

    def on_events(element: Any, **_kw: Any) -> Any:
        name = item_column(element)
        return None if name is None else EVENTS.c[name]

    if any((name := item_column(e)) is not None and name not in SHARED_DRUG for e in iterate(clause)):
        return None
    return replacement_traverse(clause, {}, on_events)


Figures = tuple[Any, ...]  # events, items, kg, items without kg, source rows


def grouped(
    session: Session,
    scope: Scope,
    by: Sequence[Dimension],
    conditions: Conditions,
    exclude_possible_duplicates: bool = False,
    engine: str = "sql",
) -> list[tuple[Any, ...]]:
    """Rows of (*keys, events, items, kg, items_without_kg, source_rows) per group.

    ``engine="duckdb"`` runs the same statements on the columnar snapshot of the embedded store
    (:mod:`astara.analysis.columnar`) instead of the store itself.

    When neither the grouping nor the filters look at items, the event rows' own item totals
    answer without a join. Otherwise events are counted once per group even when several of
    their items fall in it, and item conditions (drug, drug group) restrict both the events and
    the kilograms counted. Events whose items all share one drug carry it
    (``SeizureEvent.drug_code``, ``drug_group``): those are answered from the events alone, and
    only the others (``drug_code`` empty: several drugs, or no items) are joined to their items.
    """
    return Grouping(session, scope, conditions, exclude_possible_duplicates, engine).rows(by)


class Grouping:
    """The statements of one grouped question: events alone, or events joined to their items.

    :meth:`rows` answers it; :meth:`total` then gives the figures of all the events counted, each
    once even when it falls in several groups."""

    def __init__(
        self, session: Session, scope: Scope, conditions: Conditions, exclude: bool, engine: str
    ) -> None:
        self.session, self.scope, self.conditions, self.exclude = session, scope, conditions, exclude
        self.engine = engine
        # Conditions on events that carry their one drug (None: a condition they cannot answer).
        on_events = [(d, _on_events(clause)) for d, clause in conditions]
        self.on_events: Conditions | None = None if any(c is None for _d, c in on_events) else on_events
        # How rows() answered: from the events alone, from events joined to their items, or
        # events of one drug alone and the others joined ("split"; then single holds the first).
        self.kind = "events"
        self.single: list[tuple[Any, ...]] = []

    def run(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        if self.engine == "duckdb":
            return columnar.execute(self.session, stmt)
        return [tuple(r) for r in self.session.execute(stmt)]

    def rows(self, by: Sequence[Dimension]) -> list[tuple[Any, ...]]:
        keys = [type_cast(ColumnElement[Any], d.expr()) for d in by]
        if not needs_items(by, self.conditions):
            self.kind = "events"
            return self.run(self._events(keys, self.conditions))
        event_keys = [_on_events(k) for k in keys]
        if self.on_events is None or any(k is None for k in event_keys):
            self.kind = "joined"
            return self.run(self._joined(keys, None))
        self.kind = "split"
        self.single = self.run(self._events(event_keys, self.on_events).where(E.drug_code.is_not(None)))
        return _added(self.single, self.run(self._joined(keys, E.drug_code.is_(None))), len(by))

    def total(self, rows: list[tuple[Any, ...]], width: int) -> Figures:
        """The figures of all the events counted in ``rows`` (those of :meth:`rows`), each once."""
        if self.kind == "events":  # each event is in one group
            return _sum(rows, width)
        if self.kind == "split":  # so is each event of one drug; the others are counted apart
            others = self.run(self._joined([], E.drug_code.is_(None)))
            return tuple(a + b for a, b in zip(_sum(self.single, width), _sum(others, 0), strict=True))
        return _sum(self.run(self._joined([], None)), 0)

    def _events(self, keys: Sequence[Any], conditions: Conditions) -> Select[Any]:
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        stmt = select(
            *labelled,
            func.count(),
            func.sum(E.item_count),
            func.coalesce(func.sum(E.total_kg), 0.0),
            func.sum(E.items_without_kg),
            func.sum(E.duplicate_count),
        ).select_from(E)
        return _filtered(stmt, self.scope, conditions, self.exclude).group_by(*labelled)

    def _joined(self, keys: Sequence[Any], only: ColumnElement[bool] | None) -> Select[Any]:
        """Events joined to their items (``only`` those matching), each counted once per group."""
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        per_event = select(
            *labelled,
            E.id.label("event_id"),
            func.max(E.duplicate_count).label("rows"),
            func.sum(I.kg).label("kg"),
            func.count(I.id).label("items"),
            func.sum(func.coalesce(I.kg * 0, 1)).label("no_kg"),
        ).join(I, I.event_id == E.id)
        if only is not None:
            per_event = per_event.where(only)
        sub = (
            _filtered(per_event, self.scope, self.conditions, self.exclude)
            .group_by(*labelled, E.id)
            .subquery()
        )
        outer_keys = [sub.c[f"k{i}"] for i in range(len(keys))]
        return select(
            *outer_keys,
            func.count().label("events"),
            func.sum(sub.c["items"]),
            func.coalesce(func.sum(sub.c["kg"]), 0.0),
            func.sum(sub.c["no_kg"]),
            func.sum(sub.c["rows"]),
        ).group_by(*outer_keys)


def _sum(rows: list[tuple[Any, ...]], width: int) -> Figures:
    """The figures of ``rows`` (after ``width`` keys) added up; kilograms without rounding drift."""
    return tuple(
        (math.fsum if i == width + 2 else sum)(r[i] or 0 for r in rows) for i in range(width, width + 5)
    )


def _added(first: list[tuple[Any, ...]], second: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    """Two sets of group rows as one: the figures of a group in both are added."""
    if not first:
        return second
    totals: dict[tuple[Any, ...], list[Any]] = {}
    for row in [*first, *second]:
        key, figures = tuple(row[:width]), row[width:]
        before = totals.get(key)
        totals[key] = (
            list(figures)
            if before is None
            else [(a or 0) + (b or 0) for a, b in zip(before, figures, strict=True)]
        )
    return [(*key, *figures) for key, figures in totals.items()]


def _raw(name: str, expr: Any) -> Dimension:
    """A grouping only analysis uses (not a user filter): an event column as it is stored."""
    return Dimension(name, "event", lambda: expr, str, name)


# Transit countries are a JSON list; grouped as its text, which both stores compare equal.
TRANSIT = _raw("transit", cast(E.transit_countries, String))
LAT = _raw("lat", E.lat)
LON = _raw("lon", E.lon)
