"""Hit/no-hit: a name in another script finds the partner's record; only a reference comes back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from astara.errors import NotAuthenticated
from astara.matching import identities, store
from astara.sharing import hits

from .conftest import EXAMPLE, Node, link, record_seizure

SECRET = "agreed-at-the-astara-meeting-2026"


@pytest.fixture
def linked(az: Node, ir: Node, tmp_path: Path) -> tuple[Node, Node]:
    """Linked by the example agreement plus a clause that lets names and references out: the index
    holds only what the feed sends (tests/security/test_hit_index_policy.py)."""
    agreement = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    names = {"id": "names", "categories": ["seizure_facts", "nominal"],
             "fields": ["reference", "person.name", "vehicle.plate", "vehicle.country"]}  # fmt: skip
    path = tmp_path / "agreement.yaml"
    path.write_text(
        yaml.safe_dump({**agreement, "clauses": [*agreement["clauses"], names]}), encoding="utf-8"
    )
    link(az, ir, path)
    return az, ir


def _index(az: Node, ir: Node) -> dict[str, object]:
    for node in (az, ir):
        hits.secret_for(node.data_dir, "AZ-IR-BORDER-2024", SECRET)
    record_seizure(az, "AZ-2025-2001", driver="Məmməd Rzayev", plate="10-AB-123")
    with az.unit() as (session, scope):
        return hits.build_index(session, scope, az.keys, az.data_dir, "IR-ANP")


def test_a_name_in_cyrillic_hits_the_record_held_in_latin(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    index = _index(az, ir)
    wire = json.dumps(index, ensure_ascii=False)
    assert "Rzayev" not in wire and "Məmməd" not in wire and "10-AB-123" not in wire
    with ir.unit() as (session, scope):
        found = hits.check(session, scope, ir.data_dir, index, name="Мамед Рзаев")
        miss = hits.check(session, scope, ir.data_dir, index, name="Əli Həsənov")
        plate = hits.check(session, scope, ir.data_dir, index, plate="10 ab 123", country="IR")
    assert [(h["agency"], h["reference"], h["kind"]) for h in found] == [("AZ-SCS", "AZ-2025-2001", "person")]
    assert miss == []
    assert [h["reference"] for h in plate] == ["AZ-2025-2001"]


def test_without_the_agreed_secret_nothing_matches(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    index = _index(az, ir)
    hits.secret_for(ir.data_dir, "AZ-IR-BORDER-2024", "a-different-secret-entirely")
    with ir.unit() as (session, scope):
        assert hits.check(session, scope, ir.data_dir, index, name="Mammad Rzayev") == []


def test_a_tampered_index_is_refused(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    index = _index(az, ir)
    index["body"]["contact"] = "call +994 00 000 00 00"  # type: ignore[index]
    with ir.unit() as (session, scope), pytest.raises(NotAuthenticated):
        hits.check(session, scope, ir.data_dir, index, name="Mammad Rzayev")


@pytest.mark.parametrize("encoding", ["hmac", "clk"])
def test_a_persian_name_hits_latin_and_cyrillic_spellings_and_not_an_ov_surname(
    linked: tuple[Node, Node], encoding: str
) -> None:
    az, ir = linked
    for node in (az, ir):
        hits.secret_for(node.data_dir, "AZ-IR-BORDER-2024", SECRET)
    record_seizure(az, "AZ-2025-2101", driver="محمد رضایی")
    with az.unit() as (session, scope):
        index = hits.build_index(session, scope, az.keys, az.data_dir, "IR-ANP", encoding)
    assert "رضایی" not in json.dumps(index, ensure_ascii=False)
    with ir.unit() as (session, scope):
        found = {
            name: [h["reference"] for h in hits.check(session, scope, ir.data_dir, index, name=name)]
            for name in ("Mohammad Rezaei", "Мохаммад Резаи", "Mammad Rzayev", "Əli Həsənov")
        }
    assert found == {
        "Mohammad Rezaei": ["AZ-2025-2101"],
        "Мохаммад Резаи": ["AZ-2025-2101"],
        "Mammad Rzayev": [],  # -yev family name: another key, as in the matching layer's blocking
        "Əli Həsənov": [],
    }


def _entries(index: dict[str, object]) -> list[tuple[str, ...]]:
    body = index["body"]
    return sorted(tuple(sorted(e.items())) for e in body["entries"])  # type: ignore[index, attr-defined]


def test_a_hit_speaks_of_the_identity_and_a_red_member_neither_shows_nor_counts(
    linked: tuple[Node, Node],
) -> None:
    az, ir = linked
    for node in (az, ir):
        hits.secret_for(node.data_dir, "AZ-IR-BORDER-2024", SECRET)
    record_seizure(az, "AZ-2025-3001", driver="Mohammad Rezaei")
    record_seizure(az, "AZ-2025-3002", driver="محمد رضایی")
    record_seizure(az, "AZ-2025-3003", driver="Ali Karimov", tlp="red")
    record_seizure(az, "AZ-2025-3004", driver="Rauf Quliyev")
    latin, persian = "AZ-2025-3001", "AZ-2025-3002"  # the persons are p-<reference>
    with az.unit() as (session, scope):
        store.judge(session, scope, "person", f"p-{latin}", f"p-{persian}", "same")
        store.judge(session, scope, "person", "p-AZ-2025-3003", f"p-{latin}", "same")
        assert len(identities.members_of(session, scope, "person", [f"p-{latin}"])[f"p-{latin}"]) == 3
        with_red = hits.build_index(session, scope, az.keys, az.data_dir, "IR-ANP")
    with ir.unit() as (session, scope):
        found = hits.check(session, scope, ir.data_dir, with_red, name="Мохаммад Резаи")
        alias = hits.check(session, scope, ir.data_dir, with_red, name="Ali Karimov")
        alone = hits.check(session, scope, ir.data_dir, with_red, name="Rauf Quliyev")
    # one answer about the identity: both shared records, whichever spelling was met; not the RED one
    assert [(h["references"], h["records"]) for h in found] == [(["AZ-2025-3001", "AZ-2025-3002"], 2)]
    assert alias == []
    assert [h["references"] for h in alone] == [["AZ-2025-3004"]]
    assert found[0]["identity"] != alone[0]["identity"]
    # without the RED member in the identity the index is the same, entry for entry
    with az.unit() as (session, scope):
        store.judge(session, scope, "person", "p-AZ-2025-3003", f"p-{latin}", "not_same")
        store.judge(session, scope, "person", "p-AZ-2025-3003", f"p-{persian}", "not_same")
        assert len(identities.members_of(session, scope, "person", [f"p-{latin}"])[f"p-{latin}"]) == 2
        without_red = hits.build_index(session, scope, az.keys, az.data_dir, "IR-ANP")
    assert _entries(with_red) == _entries(without_red)
