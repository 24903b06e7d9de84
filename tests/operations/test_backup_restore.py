"""``astara backup`` and ``astara restore`` end to end, on the store under test (SQLite or PostgreSQL):
a restore elsewhere gives the same figures, keys and a verified chain; every bad case is refused
and leaves the target as it was."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from astara.db.engine import make_engine
from astara.errors import Conflict, InvalidInput, StoreError
from astara.settings import Settings
from fixtures.cli import run_cli
from fixtures.make import ids_row, write_ids

PASSPHRASE = "a phrase only the two of us know"


@pytest.fixture
def astara(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings) -> Any:
    monkeypatch.setenv("ASTARA_BACKUP_PASSPHRASE", PASSPHRASE)
    return lambda *args: run_cli(monkeypatch, capsys, *args)


@pytest.fixture
def filled(astara: Any, tmp_path: Path) -> dict[str, Any]:
    """An instance with events, an audit chain, keys and checkpoints; its figures."""
    assert astara("init")[0] == 0
    rows = [ids_row(AMOUNT=str(i + 1)) for i in range(4)] + [ids_row(DEPARTURE_COUNTRY="TR", AMOUNT="7")]
    assert astara("import", str(write_ids(tmp_path / "ids.csv", rows)), "--mapping", "unodc_ids")[0] == 0
    return _figures(astara)


def _figures(astara: Any) -> dict[str, Any]:
    code, out, err = astara("stats", "--by", "departure_country", "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, second_url: str) -> Path:
    """Point the command at a second, empty instance (its own data folder and store); its data folder."""
    data_dir = tmp_path / "elsewhere"
    monkeypatch.setenv("ASTARA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ASTARA_DATABASE_URL", second_url)
    return data_dir


def _keys(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data_dir / "keys").rglob("*.pem"))}


def test_a_restore_elsewhere_has_the_same_figures_keys_and_a_verified_chain(
    astara: Any, filled: dict[str, Any], cli_env: Settings, tmp_path: Path, elsewhere: Path
) -> None:
    keys = _keys(cli_env.data_dir)
    backup = tmp_path / "night.backup"
    os.environ["ASTARA_DATA_DIR"] = str(cli_env.data_dir)  # the backup is of the first instance
    url = os.environ.pop("ASTARA_DATABASE_URL")
    os.environ["ASTARA_DATABASE_URL"] = cli_env.effective_database_url
    code, out, err = astara("backup", str(backup))
    assert code == 0, err
    assert "(encrypted)" in out and "AZ-SCS: 5 events" in out
    assert PASSPHRASE.encode() not in backup.read_bytes() and b"PRIVATE KEY" not in backup.read_bytes()
    code, out, err = astara("backup", "--verify", str(backup))
    assert code == 0 and "whole and readable" in out, err
    os.environ["ASTARA_DATA_DIR"], os.environ["ASTARA_DATABASE_URL"] = str(elsewhere), url
    code, out, err = astara("restore", str(backup))
    assert code == 0, err
    assert 'AZ-SCS: signed checkpoint "restored to entry 1" written' in out
    assert _figures(astara) == filled
    assert _keys(elsewhere) == keys
    code, out, err = astara("audit", "verify")
    assert code == 0 and "audit chain intact: 2 entries" in out, err
    assert not list(elsewhere.glob(".astara-work-*"))


def _backup_here(astara: Any, tmp_path: Path, *options: str) -> Path:
    path = tmp_path / f"b-{uuid.uuid4().hex[:6]}.backup"
    code, _, err = astara("backup", str(path), *options)
    assert code == 0, err
    return path


def test_a_non_empty_instance_is_refused_unless_forced(
    astara: Any, filled: dict[str, Any], tmp_path: Path
) -> None:
    backup = _backup_here(astara, tmp_path)
    code, _, err = astara("restore", str(backup))
    assert code == Conflict.exit_code and "restore needs an empty data folder and store" in err
    assert "add --force" in err
    code, _, err = astara("restore", str(backup), "--force")
    assert code == 0, err
    assert _figures(astara) == filled
    code, _out, err = astara("audit", "verify")
    assert code == 0, err


def test_a_forced_rollback_voids_the_later_checkpoints_it_records(
    astara: Any, filled: dict[str, Any], cli_env: Settings, tmp_path: Path
) -> None:
    backup = _backup_here(astara, tmp_path)
    rows = [ids_row(AMOUNT="99", DEPARTURE_COUNTRY="AF")]
    assert astara("import", str(write_ids(tmp_path / "more.csv", rows)), "--mapping", "unodc_ids")[0] == 0
    assert astara("keys", "show")[0] == 0
    assert _figures(astara) != filled
    code, _, err = astara("restore", str(backup), "--force")
    assert code == 0, err
    assert _figures(astara) == filled
    code, _out, err = astara("audit", "verify")
    assert code == 0, err
    lines = (cli_env.data_dir / "audit" / "checkpoints.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["kind"] == "restore"


def test_another_instances_backup_is_refused_over_existing_keys(
    astara: Any, filled: dict[str, Any], cli_env: Settings, tmp_path: Path
) -> None:
    backup = _backup_here(astara, tmp_path)
    (cli_env.data_dir / "keys" / "instance_ed25519.pem").unlink()
    assert astara("keys", "show")[0] == 0  # this instance now has a key of its own
    before = _keys(cli_env.data_dir)
    code, _, err = astara("restore", str(backup), "--force")
    assert code == Conflict.exit_code and "holds the key of another instance" in err
    assert _keys(cli_env.data_dir) == before


def test_a_truncated_or_altered_backup_is_refused(
    astara: Any, filled: dict[str, Any], tmp_path: Path
) -> None:
    backup = _backup_here(astara, tmp_path)
    whole = backup.read_bytes()
    backup.write_bytes(whole[: len(whole) // 2])
    for command in (("backup", "--verify"), ("restore", "--force")):
        code, _, err = astara(*command[:1], *command[1:], str(backup))
        assert code == InvalidInput.exit_code and "is truncated" in err, err
    altered = bytearray(whole)
    altered[-100] ^= 0xFF
    backup.write_bytes(bytes(altered))
    code, _, err = astara("backup", "--verify", str(backup))
    assert code == InvalidInput.exit_code and "is damaged" in err


def test_a_wrong_passphrase_is_told_apart_from_damage(
    astara: Any, filled: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _backup_here(astara, tmp_path)
    monkeypatch.setenv("ASTARA_BACKUP_PASSPHRASE", "not the phrase we agreed on")
    code, _, err = astara("backup", "--verify", str(backup))
    assert code == InvalidInput.exit_code and "wrong passphrase" in err


def test_an_unencrypted_backup_needs_no_passphrase(
    astara: Any, filled: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _backup_here(astara, tmp_path, "--no-encrypt")
    monkeypatch.delenv("ASTARA_BACKUP_PASSPHRASE")
    code, _, err = astara("backup", "--verify", str(backup))
    assert code == 0, err
    code, _, err = astara("restore", "--force", str(backup))
    assert code == 0, err
    assert _figures(astara) == filled


def test_a_backup_from_a_newer_schema_is_refused(
    astara: Any, filled: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _backup_here(astara, tmp_path)
    monkeypatch.setattr("astara.operations.restore.head_revision", lambda: "0012")
    code, _, err = astara("restore", "--force", str(backup))
    assert code == Conflict.exit_code and "newer than this Astara's 0012" in err


def test_an_interrupted_restore_leaves_nothing_restored(
    astara: Any,
    filled: dict[str, Any],
    cli_env: Settings,
    tmp_path: Path,
    elsewhere: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = os.environ["ASTARA_DATABASE_URL"]
    os.environ["ASTARA_DATA_DIR"] = str(cli_env.data_dir)
    os.environ["ASTARA_DATABASE_URL"] = cli_env.effective_database_url
    backup = _backup_here(astara, tmp_path)
    os.environ["ASTARA_DATA_DIR"], os.environ["ASTARA_DATABASE_URL"] = str(elsewhere), url
    from astara.db import copies

    if make_url(url).get_backend_name() == "sqlite":

        def stopped(*_: object) -> None:
            raise KeyboardInterrupt  # Ctrl-C as the store goes in

        monkeypatch.setattr(copies, "sqlite_put", stopped)
    else:  # the transaction's last statement fails: PostgreSQL rolls the whole restore back
        real_run = copies._run

        def failing(args: list[str], env: dict[str, str], what: str) -> None:
            if "--single-transaction" in args:
                args = [*args[:-1], "--command=SELECT 1/0", args[-1]]
            real_run(args, env, what)

        monkeypatch.setattr(copies, "_run", failing)
    code, out, err = astara("restore", str(backup))
    assert code == (130 if make_url(url).get_backend_name() == "sqlite" else StoreError.exit_code), out + err
    assert sorted(p.name for p in elsewhere.iterdir()) == []
    engine = make_engine(url)
    try:
        from sqlalchemy import inspect

        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_a_backup_without_a_passphrase_or_with_a_short_one_is_refused(
    astara: Any, filled: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASTARA_BACKUP_PASSPHRASE")
    code, _, err = astara("backup", str(tmp_path / "x.backup"))  # stdin is not a terminal here
    assert code == InvalidInput.exit_code and "set ASTARA_BACKUP_PASSPHRASE" in err
    monkeypatch.setenv("ASTARA_BACKUP_PASSPHRASE", "short")
    code, _, err = astara("backup", str(tmp_path / "x.backup"))
    assert code == InvalidInput.exit_code and "at least 12 characters" in err
    assert not (tmp_path / "x.backup").exists()
    code, _, err = astara("backup", "--no-encrypt", str(_backup_here(astara, tmp_path, "--no-encrypt")))
    assert code == InvalidInput.exit_code and "never overwrites" in err


def test_a_postgresql_client_older_than_the_server_is_refused(
    astara: Any, filled: dict[str, Any], cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if make_url(cli_env.effective_database_url).get_backend_name() == "sqlite":
        pytest.skip("pg_dump is PostgreSQL's")
    monkeypatch.setattr("astara.db.copies._major", lambda _program: 9)
    code, _, err = astara("backup", str(tmp_path / "old-client.backup"))
    assert code == StoreError.exit_code and "pg_dump is version 9" in err and "client programs" in err
    assert list(tmp_path.glob("*.backup*")) == [] and list(tmp_path.glob(".astara-work-*")) == []


def test_a_backup_of_the_other_kind_of_store_is_refused(
    astara: Any, filled: dict[str, Any], cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _backup_here(astara, tmp_path)
    if make_url(cli_env.effective_database_url).get_backend_name() == "sqlite":
        monkeypatch.setenv("ASTARA_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
        expected = "is of a sqlite store and this instance uses postgresql"
    else:
        monkeypatch.setenv("ASTARA_DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite3'}")
        expected = "is of a postgresql store and this instance uses sqlite"
    monkeypatch.setenv("ASTARA_DATA_DIR", str(tmp_path / "other"))
    code, _, err = astara("restore", str(backup))
    assert code == InvalidInput.exit_code and expected in err
