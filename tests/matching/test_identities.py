"""Resolved identities: judgements, strong identifiers and the matcher group records; the network and
the timeline speak of identities; a judgement changes the picture at once."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import AuditEntry
from astara.matching import identities, store
from astara.matching.identities import Edge, Judged, resolve_groups, strong_edges
from astara.networks.service import network, timeline
from astara.seizures.service import list_seizures
from fixtures.cli import run_cli as run
from fixtures.make import ids_row, import_file, write_ids

# one driver in three scripts, with the same birth date and passport
REZAEI = [
    {"name": "Mohammad Rezaei", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"},
    {"name": "محمد رضایی", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K 1234 5678"},
    {"name": "Мохаммад Резаи", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"},
    {"name": "MOHAMMAD REZAEI", "birth_date": "1984-03-21"},  # joined by the matcher,
]


def _judged(a: str, b: str, verdict: str, at: str, n: int) -> Judged:
    return Judged(a, b, verdict, 1, at, n)


def test_a_not_same_judgement_holds_and_b_goes_with_its_newer_judgement() -> None:
    judgements = [
        _judged("A", "B", "same", "2026-01-01T00:00:00", 1),
        _judged("B", "C", "same", "2026-02-01T00:00:00", 2),
        _judged("A", "C", "not_same", "2026-01-15T00:00:00", 3),
    ]
    result = resolve_groups(["A", "B", "C"], judgements, [], [])
    assert result.groups == {"B": ["B", "C"]}
    assert [(c["a"], c["b"], c["reason"]) for c in result.conflicts] == [("A", "B", "judged_apart")]
    assert result.conflicts[0]["details"]["apart"] == ["A", "C"]
    # the newer judgement of the other side wins the other way round
    judgements[0] = _judged("A", "B", "same", "2026-03-01T00:00:00", 4)
    assert resolve_groups(["A", "B", "C"], judgements, [], []).groups == {"A": ["A", "B"]}


def test_a_not_same_judgement_beats_identifiers_and_the_matcher() -> None:
    strong = [Edge("A", "B", "identifier", {"feature": "document", "value": "IR:K1"})]
    matched = [Edge("A", "B", "matcher", {"score": 0.99})]
    apart = [_judged("A", "B", "not_same", "2026-01-01T00:00:00", 1)]
    assert resolve_groups(["A", "B"], apart, strong, matched).groups == {}
    # a later "same" of the same pair replaces the "not_same"
    again = [*apart, _judged("A", "B", "same", "2026-01-02T00:00:00", 2)]
    assert resolve_groups(["A", "B"], again, [], []).groups == {"A": ["A", "B"]}


def test_the_same_input_in_any_order_gives_the_same_identities() -> None:
    rng = random.Random(7)
    entities = [f"p{i:03d}" for i in range(60)]
    judgements = [
        _judged(rng.choice(entities), rng.choice(entities), rng.choice(["same", "not_same", "unsure"]),
                f"2026-01-{1 + n % 28:02d}T00:00:00", n)
        for n in range(40)
    ]  # fmt: skip
    judgements = [j for j in judgements if j.a != j.b]
    matched = [
        Edge(*sorted(rng.sample(entities, 2)), "matcher", {"score": round(rng.random(), 2)})
        for _ in range(50)
    ]
    strong = [Edge(*sorted(rng.sample(entities, 2)), "identifier", {"feature": "vin"}) for _ in range(10)]
    reference = resolve_groups(entities, judgements, strong, matched)
    assert reference.groups  # the case joins something
    for _ in range(5):
        for items in (entities, judgements, matched, strong):
            rng.shuffle(items)  # type: ignore[arg-type]
        again = resolve_groups(entities, judgements, strong, matched)
        assert again.groups == reference.groups
        assert again.evidence == reference.evidence
        assert again.conflicts == reference.conflicts


@pytest.mark.parametrize(
    ("kind", "records", "joined"),
    [
        ("person", [REZAEI[0], REZAEI[1]], True),
        # the same passport of another country is another document
        ("person", [REZAEI[0], {**REZAEI[1], "nationality": "AZ"}], False),
        ("vehicle", [{"plate": "10-AB-123", "country": "AZ"}, {"plate": "10 AB 123", "country": "AZ"}], True),
        # an OCR look-alike is a candidate for the matcher, never a merge on its own
        (
            "vehicle",
            [{"plate": "10-AB-123", "country": "AZ"}, {"plate": "1O-AB-123", "country": "AZ"}],
            False,
        ),
        (
            "vehicle",
            [{"plate": "10-AB-123", "country": "AZ"}, {"plate": "10-AB-123", "country": "GE"}],
            False,
        ),
        ("vehicle", [{"vin": "1M8GDM9AXKP042788"}, {"vin": "1m8gdm9axkp042788"}], True),
        (
            "organization",
            [
                {"registration": "VÖEN 1700123451", "country": "AZ"},
                {"registration": "1700123451", "country": "AZ"},
            ],
            True,
        ),
    ],
)
def test_strong_identifiers_join_only_when_equal_after_normalisation(
    kind: str, records: list[dict[str, Any]], joined: bool
) -> None:
    edges, conflicts = strong_edges(kind, {"a": records[0], "b": records[1]})
    assert bool(edges) is joined and not conflicts


def test_one_passport_on_two_birth_dates_is_a_conflict_not_a_merge() -> None:
    a = {"name": "Ali Aliyev", "birth_date": "1980-01-01", "nationality": "AZ", "id_number": "C1234567"}
    edges, conflicts = strong_edges("person", {"a": a, "b": {**a, "birth_date": "1981-02-02"}})
    assert edges == [] and conflicts[0]["reason"] == "identifier_contradicted"
    assert conflicts[0]["details"]["contradiction"] == "birth dates 1980-01-01 and 1981-02-02"


# -- in the store ------------------------------------------------------------------------------------


@pytest.fixture
def seizures(engine: Engine, scope: Scope, tmp_path: Path) -> list[str]:
    rows = [ids_row(SEIZURE_DATE=f"2016-0{i + 1}-10", AMOUNT=str(100 + i)) for i in range(5)]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    with transaction(engine) as session:
        return [e.id for e in list_seizures(session, scope, sort="date").items]


def _add(engine: Engine, scope: Scope, event_id: str, fields: dict[str, Any], role: str = "driver") -> str:
    with transaction(engine) as session:
        entity, _ = store.create_entity(session, scope, "person", fields, event_id=event_id, role=role)
        return str(entity.id)


def _persons(engine: Engine, scope: Scope) -> list[tuple[str, list[str]]]:
    with transaction(engine) as session:
        result = network(session, scope)
    return sorted((n.label, n.members or []) for n in result.nodes if n.kind == "person")


def test_one_driver_in_three_scripts_is_one_node_and_one_timeline(
    engine: Engine, scope: Scope, seizures: list[str]
) -> None:
    order = [3, 0, 2, 1]  # stored out of date order: the timeline sorts them
    ids = [_add(engine, scope, seizures[n], REZAEI[i]) for i, n in enumerate(order)]
    _add(engine, scope, seizures[4], {"name": "Rauf Quliyev", "birth_date": "1970-01-01"})
    nodes = _persons(engine, scope)
    assert len(nodes) == 2
    driver = next(members for label, members in nodes if "Rezaei" in label)
    assert sorted(driver) == sorted(ids)
    label = next(label for label, _ in nodes if "Rezaei" in label)
    assert "محمد رضایی" in label and "Мохаммад Резаи" in label
    with transaction(engine) as session:
        line = timeline(session, scope, entity=f"person:{ids[2]}")
    assert [e.event_id for e in line.entries] == seizures[:4]
    assert "4 records" in line.subject


def test_a_judgement_changes_the_network_at_once_and_not_same_undoes_it(
    engine: Engine, scope: Scope, seizures: list[str]
) -> None:
    a = _add(engine, scope, seizures[0], {"name": "Samira Həsənova"})
    b = _add(engine, scope, seizures[1], {"name": "Zeynab Karimi"})
    assert len(_persons(engine, scope)) == 2
    with transaction(engine) as session:
        store.judge(session, scope, "person", a, b, "same")
    assert [sorted(m) for _, m in _persons(engine, scope)] == [sorted([a, b])]
    with transaction(engine) as session:
        store.judge(session, scope, "person", a, b, "not_same")
    assert len(_persons(engine, scope)) == 2
    with transaction(engine) as session:
        actions = [
            e.details for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "identity"))
        ]
    assert [(d["formed"], d["undone"]) for d in actions] == [(1, 0), (0, 1)]
    assert actions[0]["formed_members"] == [sorted([a, b])]


def test_the_incremental_path_matches_the_full_run(engine: Engine, scope: Scope, seizures: list[str]) -> None:
    records = [*REZAEI, {"name": "Rauf Quliyev", "birth_date": "1970-01-01"},
               {"name": "Рауф Кулиев", "birth_date": "1970-01-01"}, {"name": "Davud Rzayev"}]  # fmt: skip
    random.Random(3).shuffle(records)
    for n, record in enumerate(records):
        _add(engine, scope, seizures[n % 5], record)
    with transaction(engine) as session:
        incremental = {
            (i.identity_id, tuple(i.members)) for i in identities.repository.identities(session, scope)
        }
        identities.resolve(session, scope)
        full = {(i.identity_id, tuple(i.members)) for i in identities.repository.identities(session, scope)}
    assert incremental == full
    assert sorted(len(m) for _, m in full) == [2, 4]


def test_identities_from_the_shell(
    cli_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    refs = []
    for fields in ({"name": "Aydın Kərimov"}, {"name": "Farid Nuriyev"}, {"name": "Elvin Səfərov"}):
        code, out, _ = run(monkeypatch, capsys, "match", "add", "--kind", "person", "--name", fields["name"],
                           "--format", "json")  # fmt: skip
        assert code == 0, out
        refs.append(json.loads(out)["id"])
    a, b, c = refs
    for x, y, verdict in ((a, b, "same"), (a, c, "not_same"), (b, c, "same")):
        assert run(monkeypatch, capsys, "match", "judge", x, y, verdict)[0] == 0
    code, out, _ = run(monkeypatch, capsys, "identities", "resolve")
    assert code == 0 and "person: 1 identities of two or more records" in out
    code, out, _ = run(monkeypatch, capsys, "identities", "show", c)
    assert code == 0 and "2 members" in out and "Elvin Səfərov" in out and "judged same by user" in out
    code, out, _ = run(monkeypatch, capsys, "identities", "conflicts")
    assert code == 0 and "1 conflicts" in out and f"{a} and {c} were judged not the same" in out
    code, _, err = run(monkeypatch, capsys, "identities", "show", "nobody")
    assert code != 0 and "no identity or entity 'nobody'" in err


def test_identities_api(api_client: Any) -> None:
    made = []
    for record in REZAEI[:2]:
        response = api_client.post("/api/match/entities", json={"kind": "person", **record})
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    found = api_client.get(f"/api/identities/{made[1]}").json()
    assert sorted(found["members"]) == sorted(made) and found["evidence"][0]["feature"] == "document"
    assert api_client.post("/api/identities/resolve?kind=person").json()[0]["identities"] == 1
    assert api_client.get("/api/identities/conflicts").json() == []
    assert api_client.get("/api/identities/nobody").status_code == 404
