"""The News review page: duplicate evidence in the reader's language, and a queue read in the same few
queries however many drafts the page shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import NewsArticle, NewsDraft, utcnow
from astara.kit.ids import stable_id
from astara.news import service
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.web import news_pages

ARTICLES = Path(__file__).with_name("articles")
TODAY = dt.date(2026, 11, 28)


def test_duplicate_evidence_is_shown_in_the_page_language(
    api_client: TestClient, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        paths = [ARTICLES / "lankaran_today_opium.html", ARTICLES / "feed.jsonl"]
        service.ingest(session, scope, service.read_paths(paths))
    shown = {
        lang: api_client.get("/news", headers={"Accept-Language": lang}).text for lang in ("en", "ru", "fa")
    }
    assert "Opium 48.5 kg vs 48 kg (1% apart)" in shown["en"]
    assert "reported by another outlet" in shown["en"]
    assert "кг и 48 кг (разница 1%)" in shown["ru"] and "та же страна Азербайджан" in shown["ru"]
    assert "۴۸٫۵ کیلوگرم در برابر ۴۸ کیلوگرم (۱٪ اختلاف)" in shown["fa"]
    assert "reported by another outlet" not in shown["ru"] + shown["fa"]


def _queue(engine: Engine, scope: Scope, drafts: int, start: int = 0) -> None:
    """``drafts`` open drafts of as many articles, a few days apart, half of them telling of seizures
    recorded in the store, every fifth undated, so the page has candidates of both kinds to look up."""
    with transaction(engine) as session:
        for n in range(start, start + drafts):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=2 * n)
            kg = 10.0 + n
            if n % 2 == 0:
                seizures.create_seizure(
                    session,
                    scope,
                    SeizureCreate(date=day.isoformat(), country="AZ", place="Astara",
                                  items=[SeizureItemIn(drug="heroin", quantity=str(kg), unit="kg")]),
                    TODAY,
                )  # fmt: skip
            article = NewsArticle(
                id=stable_id("article", str(n)),
                agency_id=scope.agency_id,
                external_id=f"a{n}",
                outlet=f"Outlet {n % 3}",
                published=day + dt.timedelta(days=1),
                source_type="news",
                text_hash=stable_id("hash", str(n)),
                text=f"Customs officers in Astara seized {kg:g} kilograms of heroin.",
                warnings=[],
                ingested_at=utcnow(),
            )
            item = {"drug": "heroin", "drug_text": "heroin", "quantity": kg, "unit": "kg", "kg": kg}
            session.add(article)
            session.add(
                NewsDraft(
                    id=stable_id("draft", str(n)),
                    agency_id=scope.agency_id,
                    article_id=article.id,
                    status="open",
                    date=None if n % 5 == 4 else day.isoformat(),
                    country="AZ",
                    place="Astara",
                    confidence=0.8,
                    fields={"items": [item], "sentences": [[0, 40]], "marks": []},
                    warnings=[],
                    created_at=utcnow(),
                )
            )


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements every engine runs inside the block (the app's engine is its own)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_the_queue_is_read_in_the_same_queries_however_many_drafts_it_shows(
    api_client: TestClient, engine: Engine, scope: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(news_pages, "PER_PAGE", 200)
    # The acting user stays remembered, so its look-up is not counted in one request and not the other.
    api_client.app.state.runtime.acting.clock = lambda: 0.0  # type: ignore[attr-defined]
    _queue(engine, scope, 10)
    api_client.get("/news")  # the first request of a process also loads the vocabularies and the like
    with statements() as few:
        small = api_client.get("/news")
    _queue(engine, scope, 90, start=10)
    with statements() as many:
        large = api_client.get("/news")
    assert small.text.count('class="card draft"') == 10 and large.text.count('class="card draft"') == 100
    assert large.text.count('<section class="proposals"') > small.text.count('<section class="proposals"') > 0
    assert len(many) == len(few), "\n\n".join(many)


def test_a_page_of_drafts_proposes_what_each_draft_alone_would(engine: Engine, scope: Scope) -> None:
    _queue(engine, scope, 30)
    with transaction(engine) as session:
        page = service.list_drafts(session, scope, "open", limit=30)
        one_by_one = {d.id: service.get_draft(session, scope, d.id).proposals for d in page.items}
    assert sum(len(d.proposals) for d in page.items) > 30  # neighbours' drafts and recorded seizures
    assert {d.id: d.proposals for d in page.items} == one_by_one
