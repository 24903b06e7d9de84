"""MISP: one MISP event a seizure, written and read with ``pymisp``.

An event carries a ``tlp:`` tag (MISP's tlp taxonomy), the reporting agency as its creator
organisation (``Orgc``), and MISP's own object templates: ``physical-object`` for each drug item
(``object-type`` the drug code, ``quantity`` with ``unit: CODE`` in its comment, ``weight`` in kg),
``geolocation`` for the place, ``person``, ``organization`` and ``vehicle`` for the parties (their
role in ``role`` or in the comment). The seizure's other facts are event attributes of type
``text`` whose comment names the Astara field (``reference`` in category ``Internal reference``).

Reading accepts one event (``{"Event": ...}``), a list of them, or MISP's search output
(``{"response": [...]}``). What it does not know becomes a line of the seizure's notes and a warning.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pymisp import MISPEvent, MISPObject, MISPOrganisation

from astara.interchange.ftm import seizure_name
from astara.interchange.records import Record

FORMAT = "MISP event JSON (MISP 2.4/2.5 core format, search-output shape)"
NAMESPACE = uuid.UUID("0b7a7e0e-58c4-4c6a-9f0e-1f5b5e6f9a27")  # Astara's namespace for MISP uuids
TLP_TAGS = {
    "clear": "tlp:clear",
    "green": "tlp:green",
    "amber": "tlp:amber",
    "amber_strict": "tlp:amber+strict",
    "red": "tlp:red",
}
TLP_OF_TAG = {**{v: k for k, v in TLP_TAGS.items()}, "tlp:white": "clear"}
# Event fields written as text attributes whose comment names the field.
EVENT_TEXTS = (
    "date_precision",
    "admin_area",
    "producing_country",
    "departure_country",
    "transit_countries",
    "destination_country",
    "transport",
    "concealment",
    "cover_cargo",
    "detection_method",
    "validation_status",
)
LIST_FIELDS = ("transit_countries",)


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _obj(event: MISPEvent, template: str, key: str, values: list[tuple[str, Any, str | None]]) -> None:
    obj = MISPObject(template, standalone=False)
    obj.uuid = _uuid(event.uuid, key)
    for relation, value, comment in values:
        if value in (None, "", []):
            continue
        attribute: Any = obj.add_attribute(relation, value=value, **({"comment": comment} if comment else {}))
        attribute.uuid = _uuid(obj.uuid, relation, str(value))
    if obj.attributes:
        event.add_object(obj)


def event_of(agency: str, agency_name: str, record: Record) -> MISPEvent:
    """The record as a MISP event; its creator organisation is the reporting agency, else ours."""
    ev = record.event
    event = MISPEvent()
    event.uuid = _uuid(agency, record.id)
    event.info = seizure_name(record)
    if ev.get("date"):
        event.set_date(ev["date"])
    event.distribution, event.analysis, event.threat_level_id = 0, 2, 4
    org = MISPOrganisation()
    org.name = ev.get("reporting_agency") or agency_name
    org.uuid = _uuid("org", org.name)
    event.Orgc = org
    event.add_tag(TLP_TAGS[record.tlp])

    def text(value: Any, comment: str, category: str = "Other") -> None:
        value = "|".join(value) if isinstance(value, list) else value
        attribute: Any = event.add_attribute(
            "text", str(value), category=category, comment=comment, disable_correlation=True
        )
        attribute.uuid = _uuid(event.uuid, comment)

    if ev.get("reference"):
        text(ev["reference"], "reference", "Internal reference")
    for name in EVENT_TEXTS:
        if ev.get(name) not in (None, "", []):
            text(ev[name], name)
    for n, item in enumerate(record.items, start=1):
        kg = item.get("kg")
        _obj(
            event,
            "physical-object",
            f"item/{n}",
            [
                ("name", item.get("drug_text") or item.get("drug_code"), None),
                ("object-type", item.get("drug_code"), "drug"),
                (
                    "quantity",
                    item.get("quantity"),
                    f"unit: {item['unit_code']}" if item.get("unit_code") else None,
                ),
                ("weight", f"{kg:g} kg" if kg is not None else None, None),
                ("description", f"purity {item['purity']}" if item.get("purity") is not None else None, None),
            ],
        )
    if ev.get("country") or ev.get("lat") is not None:
        _obj(
            event,
            "geolocation",
            "place",
            [
                ("text", ev.get("place_text"), None),
                ("countrycode", ev.get("country"), None),
                ("region", ev.get("admin_area"), None),
                ("latitude", ev.get("lat"), None),
                ("longitude", ev.get("lon"), None),
            ],
        )
    for party in record.parties:
        f, key = party.fields, f"{party.kind}/{party.id}/{party.role}"
        if party.kind == "person":
            _obj(
                event,
                "person",
                key,
                [
                    ("full-name", f.get("name"), None),
                    ("date-of-birth", f.get("birth_date"), None),
                    ("nationality", f.get("nationality"), None),
                    ("identity-card-number", f.get("id_number"), None),
                    ("role", party.role, None),
                ],
            )
        elif party.kind == "organization":
            _obj(
                event,
                "organization",
                key,
                [
                    ("name", f.get("name"), f"country: {f['country']}" if f.get("country") else None),
                    ("registration-number", f.get("registration"), None),
                    ("role", party.role, None),
                ],
            )
        elif party.kind == "vehicle":
            _obj(
                event,
                "vehicle",
                key,
                [
                    (
                        "license-plate-number",
                        f.get("plate"),
                        f"country: {f['country']}" if f.get("country") else None,
                    ),
                    ("vin", f.get("vin"), None),
                    ("make", f.get("make"), None),
                    ("type", f.get("kind"), None),
                    ("description", f"role: {party.role}", None),
                ],
            )
        elif party.kind == "document" and f.get("number"):
            kind = "passport-number" if f.get("doc_type") == "passport" else "text"
            comment = "; ".join(
                x
                for x in (
                    f"document: {f.get('doc_type')}",
                    f"role: {party.role}",
                    f"country: {f['issuing_country']}" if f.get("issuing_country") else "",
                )
                if x
            )
            attribute: Any = event.add_attribute(kind, f["number"], category="Person", comment=comment)
            attribute.uuid = _uuid(event.uuid, key)
        elif party.kind == "phone" and f.get("number"):
            phone: Any = event.add_attribute(
                "phone-number", f["number"], category="Person", comment=f"role: {party.role}"
            )
            phone.uuid = _uuid(event.uuid, key)
    return event


def write(f: IO[str], agency: str, agency_name: str, records: list[Record]) -> int:
    f.write('{"response": [\n')
    for n, record in enumerate(records):
        event = event_of(agency, agency_name, record)
        f.write((",\n" if n else "") + '{"Event": ' + event.to_json(sort_keys=True) + "}")
    f.write("\n]}\n")
    return len(records)


# -- reading --------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """One MISP event read as a seizure: fields for the seizure service, parties, what was not understood."""

    label: str
    fields: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    parties: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (kind, role, fields)
    documents: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)  # (role, values)
    problems: list[dict[str, str]] = field(default_factory=list)
    unknown: list[dict[str, str]] = field(default_factory=list)


class NotMisp(ValueError):
    """The file is not MISP event JSON."""


def events_in(path: Path) -> list[Any]:
    """The raw events of a MISP JSON file, whichever of MISP's shapes it has."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotMisp(f"not JSON: {exc}") from exc
    if isinstance(data, dict) and data.get("type") == "bundle":
        raise NotMisp("it is a STIX bundle, not MISP events (export STIX from Astara; STIX is not imported)")
    if isinstance(data, dict) and "response" in data:
        data = data["response"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(e, dict) and "Event" in e for e in data):
        raise NotMisp('expected {"Event": ...}, a list of them, or {"response": [...]}')
    return data


def _comment_value(comment: str | None, key: str) -> str | None:
    for part in (comment or "").split(";"):
        name, _, value = part.partition(":")
        if name.strip() == key and value.strip():
            return value.strip()
    return None


def parse(n: int, raw: dict[str, Any]) -> Parsed:
    """Read the ``n``-th event (1-based); problems name the event and the attribute."""
    event = MISPEvent()
    try:
        event.load(raw)
    except Exception as exc:  # pymisp raises many kinds on a malformed event; each is this event's problem
        parsed = Parsed(str(n))
        parsed.problems.append(
            {"event": parsed.label, "attribute": "", "reason": f"pymisp cannot load it: {exc}"}
        )
        return parsed
    uid = getattr(event, "uuid", None) or ""
    parsed = Parsed(f"{n} ({uid or getattr(event, 'info', '')})")
    out = parsed.fields

    def problem(attribute: str, reason: str) -> None:
        parsed.problems.append({"event": parsed.label, "attribute": attribute, "reason": reason})

    def unknown(attribute: str, value: Any) -> None:
        parsed.unknown.append({"event": parsed.label, "attribute": attribute, "value": str(value)})

    date = getattr(event, "date", None)
    if date:
        out["date"] = date.isoformat()
    orgc = getattr(event, "Orgc", None)
    if orgc is not None and getattr(orgc, "name", None):
        out["reporting_agency"] = orgc.name
    for tag in event.tags:
        name = tag.name.lower()
        if name in TLP_OF_TAG:
            out["tlp"] = TLP_OF_TAG[name]
        else:
            unknown(f"tag {tag.name}", "")
    for attribute in event.attributes:
        comment = getattr(attribute, "comment", None) or ""
        if attribute.type == "text" and attribute.category == "Internal reference" and comment == "reference":
            out["reference"] = attribute.value
        elif attribute.type == "text" and comment in EVENT_TEXTS:
            out[comment] = attribute.value
        elif attribute.type in ("passport-number", "text") and (doc := _comment_value(comment, "document")):
            parsed.documents.append(
                (
                    _comment_value(comment, "role") or "subject",
                    {
                        "doc_type": doc,
                        "number": attribute.value,
                        "issuing_country": _comment_value(comment, "country"),
                    },
                )
            )
        else:
            unknown(
                f"{attribute.category}/{attribute.type}" + (f" ({comment})" if comment else ""),
                attribute.value,
            )

    def nameless(obj: MISPObject) -> None:
        """A party with nothing to match by (a policy may leave only its nationality): kept as notes."""
        for a in obj.attributes:
            unknown(f"{obj.name}/{a.object_relation} (no name, plate or vin to match by)", a.value)

    for obj in event.objects:
        values = {a.object_relation: a for a in obj.attributes}

        def value(relation: str, values: dict[str, Any] = values) -> str | None:
            a = values.get(relation)
            return str(a.value) if a is not None and a.value not in (None, "") else None

        def note(relation: str, values: dict[str, Any] = values) -> str | None:
            a = values.get(relation)
            return getattr(a, "comment", None) if a is not None else None

        if obj.name == "physical-object":
            where = f"physical-object {len(parsed.items) + 1}"
            drug = value("object-type") or value("name")
            quantity, unit = value("quantity"), _comment_value(note("quantity"), "unit")
            if quantity is None and (weight := value("weight")):
                quantity, _, unit = weight.partition(" ")
            if not drug:
                problem(f"{where}: object-type", "no drug (object-type or name)")
            if quantity is None:
                problem(f"{where}: quantity", "no quantity (quantity or weight)")
            elif not unit:
                problem(f"{where}: quantity", "no unit (a comment 'unit: kg', or a weight such as '12 kg')")
            item = {"drug": drug or "", "quantity": quantity or "", "unit": unit or ""}
            if (purity := _comment_value(value("description"), "purity")) or (
                (d := value("description") or "").startswith("purity ") and (purity := d[7:])
            ):
                item["purity"] = purity
            parsed.items.append(item)
        elif obj.name == "geolocation":
            if code := value("countrycode") or value("country"):
                out["country"] = code
            if text := value("text") or value("city") or value("address"):
                out["place"] = text
            if region := value("region"):
                out.setdefault("admin_area", region)
        elif obj.name == "person":
            name = value("full-name") or " ".join(x for x in (value("first-name"), value("last-name")) if x)
            if not name:
                nameless(obj)
                continue
            fields = {
                "name": name,
                "birth_date": value("date-of-birth"),
                "nationality": value("nationality"),
                "id_number": value("identity-card-number") or value("passport-number"),
            }
            parsed.parties.append(
                ("person", value("role") or "subject", {k: v for k, v in fields.items() if v})
            )
        elif obj.name in ("organization", "legal-entity"):
            if not value("name"):
                nameless(obj)
                continue
            fields = {
                "name": value("name"),
                "country": _comment_value(note("name"), "country"),
                "registration": value("registration-number"),
            }
            parsed.parties.append(
                ("organization", value("role") or "subject", {k: v for k, v in fields.items() if v})
            )
        elif obj.name == "vehicle":
            plate, vin = value("license-plate-number"), value("vin")
            if not (plate or vin):
                nameless(obj)
                continue
            fields = {
                "plate": plate,
                "vin": vin,
                "make": value("make"),
                "kind": value("type"),
                "country": _comment_value(note("license-plate-number"), "country"),
            }
            role = _comment_value(value("description"), "role") or "conveyance"
            parsed.parties.append(("vehicle", role, {k: v for k, v in fields.items() if v}))
        else:
            for a in obj.attributes:
                unknown(f"object {obj.name}/{a.object_relation}", a.value)
    for name in LIST_FIELDS:
        if name in out:
            out[name] = str(out[name])
    if "reference" not in out and uid:
        out["reference"] = f"MISP {uid}"
    if not parsed.items:
        problem("physical-object", "no drug item (a physical-object with object-type and quantity)")
    if not out.get("country"):
        problem("geolocation: countrycode", "no country (a geolocation object with countrycode)")
    if not out.get("date"):
        problem("date", "no date")
    return parsed


def read(path: Path) -> Iterator[Parsed]:
    for n, raw in enumerate(events_in(path), start=1):
        yield parse(n, raw)
