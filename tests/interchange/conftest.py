"""A small agency store: a truck seizure with its parties (driver, passport, truck, company), two others."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.interchange.repository import add_document
from astara.matching.store import create_entity
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure
from fixtures.make import TODAY


@dataclass
class Loaded:
    scope: Scope
    truck: str  # event ids
    hashish: str
    red: str
    driver: str  # the driver's person id


def _seizure(engine: Engine, scope: Scope, **fields: object) -> str:
    items = fields.pop("items")
    data = SeizureCreate.model_validate({"country": "AZ", **fields, "items": items})
    with transaction(engine) as session:
        return create_seizure(session, scope, data, TODAY).id


@pytest.fixture
def loaded(engine: Engine, scope: Scope) -> Loaded:
    truck = _seizure(
        engine,
        scope,
        reference="SCS-2016-0412",
        date="2016-04-12",
        place="Astara",
        transport="road",
        departure_country="IR",
        destination_country="RU",
        transit_countries="AZ|GE",
        reporting_agency="State Customs Committee",
        tlp="amber",
        validation_status="validated",
        items=[
            SeizureItemIn(drug="heroin", quantity="42.5", unit="kg"),
            SeizureItemIn(drug="opium", quantity="3", unit="kg"),
        ],
    )
    hashish = _seizure(
        engine,
        scope,
        reference="SCS-2016-0901",
        date="2016-09",
        place="Bilasuvar",
        transport="road",
        tlp="green",
        items=[SeizureItemIn(drug="hashish", quantity="1200", unit="g")],
    )
    red = _seizure(
        engine,
        scope,
        reference="SCS-2016-1130",
        date="2016-11-30",
        place="Baku",
        tlp="red",
        items=[SeizureItemIn(drug="cocaine", quantity="2", unit="kg")],
    )
    with transaction(engine) as session:
        driver, _ = create_entity(
            session,
            scope,
            "person",
            {"name": "Rauf Məmmədov", "birth_date": "1979-05-02", "nationality": "AZ"},
            event_id=truck,
            role="driver",
        )
        create_entity(
            session,
            scope,
            "vehicle",
            {"plate": "10-AB-123", "country": "AZ", "kind": "truck"},
            event_id=truck,
            role="conveyance",
        )
        create_entity(
            session,
            scope,
            "organization",
            {"name": "Xəzər Logistika MMC", "country": "AZ"},
            event_id=truck,
            role="consignee",
        )
        add_document(
            session,
            scope,
            "d" * 32,
            {"doc_type": "passport", "number": "C01234567", "issuing_country": "AZ"},
            truck,
            "driver",
        )
        driver_id = driver.id
    return Loaded(scope, truck, hashish, red, driver_id)


def export_file(engine: Engine, scope: Scope, path: Path, layout: str, **kw: object):  # type: ignore[no-untyped-def]
    from astara.interchange.service import export

    with transaction(engine) as session:
        return export(session, scope, path, layout, today=TODAY, **kw)  # type: ignore[arg-type]
