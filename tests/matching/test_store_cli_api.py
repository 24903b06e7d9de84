"""``astara match query | add | judge | watch | alerts | ack | reindex`` and the matching API, end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from astara.settings import Settings
from fixtures.cli import run_cli as run


def test_watch_list_import_alert_and_query_from_the_shell(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    assert (
        run(monkeypatch, capsys, "match", "watch", "create", "couriers", "--description", "Astara route")[0]
        == 0
    )
    code, out, _ = run(
        monkeypatch,
        capsys,
        "match",
        "watch",
        "add",
        "couriers",
        "--name",
        "محمد رضایی",
        "--birth-date",
        "1985-06-12",
    )
    assert code == 0 and "entry 1 added to 'couriers': محمد رضایی (1985-06-12)" in out
    path = tmp_path / "s.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["reference", "date", "country", "drug", "quantity", "unit", "person_name", "birth_date"]
        )
        writer.writerow(["R1", "2025-03-01", "AZ", "heroin", "12", "kg", "Мохаммад Резаи", "1985-06-12"])
    code, out, err = run(monkeypatch, capsys, "import", str(path), "--mapping", "astara")
    assert code == 0, out + err
    assert "persons created               1  (1 watch-list alerts)" in out
    code, out, _ = run(monkeypatch, capsys, "match", "alerts")
    assert code == 0 and "[couriers] محمد رضایی (1985-06-12) ~ Мохаммад Резаи (1985-06-12)" in out
    assert run(monkeypatch, capsys, "match", "ack", "1")[0] == 0
    code, out, err = run(monkeypatch, capsys, "match", "ack", "1")
    assert code == 4 and "acknowledged already" in err
    assert "(no alerts)" in run(monkeypatch, capsys, "match", "alerts")[1]

    code, out, _ = run(
        monkeypatch,
        capsys,
        "match",
        "query",
        "--name",
        "MOHAMMAD REZAEI",
        "--birth-date",
        "1985-06-12",
        "--format",
        "json",
    )
    assert code == 0
    result = json.loads(out)
    (candidate,) = result["candidates"]
    assert candidate["label"] == "Мохаммад Резаи (1985-06-12)" and candidate["decision"] == "match"
    person = candidate["entity_id"]

    code, out, _ = run(
        monkeypatch,
        capsys,
        "match",
        "add",
        "--json",
        '{"kind": "person", "name": "Mohammad Rezaei", "birth_date": "1985-06-12"}',
    )
    assert code == 0
    other = out.split()[1]
    assert "ALERT" in out  # the watch-list entry matches a person stored through the service too
    code, out, _ = run(monkeypatch, capsys, "match", "judge", person, other, "not_same", "--note", "twins")
    assert code == 0 and "not_same" in out
    code, out, _ = run(monkeypatch, capsys, "match", "query", "--entity", person)
    assert "judged not the same" in out and "name_match" in out
    code, out, _ = run(monkeypatch, capsys, "match", "judgements", other, person)
    assert "not_same  twins" in out
    code, out, _ = run(monkeypatch, capsys, "match", "reindex")
    assert code == 0 and "person 2" in out and "watch 1" in out
    code, out, err = run(monkeypatch, capsys, "match", "query", "--kind", "ship", "--name", "x")
    assert code == 2 and "unknown kind 'ship'" in err


def test_matching_api(api_client: TestClient) -> None:
    assert api_client.post("/api/watchlists", json={"name": "trucks"}).status_code == 201
    assert api_client.post("/api/watchlists", json={"name": "trucks"}).status_code == 409
    entry = api_client.post(
        "/api/watchlists/trucks/entries", json={"kind": "vehicle", "plate": "12B345-67", "country": "IR"}
    )
    assert entry.status_code == 201
    created = api_client.post("/api/match/entities", json={"kind": "vehicle", "plate": "۱۲ ب ۳۴۵ ایران ۶۷"})
    assert created.status_code == 201 and len(created.json()["alerts"]) == 1
    second = api_client.post(
        "/api/match/entities", json={"kind": "vehicle", "plate": "12 B 345 67", "country": "IR"}
    )
    response = api_client.post(
        "/api/match/query", json={"kind": "vehicle", "plate": "12-B-345-67", "country": "IR"}
    )
    assert response.status_code == 200
    body = response.json()
    assert {c["entity_id"] for c in body["candidates"]} == {created.json()["id"], second.json()["id"]}
    assert all(c["explanation"]["features"] and c["score"] > 0.9 for c in body["candidates"])
    judged = api_client.post(
        "/api/match/judgements",
        json={"kind": "vehicle", "a": created.json()["id"], "b": second.json()["id"], "verdict": "same"},
    )
    assert judged.status_code == 201 and judged.json()["verdict"] == "same"
    history = api_client.get(
        "/api/match/judgements", params={"a": second.json()["id"], "b": created.json()["id"]}
    )
    assert [j["verdict"] for j in history.json()] == ["same"]
    alerts = api_client.get("/api/alerts").json()
    assert len(alerts) == 2 and {a["origin"] for a in alerts} == {"service"}
    assert api_client.post(f"/api/alerts/{alerts[0]['id']}/ack").json()["status"] == "acknowledged"
    assert len(api_client.get("/api/alerts", params={"status": "all"}).json()) == 2
    removed = api_client.delete(f"/api/watchlists/trucks/entries/{entry.json()['id']}")
    assert removed.status_code == 200 and removed.json()["removed_at"]
    assert api_client.get("/api/watchlists").json()[0]["entries"] == 0
    bad = api_client.post("/api/match/query", json={"kind": "person", "nationality": "IR"})
    assert bad.status_code == 422 and "nothing to search by" in bad.json()["error"]["message"]
