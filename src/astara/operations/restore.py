"""``astara restore``: a backup into an empty data folder and store, all or nothing.

Everything is unpacked and checked in a folder inside DATA_DIR first. Then the data files are
renamed into place (what they replace is kept aside), and the store goes in last in one step (a
rename of the SQLite file, or one PostgreSQL transaction); if that step fails the files are put
back, so an interrupted restore leaves the instance as it was. Afterwards each agency's audit chain
gets a signed "restored to entry N" checkpoint, so the rollback is recorded, not taken for tampering.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine

from astara.agencies.repository import list_agencies
from astara.agencies.service import scope_for
from astara.db import copies, versions
from astara.db.engine import head_revision, make_engine, transaction
from astara.errors import Conflict, InvalidInput
from astara.kit.deferred import deferred
from astara.operations import backup
from astara.settings import Settings
from astara.sharing import checkpoints, keys
from astara.sharing.audit import record_restore

if TYPE_CHECKING:
    from astara.db import migrate
else:
    migrate = deferred("astara.db.migrate", "Alembic loads only when an older store is upgraded")


@dataclass
class Restored:
    manifest: dict[str, Any]
    upgraded_from: str | None = None
    restored_to: dict[str, int] = field(default_factory=dict)


def _key_fingerprint(data_dir: Path) -> str | None:
    pair = keys.load_existing(data_dir)
    return pair.fingerprint if pair else None


def _data_in(data_dir: Path) -> list[str]:
    return [name for name in backup.DATA_FILES if (data_dir / name).exists()]


def _store_in_use(url: str) -> bool:
    if copies.dialect(url) == "sqlite":
        return not copies.sqlite_is_empty(copies.sqlite_path(url))
    engine = make_engine(url)
    try:
        return not copies.pg_is_empty(engine)
    finally:
        engine.dispose()


def _refusals(settings: Settings, manifest: dict[str, Any], force: bool, src: Path) -> None:
    url = settings.effective_database_url
    if manifest["dialect"] != copies.dialect(url):
        raise InvalidInput(
            f"the backup {src} is of a {manifest['dialect']} store and this instance uses"
            f" {copies.dialect(url)}: set ASTARA_DATABASE_URL to a store of the same kind"
        )
    revision, head = manifest.get("schema_revision"), head_revision()
    if revision is not None and revision > head:
        raise Conflict(
            f"the backup {src} has schema revision {revision}, newer than this Astara's {head}:"
            " restore it with the Astara version that made it, or a newer one"
        )
    held = _key_fingerprint(settings.data_dir)
    if held is not None and held != manifest.get("instance_key"):
        raise Conflict(
            f"{keys.key_dir(settings.data_dir)} holds the key of another instance ({held}); the backup"
            f" is of instance {manifest.get('instance_key')}: restoring would replace this instance's"
            " identity. Move that keys folder away first if that is what you mean."
        )
    in_use = [f"{settings.data_dir / name}" for name in _data_in(settings.data_dir)]
    if _store_in_use(url):
        in_use.insert(0, f"the store {make_engine(url).url.render_as_string()}")
    if in_use and not force:
        raise Conflict(
            "restore needs an empty data folder and store; found "
            + ", ".join(in_use)
            + " (add --force to replace them)"
        )


def _checkpoints_kept(data_dir: Path, content: Path) -> bool:
    """True when the instance's checkpoints continue the backup's: they are kept, so the restore
    checkpoint appended to them voids the later ones, which partners have seen."""
    ours, theirs = checkpoints.path_of(data_dir), checkpoints.path_of(content)
    if not ours.exists():
        return False
    if not theirs.exists():
        return True
    backed = theirs.read_bytes()
    return ours.read_bytes()[: len(backed)] == backed


class _Moves:
    """Renames into the data folder that can be undone: what they replace is kept aside."""

    def __init__(self, data_dir: Path, aside: Path) -> None:
        self.data_dir, self.aside = data_dir, aside
        self.done: list[tuple[Path, Path | None]] = []
        aside.mkdir()

    def put(self, source: Path, name: str) -> None:
        target = self.data_dir / name
        kept = None
        if target.exists():
            kept = self.aside / name
            os.replace(target, kept)
        self.done.append((target, kept))
        os.replace(source, target)

    def undo(self) -> None:
        for target, kept in reversed(self.done):
            if target.is_dir():
                os.replace(target, self.aside / (target.name + ".restored"))
            else:
                target.unlink(missing_ok=True)
            if kept is not None:
                os.replace(kept, target)


def restore_backup(settings: Settings, src: Path, passphrase: str | None, *, force: bool = False) -> Restored:
    data_dir = settings.data_dir
    url = settings.effective_database_url
    with backup.work_dir(data_dir) as work:
        manifest = backup.unpack(src, work, passphrase)
        _refusals(settings, manifest, force, src)
        content = work / "content"
        data = content / backup.DATA_PREFIX.rstrip("/")
        if manifest["dialect"] == "sqlite":
            copy = content / copies.SQLITE_MEMBER
            reader = create_engine(f"sqlite:///{copy}")
            try:
                with reader.connect() as connection:
                    found = backup.store_facts(connection)
            finally:
                reader.dispose()
            backup.check_figures(manifest, found, str(src))
        moves = _Moves(data_dir, work / "previous")
        try:
            for name in backup.DATA_FILES:
                if name == "audit" and _checkpoints_kept(data_dir, data):
                    continue
                if (data / name).exists():
                    moves.put(data / name, name)
            if manifest["dialect"] == "sqlite":
                copies.sqlite_put(content / copies.SQLITE_MEMBER, copies.sqlite_path(url))
            else:
                engine = make_engine(url)
                try:
                    copies.pg_restore(engine, content / copies.PG_MEMBER, manifest["pg_schema"], work)
                finally:
                    engine.dispose()
        except BaseException:
            moves.undo()
            raise
    result = Restored(manifest)
    revision = manifest.get("schema_revision")
    engine = make_engine(url)
    try:
        if revision is not None and revision < head_revision():
            migrate.upgrade(engine)
            result.upgraded_from = revision
        with transaction(engine) as session:  # figures cached by running processes are of the old store
            versions.bump_all(session)
        result.restored_to = _record_restores(engine, data_dir)
    finally:
        engine.dispose()
    return result


def _record_restores(engine: Any, data_dir: Path) -> dict[str, int]:
    pair = keys.load_existing(data_dir)
    if pair is None:
        return {}  # no key, so no checkpoints to reconcile
    out = {}
    with transaction(engine) as session:
        session.info["data_dir"] = data_dir
        for agency in list_agencies(session):
            scope = scope_for(session, agency.code, None, via="restore")
            out[agency.code] = record_restore(session, scope, data_dir, pair)
    return out
