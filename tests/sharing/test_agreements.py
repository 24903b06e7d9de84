"""Agreements as policy: validation names the field; explain says why a field is or is not shared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from astara.errors import InvalidInput
from astara.sharing import service
from astara.sharing.agreements import load_agreement_file, parse_agreement

from .conftest import EXAMPLE, Node, record_seizure


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def test_the_shipped_example_loads() -> None:
    agreement = load_agreement_file(EXAMPLE)
    assert agreement.partner_of("AZ-SCS") == "IR-ANP"
    assert agreement.tlp == "amber" and agreement.handling_code == "H2"
    assert agreement.onward_sharing == "forbidden"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["clauses"][0].update(fields=["date", "person.name"]), "clauses.0"),
        (lambda d: d["clauses"][2].update(fields=["weather"]), "clauses.2"),
        (lambda d: d.update(tlp="purple"), "tlp"),
        (lambda d: d.update(valid_until="2020-01-01"), "valid_until"),
        (lambda d: d.pop("legal_reference"), "legal_reference"),
        (lambda d: d.update(retention_days=0), "retention_days"),
        (lambda d: d["parties"].pop(), "parties"),
    ],
)
def test_a_bad_agreement_is_refused_naming_the_field(change: Any, field: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(InvalidInput) as caught:
        parse_agreement(doc)
    assert field in caught.value.message


def test_a_nominal_field_needs_a_nominal_clause(tmp_path: Path) -> None:
    doc = _doc()
    doc["clauses"][0]["fields"] = ["date", "vehicle.plate"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"clauses\.0.*vehicle\.plate is nominal data"):
        load_agreement_file(path)


def test_an_agreement_we_are_not_party_to_is_refused(az: Node) -> None:
    doc = _doc()
    doc["parties"][0]["agency"] = "GE-MIA"
    with az.unit() as (session, scope), pytest.raises(InvalidInput, match="not agency AZ-SCS"):
        service.add_agreement(session, scope, parse_agreement(doc))


def test_explain_says_why_each_field_is_or_is_not_shared(linked: tuple[Node, Node]) -> None:
    az, _ = linked
    road = record_seizure(az, "AZ-2025-0101", driver="Məmməd Rzayev", plate="IR 12 B 345 67")
    rail = record_seizure(az, "AZ-2025-0102", transport="rail", plate="RZD-55")
    with az.unit() as (session, scope):
        date = service.explain(session, scope, "ir-anp", road, "date")
        name = service.explain(session, scope, "IR-ANP", road, "person.name")
        plate = service.explain(session, scope, "IR-ANP", road, "vehicle.plate")
        rail_plate = service.explain(session, scope, "IR-ANP", rail, "vehicle.plate")
        reference = service.explain(session, scope, "IR-ANP", road, "reference")
        notes = service.explain(session, scope, "IR-ANP", road, "notes")
        everything = service.explain(session, scope, "IR-ANP", road)
    assert date.shared and date.fields[0].clause == "art4.1"
    assert not name.shared and "nominal" in name.reason
    assert plate.shared and plate.fields[0].clause == "art6.2"
    assert not rail_plate.shared and "transport" in rail_plate.reason
    assert not reference.shared and "validation_status" in reference.reason  # art4.3: validated only
    assert not notes.shared
    assert {f.field for f in everything.fields if f.shared} >= {"date", "items.kg", "vehicle.plate"}


def test_a_tlp_red_record_never_leaves(linked: tuple[Node, Node]) -> None:
    az, _ = linked
    red = record_seizure(az, "AZ-2025-0103", tlp="red")
    with az.unit() as (session, scope):
        result = service.explain(session, scope, "IR-ANP", red, "date")
        backlog = service.status(session, scope)[0].backlog
    assert not result.shared and "TLP:RED" in result.reason
    assert backlog == 0
