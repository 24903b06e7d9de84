"""Plates and other conveyance ids of seizures become vehicles of the matching store."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import EventEntityLink, MatchKey, Vehicle
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from astara.matching import store, watch
from astara.matching.conveyances import vehicle_of
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from conftest import TODAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IR 12B345-67", {"plate": "IR 12B345-67", "country": "IR"}),
        ("۱۲ ب ۳۴۵ ۶۷", {"plate": "۱۲ ب ۳۴۵ ۶۷", "country": "IR"}),  # Persian script: Iranian
        ("AZ 10-AB-123", {"plate": "AZ 10-AB-123", "country": "AZ"}),
        ("10-AB-123", {"plate": "10-AB-123"}),  # fits Azerbaijani and Turkish plates: country unknown
        ("trailer 77 AA 1234", {"plate": "77 AA 1234", "country": "TR", "kind": "trailer"}),
        ("Полуприцеп АВ 1234 34", {"plate": "АВ 1234 34", "country": "RU", "kind": "trailer"}),
        ("RUS AB 1234 34", {"plate": "RUS AB 1234 34", "country": "RU", "kind": "trailer"}),  # by format
        ("Tractor unit plate: 34 ABC 123", {"plate": "34 ABC 123", "country": "TR", "kind": "tractor"}),
        ("1HGCM82633A004352", {"vin": "1HGCM82633A004352"}),
        ("MSCU1234567", None),  # a container: cargo
        ("flight TK 123", None),
        ("white truck", None),  # no id at all
    ],
)
def test_a_conveyance_id_names_a_vehicle(text: str, expected: dict[str, Any] | None) -> None:
    assert vehicle_of(text) == expected


def _template_csv(path: Path, conveyances: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["reference", "date", "country", "drug", "quantity", "unit", "conveyance_ids"])
        for n, ids in enumerate(conveyances, start=1):
            writer.writerow([f"REF-{n}", f"2025-03-0{n}", "AZ", "heroin", "12", "kg", ids])
    return path


def _watch_plate(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        watch.create_list(session, scope, "trucks", "trucks of the Astara route")
        watch.add_entry(session, scope, "trucks", "vehicle", {"plate": "۱۲ ب ۳۴۵ ۶۷", "country": "IR"})


def test_imported_plates_are_vehicles_and_raise_watch_list_alerts(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    _watch_plate(engine, scope)
    path = _template_csv(
        tmp_path / "seizures.csv",
        ["IR 12B345-67|trailer 77 AA 1234|container MSCU1234567", "AZ 90-XY-555", ""],
    )
    options = ImportOptions(mapping="astara", today=TODAY)
    with transaction(engine) as session:
        report = run_import(session, scope, path, options)
    assert (report.events_created, report.vehicles_created, report.watch_alerts) == (3, 3, 1)
    assert "vehicles created              3" in report.summary()
    with transaction(engine) as session:
        vehicles = {v.plate: (v.country, v.kind) for v in session.scalars(select(Vehicle))}
        roles = set(session.scalars(select(EventEntityLink.role)))
        vehicle_keys = select(MatchKey.entity_id).where(
            MatchKey.kind == "vehicle", MatchKey.source == "store"
        )
        filed = set(session.scalars(vehicle_keys))
        alerts = watch.alerts(session, scope)
        # the plate as another agency wrote it, with an OCR look-alike, finds the imported truck
        found = store.query(session, scope, "vehicle", {"plate": "12B34S-67", "country": "IR"})
    assert vehicles == {
        "IR 12B345-67": ("IR", None),
        "77 AA 1234": ("TR", "trailer"),
        "AZ 90-XY-555": ("AZ", None),
    }
    assert roles == {"conveyance"} and len(filed) == 3
    assert [a["origin"] for a in alerts] == ["import"] and "IR 12B345-67" in alerts[0]["label"]
    assert [c["label"] for c in found["candidates"] if c["match"]] == ["IR 12B345-67 IR"]
    with transaction(engine) as session:  # importing the file again adds nothing
        again = run_import(session, scope, path, options)
    assert (again.vehicles_created, again.watch_alerts) == (0, 0)


def test_a_seizure_entered_by_hand_files_its_vehicles(engine: Engine, scope: Scope) -> None:
    _watch_plate(engine, scope)
    items = [SeizureItemIn(drug="heroin", quantity=20, unit="kg")]
    data = SeizureCreate(reference="F-1", date="2025-03-02", country="AZ",
                         conveyance_ids="IR 12B345-67|flight TK 1", items=items)  # fmt: skip
    with transaction(engine) as session:
        event = seizures.create_seizure(session, scope, data, today=dt.date(2026, 1, 1))
        edited = data.model_copy(update={"conveyance_ids": "IR 12B345-67|trailer 77 AA 1234"})
        seizures.update_seizure(session, scope, event.id, edited, today=dt.date(2026, 1, 1))
        links = session.scalars(select(EventEntityLink).where(EventEntityLink.event_id == event.id)).all()
        plates = sorted(session.scalars(select(Vehicle.plate)))
        alerts = watch.alerts(session, scope)
    assert plates == ["77 AA 1234", "IR 12B345-67"]  # the flight is no vehicle; the edit adds the trailer
    assert {(link.entity_type, link.role) for link in links} == {("vehicle", "conveyance")} and len(
        links
    ) == 2
    assert [a["event_id"] for a in alerts] == [event.id]
