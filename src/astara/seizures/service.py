"""Seizure records: list, show, create, edit. Services never commit; the caller's transaction does."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import SeizureEvent, SeizureItem, utcnow
from astara.errors import Conflict, InvalidInput, NotFound
from astara.kit.cache import figures, store_of
from astara.kit.dates import as_utc
from astara.kit.deferred import deferred
from astara.kit.ids import stable_id
from astara.seizures import repository
from astara.seizures.dimensions import Dimension, parse_where
from astara.seizures.schemas import (
    ListedEvent,
    ListedItem,
    ListedPage,
    SeizureCreate,
    SeizureEventOut,
    SeizureItemIn,
    SeizureItemOut,
    SeizurePage,
)

if TYPE_CHECKING:
    import astara.gazetteer as gazetteer_module
    from astara.imports import mapping, rows
    from astara.imports.rows import ParsedRow
    from astara.matching import conveyances
    from astara.sharing import audit
    from astara.sharing import outbox as sharing_outbox
else:
    mapping = deferred("astara.imports.mapping", "only a new seizure's rows are parsed")
    rows = deferred("astara.imports.rows", "only a new seizure's rows are parsed")
    audit = deferred("astara.sharing.audit", "only writes are audited")
    sharing_outbox = deferred("astara.sharing.outbox", "only writes are queued for partners")
    gazetteer_module = deferred("astara.gazetteer", "only the map's points need the gazetteer")
    conveyances = deferred("astara.matching.conveyances", "only events that name vehicles need it")

REQUIRED = ("date", "country", "drug", "quantity", "unit")
SORTS = tuple(repository.SORTABLE) + tuple(f"-{k}" for k in repository.SORTABLE)


# What the list pages read: the columns they show, in ListedEvent's and ListedItem's order.
LISTED = tuple(getattr(SeizureEvent, f) for f in ListedEvent.__dataclass_fields__ if f != "items")
LISTED_ITEM = tuple(getattr(SeizureItem, f) for f in ListedItem.__dataclass_fields__)
# What the API's and the CLI's list read: a record's fields, not the store's own bookkeeping.
RECORD = tuple(getattr(SeizureEvent, f) for f in SeizureEventOut.model_fields if f != "items")
RECORD_ITEM = tuple(getattr(SeizureItem, f) for f in SeizureItemOut.model_fields)


def _counted(
    session: Session, scope: Scope, where: list[str] | None, q: str | None, sort: str, offset: int, limit: int
) -> tuple[list[tuple[Dimension, ColumnElement[bool]]], int]:
    """The list's conditions and how many events match them (cached with the slow figures)."""
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
    return conditions, total


def _page_rows(
    session: Session,
    scope: Scope,
    where: list[str] | None,
    q: str | None,
    sort: str,
    offset: int,
    limit: int,
    columns: repository.Columns,
    item_columns: repository.Columns,
) -> tuple[int, list[Row[Any]], list[Row[Any]]]:
    """How many events match, a page of them as rows of ``columns``, and their items' rows."""
    conditions, total = _counted(session, scope, where, q, sort, offset, limit)
    found = repository.list_rows(
        session, scope, conditions, columns, q=q, sort=sort, offset=offset, limit=limit
    )
    return total, found, repository.item_rows(session, [r.id for r in found], item_columns)


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
    """A page of records with their items (the API, the CLI): two statements, built from what the
    store holds without validating it again."""
    total, found, item_rows = _page_rows(session, scope, where, q, sort, offset, limit, RECORD, RECORD_ITEM)
    names, item_names = [c.key for c in RECORD], [c.key for c in RECORD_ITEM]
    items: dict[str, list[SeizureItemOut]] = {}
    for event_id, *values in item_rows:
        item = SeizureItemOut.model_construct(**dict(zip(item_names, values, strict=True)))
        items.setdefault(event_id, []).append(item)
    events = []
    for row in found:
        fields = dict(zip(names, row, strict=True))
        fields["created_at"] = as_utc(fields["created_at"])  # what UtcDateTime's validation does
        events.append(SeizureEventOut.model_construct(**fields, items=items.get(row.id, [])))
    return SeizurePage.model_construct(total=total, offset=offset, limit=limit, items=events)


def list_page(
    session: Session,
    scope: Scope,
    where: list[str] | None = None,
    *,
    q: str | None = None,
    sort: str = "-date",
    offset: int = 0,
    limit: int = 50,
) -> ListedPage:
    """A page of the seizure list as the pages show it: the columns of ``LISTED`` and the items'
    drug, quantity and unit, in two statements (and the count, usually cached)."""
    total, found, item_rows = _page_rows(session, scope, where, q, sort, offset, limit, LISTED, LISTED_ITEM)
    items: dict[str, list[ListedItem]] = {}
    for event_id, *values in item_rows:
        items.setdefault(event_id, []).append(ListedItem(*values))
    events = [ListedEvent(**row._asdict(), items=items.get(row.id, [])) for row in found]
    return ListedPage(total, offset, limit, events)


def map_points(
    session: Session, scope: Scope, where: list[str] | None = None, *, q: str | None = None
) -> dict[str, Any]:
    """Located seizure events grouped by place, as a GeoJSON FeatureCollection for the map.

    Events without coordinates are counted in ``unlocated`` so a map never hides them silently. A
    grouping over every event: kept with the other slow figures (``kit/cache.py``), per store version.
    """
    conditions = parse_where(where or [])
    key = ("map points", tuple(sorted(where or [])), q)
    return figures.get(
        store_of(session), scope.agency_id, key, lambda: _map_points(session, scope, conditions, q)
    )


def _map_points(
    session: Session, scope: Scope, conditions: list[tuple[Dimension, ColumnElement[bool]]], q: str | None
) -> dict[str, Any]:
    gazetteer = gazetteer_module.get_gazetteer()
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


def _parsed(data: SeizureCreate, today: dt.date | None) -> list[ParsedRow]:
    """Each item with the event's fields, parsed by the template import's rules; every problem named."""
    layout = mapping.get_mapping("astara")
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
        columns = {name: i for i, name in enumerate(header) if name in layout.fields}
        required = [f for f in REQUIRED if f not in values]
        parser = rows.RowParser(
            layout.model_copy(update={"required": list(REQUIRED)}), columns, header, today or dt.date.today()
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
    return parsed


def create_seizure(
    session: Session,
    scope: Scope,
    data: SeizureCreate,
    today: dt.date | None = None,
    *,
    source_type: str = "api",
) -> SeizureEventOut:
    """Validate ``data`` with the same field rules as a template import, then store it.

    ``source_type`` is a code of the source_types vocabulary (``news`` for a reviewed news draft).
    """
    require(scope, "records.write")
    parsed = _parsed(data, today)
    first = parsed[0]
    reference = first.event.get("reference")
    event_id = stable_id(scope.agency_code, "reference", reference) if reference else uuid.uuid4().hex
    if reference and repository.find_by_reference(session, scope, reference):
        raise Conflict(f"a seizure with reference {reference!r} already exists")
    now = utcnow()
    event = SeizureEvent(
        id=event_id,
        agency_id=scope.agency_id,
        source_type=source_type,
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
    _add_vehicles(session, scope, event)
    audit.append(session, scope, "create", record=event.id, details={"source_type": source_type})
    sharing_outbox.record_changed(session, scope, [event.id], today)  # queue for partners, same transaction
    return SeizureEventOut.model_validate(event)


# The columns an edit sets from the form or API body; one it leaves empty goes back to this value.
EDITABLE: dict[str, Any] = {
    **dict.fromkeys(
        ("reference", "date", "date_precision", "time", "date_text", "place_text", "place_id", "place_type",
         "place_type_text", "country", "admin_area", "lat", "lon", "producing_country", "departure_country",
         "destination_country", "routing", "transport", "transport_text", "concealment", "concealment_text",
         "cover_cargo", "detection_method", "reporting_agency", "source_ref", "handling_code", "legal_basis",
         "notes")
    ),
    "transit_countries": [],
    "conveyance_ids": [],
    "participating_agencies": [],
    "tlp": "amber",
    "validation_status": "draft",
}  # fmt: skip


def update_seizure(
    session: Session,
    scope: Scope,
    event_id: str,
    data: SeizureCreate,
    *,
    version: int | None = None,
    today: dt.date | None = None,
) -> SeizureEventOut:
    """Replace a seizure's fields and items with ``data``, validated as when it was created.

    The event keeps its id and provenance; its version goes up by one and partners that receive it
    get the new version (a correction, not a new record). ``version``, when given, is the version
    the person edited: if someone saved another one meanwhile, nothing is written (Conflict).
    """
    require(scope, "records.write")
    event = repository.get_event(session, scope, event_id)
    if event is None:
        raise NotFound(f"no seizure {event_id!r} in agency {scope.agency_code}")
    expected = event.version if version is None else version
    if expected != event.version:
        raise _edited_elsewhere(event_id, event.version, expected)
    parsed = _parsed(data, today)
    first = parsed[0]
    reference = first.event.get("reference")
    if reference and reference != event.reference:
        other = repository.find_by_reference(session, scope, reference)
        if other is not None and other.id != event.id:
            raise Conflict(f"a seizure with reference {reference!r} already exists")
    # Claim the version before writing anything: a writer that lost the race writes nothing.
    if not repository.advance_version(session, scope, event, expected):
        current = repository.current_version(session, scope, event_id)
        raise _edited_elsewhere(event_id, current, expected)
    try:
        for column, empty in EDITABLE.items():
            setattr(event, column, first.event.get(column, empty))
        event.quality_flags = first.flags
        event.items.clear()
        session.flush()  # the old items go first: (event, position) is unique
        event.items = [SeizureItem(position=i, **row.item) for i, row in enumerate(parsed, start=1)]
        event.refresh_totals()
        session.flush()
        _add_vehicles(session, scope, event)
    except IntegrityError as exc:  # a concurrent save wrote the same unique rows (a reference, items)
        reason = str(exc.orig).splitlines()[0]
        raise Conflict(f"seizure {event_id}: another save wrote the same rows meanwhile ({reason})") from exc
    audit.append(session, scope, "edit", record=event.id, details={"version": event.version})
    sharing_outbox.record_changed(session, scope, [event.id], today)  # the new version, same transaction
    return SeizureEventOut.model_validate(event)


def _add_vehicles(session: Session, scope: Scope, event: SeizureEvent) -> None:
    """The vehicles the event's plates and other conveyance ids name, in the matching store."""
    if event.conveyance_ids:
        session.flush()
        conveyances.add_event_vehicles(session, scope, event.id, event.conveyance_ids)


def _edited_elsewhere(event_id: str, current: int | None, edited: int) -> Conflict:
    return Conflict(
        f"seizure {event_id} was changed by someone else (version {current}, you edited "
        f"version {edited}); open it again to see the changes",
        details=[{"field": "version", "current": current, "edited": edited}],
    )


def as_input(event: SeizureEventOut) -> SeizureCreate:
    """A stored seizure written back as input: what an edit form starts from (raw texts where kept)."""
    date = ""
    if event.date is not None:
        date = {"year": event.date.strftime("%Y"), "month": event.date.strftime("%Y-%m")}.get(
            event.date_precision or "day", event.date.isoformat()
        )

    def joined(values: list[str]) -> str | None:
        return "|".join(values) or None

    return SeizureCreate(
        reference=event.reference,
        date=date,
        time=event.time,
        place=event.place_text,
        country=event.country or "",
        admin_area=event.admin_area,
        place_type=event.place_type_text or event.place_type,
        producing_country=event.producing_country,
        departure_country=event.departure_country,
        transit_countries=joined(event.transit_countries),
        destination_country=event.destination_country,
        transport=event.transport_text or event.transport,
        conveyance_ids=joined(event.conveyance_ids),
        concealment=event.concealment_text or event.concealment,
        cover_cargo=event.cover_cargo,
        detection_method=event.detection_method,
        reporting_agency=event.reporting_agency,
        participating_agencies=joined(event.participating_agencies),
        source_ref=event.source_ref,
        tlp=event.tlp,
        handling_code=event.handling_code,
        legal_basis=event.legal_basis,
        validation_status=event.validation_status,
        notes=event.notes,
        items=[
            SeizureItemIn(
                drug=i.drug_text or i.drug_code,
                quantity=i.quantity if i.quantity is not None else "",
                unit=i.unit_text or i.unit_code or "",
                purity=i.purity,
            )
            for i in event.items
        ],
    )
