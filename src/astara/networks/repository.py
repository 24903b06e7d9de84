"""Queries behind networks and timelines; every table goes through agency scoping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from astara.agencies.scope import Scope, scoped
from astara.db.models import NOMINAL_MODELS, EventEntityLink, SeizureEvent, SeizureItem, SharingReceived

Conditions = Sequence[tuple[Any, ColumnElement[bool]]]


def _event_level(dim: Any, clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """An item condition (drug, drug group) as "the event has such an item"."""
    if getattr(dim, "level", "event") == "item":
        return SeizureEvent.id.in_(select(SeizureItem.event_id).where(clause))
    return clause


def links(session: Session, scope: Scope, conditions: Conditions) -> list[tuple[str, str, str, str]]:
    """(event id, entity type, entity id, role) of the agency's events that match ``conditions``."""
    stmt = select(
        EventEntityLink.event_id, EventEntityLink.entity_type, EventEntityLink.entity_id, EventEntityLink.role
    )
    stmt = scoped(stmt.join(SeizureEvent, SeizureEvent.id == EventEntityLink.event_id), SeizureEvent, scope)
    stmt = scoped(stmt, EventEntityLink, scope)
    for dim, clause in conditions:
        stmt = stmt.where(_event_level(dim, clause))
    stmt = stmt.order_by(EventEntityLink.event_id, EventEntityLink.entity_type, EventEntityLink.entity_id)
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in session.execute(stmt)]


def entity_labels(session: Session, scope: Scope, kind: str, ids: Sequence[str]) -> dict[str, str]:
    model = NOMINAL_MODELS.get(kind)
    if model is None or not ids:
        return {}
    rows = session.scalars(scoped(select(model), model, scope).where(model.id.in_(list(ids))))
    out = {}
    for row in rows:
        data = vars(row)
        text = data.get("name") or data.get("plate") or data.get("number") or data.get("vin") or row.id
        if kind == "document":
            text = f"{data.get('doc_type')} {data.get('number')}"
        out[str(row.id)] = str(text)
    return out


def events(
    session: Session,
    scope: Scope,
    conditions: Conditions,
    ids: Sequence[str] | None = None,
    limit: int = 1000,
) -> list[SeizureEvent]:
    stmt = scoped(select(SeizureEvent), SeizureEvent, scope).options(selectinload(SeizureEvent.items))
    for dim, clause in conditions:
        stmt = stmt.where(_event_level(dim, clause))
    if ids is not None:
        stmt = stmt.where(SeizureEvent.id.in_(list(ids)))
    stmt = stmt.order_by(SeizureEvent.date.is_(None), SeizureEvent.date, SeizureEvent.id).limit(limit)
    return list(session.scalars(stmt))


def received(session: Session, scope: Scope, ids: Sequence[int]) -> list[SharingReceived]:
    """Received record versions of ``ids`` not retracted (a retracted one leaves every timeline)."""
    if not ids:
        return []
    stmt = scoped(select(SharingReceived), SharingReceived, scope).where(
        SharingReceived.id.in_(list(ids)), SharingReceived.retracted_at.is_(None)
    )
    return list(session.scalars(stmt.order_by(SharingReceived.id)))
