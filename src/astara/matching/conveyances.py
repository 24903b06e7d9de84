"""Vehicles from seizure records: each plate or other conveyance id of an event as a vehicle.

A conveyance id is the text an agency, a form or a news article gave ("IR 12B345-67", "trailer
77 AA 1234", "Полуприцеп АВ 1234 34"). :func:`vehicle_of` reads from it what the text says:
the plate (or a VIN), the country when a country code prefixes it, Persian letters make it
Iranian or exactly one country's plate format fits, and trailer or tractor unit when a word says
so or the plate's format is a trailer's. Flights, containers and waybills are not vehicles: skipped.
The vehicles are stored, linked to their event as ``conveyance``, filed in ``match_keys`` and
checked against the watch lists through :mod:`astara.matching.store`, like the persons of records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.bulk import insert_adapted, insert_sql
from astara.db.models import EventEntityLink, Vehicle
from astara.kit.ids import stable_id
from astara.matching import repository, watch
from astara.matching.keys import keys_of
from astara.matching.store import _now_value, create_entity, insert_new_keys
from astara.matching.vehicles import TEMPLATES, parse_plate, parse_vin

ROLE = "conveyance"
PLATE_MAX = 40  # vehicles.plate's width


def _words(*words: str) -> re.Pattern[str]:
    """Any of ``words`` as a whole word, in any case."""
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE)


_TRAILER = _words(
    "semi[- ]?trailer", "trailer", "полуприцеп", "прицеп", "yarımqoşqu", "qoşqu", "یدک", "تریلر"
)
_TRACTOR = _words("tractor(?: unit)?", "truck head", "седельный тягач", "тягач", "yedəkçi", "کشنده")
_LABEL = _words(
    r"plate(?:\s*(?:no\.?|number))?", "registration", r"reg\.?", "номер", "госномер", "nömrə", "پلاک"
)
# Ids of what is not a vehicle of the record: flights, containers, waybills, parcels.
_NOT_VEHICLE = _words(
    "flight", "рейс", "container", "контейнер", "waybill", "awb", "b/l", "parcel", "tracking"
)
_CONTAINER = re.compile(r"^[A-Z]{3}[UJZ]\d{7}$")  # ISO 6346: owner code, category, serial, check digit
# Country codes written before or after a plate, ISO-2 or the international vehicle signs.
_CODES = {"IR": "IR", "IRN": "IR", "AZ": "AZ", "AZE": "AZ", "RUS": "RU", "RU": "RU", "TR": "TR", "GE": "GE",
          "GEO": "GE"}  # fmt: skip
_CODE = re.compile(rf"^\W*({'|'.join(_CODES)})\b|\b({'|'.join(_CODES)})\W*$", re.IGNORECASE)
_PERSIAN = re.compile("[\u0600-\u06ff]")
_FORMATS = ("IR", *TEMPLATES)


def vehicle_of(text: str) -> dict[str, Any] | None:
    """The vehicle record (plate or vin, country, kind) a conveyance id names, or None."""
    if _NOT_VEHICLE.search(text):
        return None
    kind = "trailer" if _TRAILER.search(text) else "tractor" if _TRACTOR.search(text) else None
    rest = _LABEL.sub(" ", _TRACTOR.sub(" ", _TRAILER.sub(" ", text)))
    rest = " ".join(rest.replace(":", " ").split()).strip(" -,;#")
    if not any(ch.isdigit() for ch in rest):
        return None
    compact = re.sub(r"[^0-9A-Za-z]", "", rest).upper()
    if _CONTAINER.match(compact):
        return None
    if len(compact) == 17 and parse_vin(compact).valid:
        return {"vin": compact, **({"kind": kind} if kind else {})}
    if len(rest) > PLATE_MAX:
        return None
    country = _country(rest)
    if kind is None and country and parse_plate(rest, country).kind == "trailer":
        kind = "trailer"
    record: dict[str, Any] = {"plate": rest}
    if country:
        record["country"] = country
    if kind:
        record["kind"] = kind
    return record


def _country(plate: str) -> str | None:
    """The plate's country: a country code written with it, Persian script, or the one format it fits."""
    code = _CODE.search(plate)
    if code:
        return _CODES[(code[1] or code[2]).upper()]
    if _PERSIAN.search(plate):
        return "IR"
    fits = [c for c in _FORMATS if parse_plate(plate, c).kind != "unknown"]
    return fits[0] if len(fits) == 1 else None


def vehicles_of(conveyance_ids: Iterable[Any]) -> list[dict[str, Any]]:
    """The distinct vehicle records among an event's conveyance ids, in order."""
    found: dict[str, dict[str, Any]] = {}
    for text in conveyance_ids or ():
        record = vehicle_of(str(text)) if text else None
        if record is not None:
            found.setdefault(repr(sorted(record.items())), record)
    return list(found.values())


def vehicle_id(scope: Scope, event_id: str, record: dict[str, Any]) -> str:
    """The id :func:`astara.matching.store.create_entity` gives the vehicle of an event."""
    return stable_id(scope.agency_code, "vehicle", event_id, repr(sorted(record.items())))


def add_event_vehicles(
    session: Session, scope: Scope, event_id: str, conveyance_ids: Iterable[Any]
) -> list[Any]:
    """Store the vehicles an event's conveyance ids name, linked to it; the watch-list alerts raised."""
    alerts: list[Any] = []
    for record in vehicles_of(conveyance_ids):
        if repository.is_linked(
            session, scope, event_id, "vehicle", vehicle_id(scope, event_id, record), ROLE
        ):
            continue  # an edit that keeps the plate: checked when it was first filed
        alerts.extend(create_entity(session, scope, "vehicle", record, event_id=event_id, role=ROLE)[1])
    return alerts


def add_imported_vehicles(
    session: Session,
    scope: Scope,
    events: Sequence[tuple[str, dict[str, Any]]],
    written: list[str] | None = None,
) -> tuple[int, int]:
    """Store the vehicles of imported events (event id, parsed event values), linked as conveyances,
    with their keys and watch-list checks; driver-level inserts in the import's transaction, as
    :func:`astara.matching.store.add_imported_persons`. Returns (vehicles written, alerts raised);
    their ids are added to ``written``."""
    vehicles: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    checks: list[tuple[str, dict[str, Any], str | None]] = []
    for event_id, values in events:
        for record in vehicles_of(values.get("conveyance_ids") or ()):
            entity_id = vehicle_id(scope, event_id, record)
            vehicles.append((entity_id, scope.agency_id, *(record.get(k) for k in _COLUMNS[2:-1])))
            links.append((scope.agency_id, event_id, "vehicle", entity_id, ROLE))
            keys.extend(
                (scope.agency_id, "vehicle", "store", entity_id, k)
                for k in sorted(keys_of("vehicle", record))
            )
            checks.append((entity_id, record, event_id))
    if not vehicles:
        return 0, 0
    if written is not None:
        written.extend(v[0] for v in vehicles)
    now = _now_value(session)
    table = cast(Table, Vehicle.__table__)
    insert_adapted(session, insert_sql(session, table, list(_COLUMNS)), [(*v, now) for v in vehicles])
    link_columns = ["agency_id", "event_id", "entity_type", "entity_id", "role"]
    insert_adapted(session, insert_sql(session, cast(Table, EventEntityLink.__table__), link_columns), links)
    insert_new_keys(session, keys)
    return len(vehicles), len(watch.check(session, scope, "vehicle", checks, origin="import"))


_COLUMNS = ("id", "agency_id", "plate", "country", "vin", "kind", "created_at")
