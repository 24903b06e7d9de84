"""Page routes answer errors with a page of the site in its language; the API keeps its JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.make import ids_row, import_file, write_ids
from fixtures.web import csrf_of, log_in


@pytest.fixture
def client(
    settings: Settings, engine: Engine, scope: Scope, web_user: tuple[str, str], tmp_path: Path
) -> TestClient:
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", [ids_row()]))
    client = TestClient(create_app(settings))
    assert log_in(client, *web_user).status_code == 303
    return client


def _speak(client: TestClient, language: str) -> None:
    page = client.get("/").text
    client.post("/language", data={"language": language, "csrf_token": csrf_of(page), "next": "/"})


@pytest.mark.parametrize(("language", "title", "message"), [
    ("en", "Not found", "There is no seizure “no-such-id” here."),
    ("fa", "یافت نشد", "کشفی با شناسهٔ «no-such-id» اینجا نیست."),
])  # fmt: skip
def test_an_unknown_seizure_is_a_translated_page(
    client: TestClient, language: str, title: str, message: str
) -> None:
    _speak(client, language)
    page = client.get("/seizures/no-such-id")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}"' in page.text and f"<h1>{title}</h1>" in page.text
    shown = re.sub(r"</?bdi[^>]*>", "", page.text)  # the id typed is marked as data: the same words
    assert message in shown and '<nav aria-label="' in page.text  # inside the normal layout
    api = client.get("/api/seizures/no-such-id")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("language", "message"), [
    ("en", "There is no page at this address."), ("fa", "در این نشانی صفحه‌ای نیست."),
])  # fmt: skip
def test_an_unknown_address_is_a_page_and_an_unknown_api_address_json(
    client: TestClient, language: str, message: str
) -> None:
    _speak(client, language)
    page = client.get("/no/such/page")
    assert page.status_code == 404 and message in page.text and "<h1>" in page.text
    assert client.get("/api/no-such-thing").json() == {"detail": "Not Found"}


def test_an_unknown_seizure_to_edit_is_a_page(client: TestClient) -> None:
    edit = client.get("/seizures/no-such-id/edit")
    assert edit.status_code == 404 and edit.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in edit.text and "no-such-id" in edit.text


def test_a_forbidden_page_is_a_translated_page(client: TestClient) -> None:
    _speak(client, "fa")
    stale = client.post("/watchlists", data={"csrf_token": "from-another-site", "name": "x"})
    assert stale.status_code == 403 and stale.headers["content-type"].startswith("text/html")
    assert "<h1>اجازه ندارید</h1>" in stale.text and "مهلت این فرم گذشته است" in stale.text
