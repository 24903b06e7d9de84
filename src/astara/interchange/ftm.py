"""FollowTheMoney: seizures and their parties as FtM entities (JSON lines), built with the library.

The seizure is an ``Event`` (date, country, place as an ``Address``, parties in ``involved``); each
party's role is an ``UnknownLink`` (subject: the party, object: the event, ``role``), FtM's own link
schema, so any FtM tool loads every line. Ids are derived from the agency and the stored id, so the
same record or identity has the same id in every export; an identity resolved from several stored
entities (analysts judged them ``same``) is written once, under its smallest member's id, and lists
the ids it replaces in ``referents`` (the FtM convention for merged entities).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from astara.interchange.records import Party, Record
from astara.vocab.labels import label

FORMAT = "FollowTheMoney 4 entities (JSON lines)"
SCHEMA_OF = {"person": "Person", "organization": "Organization", "vehicle": "Vehicle"}
# FtM schemata an import reads into the matching store, as Astara's entity kinds.
KIND_OF = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "PublicBody": "organization",
    "Vehicle": "vehicle",
}
ID_DOCUMENTS = {"passport": "Passport"}  # other identity documents are FtM Identification


def entity_id(agency: str, kind: str, stored_id: str) -> str:
    return f"astara-{agency.lower()}-{kind}-{stored_id}"


def _make(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, value in props.items():
        if value not in (None, "", []):
            proxy.add(name, value if isinstance(value, list) else str(value))
    return proxy


def _party(agency: str, party: Party, ids: list[str]) -> EntityProxy | None:
    f = party.fields
    pid = entity_id(agency, party.kind, ids[0])
    if party.kind == "person" and f.get("name"):
        return _make(
            "Person",
            pid,
            name=f.get("name"),
            birthDate=f.get("birth_date"),
            nationality=f.get("nationality"),
            idNumber=f.get("id_number"),
        )
    if party.kind == "organization" and f.get("name"):
        return _make(
            "Organization",
            pid,
            name=f.get("name"),
            country=f.get("country"),
            registrationNumber=f.get("registration"),
        )
    if party.kind == "vehicle" and (f.get("plate") or f.get("vin")):
        return _make(
            "Vehicle",
            pid,
            name=f.get("plate") or f.get("vin"),
            registrationNumber=f.get("plate"),
            country=f.get("country"),
            model=f.get("make"),
            type=f.get("kind"),
            description=f"VIN {f['vin']}" if f.get("vin") else None,
        )
    return None


def seizure_name(record: Record) -> str:
    drugs = ", ".join(dict.fromkeys(label("drugs", i.get("drug_code"), "en") for i in record.items))
    kg = record.event.get("total_kg")
    what = " ".join(x for x in (drugs, f"{kg:g} kg" if kg else "") if x)
    where = record.event.get("place_text") or label("countries", record.event.get("country"), "en")
    ref = record.event.get("reference") or record.id
    return f"Seizure {ref}: " + ", ".join(x for x in (what, where) if x)


def entities(agency: str, record: Record, resolved: dict[str, list[str]]) -> Iterator[EntityProxy]:
    """The FtM entities of one record: the event, its place, its parties, their documents and roles."""
    ev = record.event
    event = _make(
        "Event",
        entity_id(agency, "seizure", record.id),
        name=seizure_name(record),
        date=ev.get("date"),
        country=ev.get("country"),
        location=ev.get("place_text"),
        recordId=ev.get("reference"),
        summary=json.dumps(_facts(record), ensure_ascii=False),
    )
    if ev.get("place_text") or ev.get("lat") is not None:
        address = _make(
            "Address",
            entity_id(agency, "place", record.id),
            full=ev.get("place_text"),
            country=ev.get("country"),
            region=ev.get("admin_area"),
            latitude=ev.get("lat"),
            longitude=ev.get("lon"),
        )
        event.add("addressEntity", address.id)
        yield address
    persons = [p for p in record.parties if p.kind == "person" and p.fields.get("name")]
    for party in record.parties:
        ids = resolved.get(party.id, [party.id])
        if party.kind == "document":
            holder = persons[0] if len(persons) == 1 else None
            doc = _document(agency, party, holder, resolved)
            if doc is not None:
                yield doc
            continue
        proxy = _party(agency, party, ids)
        if proxy is None:
            continue
        if party.kind in ("person", "organization"):
            event.add("involved", proxy.id)
        data = proxy.to_dict()
        if len(ids) > 1:
            data["referents"] = [entity_id(agency, party.kind, i) for i in ids[1:]]
        yield model.get_proxy(data)
        link = model.make_entity("UnknownLink")
        link.make_id(event.id, proxy.id, party.role)
        link.add("subject", proxy.id)
        link.add("object", event.id)
        link.add("role", party.role)
        yield link
    yield event


def _document(
    agency: str, party: Party, holder: Party | None, resolved: dict[str, list[str]]
) -> EntityProxy | None:
    """A passport or identity card of the event's one person (FtM needs its holder), else nothing."""
    f = party.fields
    if holder is None or not f.get("number"):
        return None
    schema = ID_DOCUMENTS.get(str(f.get("doc_type")), "Identification")
    holder_id = entity_id(agency, "person", resolved.get(holder.id, [holder.id])[0])
    return _make(
        schema,
        entity_id(agency, "document", party.id),
        holder=holder_id,
        number=f.get("number"),
        country=f.get("issuing_country"),
        type=f.get("doc_type"),
    )


def _facts(record: Record) -> dict[str, Any]:
    """The seizure's facts FtM has no property for, kept as JSON in the event's summary."""
    keys = ("departure_country", "transit_countries", "destination_country", "transport", "concealment")
    facts: dict[str, Any] = {k: record.event[k] for k in keys if record.event.get(k)}
    facts["items"] = [
        {k: i[k] for k in ("drug_code", "quantity", "unit_code", "kg") if i.get(k) is not None}
        for i in record.items
    ]
    return facts


def write(f: IO[str], agency: str, records: list[Record], resolved: dict[str, list[str]]) -> int:
    """Write each record's entities, each entity once. Returns the entities written."""
    seen: set[str] = set()
    for record in records:
        for proxy in entities(agency, record, resolved):
            if proxy.id is None or proxy.id in seen:
                continue
            seen.add(proxy.id)
            data = proxy.to_dict()
            f.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
    return len(seen)


# -- import ---------------------------------------------------------------------------------------


def read(path: Path) -> Iterator[tuple[int, EntityProxy | None, str | None]]:
    """(line number, entity, problem) of each non-empty line; what FtM's model cannot load is a problem."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                yield n, model.get_proxy(data), None
            except (ValueError, InvalidData, TypeError) as exc:
                yield n, None, str(exc) or type(exc).__name__


def fields_of(proxy: EntityProxy) -> tuple[str, dict[str, str]] | None:
    """(Astara entity kind, fields) of a person, organization or vehicle; None for any other schema."""
    kind = next((KIND_OF[s.name] for s in [proxy.schema, *proxy.schema.extends] if s.name in KIND_OF), None)
    if kind is None:
        return None

    def first(*props: str) -> str | None:
        for prop in props:
            if proxy.schema.get(prop) is not None and (value := proxy.first(prop)):
                return str(value)
        return None

    if kind == "person":
        values = {
            "name": first("name"),
            "birth_date": first("birthDate"),
            "nationality": (first("nationality", "citizenship", "country") or "").upper() or None,
            "id_number": first("idNumber", "passportNumber"),
        }
    elif kind == "organization":
        values = {
            "name": first("name"),
            "country": (first("country", "jurisdiction") or "").upper() or None,
            "registration": first("registrationNumber", "idNumber"),
        }
    else:
        values = {
            "plate": first("registrationNumber"),
            "country": (first("country") or "").upper() or None,
            "make": first("model"),
            "kind": first("type"),
        }
        if not values["plate"]:
            values["plate"] = first("name")
    return kind, {k: v for k, v in values.items() if v}
