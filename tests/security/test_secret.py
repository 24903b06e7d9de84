"""Hole 1: sessions are signed with a per-instance secret, never with the published default."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from astara.errors import InvalidInput
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.cli import run_cli
from fixtures.forge import forged_cookie

Run = Callable[..., tuple[int, str, str]]
PUBLISHED = "development-only-secret"


@pytest.fixture
def astara(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings) -> Run:
    monkeypatch.delenv("ASTARA_SECRET_KEY", raising=False)
    monkeypatch.delenv("ASTARA_ENVIRONMENT", raising=False)
    return lambda *args: run_cli(monkeypatch, capsys, *args)


def test_init_writes_a_random_secret_readable_by_its_owner_only(astara: Run, cli_env: Settings) -> None:
    code, out, _ = astara("init")
    path = cli_env.data_dir / "secret_key"
    assert code == 0 and f"wrote a new secret key for sessions to {path}" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert len(first.strip()) >= 32 and PUBLISHED not in first
    astara("init")
    assert path.read_text() == first  # a second init keeps the key: sessions stay valid


def test_init_writes_no_file_when_the_variable_is_set(
    astara: Run, cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASTARA_SECRET_KEY", "x" * 40)
    code, out, _ = astara("init")
    assert code == 0 and "secret key" not in out and not (cli_env.data_dir / "secret_key").exists()


def test_production_refuses_to_serve_without_a_secret(
    astara: Run, cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    astara("init")
    (cli_env.data_dir / "secret_key").unlink()
    monkeypatch.setenv("ASTARA_ENVIRONMENT", "production")
    code, _, err = astara("serve")
    assert code == InvalidInput.exit_code
    assert "ASTARA_SECRET_KEY" in err and "astara init" in err and "Traceback" not in err
    assert not (cli_env.data_dir / "secret_key").exists()


def test_the_published_default_is_refused_as_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTARA_SECRET_KEY", PUBLISHED)
    with pytest.raises(InvalidInput) as refused:
        Settings.from_environment()
    assert refused.value.details[0]["variable"] == "ASTARA_SECRET_KEY"


def test_a_development_server_makes_its_own_secret_and_ignores_the_published_one(
    settings: Settings, web_user: tuple[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dev = settings.model_copy(update={"environment": "development", "secret_key": None})
    client = TestClient(create_app(dev))
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "wrote a new session secret key" in caplog.text
    # a cookie re-signed with the published default, claiming to be the administrator, is not a session
    client.cookies.set("astara_session", forged_cookie(PUBLISHED, {"user_id": 1, "sid": "x" * 43}))
    assert client.get("/api/me").status_code == 401
    # the server's own key does sign sessions (and a restart reads the same file)
    again = TestClient(create_app(dev))
    assert path.read_text().strip() and again.get("/login").status_code == 200


def test_production_with_the_file_from_init_starts(settings: Settings) -> None:
    prod = settings.model_copy(update={"environment": "production", "secret_key": None})
    with pytest.raises(InvalidInput, match="ASTARA_SECRET_KEY"):
        create_app(prod)
    (prod.data_dir / "secret_key").write_text("k" * 48)
    assert TestClient(create_app(prod)).get("/login").status_code == 200


def test_init_makes_the_instance_key_so_the_audit_chain_is_checkpointed_at_once(
    astara: Run, cli_env: Settings
) -> None:
    code, out, _ = astara("init")
    key = cli_env.data_dir / "keys"
    assert code == 0 and "made the instance key (fingerprint" in out
    assert stat.S_IMODE(next(key.glob("*.pem")).stat().st_mode) == 0o600
    astara("token", "create", "first")  # the chain's first entry
    code, out, _ = astara("audit", "verify")
    assert code == 0 and "1 signed checkpoint" in out
    code, out, _ = astara("init")
    assert code == 0 and "instance key" not in out  # kept, not replaced: partners know it


def test_serve_makes_the_instance_key_too(
    astara: Run, cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    astara("init")
    for pem in (cli_env.data_dir / "keys").glob("*.pem"):  # an instance set up before init made it
        pem.unlink()
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    code, out, _ = astara("serve")
    assert code == 0 and "made the instance key (fingerprint" in out
    code, out, _ = astara("serve")
    assert code == 0 and "instance key" not in out
