"""One incident told in two languages: each article's language is stored and shown, and the two
drafts are proposed as one incident as surely as two reports in one language would be.

The articles are made up for these tests (no third-party text).
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.news import service
from astara.news.evidence import Side, compare, score
from astara.news.reading import Incoming
from astara.news.schemas import DraftOut

PUBLISHED = dt.date(2026, 3, 11)
AZERBAIJANI = (
    "Astara gömrük postunda 12 kq heroin aşkarlanıb. 10 mart tarixində İrandan gələn yük "
    "maşınında gizlədilmiş 12 kiloqram heroin tapılıb."
)
RUSSIAN = (
    "На таможенном посту Астара изъято 12 кг героина. 10 марта 2026 года в грузовике, прибывшем "
    "из Ирана, таможенники обнаружили 12 килограммов героина."
)
ENGLISH = (
    "Customs officers at the Astara border post seized 12 kg of heroin on 10 March 2026 from a "
    "lorry arriving from Iran."
)
OTHER_ENGLISH = "On 10 March 2026 a lorry from Iran was stopped at Astara; 12 kg of heroin were found in it."


def _ingest(engine: Engine, scope: Scope, *articles: tuple[str, str, str]) -> dict[str, DraftOut]:
    """Ingest (external id, outlet, text) articles; the open drafts by external id of their article."""
    incoming = [Incoming(f"{n}.txt", n, text, PUBLISHED, outlet=outlet) for n, outlet, text in articles]
    with transaction(engine) as session:
        report = service.ingest(session, scope, incoming)
        page = service.list_drafts(session, scope, "open")
    names = {a.id: a.external_id for a in report.articles}
    return {names[d.article_id]: d for d in page.items}


def test_each_article_keeps_the_language_it_was_read_in(engine: Engine, scope: Scope) -> None:
    drafts = _ingest(engine, scope, ("az-1", "Cənub Xəbər", AZERBAIJANI), ("ru-1", "Южный вестник", RUSSIAN))
    assert {name: d.language for name, d in drafts.items()} == {"az-1": "az", "ru-1": "ru"}
    assert all(d.items[0].drug == "heroin" and d.items[0].kg == 12 for d in drafts.values())


def test_the_feed_s_language_is_kept_as_a_plain_code(engine: Engine, scope: Scope) -> None:
    incoming = Incoming("x.txt", "x", ENGLISH, PUBLISHED, outlet="Border Wire", language="EN-gb")
    with transaction(engine) as session:
        report = service.ingest(session, scope, [incoming])
    assert report.articles[0].language == "en" and report.articles[0].drafts


def test_an_incident_in_azerbaijani_and_russian_is_proposed_as_one(engine: Engine, scope: Scope) -> None:
    drafts = _ingest(engine, scope, ("az-1", "Cənub Xəbər", AZERBAIJANI), ("ru-1", "Южный вестник", RUSSIAN))
    (proposal,) = drafts["ru-1"].proposals
    assert proposal.target == drafts["az-1"].id
    assert "told in another language (Russian and Azerbaijani)" in proposal.reasons
    assert "same date 2026-03-10" in proposal.reasons and "same place (astara" in " ".join(proposal.reasons)


def test_a_pair_across_languages_scores_as_a_pair_in_one_language(engine: Engine, scope: Scope) -> None:
    across = _ingest(engine, scope, ("az-1", "Cənub Xəbər", AZERBAIJANI), ("ru-1", "Южный вестник", RUSSIAN))
    (crossed,) = across["ru-1"].proposals
    with transaction(engine) as session:  # the same incident told twice in English, in another agency's
        service.reject(session, scope, across["az-1"].id, "a test")  # queue would do; here: only two open
        service.reject(session, scope, across["ru-1"].id, "a test")
    alike = _ingest(engine, scope, ("en-1", "Border Wire", ENGLISH), ("en-2", "Caspian Daily", OTHER_ENGLISH))
    (same,) = alike["en-2"].proposals
    assert crossed.score == same.score
    assert not any("another language" in r for r in same.reasons)


def test_place_words_are_compared_in_latin_letters() -> None:
    window = (dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    russian = Side([("heroin", 12.0, 12.0, "kg")], window, "AZ", "таможенный пост Астара", "a", "ru")
    english = Side([("heroin", 12.0, 12.0, "kg")], window, "AZ", "Astara customs post", "b", "en")
    elsewhere = Side([("heroin", 12.0, 12.0, "kg")], window, "AZ", "Bilasuvar", "c", "en")
    evidence = compare(russian, english)
    assert evidence is not None and "same place (astara)" in [e.text() for e in evidence]
    assert compare(russian, elsewhere) is None  # places that share no word contradict the match
    plain = compare(Side(russian.entries, window, "AZ", "Astara", "a"), english)
    assert plain is not None and score(evidence) == score(plain)


def test_the_page_and_the_api_show_the_language(api_client: TestClient, engine: Engine, scope: Scope) -> None:
    _ingest(engine, scope, ("az-1", "Cənub Xəbər", AZERBAIJANI), ("ru-1", "Южный вестник", RUSSIAN))
    page = api_client.get("/api/news/drafts").json()
    assert sorted(d["language"] for d in page["items"]) == ["az", "ru"]
    shown = {
        lang: api_client.get("/news", headers={"Accept-Language": lang}).text for lang in ("en", "az", "ru")
    }
    assert 'data-language="az">Azerbaijani<' in shown["en"] and 'lang="ru"' in shown["en"]
    assert "başqa dildə xəbər verilib (rus və azərbaycan)" in shown["az"]
    assert "сообщение на другом языке (русский и азербайджанский)" in shown["ru"]
