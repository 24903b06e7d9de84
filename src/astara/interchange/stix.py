"""STIX 2.1: a bundle with an identity per person and organization, a location per place and a report
per seizure, built with the ``stix2`` library and checked with the OASIS ``stix2-validator``.

The seizure's facts (drugs, quantities, kilograms, route, vehicles, documents, roles) travel in the
report under Astara's property extension (:data:`EXTENSION_ID`, described by its extension-definition
object in every bundle and in the README). Markings are the TLP 2.0 marking definitions the OASIS CTI
TC published for STIX 2.1 (the library's built-in ``TLP_*`` are TLP 1.0). Ids are UUIDv5 of the
agency and the stored id, so the same record or identity has the same id in every export.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import IO, TYPE_CHECKING, Any

import stix2

from astara.interchange.ftm import seizure_name
from astara.interchange.records import Party, Record
from astara.kit.deferred import deferred
from astara.sharing.fields import stricter_tlp

if TYPE_CHECKING:
    import stix2validator
else:
    stix2validator = deferred("stix2validator", "only checking a bundle needs the validator")

FORMAT = "STIX 2.1 bundle"
NAMESPACE = uuid.UUID("6f0d5f2e-8a51-4c1b-9a59-0c2b8f3e7d41")  # Astara's namespace for STIX ids
EXTENSION_ID = "extension-definition--" + str(uuid.uuid5(NAMESPACE, "astara-seizure-extension-1.0"))
EXTENSION_CREATED = "2026-12-01T00:00:00.000Z"
EXTENSION_SCHEMA = (
    "Astara seizure facts (property extension of a report, version 1.0): reference, date, "
    "date_precision, country, place_text, admin_area, route {producing_country, departure_country, "
    "transit_countries, destination_country, routing}, transport, concealment, detection_method, "
    "total_kg, items [{drug_code, drug_group, drug_text, quantity, unit_code, purity, kg}], "
    "vehicles [{plate, country, vin, make, kind, role}], documents [{doc_type, number, issuing_country, "
    "role}], roles [{ref, role}] (ref: an identity of the bundle). Countries are ISO 3166-1 alpha-2, "
    "drugs and units codes of Astara's vocabularies, kg the kilogram equivalent."
)
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
# TLP 2.0 marking definitions as published for STIX 2.1 (OASIS CTI TC, 2022-10-01).
TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber_strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def tlp_marking(code: str) -> stix2.v21.MarkingDefinition:
    level = code.replace("_", "+")
    return stix2.v21.MarkingDefinition(
        id=TLP2_IDS[code],
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{level.upper()}",
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    )


def stix_id(kind: str, agency: str, stored_id: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{agency}/{stored_id}')}"


def _stamp(value: dt.datetime) -> str:
    return value.replace(tzinfo=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Bundle:
    """Collects the objects of many records; an identity or place shared by records is written once,
    marked with the strictest TLP of the records that refer to it."""

    def __init__(self, agency: str, agency_name: str, resolved: dict[str, list[str]]) -> None:
        self.agency, self.resolved = agency, resolved
        self.agency_identity = stix_id("identity", agency, "agency")
        self.agency_name = agency_name
        self.shared: dict[str, tuple[type[Any], dict[str, Any], str]] = {}  # id -> (class, props, tlp)
        self.reports: list[Any] = []
        self.tlps: set[str] = set()

    def _share(self, cls: type[Any], props: dict[str, Any], tlp: str) -> str:
        found = self.shared.get(props["id"])
        self.shared[props["id"]] = (cls, props, stricter_tlp(found[2], tlp) if found else tlp)
        return str(props["id"])

    def _identity(self, party: Party, tlp: str, created: str) -> str | None:
        f = party.fields
        if not f.get("name"):
            return None
        ids = self.resolved.get(party.id, [party.id])
        cls = "individual" if party.kind == "person" else "organization"
        about = [
            f"{k.replace('_', ' ')} {f[k]}"
            for k in ("birth_date", "nationality", "id_number", "country", "registration")
            if f.get(k)
        ]
        if len(ids) > 1:
            about.append("same as " + ", ".join(stix_id("identity", self.agency, i) for i in ids[1:]))
        props = {
            "id": stix_id("identity", self.agency, ids[0]),
            "name": f["name"],
            "identity_class": cls,
            "created": created,
            "modified": created,
            "created_by_ref": self.agency_identity,
        }
        if about:
            props["description"] = "; ".join(about)
        return self._share(stix2.v21.Identity, props, tlp)

    def _location(self, record: Record, tlp: str, created: str) -> str | None:
        ev = record.event
        if not ev.get("country") and ev.get("lat") is None:
            return None
        key = "|".join(str(ev.get(k) or "") for k in ("place_id", "place_text", "country", "lat", "lon"))
        props: dict[str, Any] = {
            "id": stix_id("location", self.agency, "place/" + key),
            "created": created,
            "modified": created,
            "created_by_ref": self.agency_identity,
        }
        for ours, theirs in (
            ("place_text", "name"),
            ("country", "country"),
            ("admin_area", "administrative_area"),
        ):
            if ev.get(ours):
                props[theirs] = ev[ours]
        if ev.get("lat") is not None and ev.get("lon") is not None:
            props["latitude"], props["longitude"] = ev["lat"], ev["lon"]
        return self._share(stix2.v21.Location, props, tlp)

    def add(self, record: Record) -> None:
        tlp, created = record.tlp, _stamp(record.created_at)
        self.tlps.add(tlp)
        refs = [self.agency_identity]
        roles = []
        for party in record.parties:
            if party.kind in ("person", "organization") and (ref := self._identity(party, tlp, created)):
                refs.append(ref)
                roles.append({"ref": ref, "role": party.role})
        if location := self._location(record, tlp, created):
            refs.append(location)
        ev = record.event
        facts: dict[str, Any] = {"extension_type": "property-extension"}
        for key in (
            "reference",
            "date",
            "date_precision",
            "country",
            "place_text",
            "admin_area",
            "transport",
            "concealment",
            "detection_method",
            "total_kg",
        ):
            if ev.get(key) not in (None, "", []):
                facts[key] = ev[key]
        route = {
            k: ev[k]
            for k in (
                "producing_country",
                "departure_country",
                "transit_countries",
                "destination_country",
                "routing",
            )
            if ev.get(k)
        }
        if route:
            facts["route"] = route
        facts["items"] = [{k: v for k, v in item.items() if v is not None} for item in record.items]
        for kind, plural in (("vehicle", "vehicles"), ("document", "documents")):
            things = [{**p.fields, "role": p.role} for p in record.parties if p.kind == kind]
            if things:
                facts[plural] = things
        if roles:
            facts["roles"] = roles
        date = ev.get("date")
        published = f"{date}T00:00:00.000Z" if date else created
        self.reports.append(
            stix2.v21.Report(
                id=stix_id("report", self.agency, record.id),
                name=seizure_name(record),
                published=published,
                created=created,
                modified=_stamp(record.updated_at),
                report_types=["threat-report"],
                object_refs=list(dict.fromkeys(refs)),
                created_by_ref=self.agency_identity,
                object_marking_refs=[TLP2_IDS[tlp]],
                extensions={EXTENSION_ID: facts},
            )
        )

    def objects(self) -> list[Any]:
        everything = [
            tlp_marking(code)
            for code in TLP2_IDS
            if code in {t for *_, t in self.shared.values()} | self.tlps
        ]
        agency = stix2.v21.Identity(
            id=self.agency_identity,
            name=self.agency_name,
            identity_class="organization",
            created=EXTENSION_CREATED,
            modified=EXTENSION_CREATED,
        )
        extension = stix2.v21.ExtensionDefinition(
            id=EXTENSION_ID,
            created_by_ref=self.agency_identity,
            created=EXTENSION_CREATED,
            modified=EXTENSION_CREATED,
            name="Astara seizure facts",
            schema=EXTENSION_SCHEMA,
            version="1.0",
            extension_types=["property-extension"],
        )
        everything += [agency, extension]
        for cls, props, tlp in self.shared.values():
            everything.append(cls(**props, object_marking_refs=[TLP2_IDS[tlp]]))
        return everything + self.reports


def write(
    f: IO[str], agency: str, agency_name: str, records: list[Record], resolved: dict[str, list[str]]
) -> int:
    """Write one bundle; returns the STIX objects in it."""
    bundle = Bundle(agency, agency_name, resolved)
    for record in records:
        bundle.add(record)
    objects = bundle.objects()
    stix_bundle = stix2.v21.Bundle(objects=objects, id=stix_id("bundle", agency, uuid.uuid4().hex))
    # the library's own pretty printer orders properties in quadratic time
    f.write(json.dumps(json.loads(stix_bundle.serialize()), ensure_ascii=False, indent=1) + "\n")
    return len(objects)


def validate(text: str) -> list[str]:
    """The OASIS validator's errors for a bundle (empty when it passes)."""
    result = stix2validator.validate_string(text, stix2validator.ValidationOptions(version="2.1"))
    return [str(e) for e in result.errors]
