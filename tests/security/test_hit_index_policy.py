"""Hole 4: the hit index answers only for what the feed would send the partner.

It listed the references of a TLP:RED record, of a draft whose reference the agreement withholds
and of a record retracted from the partner, and hashed names no clause lets out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from astara.sharing import hits, service
from astara.sharing import repository as sharing_repository
from astara.sharing.keys import KeyPair
from sharing.conftest import EXAMPLE, Node, feed_of, link, make_node, record_seizure

SECRET = "agreed-at-the-astara-meeting-2026"
AGREEMENT = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
NAMES_CLAUSE = {
    "id": "test.names", "categories": ["nominal"],
    "fields": ["person.name", "vehicle.plate", "vehicle.country", "document.number"],
}  # fmt: skip


def _agreement(tmp_path: Path, clauses: list[dict[str, Any]]) -> Path:
    path = tmp_path / "agreement.yaml"
    path.write_text(yaml.safe_dump({**AGREEMENT, "clauses": clauses}), encoding="utf-8")
    return path


def _records(az: Node) -> dict[str, str]:
    """Records of every kind the policy tells apart: reference -> record id."""
    made = {
        reference: record_seizure(az, reference, driver=driver, plate=plate, **kind)
        for reference, driver, plate, kind in (
            ("V-TRUCK", "Məmməd Rzayev", "10-AB-123", {"validated": True}),
            ("DRAFT", "Əli Həsənov", "20-CD-456", {}),
            ("RED", "Mohammad Rezaei", "30-EF-789", {"validated": True, "tlp": "red"}),
            ("V-SEA", "Elvin Quliyev", "40-GH-012", {"validated": True, "transport": "sea"}),
            ("RETRACTED", "Orxan Əliyev", "50-IJ-345", {"validated": True}),
        )
    }
    with az.unit() as (session, scope):
        if sharing_repository.outbox_partners_of(session, scope, made["RETRACTED"]):
            service.retract(session, scope, made["RETRACTED"], "wrong plate")
    return made


def _index(az: Node, encoding: str = "hmac") -> dict[str, Any]:
    hits.secret_for(az.data_dir, AGREEMENT["code"], SECRET)
    with az.unit() as (session, scope):
        return hits.build_index(session, scope, az.keys, az.data_dir, "IR-ANP", encoding)


def _from_feed(az: Node, ir_keys: KeyPair) -> set[tuple[str, str, str]]:
    """(blinded key, kind, reference) of everything the feed sends IR-ANP, newest version of each record."""
    page = feed_of(az)("http://az.test", ir_keys, "IR-ANP", "AZ-SCS", 0, 5000)
    newest: dict[str, dict[str, Any]] = {}
    for entry in page["entries"]:
        newest[entry["body"]["record_id"]] = entry["body"]
    secret = SECRET.encode()
    sent = set()
    for record_id, body in newest.items():
        if body["kind"] != "record":
            continue
        record = body["payload"]["record"]
        reference = record["event"].get("reference") or hits.opaque_reference(secret, "IR-ANP", record_id)
        for ent in record.get("entities", []):
            for h in hits.blind(secret, hits._entity_keys(ent["type"], ent["fields"])):
                sent.add((h, ent["type"], reference))
    return sent


@pytest.fixture
def az(tmp_path: Path, database_url: str) -> Iterator[Node]:
    """AZ-SCS on the store under test (PostgreSQL when ASTARA_TEST_DATABASE_URL names one)."""
    node = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ", database_url)
    yield node
    node.engine.dispose()


@pytest.fixture
def ir(tmp_path: Path) -> Node:
    return make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")


CLAUSES = [[c] for c in AGREEMENT["clauses"]] + [AGREEMENT["clauses"], [*AGREEMENT["clauses"], NAMES_CLAUSE]]


@pytest.mark.parametrize("clauses", CLAUSES, ids=[" + ".join(c["id"] for c in cs) for cs in CLAUSES])
def test_the_index_exposes_no_more_than_the_feed_sends(
    az: Node, ir: Node, tmp_path: Path, clauses: list[dict[str, Any]]
) -> None:
    link(az, ir, _agreement(tmp_path, clauses))
    _records(az)
    index = _index(az)
    exposed = {(e["h"], e["kind"], e["ref"]) for e in index["body"]["entries"]}
    assert exposed <= _from_feed(az, ir.keys)
    refs = {ref for _, _, ref in exposed}
    assert not refs & {"RED", "RETRACTED"}
    wire = json.dumps(index, ensure_ascii=False)
    assert all(name not in wire for name in ("Rzayev", "10-AB-123", "RED"))


def test_the_example_agreement_leaks_nothing_it_withholds(az: Node, ir: Node) -> None:
    link(az, ir)
    made = _records(az)
    index = _index(az)
    refs = {e["ref"] for e in index["body"]["entries"]}
    assert {e["kind"] for e in index["body"]["entries"]} == {"vehicle"}  # art6.2: plates, never names
    assert "V-TRUCK" in refs  # validated: art4.3 gives the reference
    assert not refs & {"RED", "RETRACTED", "DRAFT", "V-SEA"}
    draft = hits.opaque_reference(SECRET.encode(), "IR-ANP", made["DRAFT"])
    assert draft in refs  # its plate is sent (art6.2), its reference is not (art4.3)
    hits.secret_for(ir.data_dir, AGREEMENT["code"], SECRET)
    with ir.unit() as (session, scope):

        def check(**query: str) -> list[str]:
            return [h["reference"] for h in hits.check(session, scope, ir.data_dir, index, **query)]

        assert check(plate="30-EF-789", country="IR") == []  # TLP:RED never leaves
        assert check(plate="50-IJ-345", country="IR") == []  # retracted from IR-ANP
        assert check(plate="40-GH-012", country="IR") == []  # by sea: art6.2 does not apply
        assert check(plate="20-CD-456", country="IR") == [draft]
        assert check(plate="10-AB-123", country="IR") == ["V-TRUCK"]
        assert check(name="Mammad Rzayev") == []  # person.name is named by no clause


@pytest.mark.parametrize("encoding", ["hmac", "clk"])
def test_a_shared_name_is_indexed_and_a_red_one_is_not(
    az: Node, ir: Node, tmp_path: Path, encoding: str
) -> None:
    link(az, ir, _agreement(tmp_path, [*AGREEMENT["clauses"], NAMES_CLAUSE]))
    _records(az)
    index = _index(az, encoding)
    hits.secret_for(ir.data_dir, AGREEMENT["code"], SECRET)
    with ir.unit() as (session, scope):
        found = hits.check(session, scope, ir.data_dir, index, name="Мамед Рзаев")
        red = hits.check(session, scope, ir.data_dir, index, name="Mohammad Rezaei")
    assert [h["reference"] for h in found] == ["V-TRUCK"] and red == []
