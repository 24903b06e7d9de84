"""Logging in through the pages: CSRF, wrong passwords, rate limiting, first-run set-up, languages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import set_password
from astara.db.engine import transaction
from astara.settings import Settings
from astara.web.app import create_app
from conftest import PASSWORD
from fixtures.make import ids_row, import_file, write_ids
from fixtures.web import csrf_of, log_in


@pytest.fixture
def app_client(settings: Settings, engine: Engine, scope: Scope, tmp_path) -> TestClient:  # type: ignore[no-untyped-def]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT="12")]))
    return TestClient(create_app(settings))


def test_anonymous_pages_redirect_to_login_and_api_says_401(app_client: TestClient) -> None:
    page = app_client.get("/?country=AZ", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/%3Fcountry%3DAZ"
    api = app_client.get("/api/seizures")
    assert api.status_code == 401 and api.json()["error"]["code"] == "not_authenticated"


def test_login_then_the_list_then_logout(app_client: TestClient, web_user: tuple[str, str]) -> None:
    username, password = web_user
    wrong = log_in(app_client, username, "not the password at all")
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    unknown = log_in(app_client, "nobody@nowhere", password)
    assert unknown.status_code == 401 and "Wrong user name or password" in unknown.text  # same message
    ok = log_in(app_client, username, password, next_url="/?country=AZ")
    assert ok.status_code == 303 and ok.headers["location"] == "/?country=AZ"
    page = app_client.get("/?country=AZ")
    assert page.status_code == 200 and "1 seizure events" in page.text
    assert "Signed in as AZ-SCS administrator" in page.text
    assert app_client.get("/api/me").json()["role"] == "administrator"
    out = app_client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert app_client.get("/", follow_redirects=False).status_code == 303


def test_login_redirect_target_stays_on_this_site(app_client: TestClient, web_user: tuple[str, str]) -> None:
    response = log_in(app_client, *web_user, next_url="https://evil.example/")
    assert response.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused(app_client: TestClient, web_user: tuple[str, str]) -> None:
    refused = app_client.post("/login", data={"username": web_user[0], "password": web_user[1]})
    assert refused.status_code == 403 and "This form has expired" in refused.text  # a page, not JSON
    log_in(app_client, *web_user)
    body = {"reference": "X-1", "country": "AZ", "date": "2020-01-01",
            "items": [{"drug": "heroin", "quantity": 1, "unit": "kg"}]}  # fmt: skip
    no_header = app_client.post("/api/seizures", json=body)
    assert no_header.status_code == 403  # the session cookie alone does not let a page of another site write
    token = csrf_of(app_client.get("/").text)
    assert app_client.post("/api/seizures", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_repeated_failures_from_one_client_lock_that_name_there(
    app_client: TestClient, web_user: tuple[str, str]
) -> None:
    for _ in range(5):
        assert log_in(app_client, web_user[0], "wrong password here").status_code == 401
    locked = log_in(app_client, *web_user)  # even the right password
    assert locked.status_code == 429 and "try again in" in locked.text


def test_a_password_change_ends_other_sessions(
    app_client: TestClient, web_user: tuple[str, str], engine: Engine, scope: Scope
) -> None:
    now = [0.0]
    app_client.app.state.runtime.acting.clock = lambda: now[0]  # type: ignore[attr-defined]
    log_in(app_client, *web_user)
    assert app_client.get("/api/me").status_code == 200
    with transaction(engine) as session:  # elsewhere (another process): counts within a second
        set_password(session, scope, web_user[0], "another long passphrase 2")
    now[0] += 1.0
    assert app_client.get("/api/me").status_code == 401


def test_first_run_creates_the_administrator_only_with_the_printed_token(app_client: TestClient) -> None:
    login = app_client.get("/login")
    assert "no administrator yet" in login.text
    assert app_client.get("/setup", params={"token": "guess"}).status_code == 403
    token = app_client.app.state.setup_token  # type: ignore[attr-defined]
    form = app_client.get("/setup", params={"token": token})
    assert form.status_code == 200
    data = {"username": "leyla@az-scs", "password": "short", "password_again": "short",
            "token": token, "csrf_token": csrf_of(form.text)}  # fmt: skip
    weak = app_client.post("/setup", data=data)
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    data.update(password=PASSWORD, password_again=PASSWORD)
    made = app_client.post("/setup", data=data, follow_redirects=False)
    assert made.status_code == 303
    assert app_client.get("/api/me").json() == {"agency": "AZ-SCS", "user_id": 2, "role": "administrator"}
    again = app_client.get("/setup", params={"token": token}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login"


def test_persian_pages_read_right_to_left_with_jalali_dates(
    app_client: TestClient, web_user: tuple[str, str]
) -> None:
    log_in(app_client, *web_user)
    page = app_client.get("/")
    app_client.post("/language", data={"language": "fa", "csrf_token": csrf_of(page.text), "next": "/"})
    persian = app_client.get("/")
    assert '<html lang="fa" dir="rtl">' in persian.text
    assert "کشفیات" in persian.text and "۱ رویداد کشف" in persian.text
    detail_id = persian.text.split('href="/seizures/')[1].split('"')[0]
    detail = app_client.get(f"/seizures/{detail_id}")
    assert "۱۳۹۵/" in detail.text  # 2016 in the Jalali calendar, Persian digits
    # remembered for the user: a new login comes back in Persian
    fresh = TestClient(app_client.app)
    log_in(fresh, *web_user)
    assert 'dir="rtl"' in fresh.get("/").text


def test_security_headers_forbid_inline_script(app_client: TestClient) -> None:
    headers = app_client.get("/login").headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    cookie = headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
