"""``astara news ...`` and ``/api/news/...``: what an analyst types or a client sends, end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import create_token
from astara.db.engine import transaction
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.cli import run_cli as run

ARTICLES = Path(__file__).with_name("articles")


def feed_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (ARTICLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()]


def test_ingest_review_and_accept_from_the_shell(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    code, out, _ = run(monkeypatch, capsys, "news", "ingest", str(ARTICLES), "--published", "2025-03-14")
    assert code == 0, out
    assert "6 articles read, 6 stored, 0 already ingested, 4 drafts, 1 with a possible duplicate" in out
    assert "the feed says the language is 'ka'" in out
    assert re.search(r"^[0-9a-f]{32}  sb-004  .*  ka  0 draft", out, re.M)  # the feed's language
    assert re.search(r"^[0-9a-f]{32}  lankaran_today_opium  Lankaran Today  en  1 draft", out, re.M)
    assert re.search(
        r"draft [0-9a-f]{32}: possible duplicate of draft [0-9a-f]{32} \(opium 48.5 kg vs 48 kg", out
    )
    code, out, _ = run(monkeypatch, capsys, "news", "ingest", str(ARTICLES / "feed.jsonl"))
    assert "4 articles read, 0 stored, 4 already ingested, 0 drafts" in out

    code, out, _ = run(monkeypatch, capsys, "news", "list")
    assert code == 0 and "4 of 4 open drafts" in out
    ids = {
        m.group(2): m.group(1) for m in re.finditer(r"^([0-9a-f]{32})  open .*?  (\w+ [\d.]+) ", out, re.M)
    }
    assert "possible duplicate of draft" in out and "because: opium 48.5 kg vs 48 kg (1% apart)" in out

    code, out, _ = run(monkeypatch, capsys, "news", "show", ids["heroin 152.3"])
    assert (
        "quote     [Customs officers] at the [Astara border crossing] seized [152 kg 300 grams] of [heroin]"
        in out
    )
    assert "language en" in out

    code, out, _ = run(
        monkeypatch, capsys, "news", "accept", ids["heroin 152.3"], "--place", "Astara customs post"
    )
    assert code == 0, out
    event_id = out.split()[-1]
    code, out, _ = run(monkeypatch, capsys, "seizures", "show", event_id, "--format", "json")
    record = json.loads(out)
    assert record["source_type"] == "news" and record["place_text"] == "Astara customs post"
    assert record["source_grade"] == "F" and "152 kg 300 grams of heroin" in record["notes"]

    code, _, err = run(monkeypatch, capsys, "news", "accept", ids["heroin 152.3"])
    assert code == 4 and "was already accepted as seizure" in err

    code, out, _ = run(monkeypatch, capsys, "news", "merge", ids["opium 48.5"], "--into", ids["opium 48"])
    assert code == 0 and f"into draft {ids['opium 48']}" in out
    code, out, _ = run(
        monkeypatch, capsys, "news", "reject", ids["tramadol 2600"], "--reason", "pharmacy stock"
    )
    assert code == 0
    code, _, err = run(monkeypatch, capsys, "news", "accept", ids["tramadol 2600"])
    assert code == 4 and "was rejected (pharmacy stock)" in err
    code, _, err = run(monkeypatch, capsys, "news", "accept", ids["opium 48"], "--drug", "unobtainium")
    assert code == 2 and "items.0.drug" in err

    code, out, _ = run(monkeypatch, capsys, "news", "list", "--status", "all", "--format", "json")
    statuses = sorted(d["status"] for d in json.loads(out)["items"])
    assert statuses == ["accepted", "merged", "open", "rejected"]


def test_a_bad_feed_line_from_the_shell(
    cli_env: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    run(monkeypatch, capsys, "init")
    lines = (ARTICLES / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    feed = tmp_path / "wire.jsonl"
    feed.write_text("\n".join([lines[0], lines[1], '["not", "an", "object"]', lines[2]]) + "\n")
    code, _, err = run(monkeypatch, capsys, "news", "ingest", str(feed))
    assert code == 6 and "error: wire.jsonl line 3:" in err and "nothing was ingested" in err
    code, out, _ = run(monkeypatch, capsys, "news", "list", "--status", "all")
    assert "0 of 0 all drafts" in out


def test_the_api(api_client: TestClient, engine: Engine, scope: Scope, scope_b: Scope) -> None:
    response = api_client.post("/api/news/articles", json=feed_lines())
    assert response.status_code == 201, response.text
    assert response.json()["drafts_created"] == 2
    assert api_client.post("/api/news/articles", json=feed_lines()).json()["already_ingested"] == 4
    bad = api_client.post("/api/news/articles", json=[{"id": "x", "text": "t", "published": "yesterday"}])
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "0.published"

    page = api_client.get("/api/news/drafts").json()
    drafts = {d["items"][0]["drug"]: d for d in page["items"]}
    assert page["total"] == 2 and drafts["opium"]["highlighted"]
    assert api_client.get("/api/news/drafts", params={"status": "nonsense"}).status_code == 422
    tramadol, opium = drafts["tramadol"]["id"], drafts["opium"]["id"]

    accepted = api_client.post(f"/api/news/drafts/{tramadol}/accept", json={"edits": {"quantity": 2650}})
    assert accepted.status_code == 201, accepted.text
    event = accepted.json()
    assert event["items"][0]["quantity"] == 2650 and event["source_type"] == "news"
    assert event["source_ref"] == "https://southern-border.example/news/sb-002"
    again = api_client.post(f"/api/news/drafts/{tramadol}/accept")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert api_client.get(f"/api/seizures/{event['id']}").status_code == 200

    merged = api_client.post(f"/api/news/drafts/{opium}/merge", json={"into": event["id"]})
    assert merged.status_code == 200 and merged.json()["status"] == "merged"
    sources = api_client.get(f"/api/news/sources/{event['id']}").json()
    assert [s["url"] for s in sources] == [
        "https://southern-border.example/news/sb-002",
        "https://southern-border.example/news/sb-001",
    ]
    assert api_client.get("/api/seizures").json()["total"] == 1
    rejected = api_client.post(f"/api/news/drafts/{opium}/reject", json={"reason": "dup"})
    assert rejected.status_code == 409

    # another agency's token: it cannot see or decide this agency's drafts
    with transaction(engine) as session:
        token_b = create_token(session, scope_b, "b")[1]
    other = TestClient(api_client.app, headers={"Authorization": f"Bearer {token_b}"})
    assert other.get("/api/news/drafts", params={"status": "all"}).json()["total"] == 0
    assert other.get(f"/api/news/drafts/{opium}").status_code == 404
    assert other.post(f"/api/news/drafts/{opium}/accept").status_code == 404
    assert other.get(f"/api/news/articles/{drafts['opium']['article_id']}").status_code == 404
    assert api_client.get(f"/api/news/articles/{drafts['opium']['article_id']}").json()["outlet"] == (
        "Southern Border Herald"
    )


def test_the_review_page_accepts_and_shows_errors(settings: Settings, api_token: str) -> None:
    client = TestClient(create_app(settings), headers={"Authorization": f"Bearer {api_token}"})
    client.post("/api/news/articles", json=feed_lines())
    page = client.get("/news")
    assert page.status_code == 200 and "News review" in page.text
    assert '<mark title="quantity">2,600 tablets</mark>' in page.text
    draft = next(
        d for d in client.get("/api/news/drafts").json()["items"] if d["items"][0]["drug"] == "tramadol"
    )
    bad = client.post(f"/news/{draft['id']}/accept", data={"date": "2025-02-30"}, follow_redirects=False)
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "date" in bad.text
    done = client.post(f"/news/{draft['id']}/accept", data={"place": "Baku"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/news?status=open&done=accept")
    event_id = done.headers["location"].rsplit("%3A", 1)[1]
    detail = client.get(f"/seizures/{event_id}")
    assert "https://southern-border.example/news/sb-002" in detail.text
    assert "Police in Baku seized 2,600 tablets of tramadol" in detail.text
    assert client.get("/news?status=accepted").text.count('class="card draft"') == 1
    # the form sends every field; values the draft already had are not recorded as edits
    assert "edits" not in client.get(f"/api/news/drafts/{draft['id']}").json()["fields"]


def test_the_review_page_pages_through_a_long_queue(
    settings: Settings, api_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from astara.web import news_pages

    monkeypatch.setattr(news_pages, "PER_PAGE", 1)
    client = TestClient(create_app(settings), headers={"Authorization": f"Bearer {api_token}"})
    client.post("/api/news/articles", json=feed_lines())
    total = client.get("/api/news/drafts").json()["total"]
    assert total >= 2
    first = client.get("/news").text
    assert first.count('class="card draft"') == 1 and 'href="/news?status=open&amp;page=2"' in first
    last = client.get(f"/news?page={total}").text
    assert last.count('class="card draft"') == 1
    assert 'rel="next"' not in last and 'rel="prev"' in last
