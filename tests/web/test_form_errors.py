"""After a failed submit, every form comes back with its problem on the page, in the page's language,
with a CSRF token that works: never a raw JSON 403 "CSRF check" or a raw JSON error."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.matching import store
from astara.news import service as news
from fixtures.web import csrf_of

ARTICLES = Path(__file__).resolve().parents[1] / "news" / "articles"


def _set_language(client: TestClient, language: str) -> None:
    page = client.get("/")
    client.post("/language", data={"language": language, "csrf_token": csrf_of(page.text), "next": "/"})


def _event_id(client: TestClient) -> str:
    found = re.search(r'href="/seizures/(?!new")([^"/]+)"', client.get("/").text)
    assert found
    return found.group(1)


def _edit_data(form: str, **changes: str) -> dict[str, str]:
    """The fields an edit form holds, as a browser would post them, with ``changes``."""
    data = {m.group(1): m.group(2) for m in re.finditer(r'name="([^"]+)"[^>]*?value="([^"]*)"', form)}
    for select in re.finditer(r'<select name="([^"]+)".*?</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(0))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    notes = re.search(r'<textarea name="notes"[^>]*>(.*?)</textarea>', form, re.S)
    data["notes"] = notes.group(1) if notes else ""
    data.pop("action", None)
    return {**data, **changes}


def _still_works(client: TestClient, page: str, url: str, data: dict[str, str]) -> None:
    """The page's CSRF token is accepted: the form can be submitted again from it."""
    again = client.post(url, data={**data, "csrf_token": csrf_of(page)}, follow_redirects=False)
    assert "CSRF check" not in again.text


@pytest.mark.parametrize(("language", "words"), [("en", "more than zero"), ("fa", "بیشتر از ۰")])
def test_an_invalid_edit_comes_back_with_the_problem_at_its_field(
    browser_like: TestClient, language: str, words: str
) -> None:
    _set_language(browser_like, language)
    event_id = _event_id(browser_like)
    form = browser_like.get(f"/seizures/{event_id}/edit").text
    bad = browser_like.post(f"/seizures/{event_id}/edit", data=_edit_data(form, **{"items-0-quantity": "-5"}))
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert "CSRF check" not in bad.text
    assert 'name="items-0-quantity"' in bad.text and 'value="-5"' in bad.text  # what was typed is kept
    field_error = re.search(r'id="e-items-0-quantity"[^>]*>([^<]+)<', bad.text)
    assert field_error and words in field_error.group(1)
    fixed = browser_like.post(
        f"/seizures/{event_id}/edit",
        data=_edit_data(bad.text, **{"items-0-quantity": "5"}),
        follow_redirects=False,
    )
    assert fixed.status_code == 303


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Someone else saved this seizure"), ("fa", "کس دیگری این کشف را ذخیره کرده")],
)
def test_the_edit_conflict_is_reached_with_both_versions(
    browser_like: TestClient, language: str, words: str
) -> None:
    _set_language(browser_like, language)
    event_id = _event_id(browser_like)
    form = browser_like.get(f"/seizures/{event_id}/edit").text
    first = browser_like.post(
        f"/seizures/{event_id}/edit", data=_edit_data(form, notes="theirs: checked"), follow_redirects=False
    )
    assert first.status_code == 303
    mine = browser_like.post(f"/seizures/{event_id}/edit", data=_edit_data(form, notes="mine: re-weighed"))
    assert mine.status_code == 409 and "CSRF check" not in mine.text and words in mine.text
    assert "mine: re-weighed" in mine.text and "theirs: checked" in mine.text  # both versions shown
    assert 'name="version" value="2"' in mine.text
    saved = browser_like.post(
        f"/seizures/{event_id}/edit",
        data=_edit_data(mine.text, notes="mine: re-weighed"),
        follow_redirects=False,
    )
    assert saved.status_code == 303


@pytest.fixture
def drafts(engine: Engine, scope: Scope) -> list[str]:
    with transaction(engine) as session:
        incoming = news.read_paths(
            [ARTICLES / "caspian_courier_astara_heroin.txt"],
            outlet="Caspian Courier",
            published=dt.date(2025, 3, 14),
        )
        return [d for a in news.ingest(session, scope, incoming).articles for d in a.drafts]


@pytest.mark.parametrize(("language", "words"), [("en", "was rejected"), ("fa", "رد شده")])
def test_accepting_a_rejected_draft_says_so_on_the_news_page(
    browser_like: TestClient, drafts: list[str], language: str, words: str
) -> None:
    _set_language(browser_like, language)
    draft = drafts[0]
    page = browser_like.get("/news").text
    rejected = browser_like.post(
        f"/news/{draft}/reject",
        data={"csrf_token": csrf_of(page), "reason": "old news"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    again = browser_like.post(f"/news/{draft}/accept", data={"csrf_token": csrf_of(page)})
    assert again.status_code == 409 and "CSRF check" not in again.text and words in again.text
    assert "<h1" in again.text
    _still_works(browser_like, again.text, f"/news/{draft}/accept", {})


@pytest.mark.parametrize(
    ("language", "words"), [("en", "no seizure or news draft"), ("fa", "هیچ کشف یا پیش‌نویسی")]
)
def test_merging_into_an_unknown_id_says_so_on_the_news_page(
    browser_like: TestClient, drafts: list[str], language: str, words: str
) -> None:
    _set_language(browser_like, language)
    page = browser_like.get("/news").text
    merged = browser_like.post(
        f"/news/{drafts[0]}/merge", data={"csrf_token": csrf_of(page), "into": "nowhere-1"}
    )
    assert merged.status_code == 404 and "CSRF check" not in merged.text and words in merged.text
    assert "nowhere-1" in merged.text


@pytest.mark.parametrize(("language", "words"), [("en", "exists already"), ("fa", "از پیش وجود دارد")])
def test_a_duplicate_watch_list_name_says_so_on_the_page(
    browser_like: TestClient, language: str, words: str
) -> None:
    _set_language(browser_like, language)
    page = browser_like.get("/watchlists").text
    data = {"csrf_token": csrf_of(page), "name": "couriers"}
    assert browser_like.post("/watchlists", data=data, follow_redirects=False).status_code == 303
    twice = browser_like.post("/watchlists", data=data)
    assert twice.status_code == 409 and "CSRF check" not in twice.text and words in twice.text
    assert "couriers" in twice.text


@pytest.mark.parametrize(("language", "words"), [("en", "acknowledged already"), ("fa", "پیش‌تر تأیید شده")])
def test_acknowledging_an_alert_twice_says_so_on_the_page(
    browser_like: TestClient, engine: Engine, scope: Scope, language: str, words: str
) -> None:
    _set_language(browser_like, language)
    csrf = csrf_of(browser_like.get("/watchlists").text)
    browser_like.post("/watchlists", data={"csrf_token": csrf, "name": "couriers"})
    browser_like.post(
        "/watchlists/couriers/entries",
        data={"csrf_token": csrf, "kind": "person", "name": "Mohammad Rezaei", "birth_date": "1985-06-12"},
    )
    with transaction(engine) as session:
        store.create_entity(session, scope, "person", {"name": "MOHAMMAD REZAEI", "birth_date": "1985-06-12"})
    alerts = browser_like.get("/alerts").text
    alert = re.search(r'action="/alerts/(\d+)/ack"', alerts)
    assert alert
    assert browser_like.post(f"/alerts/{alert.group(1)}/ack", data={"csrf_token": csrf}).status_code == 200
    twice = browser_like.post(f"/alerts/{alert.group(1)}/ack", data={"csrf_token": csrf})
    assert twice.status_code == 409 and "CSRF check" not in twice.text and words in twice.text


def test_a_form_from_an_ended_session_gets_a_page_not_json(browser_like: TestClient) -> None:
    page = browser_like.get("/watchlists").text
    stale = browser_like.post("/watchlists", data={"csrf_token": "not-the-token", "name": "x"})
    assert stale.status_code == 403 and stale.headers["content-type"].startswith("text/html")
    assert "reload the page" in stale.text.lower() and csrf_of(stale.text) == csrf_of(page)


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Another seizure has the reference"), ("fa", "از آنِ کشف دیگری است")]
)
def test_a_reference_another_seizure_has_is_shown_at_its_field(
    browser_like: TestClient, language: str, words: str
) -> None:
    _set_language(browser_like, language)
    new = browser_like.get("/seizures/new").text
    made = browser_like.post(
        "/seizures/new",
        data={
            "csrf_token": csrf_of(new),
            "reference": "TAKEN-1",
            "date": "2016",
            "country": "AZ",
            "items-0-drug": "heroin",
            "items-0-quantity": "1",
            "items-0-unit": "kg",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    event_id = _event_id(browser_like)
    if made.headers["location"].endswith(event_id):  # edit the other one
        event_id = re.findall(r'href="/seizures/(?!new")([^"/]+)"', browser_like.get("/").text)[-1]
    form = browser_like.get(f"/seizures/{event_id}/edit").text
    taken = browser_like.post(f"/seizures/{event_id}/edit", data=_edit_data(form, reference="TAKEN-1"))
    assert taken.status_code == 409 and "CSRF check" not in taken.text
    field_error = re.search(r'id="e-reference"[^>]*>(.+?)</span>', re.sub(r"</?bdi[^>]*>", "", taken.text))
    assert field_error and words in field_error.group(1) and 'value="TAKEN-1"' in taken.text
