"""Hole 9 (CLI): every error a message and an exit code; no traceback reaches a user."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from astara import cli
from astara.settings import Settings
from fixtures.cli import run_cli

Astara = Callable[..., tuple[int, str, str]]


@pytest.fixture
def astara(cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Astara:
    monkeypatch.delenv("ASTARA_DEBUG", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, *args)  # type: ignore[no-any-return]

    assert run("init")[0] == 0
    return run


def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.json"
    path.write_text("{not json", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("bundle", "import", "{tmp}/missing.bundle"), 3, "cannot read the bundle"),
        (("bundle", "import", "{garbage}"), 2, "garbage.json is not an Astara bundle"),
        (("hit", "check", "{tmp}/missing.json", "--name", "Ali"), 3, "cannot read the index"),
        (("hit", "check", "{garbage}", "--name", "Ali"), 2, "garbage.json is not a hit index"),
        (("agency", "add", "XX-NEW", "--country", "Narnia"), 2, "country 'Narnia' of agency XX-NEW is not"),
    ],
)
def test_a_bad_argument_is_a_message_and_an_exit_code(
    astara: Astara, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    argv = [a.format(tmp=tmp_path, garbage=_garbage(tmp_path)) for a in args]
    got, out, err = astara(*argv)
    assert (got, message in err) == (code, True), err
    assert err.startswith("error: ") or "\nerror: " in err
    assert "Traceback" not in out + err


def _broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a command: the safety net's case."""
    from astara.agencies import repository

    def boom(*_: object) -> None:
        raise KeyError("agency_id")

    monkeypatch.setattr(repository, "list_agencies", boom)


def test_an_unexpected_exception_is_an_internal_error_with_code_70(
    astara: Astara, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken(monkeypatch)
    code, out, err = astara("agency", "list")
    assert code == cli.INTERNAL_ERROR == 70
    assert "error: internal error (KeyError: 'agency_id')" in err and "--debug" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("how", ["option", "variable"])
def test_debug_shows_the_traceback(astara: Astara, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    _broken(monkeypatch)
    if how == "variable":
        monkeypatch.setenv("ASTARA_DEBUG", "1")
    code, _, err = astara(*(["--debug"] if how == "option" else []), "agency", "list")
    assert code == 70 and "Traceback" in err and "error: internal error (KeyError" in err
