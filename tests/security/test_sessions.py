"""Hole 8 (sessions): logout ends a session server-side in every worker; nothing but an id in the cookie;
logins, failed logins and logouts are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from astara.agencies.scope import Scope
from astara.auth.service import set_password
from astara.db.engine import transaction
from astara.db.models import AuditEntry, WebSession
from astara.settings import Settings
from astara.web.app import create_app
from conftest import TEST_SECRET
from fixtures.forge import cookie_content, forged_cookie
from fixtures.web import csrf_of, log_in


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def _replay(app_client: TestClient, cookie: str) -> TestClient:
    """A client of the same server holding nothing but a saved copy of the session cookie."""
    other = TestClient(app_client.app)
    other.cookies.set("astara_session", cookie)
    return other


def test_a_saved_cookie_no_longer_works_after_logout(client: TestClient, web_user: tuple[str, str]) -> None:
    log_in(client, *web_user)
    saved = client.cookies["astara_session"]
    assert _replay(client, saved).get("/api/me").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)}, follow_redirects=False)
    assert out.status_code == 303
    thief = _replay(client, saved)
    api = thief.get("/api/me")
    assert api.status_code == 401 and "session has ended" in api.json()["error"]["message"]
    page = thief.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_logout_in_one_worker_ends_the_session_in_another(
    settings: Settings, web_user: tuple[str, str]
) -> None:
    worker_a, worker_b = TestClient(create_app(settings)), TestClient(create_app(settings))
    log_in(worker_a, *web_user)
    saved = worker_a.cookies["astara_session"]
    on_b = _replay(worker_b, saved)
    assert on_b.get("/api/me").status_code == 200
    on_b.post("/logout", data={"csrf_token": csrf_of(on_b.get("/").text)})
    assert _replay(worker_a, saved).get("/api/me").status_code == 401


def test_the_cookie_holds_a_session_id_and_no_user(client: TestClient, web_user: tuple[str, str]) -> None:
    log_in(client, *web_user)
    content = cookie_content(TEST_SECRET, client.cookies["astara_session"])
    assert set(content) <= {"sid", "csrf", "lang", "name"} and len(content["sid"]) >= 40
    # the old cookie shape, re-signed with the key itself, names a user but no session: refused
    forged = _replay(client, forged_cookie(TEST_SECRET, {"user_id": 1, "csrf": "c"}))
    assert forged.get("/api/me").status_code == 401


def test_an_expired_or_password_changed_session_ends(
    client: TestClient, web_user: tuple[str, str], engine: Engine, scope: Scope
) -> None:
    now = [0.0]
    client.app.state.runtime.acting.clock = lambda: now[0]  # type: ignore[attr-defined]
    log_in(client, *web_user)
    with transaction(engine) as session:
        session.execute(update(WebSession).values(expires_at=dt.datetime(2020, 1, 1)))
    assert client.get("/api/me").status_code == 401
    log_in(client, *web_user)
    assert client.get("/api/me").status_code == 200
    with transaction(engine) as session:  # as another process would: seen within a second
        set_password(session, scope, web_user[0], "another long passphrase 2")
        rows = session.scalars(select(WebSession)).all()
    now[0] += 1.0
    assert client.get("/api/me").status_code == 401
    assert rows and all(r.revoked_at is not None for r in rows)


def test_authenticated_answers_are_not_stored_by_caches(
    client: TestClient, web_user: tuple[str, str], api_client: TestClient
) -> None:
    log_in(client, *web_user)
    assert client.get("/").headers["cache-control"] == "no-store"
    assert api_client.get("/api/seizures").headers["cache-control"] == "no-store"
    assert client.get("/login").headers["cache-control"] == "no-store"
    static = client.get("/static/astara.css")
    assert static.status_code == 200 and "cache-control" not in static.headers


def _audit(engine: Engine, scope: Scope) -> list[tuple[str, str, dict[str, object]]]:
    with transaction(engine) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.agency_id == scope.agency_id)
                               .order_by(AuditEntry.seq)).all()  # fmt: skip
        return [(r.action, r.actor, r.details) for r in rows]


def test_logins_failures_and_logouts_are_audited_without_the_password(
    settings: Settings, web_user: tuple[str, str], engine: Engine, scope: Scope
) -> None:
    client = TestClient(create_app(settings), client=("192.0.2.10", 5000))
    log_in(client, web_user[0], "the wrong passphrase")
    log_in(client, "nobody@nowhere", "another wrong passphrase")
    log_in(client, *web_user)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    user = f"user:{scope.user_id} (session)"
    logins = [row for row in _audit(engine, scope) if row[0] in {"login", "login_failed", "logout"}]
    assert logins == [
        ("login_failed", "anonymous", {"username": web_user[0], "client": "192.0.2.10"}),
        ("login_failed", "anonymous", {"username": "nobody@nowhere", "client": "192.0.2.10"}),
        ("login", user, {"client": "192.0.2.10"}),
        ("logout", user, {"client": "192.0.2.10"}),
    ]
    assert "passphrase" not in str(_audit(engine, scope))
