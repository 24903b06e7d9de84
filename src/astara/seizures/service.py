"""Seizure records: list, show, create. Services never commit; the caller's transaction does."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import SeizureEvent, SeizureItem, utcnow
from astara.errors import Conflict, InvalidInput, NotFound
from astara.imports.mapping import get_mapping
from astara.imports.rows import RowParser
from astara.kit.cache import figures, store_of
from astara.kit.ids import stable_id
from astara.seizures import repository
from astara.seizures.dimensions import parse_where
from astara.seizures.schemas import SeizureCreate, SeizureEventOut, SeizurePage
from astara.sharing import outbox as sharing_outbox

REQUIRED = ("date", "country", "drug", "quantity", "unit")
SORTS = tuple(repository.SORTABLE) + tuple(f"-{k}" for k in repository.SORTABLE)


def list_seizures(
    session: Session,
    scope: Scope,
    where: list[str] | None = None,
    *,
    q: str | None = None,
    sort: str = "-date",
    offset: int = 0,
    limit: int = 50,
) -> SeizurePage:
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if offset < 0 or not 1 <= limit <= 1000:
        raise InvalidInput("offset must be 0 or more and limit between 1 and 1000")
    conditions = parse_where(where or [])
    key = ("count", tuple(sorted(where or [])), q)
    total = figures.get(
        store_of(session),
        scope.agency_id,
        key,
        lambda: repository.count_events(session, scope, conditions, q),
    )
    events = repository.list_events(session, scope, conditions, q=q, sort=sort, offset=offset, limit=limit)
    return SeizurePage(
        total=total, offset=offset, limit=limit, items=[SeizureEventOut.model_validate(e) for e in events]
    )


def map_points(
    session: Session, scope: Scope, where: list[str] | None = None, *, q: str | None = None
) -> dict[str, Any]:
    """Located seizure events grouped by place, as a GeoJSON FeatureCollection for the map.

    Events without coordinates are counted in ``unlocated`` so a map never hides them silently.
    """
    from astara.gazetteer import get_gazetteer

    conditions = parse_where(where or [])
    gazetteer = get_gazetteer()
    features = []
    located = 0
    for place_id, text, lat, lon, events, kg in repository.place_points(session, scope, conditions, q):
        located += events
        name = text or ""
        if place_id:
            with contextlib.suppress(KeyError):  # a place id the gazetteer no longer has: keep the text
                name = gazetteer.get(place_id).name
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": {"place_id": place_id, "name": name, "events": events, "kg": round(kg or 0.0, 3)},
        })  # fmt: skip
    total = repository.count_events(session, scope, conditions, q)
    return {
        "type": "FeatureCollection",
        "features": features,
        "located": located,
        "unlocated": total - located,
    }


def get_seizure(session: Session, scope: Scope, event_id: str) -> SeizureEventOut:
    event = repository.get_event(session, scope, event_id)
    if event is None:
        raise NotFound(f"no seizure {event_id!r} in agency {scope.agency_code}")
    return SeizureEventOut.model_validate(event)


def create_seizure(
    session: Session, scope: Scope, data: SeizureCreate, today: dt.date | None = None
) -> SeizureEventOut:
    """Validate ``data`` with the same field rules as a template import, then store it."""
    require(scope, "records.write")
    mapping = get_mapping("astara")
    event_fields = data.model_dump(exclude={"items"}, exclude_none=True)
    if not data.items:
        raise InvalidInput(
            "a seizure needs at least one item", details=[{"field": "items", "reason": "empty"}]
        )
    parsed = []
    problems: list[dict[str, Any]] = []
    for position, item in enumerate(data.items, start=1):
        values = {
            **{k: str(v) for k, v in event_fields.items()},
            **{k: str(v) for k, v in item.model_dump(exclude_none=True).items()},
        }
        header = list(values)
        columns = {name: i for i, name in enumerate(header) if name in mapping.fields}
        required = [f for f in REQUIRED if f not in values]
        parser = RowParser(
            mapping.model_copy(update={"required": list(REQUIRED)}), columns, header, today or dt.date.today()
        )
        row = parser.parse(position, list(values.values()))
        for p in row.errors:  # event fields are checked with every item: report each problem once
            item_field = p.column in ("drug", "quantity", "unit", "purity")
            problem = {"field": f"items.{position - 1}.{p.column}" if item_field else p.column,
                       "value": p.value, "reason": p.reason}  # fmt: skip
            if problem not in problems:
                problems.append(problem)
        for f in required:
            if (problem := {"field": f, "reason": f"{f} is required"}) not in problems:
                problems.append(problem)
        parsed.append(row)
    if problems:
        raise InvalidInput("the seizure is not valid", details=problems)
    first = parsed[0]
    reference = first.event.get("reference")
    event_id = stable_id(scope.agency_code, "reference", reference) if reference else uuid.uuid4().hex
    if reference and repository.find_by_reference(session, scope, reference):
        raise Conflict(f"a seizure with reference {reference!r} already exists")
    now = utcnow()
    event = SeizureEvent(
        id=event_id,
        agency_id=scope.agency_id,
        source_type="api",
        created_by=scope.user_id,
        created_at=now,
        updated_at=now,
        quality_flags=first.flags,
        version=1,
        **{k: v for k, v in first.event.items()},
    )
    event.items = [SeizureItem(position=i, **row.item) for i, row in enumerate(parsed, start=1)]
    event.refresh_totals()
    repository.add_event(session, event)
    sharing_outbox.record_changed(session, scope, [event.id], today)  # queue for partners, same transaction
    figures.forget(store_of(session), scope.agency_id)
    return SeizureEventOut.model_validate(event)
