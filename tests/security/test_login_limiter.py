"""Hole 8 (limiter): failed logins lock a name or a (client, name) pair, counted in the store.

One client's failures for one name leave the other users of that address alone; X-Forwarded-For
is believed only from a proxy named in ASTARA_TRUSTED_PROXIES.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.auth.service import add_user
from astara.db.engine import transaction
from astara.db.models import LoginFailure
from astara.settings import Settings
from astara.web.app import create_app
from conftest import PASSWORD
from fixtures.web import log_in

OFFICE = ("192.0.2.10", 50000)  # one address shared by a whole office (NAT)
PROXY = ("10.0.0.2", 50000)


@pytest.fixture
def bob(engine: Engine, scope: Scope, web_user: tuple[str, str]) -> str:
    with transaction(engine) as session:
        add_user(session, scope, "bob@az-scs", "analyst", PASSWORD)
    return "bob@az-scs"


def _client(settings: Settings, address: tuple[str, int] = OFFICE, **changes: object) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes)), client=address)


def test_one_users_failures_do_not_lock_the_office(
    settings: Settings, web_user: tuple[str, str], bob: str, engine: Engine
) -> None:
    office = _client(settings)
    alice = web_user[0]
    for _ in range(5):
        assert log_in(office, alice, "not the password at all").status_code == 401
    locked = log_in(office, *web_user)  # the right password, from the same place: still locked
    assert locked.status_code == 429 and "try again in" in locked.text
    assert log_in(TestClient(office.app, client=OFFICE), bob, PASSWORD).status_code == 303  # bob is not
    # the lock is in the store: another worker process (another app) sees it
    assert log_in(_client(settings), *web_user).status_code == 429
    with transaction(engine) as session:
        assert (
            session.scalar(select(func.count()).select_from(LoginFailure)) == 15
        )  # 5 x (name, pair, client)


def test_rotating_forwarded_for_from_an_untrusted_client_does_not_escape(
    settings: Settings, web_user: tuple[str, str]
) -> None:
    attacker = _client(settings, ("127.0.0.1", 40000))  # loopback, but no proxy is trusted
    for i in range(5):
        attacker.headers["X-Forwarded-For"] = f"198.51.100.{i}"  # a new "client" each time
        assert log_in(attacker, web_user[0], "not the password at all").status_code == 401
    attacker.headers["X-Forwarded-For"] = "198.51.100.99"
    assert log_in(attacker, *web_user).status_code == 429


def test_a_trusted_proxys_forwarded_address_is_the_client(
    settings: Settings, web_user: tuple[str, str], bob: str
) -> None:
    proxy = _client(settings, PROXY, trusted_proxies="10.0.0.0/8, 2001:db8::/32")
    proxy.headers["X-Forwarded-For"] = "203.0.113.7, 10.0.0.9"  # the proxy chain: rightmost untrusted hop
    for _ in range(5):
        assert log_in(proxy, web_user[0], "not the password at all").status_code == 401
    assert log_in(proxy, *web_user).status_code == 429  # locked for 203.0.113.7
    elsewhere = TestClient(proxy.app, client=PROXY, headers={"X-Forwarded-For": "203.0.113.8"})
    assert log_in(elsewhere, *web_user).status_code == 303  # another client behind the same proxy


def test_many_addresses_guessing_one_name_lock_the_name(
    settings: Settings, web_user: tuple[str, str]
) -> None:
    app = create_app(settings.model_copy(update={"trusted_proxies": "10.0.0.2"}))
    for i in range(10):
        guesser = TestClient(app, client=PROXY, headers={"X-Forwarded-For": f"198.51.100.{i}"})
        assert log_in(guesser, web_user[0], "not the password at all").status_code == 401
    fresh = TestClient(app, client=PROXY, headers={"X-Forwarded-For": "203.0.113.50"})
    assert log_in(fresh, *web_user).status_code == 429


def test_a_bad_trusted_proxy_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from astara.errors import InvalidInput

    monkeypatch.setenv("ASTARA_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example")
    with pytest.raises(InvalidInput) as refused:
        Settings.from_environment()
    assert refused.value.details == [
        {
            "variable": "ASTARA_TRUSTED_PROXIES",
            "reason": "'proxy.example' is not an IP address or CIDR network",
        }
    ]


def test_the_server_leaves_forwarded_headers_to_astara(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings
) -> None:
    """uvicorn's own proxy handling believes X-Forwarded-For from loopback: it must be off."""
    import uvicorn

    from fixtures.cli import run_cli

    started: list[dict[str, object]] = []
    monkeypatch.setenv("ASTARA_SETUP_TOKEN", "")  # `serve --workers 2` sets it: restored afterwards
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    run_cli(monkeypatch, capsys, "init")
    for workers in ("1", "2"):
        assert run_cli(monkeypatch, capsys, "serve", "--workers", workers)[0] == 0
    assert [options["proxy_headers"] for options in started] == [False, False]
