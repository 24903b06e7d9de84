"""/tokens: a user creates a token (shown once), sees and revokes their own; an administrator sees and
revokes every token of the agency; an analyst cannot revoke another user's token."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth import service
from astara.db.engine import transaction
from astara.settings import Settings
from conftest import PASSWORD
from fixtures.web import csrf_of, log_in

LEYLA, LEYLA_PASSWORD = "leyla@az-scs", "seven plums in a copper bowl"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from astara.web.app import create_app

    return create_app(settings)


@pytest.fixture
def admin(app: FastAPI, web_user: tuple[str, str]) -> TestClient:
    client = TestClient(app)
    assert log_in(client, *web_user).status_code == 303
    return client


@pytest.fixture
def leyla(app: FastAPI, engine: Engine, scope: Scope) -> TestClient:
    with transaction(engine) as session:
        service.add_user(session, scope, LEYLA, "analyst", LEYLA_PASSWORD)
    client = TestClient(app)
    assert log_in(client, LEYLA, LEYLA_PASSWORD).status_code == 303
    return client


def _create(client: TestClient, name: str) -> tuple[str, str]:
    """(the page after creating, the token it shows)."""
    page = client.post("/tokens", data={"name": name, "csrf_token": csrf_of(client.get("/tokens").text)})
    found = re.search(r'id="new-token" class="token" value="([^"]+)"', page.text)
    return page.text, found.group(1) if found else ""


def _revoke(client: TestClient, token_id: int) -> Response:
    csrf = csrf_of(client.get("/tokens").text)
    return client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf})


def test_a_token_is_shown_once_and_works(leyla: TestClient, app: FastAPI) -> None:
    page, token = _create(leyla, "nightly export")
    assert token.startswith("astara_") and "It is shown only now, never again." in page
    assert "Copy it" in page and "nightly export" in page
    bearer = {"Authorization": f"Bearer {token}"}
    assert TestClient(app).get("/api/me", headers=bearer).json()["role"] == "analyst"
    again = leyla.get("/tokens")
    assert token not in again.text and token[:12] in again.text  # only its beginning, ever again
    assert "no-store" in again.headers["cache-control"]
    row = re.search(r"<tr>(?:(?!</tr>).)*nightly export.*?</tr>", again.text, re.S)
    assert row and "never" not in row.group(0)  # used just now


def test_a_user_revokes_their_token(leyla: TestClient, app: FastAPI) -> None:
    _page, token = _create(leyla, "laptop")
    (number,) = [int(n) for n in re.findall(r'action="/tokens/(\d+)/revoke"', leyla.get("/tokens").text)]
    done = _revoke(leyla, number)
    assert html.unescape(done.text).count("Token “laptop” revoked: it no longer works.") == 1
    assert "revoked" in done.text and f'action="/tokens/{number}/revoke"' not in done.text
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_name_problem_is_shown_at_the_field_in_russian(leyla: TestClient) -> None:
    leyla.post("/language", data={"language": "ru", "csrf_token": csrf_of(leyla.get("/tokens").text)})
    page, token = _create(leyla, "   ")
    assert token == "" and 'id="e-name">Дайте токену название от 1 до 100 символов' in page


def test_an_administrator_sees_and_revokes_every_token(
    admin: TestClient, leyla: TestClient, app: FastAPI
) -> None:
    _page, hers = _create(leyla, "her script")
    page = admin.get("/tokens").text
    assert "All API tokens of the agency" in page and "her script" in page and LEYLA in page
    (number,) = re.findall(r"<td class=\"num\">(\d+)</td><td><bdi data-free>her script", page)
    _revoke(admin, int(number))
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {hers}"}).status_code == 401


def test_an_analyst_cannot_revoke_another_users_token(
    admin: TestClient, leyla: TestClient, app: FastAPI
) -> None:
    _page, mine = _create(admin, "admin's export")
    page = leyla.get("/tokens").text
    assert "admin's export" not in html.unescape(page) and "Your tokens" in page  # only her own
    created = re.search(r"Token (\d+) created", _create(admin, "second")[0])
    assert created
    refused = _revoke(leyla, int(created.group(1)))
    assert refused.status_code == 403
    assert "Only an administrator may revoke another user&#39;s token." in refused.text
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {mine}"}).status_code == 200
    assert PASSWORD not in page
