"""/users: an administrator lists, adds, re-roles, disables, enables and resets users through the page;
an analyst is refused; a disabled user's saved session and API token stop working at once."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth import service
from astara.db.engine import transaction
from astara.settings import Settings
from astara.sharing.repository import list_audit
from conftest import PASSWORD
from fixtures.web import csrf_of, log_in

LEYLA = "leyla@az-scs"
LEYLA_PASSWORD = "seven plums in a copper bowl"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from astara.web.app import create_app

    return create_app(settings)


@pytest.fixture
def client_of(app: FastAPI) -> Callable[[str, str], TestClient]:
    def make(username: str, password: str) -> TestClient:
        client = TestClient(app)
        assert log_in(client, username, password).status_code == 303
        return client

    return make


@pytest.fixture
def admin(client_of: Callable[[str, str], TestClient], web_user: tuple[str, str]) -> TestClient:
    return client_of(*web_user)


@pytest.fixture
def leyla(engine: Engine, scope: Scope) -> str:
    """An analyst of the agency, with a password."""
    with transaction(engine) as session:
        service.add_user(session, scope, LEYLA, "analyst", LEYLA_PASSWORD, "Leyla Mammadova")
    return LEYLA


def _post(client: TestClient, path: str, **data: str) -> Response:
    return client.post(path, data={"csrf_token": csrf_of(client.get("/tokens").text), **data})


def _field_errors(page: str) -> dict[str, str]:
    found = re.findall(r'<span class="field-error" id="e-([\w.-]+)">([^<]+)</span>', page)
    return {field: html.unescape(text) for field, text in found}


def test_an_administrator_adds_a_user_who_can_then_log_in(
    admin: TestClient, client_of: Callable[[str, str], TestClient], engine: Engine, scope: Scope
) -> None:
    page = admin.get("/users")
    assert page.status_code == 200 and "admin@az-scs" in page.text and 'href="/users"' in page.text
    data = {"username": "farid@az-scs", "display_name": "Farid Aliyev", "role": "liaison",
            "password": "a long pass phrase of mine", "csrf_token": csrf_of(page.text)}  # fmt: skip
    done = admin.post("/users", data=data)
    assert done.status_code == 200 and "User farid@az-scs added." in done.text
    row = re.search(r"<tr id=\"user-\d+\">(?:(?!</tr>).)*farid@az-scs.*?</tr>", done.text, re.S)
    assert row and "Farid Aliyev" in row.group(0) and 'value="liaison" selected' in row.group(0)
    assert "never" in row.group(0)  # no login yet
    farid = client_of("farid@az-scs", "a long pass phrase of mine")
    assert farid.get("/api/me").json()["role"] == "liaison"
    with transaction(engine) as session:
        (entry,) = list_audit(session, scope, 1, action="user")
        assert entry.details == {"change": "add", "user": "farid@az-scs", "role": "liaison"}


def test_a_weak_password_is_shown_at_its_field_in_persian(admin: TestClient, engine: Engine) -> None:
    admin.post("/language", data={"language": "fa", "csrf_token": csrf_of(admin.get("/users").text)})
    data = {"username": "farid@az-scs", "display_name": "Farid", "role": "analyst", "password": "short1",
            "csrf_token": csrf_of(admin.get("/users").text)}  # fmt: skip
    page = admin.post("/users", data=data)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    errors = _field_errors(page.text)
    assert errors["farid-az-scs-password"] == "گذرواژه دست‌کم ۱۲ نویسه لازم دارد؛ این یکی ۶ نویسه دارد."
    assert 'value="farid@az-scs"' in page.text and 'value="Farid"' in page.text  # what was typed is kept
    assert "short1" not in page.text  # never the password
    taken = admin.post("/users", data={**data, "username": "admin@az-scs", "password": "x" * 20})
    assert taken.status_code == 409 and "این نام کاربری پیش‌تر گرفته شده است." in taken.text


def test_an_administrator_changes_a_role(
    admin: TestClient, leyla: str, client_of: Callable[[str, str], TestClient]
) -> None:
    her = client_of(leyla, LEYLA_PASSWORD)
    assert her.get("/api/me").json()["role"] == "analyst"
    page = _post(admin, "/users/role", username=leyla, role="supervisor")
    assert "The role of leyla@az-scs is changed." in page.text
    assert her.get("/api/me").json()["role"] == "supervisor"  # at once, without logging in again
    assert 'href="/audit"' in her.get("/tokens").text  # and her links follow her role


def test_disabling_ends_the_sessions_and_stops_the_tokens_at_once(
    admin: TestClient, leyla: str, client_of: Callable[[str, str], TestClient], app: FastAPI,
    engine: Engine, scope: Scope,
) -> None:  # fmt: skip
    her = client_of(leyla, LEYLA_PASSWORD)
    saved_cookie = her.cookies["astara_session"]
    created = her.post("/tokens", data={"name": "her script", "csrf_token": csrf_of(her.get("/tokens").text)})
    token = re.search(r'id="new-token" class="token" value="([^"]+)"', created.text)
    assert token
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 200

    page = _post(admin, "/users/disable", username=leyla)
    assert "leyla@az-scs is disabled" in page.text
    assert "Disabled" in page.text
    again = TestClient(app, cookies={"astara_session": saved_cookie})
    assert again.get("/api/me").status_code == 401
    assert again.get("/tokens", follow_redirects=False).headers["location"].startswith("/login")
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 401
    assert log_in(TestClient(app), leyla, LEYLA_PASSWORD).status_code == 401

    page = _post(admin, "/users/enable", username=leyla)
    assert "leyla@az-scs is enabled again." in page.text
    assert TestClient(app, cookies={"astara_session": saved_cookie}).get("/api/me").status_code == 401
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 200  # the token was not revoked
    with transaction(engine) as session:
        changes = [e.details["change"] for e in list_audit(session, scope, 5, action="user")]
    assert changes[:2] == ["enable", "disable"]


def test_no_one_disables_themselves_or_removes_the_last_administrator(admin: TestClient, leyla: str) -> None:
    page = _post(admin, "/users/disable", username="admin@az-scs")
    assert page.status_code == 409
    errors = _field_errors(page.text)
    assert errors["admin-az-scs-user"] == "You cannot disable yourself; ask another administrator."
    page = _post(admin, "/users/role", username="admin@az-scs", role="analyst")
    assert page.status_code == 409
    assert _field_errors(page.text)["admin-az-scs-user"].startswith("This is the agency's last administrator")
    assert admin.get("/api/me").json()["role"] == "administrator"
    _post(admin, "/users/role", username=leyla, role="administrator")
    demoted = _post(admin, "/users/role", username="admin@az-scs", role="supervisor")  # leyla remains
    assert demoted.url.path == "/" and demoted.status_code == 200  # not to /users, which is no longer theirs
    assert admin.get("/api/me").json()["role"] == "supervisor"


def test_an_administrator_resets_a_password(
    admin: TestClient, leyla: str, client_of: Callable[[str, str], TestClient], app: FastAPI
) -> None:
    her = client_of(leyla, LEYLA_PASSWORD)
    weak = _post(admin, "/users/password", username=leyla, password="leyla-1234567")
    assert weak.status_code == 422
    assert _field_errors(weak.text)["leyla-az-scs-password"] == "The password must not contain the user name."
    page = _post(admin, "/users/password", username=leyla, password="a brand new phrase 42")
    assert "The password of leyla@az-scs is set" in page.text
    assert her.get("/api/me").status_code == 401  # whoever knew the old one is logged out
    assert log_in(TestClient(app), leyla, "a brand new phrase 42").status_code == 303


def test_an_analyst_is_refused_and_sees_why(
    leyla: str, client_of: Callable[[str, str], TestClient], engine: Engine, scope: Scope
) -> None:
    her = client_of(leyla, LEYLA_PASSWORD)
    nav = her.get("/tokens").text
    assert 'href="/users"' not in nav and 'href="/audit"' not in nav and 'href="/tokens"' in nav
    page = her.get("/users")
    said = html.unescape(page.text)
    assert page.status_code == 403 and "Only an administrator may see and change the agency's users." in said
    assert page.headers["content-type"].startswith("text/html")
    data = {"username": "mallory@az-scs", "role": "administrator", "password": "a long pass phrase of mine"}
    refused = _post(her, "/users", **data)
    assert refused.status_code == 403 and "Only an administrator" in refused.text
    assert _post(her, "/users/role", username=leyla, role="administrator").status_code == 403
    assert _post(her, "/users/disable", username="admin@az-scs").status_code == 403
    with transaction(engine) as session:
        names = [u.username for u in service.list_users(session, scope)]
    assert names == ["admin@az-scs", LEYLA]
    assert her.get("/api/me").json()["role"] == "analyst"


def test_a_stale_form_is_shown_again_with_a_fresh_token(admin: TestClient, leyla: str) -> None:
    page = admin.post("/users/disable", data={"username": leyla, "csrf_token": "stale"})
    assert page.status_code == 403 and "The form had expired" in page.text
    assert csrf_of(page.text) != "stale" and "Active" in page.text
    assert PASSWORD not in page.text
