"""A backup taken while others write (as a serving instance does) is one consistent moment: restored
elsewhere it holds exactly the rows its manifest counted, and its audit chain verifies against the
checkpoints it carries, periodic ones written during the backup included."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import make_engine, transaction
from astara.operations.backup import create_backup
from astara.operations.restore import restore_backup
from astara.settings import Settings
from astara.sharing import audit
from astara.sharing.keys import load_or_create


def test_a_backup_under_writes_restores_to_one_consistent_moment(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path, second_url: str
) -> None:
    load_or_create(settings.data_dir)
    stop, written = threading.Event(), [0]

    def write() -> None:
        while not stop.is_set() or written[0] < 150:
            with transaction(engine) as session:
                session.info["data_dir"] = settings.data_dir
                audit.append(session, scope, "view", details={"n": written[0]})
            written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 30:
            stop.wait(0.01)
        path, manifest = create_backup(settings, tmp_path / "b.backup", "a passphrase for the test")
    finally:
        stop.set()
        writer.join()
    taken = manifest["agencies"][scope.agency_code]["audit_entries"]
    assert 30 <= taken < written[0]  # a moment during the writes, not before or after them
    there = Settings(
        environment="test", data_dir=tmp_path / "elsewhere", database_url=second_url,
        agency=scope.agency_code, secret_key=settings.secret_key,
    )  # fmt: skip
    result = restore_backup(there, path, "a passphrase for the test")
    assert result.restored_to == {scope.agency_code: taken}
    restored = make_engine(second_url)
    try:
        with transaction(restored) as session:
            checked = audit.verify(session, scope, there.data_dir)
        assert checked.ok, checked.reason
        assert checked.entries == taken + 1  # and the restore's own entry
    finally:
        restored.dispose()
