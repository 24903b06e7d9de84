"""``astara user`` and ``astara token`` from the server's shell."""

from __future__ import annotations

import pytest

from astara.settings import Settings
from conftest import PASSWORD
from fixtures.cli import run_cli as run


def test_user_and_token_commands(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def astara(*args: str, stdin: str = "") -> tuple[int, str, str]:
        return run(monkeypatch, capsys, *args, stdin=stdin)  # type: ignore[no-any-return]

    assert astara("init")[0] == 0
    code, out, _ = astara(
        "user", "add", "leyla@az-scs", "--role", "analyst", "--password-stdin", stdin=PASSWORD
    )
    assert code == 0 and "leyla@az-scs (analyst) added to AZ-SCS" in out
    code, _, err = astara("user", "add", "leyla@az-scs", "--password-stdin", stdin=PASSWORD)
    assert code == 4 and "already exists" in err
    code, _, err = astara("user", "password", "admin@az-scs", "--password-stdin", stdin="short")
    assert code == 2 and "at least 12" in err
    code, out, _ = astara("token", "create", "nightly export")
    assert code == 0 and "astara_" in out
    code, out, _ = astara("token", "list")
    assert "nightly export" in out and "astara_" in out
    code, out, _ = astara("token", "revoke", "1")
    assert code == 0 and "revoked" in out
    assert "(revoked)" in astara("token", "list")[1]


def test_user_list_role_disable_enable(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def astara(*args: str, stdin: str = "") -> tuple[int, str, str]:
        return run(monkeypatch, capsys, *args, stdin=stdin)  # type: ignore[no-any-return]

    assert astara("init")[0] == 0
    astara("user", "add", "leyla@az-scs", "--name", "Leyla", "--password-stdin", stdin=PASSWORD)
    code, out, _ = astara("user", "role", "leyla@az-scs", "supervisor")
    assert code == 0 and "leyla@az-scs is now supervisor" in out
    code, _, err = astara("user", "role", "admin@az-scs", "analyst")
    assert code == 4 and "last administrator" in err
    code, _, err = astara("user", "disable", "admin@az-scs")
    assert code == 4 and "cannot disable yourself" in err
    assert astara("user", "disable", "leyla@az-scs")[0] == 0
    code, out, _ = astara("user", "list")
    assert code == 0 and "leyla@az-scs" in out and "disabled" in out and "Leyla" in out
    assert astara("user", "enable", "leyla@az-scs")[0] == 0
    monkeypatch.setenv("ASTARA_USER", "leyla@az-scs")  # a supervisor may not manage users
    code, _, err = astara("user", "list")
    assert code == 5 and "administrator" in err
