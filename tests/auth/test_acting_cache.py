"""Who acts is remembered for at most a second: a token revoked, a session ended, a user disabled or
a role changed by another process counts within a second; by this process's own pages at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth import service as auth
from astara.auth.service import scope_of
from astara.db.engine import transaction
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.web import csrf_of, log_in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _client(settings: Settings, clock: Clock, token: str | None = None) -> TestClient:
    app = create_app(settings)
    app.state.runtime.acting.clock = clock
    return TestClient(app, headers={"Authorization": f"Bearer {token}"} if token else {})


def _analyst(engine: Engine, scope: Scope) -> str:
    """A token of a new analyst of the agency."""
    with transaction(engine) as session:
        user = auth.add_user(session, scope, "analyst@az", "analyst", None)
        session.flush()
        return auth.create_token(session, scope_of(session, user), "script")[1]


def test_a_token_revoked_elsewhere_stops_within_a_second(
    settings: Settings, engine: Engine, scope: Scope, api_token: str, clock: Clock
) -> None:
    client = _client(settings, clock, api_token)
    assert client.get("/api/me").status_code == 200
    with transaction(engine) as session:  # another process: the store, not this app's services
        (token,) = auth.list_tokens(session, scope)
        auth.revoke_token(session, scope, token.id)
    clock.now += 1.0
    answer = client.get("/api/me")
    assert answer.status_code == 401, answer.text


def test_a_user_disabled_elsewhere_stops_within_a_second(
    settings: Settings, engine: Engine, scope: Scope, clock: Clock
) -> None:
    client = _client(settings, clock, _analyst(engine, scope))
    assert client.get("/api/me").json()["role"] == "analyst"
    with transaction(engine) as session:
        auth.set_active(session, scope, "analyst@az", False)
    clock.now += 1.0
    assert client.get("/api/me").status_code == 401


def test_a_role_changed_elsewhere_counts_within_a_second(
    settings: Settings, engine: Engine, scope: Scope, clock: Clock
) -> None:
    client = _client(settings, clock, _analyst(engine, scope))
    assert client.get("/api/me").json()["role"] == "analyst"
    with transaction(engine) as session:
        auth.set_role(session, scope, "analyst@az", "administrator")
    clock.now += 1.0
    assert client.get("/api/me").json()["role"] == "administrator"


def test_a_session_ended_elsewhere_stops_within_a_second(
    settings: Settings, engine: Engine, scope: Scope, web_user: tuple[str, str], clock: Clock
) -> None:
    client = _client(settings, clock)
    assert log_in(client, *web_user).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    with transaction(engine) as session:  # the password changed elsewhere: its sessions end
        auth.set_password(session, scope, web_user[0], "another correct horse battery")
    clock.now += 1.0
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_token_revoked_here_stops_at_once(
    settings: Settings, engine: Engine, scope: Scope, api_token: str, clock: Clock
) -> None:
    client = _client(settings, clock, api_token)
    (token,) = client.get("/api/tokens").json()
    assert client.delete(f"/api/tokens/{token['id']}").status_code == 200
    assert client.get("/api/me").status_code == 401  # the clock has not moved


def test_a_logout_here_ends_the_session_at_once(
    settings: Settings, scope: Scope, web_user: tuple[str, str], clock: Clock
) -> None:
    client = _client(settings, clock)
    assert log_in(client, *web_user).status_code == 303
    cookie = client.cookies.get("astara_session")
    csrf = csrf_of(client.get("/").text)
    logout = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert logout.status_code == 303
    client.cookies.set("astara_session", cookie or "")  # the old cookie, replayed
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
