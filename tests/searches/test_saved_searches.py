"""Saved searches: the list's filters, text search, period and sort saved under a name from the
list page, listed there, opened, renamed and deleted; each user sees only their own."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import add_user, set_password
from astara.db.engine import transaction
from astara.settings import Settings
from astara.web.app import create_app
from conftest import PASSWORD
from fixtures.web import csrf_of, log_in

LIST = "/?country=AZ&q=Astara&period=2016&sort=-kg&page=2"


def _save(client: TestClient, name: str, page_url: str = LIST) -> tuple[int, str, str]:
    """Submit the list page's "save this search" form, as a browser would; (status, page, location)."""
    page = client.get(page_url).text
    form = re.search(r'<form class="save-search".*?</form>', page, re.S)
    assert form, "the list page has no save form"
    query = re.search(r'name="query" value="([^"]*)"', form.group(0))
    assert query
    data = {"name": name, "query": query.group(1).replace("&amp;", "&"), "csrf_token": csrf_of(page)}
    sent = client.post("/searches", data=data, follow_redirects=False)
    return sent.status_code, sent.text, sent.headers.get("location", "")


def _language(client: TestClient, language: str) -> None:
    page = client.get("/searches")
    client.post("/language", data={"language": language, "csrf_token": csrf_of(page.text), "next": "/"})


def test_save_from_the_list_then_open_it_from_the_list_page(browser_like: TestClient) -> None:
    status, _, location = _save(browser_like, "  Astara heroin, by weight ")
    assert status == 303
    assert dict(parse_qsl(urlsplit(location).query)) == {
        "country": "AZ", "q": "Astara", "period": "2016", "sort": "-kg"  # the page number is not kept
    }  # fmt: skip
    page = browser_like.get("/").text
    link = re.search(r'<a href="(/searches/\d+)"><bdi>Astara heroin, by weight</bdi></a>', page)
    assert link, "the saved search is not in the list page's menu"
    opened = browser_like.get(link.group(1), follow_redirects=True)
    assert 'name="q" value="Astara"' in opened.text and 'name="country" value="AZ"' in opened.text


@pytest.mark.parametrize(("language", "empty", "taken"), [
    ("en", "Give the search a name.", "You already have a saved search with this name"),
    ("fa", "برای جست‌وجو نامی بگذارید.", "از پیش جست‌وجویی با این نام ذخیره کرده‌اید"),
])  # fmt: skip
def test_an_empty_or_used_name_is_said_at_the_name_field_in_the_pages_language(
    browser_like: TestClient, language: str, empty: str, taken: str
) -> None:
    _language(browser_like, language)
    status, page, _ = _save(browser_like, "   ")
    assert status == 422
    at_field = rf'id="s-new"[^>]*aria-invalid="true".*?<span class="field-error" id="se-new"><bdi>{empty}'
    assert re.search(at_field, page, re.S)
    assert "country=AZ&amp;q=Astara" in page  # what was to be saved is still there to save
    assert _save(browser_like, "Astara")[0] == 303
    status, page, _ = _save(browser_like, "Astara")
    assert status == 409 and taken in page
    assert 'value="Astara"' in page  # the name typed is kept


def test_rename_and_delete(browser_like: TestClient) -> None:
    _save(browser_like, "first")
    _save(browser_like, "second", "/?drug=heroin")
    page = browser_like.get("/searches").text
    first = re.search(r'action="/searches/(\d+)/rename"', page)
    assert first
    sid, token = first.group(1), csrf_of(page)
    clash = browser_like.post(f"/searches/{sid}/rename", data={"name": "second", "csrf_token": token})
    assert clash.status_code == 409 and "You already have a saved search with this name" in clash.text
    renamed = browser_like.post(f"/searches/{sid}/rename", data={"name": "Astara 2016", "csrf_token": token})
    assert "<bdi>Astara 2016</bdi>" in renamed.text and "<bdi>first</bdi>" not in renamed.text
    gone = browser_like.post(f"/searches/{sid}/delete", data={"csrf_token": token})
    assert "Astara 2016" not in gone.text and "<bdi>second</bdi>" in gone.text
    refused = browser_like.post(f"/searches/{sid}/delete", data={"csrf_token": "wrong"})
    assert refused.status_code == 403 and "{" not in refused.text[:1]


def test_another_user_never_sees_them(
    browser_like: TestClient, settings: Settings, engine: Engine, scope: Scope
) -> None:
    _save(browser_like, "mine only")
    sid = re.search(r'href="/searches/(\d+)"', browser_like.get("/").text)
    assert sid
    with transaction(engine) as session:
        add_user(session, scope, "farid@az-scs", "analyst", None)
        session.flush()
        set_password(session, scope, "farid@az-scs", PASSWORD)
    other = TestClient(create_app(settings))
    assert log_in(other, "farid@az-scs", PASSWORD).status_code == 303
    assert "mine only" not in other.get("/").text and "mine only" not in other.get("/searches").text
    assert other.get(f"/searches/{sid.group(1)}", follow_redirects=False).status_code == 404
    assert _save(other, "mine only")[0] == 303  # names are per user
