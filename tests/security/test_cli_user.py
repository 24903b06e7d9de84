"""Hole 2: the ``astara`` command acts as ASTARA_USER with that user's role, not as the administrator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from astara.auth.service import scope_for_token
from astara.db.engine import make_engine, transaction
from astara.db.models import ApiToken, User
from astara.runtime import Runtime
from astara.settings import Settings
from conftest import PASSWORD
from fixtures.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "src/astara/sharing/examples"
EXAMPLE_AGREEMENT = EXAMPLES / "az-ir-border-services.yaml"
Astara = Callable[..., tuple[int, str, str]]


@pytest.fixture
def astara(cli_env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Astara:
    """``astara`` after init, with an analyst leyla@az-scs; ``user=`` sets ASTARA_USER for one call."""

    def run(*args: str, user: str | None = None, stdin: str | None = None) -> tuple[int, str, str]:
        if user is None:
            monkeypatch.delenv("ASTARA_USER", raising=False)
        else:
            monkeypatch.setenv("ASTARA_USER", user)
        return run_cli(monkeypatch, capsys, *args, stdin=stdin)  # type: ignore[no-any-return]

    assert run("init")[0] == 0
    code, _, err = run("user", "add", "leyla@az-scs", "--role", "analyst", "--password-stdin", stdin=PASSWORD)
    assert code == 0, err
    return run


@pytest.fixture
def store(cli_env: Settings) -> Engine:
    return make_engine(cli_env.effective_database_url)


def test_an_analyst_token_is_the_analysts_not_the_administrators(astara: Astara, store: Engine) -> None:
    code, out, err = astara("token", "create", "x", user="leyla@az-scs")
    assert code == 0 and "acting as leyla@az-scs (analyst)" in err
    plain = out.split(": ", 1)[1].strip()
    with transaction(store) as session:
        scope = scope_for_token(session, plain)
        assert scope.role == "analyst"
        assert session.get(User, scope.user_id).username == "leyla@az-scs"  # type: ignore[union-attr]


def test_a_bare_name_is_completed_with_the_agency(astara: Astara) -> None:
    code, _, err = astara("token", "create", "x", user="leyla")
    assert code == 0 and "acting as leyla@az-scs (analyst)" in err


@pytest.mark.parametrize(
    "args",
    [
        ("user", "add", "mallory@az-scs", "--role", "administrator", "--password-stdin"),
        ("user", "password", "admin@az-scs", "--password-stdin"),
        ("token", "revoke", "1"),
        ("agency", "add", "XX-NEW"),
        ("agreement", "add", str(EXAMPLE_AGREEMENT)),
        ("audit", "verify"),
    ],
)
def test_an_analyst_is_refused_what_the_role_does_not_grant(
    astara: Astara, store: Engine, args: tuple[str, ...]
) -> None:
    assert astara("token", "create", "the administrator's")[0] == 0  # token 1 belongs to admin@az-scs
    before = _accounts(store)
    code, out, err = astara(*args, user="leyla@az-scs", stdin=PASSWORD)
    assert code == 5, (out, err)
    assert err.startswith("error: ") and "administrator" in err and "Traceback" not in out + err
    assert _accounts(store) == before


def _accounts(store: Engine) -> tuple[list[str], list[object]]:
    with transaction(store) as session:
        users = list(session.scalars(select(User.username)))
        return users, list(session.scalars(select(ApiToken.revoked_at)))


def test_an_unknown_user_is_an_error(astara: Astara) -> None:
    code, out, err = astara("token", "create", "x", user="ghost")
    assert code == 3 and "user 'ghost' (ASTARA_USER) does not exist in agency AZ-SCS" in err
    assert "astara_" not in out


def test_a_disabled_user_is_an_error(astara: Astara, store: Engine) -> None:
    with transaction(store) as session:
        user = session.scalars(select(User).where(User.username == "leyla@az-scs")).one()
        user.active = False
    code, out, err = astara("token", "create", "x", user="leyla@az-scs")
    assert code == 5 and "user leyla@az-scs (ASTARA_USER) is disabled" in err
    assert "astara_" not in out


def test_a_user_of_another_agency_is_not_found(astara: Astara) -> None:
    assert astara("agency", "add", "IR-ANP")[0] == 0
    code, _, err = astara("token", "create", "x", user="admin@ir-anp")
    assert code == 3 and "does not exist in agency AZ-SCS" in err


def test_without_astara_user_the_administrator_acts(astara: Astara, store: Engine) -> None:
    code, out, err = astara("token", "create", "nightly")
    assert code == 0 and "acting as admin@az-scs (administrator; ASTARA_USER is unset)" in err
    with transaction(store) as session:
        assert scope_for_token(session, out.split(": ", 1)[1].strip()).role == "administrator"
    code, out, err = astara("user", "add", "omar@az-scs", "--password-stdin", stdin=PASSWORD)
    assert code == 0 and "omar@az-scs (analyst) added" in out


def test_reading_says_nothing_and_json_stays_clean(astara: Astara) -> None:
    import json

    code, out, err = astara("token", "list", "--format", "json", user="leyla@az-scs")
    assert code == 0 and json.loads(out) == [] and "acting as" not in err


def test_the_scope_says_how_the_user_was_established(cli_env: Settings, astara: Astara) -> None:
    with Runtime(cli_env, user="leyla").unit() as (_, named), Runtime(cli_env).unit() as (_, default):
        assert (named.via, named.role) == ("cli", "analyst")
        assert (default.via, default.role) == ("cli-default", "administrator")
