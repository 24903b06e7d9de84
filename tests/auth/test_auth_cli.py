"""``astara user`` and ``astara token`` from the server's shell."""

from __future__ import annotations

import io
import sys

import pytest

from astara import cli
from astara.settings import Settings
from conftest import PASSWORD


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["astara", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin + "\n"))
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


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
