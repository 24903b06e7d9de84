"""A scheduled backup (``operations.backup``): written into its folder with the passphrase of
ASTARA_BACKUP_PASSPHRASE, only the newest N dated backups kept; refused in words without the
passphrase or for a user who is not an administrator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import add_user
from astara.db.engine import transaction
from astara.jobs import schedule
from astara.jobs.runner import Runner
from astara.operations.backup import verify_backup
from astara.runtime import Runtime
from astara.settings import Settings

PASSPHRASE = "a phrase only the two of us know"
NIGHT = dt.datetime(2026, 3, 2, 2, 5)


def _entry(folder: Path, extra: str = "") -> str:
    return (
        f'[[job]]\nname = "nightly"\nkind = "operations.backup"\nevery = "1d"\n'
        f'params = {{ folder = "{folder}", keep = 2 }}\n{extra}'
    )


def _run(settings: Settings, engine: Engine, text: str) -> Any:
    (settings.data_dir / schedule.FILE_NAME).write_text(text, encoding="utf-8")
    entries = schedule.load(settings.data_dir / schedule.FILE_NAME, settings.agency)
    with transaction(engine) as session:
        schedule.queue_due(session, entries, NIGHT)
    Runner(Runtime(settings)).run_once()
    with transaction(engine) as session:
        (planned,) = schedule.plan(session, entries, NIGHT)
    return planned.last


def test_a_scheduled_backup_is_encrypted_and_keeps_the_newest_two(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"astara-2026010{n}T020000Z.backup" for n in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"an older backup")
    (folder / "notes.txt").write_text("not a backup: left alone", encoding="utf-8")
    with_passphrase = settings.model_copy(update={"backup_passphrase": PASSPHRASE})
    last = _run(with_passphrase, engine, _entry(folder))
    assert last.status == "done", last.error
    written = Path(last.result["file"])
    assert written.parent == folder and written.exists()
    assert (last.result["encrypted"], last.result["kept"], last.result["removed"]) == (True, 2, 2)
    assert (last.progress_done, last.progress_total) == (2, 2)
    assert sorted(p.name for p in folder.iterdir()) == [old[2].name, written.name, "notes.txt"]
    assert verify_backup(written, PASSPHRASE)["agencies"][scope.agency_code]["events"] == 0


def test_without_the_passphrase_an_encrypted_backup_is_refused_in_words(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    last = _run(settings, engine, _entry(folder))
    assert last.status == "failed"
    assert "ASTARA_BACKUP_PASSPHRASE" in last.error and "Traceback" not in last.error
    assert not folder.exists() or not any(folder.iterdir())


def test_an_unencrypted_backup_needs_no_passphrase(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    text = _entry(tmp_path / "plain").replace("keep = 2", "keep = 2, encrypt = false")
    last = _run(settings, engine, text)
    assert last.status == "done" and last.result["encrypted"] is False
    assert verify_backup(Path(last.result["file"]), None)["schema_revision"] == last.result["schema_revision"]


def test_a_backup_scheduled_as_an_analyst_is_refused(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    with transaction(engine) as session:
        add_user(session, scope, "leyla@az-scs", "analyst", None)
    with_passphrase = settings.model_copy(update={"backup_passphrase": PASSPHRASE})
    last = _run(with_passphrase, engine, _entry(tmp_path / "b", 'user = "leyla"\n'))
    assert (last.status, last.error) == ("failed", "this needs the role administrator; you are analyst")
    assert not (tmp_path / "b").exists()
