"""``astara backup``: the store, the files an instance needs to restart, and a manifest, in one file.

The files are the instance key (and retired keys), the session secret and the audit checkpoints;
agreements, partners and the audit chain are rows of the store. The checkpoints are copied before
the store, so every checkpoint in a backup names an entry that the backup's store holds.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine

from astara.db import copies
from astara.db.engine import make_engine
from astara.errors import InvalidInput
from astara.kit.ids import file_sha256
from astara.operations import archive
from astara.settings import Settings
from astara.sharing import checkpoints, keys

FORMAT = 1
MIN_PASSPHRASE = 12
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"
# what of DATA_DIR a backup carries: the rest (uploads awaiting confirmation, job progress) is transient
DATA_FILES = ("keys", "secret_key", "audit")


def _data_members(data_dir: Path, into: Path) -> list[str]:
    out = []
    for name in DATA_FILES:
        source = data_dir / name
        if source.is_dir():
            shutil.copytree(source, into / name)
        elif source.is_file():
            shutil.copy2(source, into / name)
    for path in sorted(into.rglob("*")):
        if path.is_file():
            out.append(DATA_PREFIX + path.relative_to(into).as_posix())
    return out


def store_facts(connection: Connection) -> dict[str, Any]:
    return {
        "schema_revision": copies.revision_of(connection),
        "tables": copies.table_counts(connection),
        "agencies": copies.agency_figures(connection),
    }


@contextmanager
def work_dir(near: Path) -> Iterator[Path]:
    near.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".astara-work-", dir=near))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def backup_path(dest: Path) -> Path:
    """``dest``, or a new file named by the time when ``dest`` is a folder; an existing file is refused."""
    if dest.is_dir():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = dest / f"astara-{stamp}.backup"
    if dest.exists():
        raise InvalidInput(f"{dest} exists: a backup never overwrites a file; choose another name")
    return dest


def create_backup(settings: Settings, dest: Path, passphrase: str | None) -> tuple[Path, dict[str, Any]]:
    """Write a backup of the running instance to ``dest``; returns its path and manifest."""
    dest = backup_path(dest)
    url = settings.effective_database_url
    with work_dir(dest.parent) as work:
        data = work / "data"
        data.mkdir()
        members = _data_members(settings.data_dir, data)
        manifest: dict[str, Any] = {"format": FORMAT, "dialect": copies.dialect(url)}
        if manifest["dialect"] == "sqlite":
            copy = work / copies.SQLITE_MEMBER
            copy.parent.mkdir()
            copies.sqlite_copy(url, copy)
            reader = create_engine(f"sqlite:///{copy}")
            with reader.connect() as connection:
                manifest.update(store_facts(connection))
                manifest["server_version"] = copies.server_version(connection)
            reader.dispose()
            members.append(copies.SQLITE_MEMBER)
        else:
            dump = work / copies.PG_MEMBER
            dump.parent.mkdir()
            engine = make_engine(url)
            try:
                with copies.pg_snapshot(engine) as (connection, snapshot):
                    manifest.update(store_facts(connection))
                    manifest["server_version"] = copies.server_version(connection)
                    manifest["pg_schema"] = copies.pg_dump(engine, connection, snapshot, dump)
            finally:
                engine.dispose()
            members.append(copies.PG_MEMBER)
        pair = keys.load_existing(settings.data_dir)
        manifest.update(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            astara_version=version("astara"),
            python=platform.python_version(),
            instance_key=pair.fingerprint if pair else None,
            checkpoints=_count_lines(checkpoints.path_of(settings.data_dir)),
            files={m: {"sha256": file_sha256(work / m), "bytes": (work / m).stat().st_size} for m in members},
        )
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        tar_path = work / "backup.tar.gz"
        with tarfile.open(tar_path, "w:gz", compresslevel=6) as tar:
            for member in [MANIFEST, *members]:
                tar.add(work / member, arcname=member, recursive=False)
        part = dest.with_name(dest.name + ".part")
        try:
            archive.seal(tar_path, part, passphrase)
            part.chmod(0o600)  # it holds the private key, encrypted or not
            part.replace(dest)
        finally:
            part.unlink(missing_ok=True)
    return dest, manifest


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def unpack(src: Path, into: Path, passphrase: str | None) -> dict[str, Any]:
    """Decrypt and extract a backup into the folder ``into``, checking every member against the
    manifest; returns the manifest. Anything wrong raises BadBackup and leaves only ``into``."""
    tar_path = archive.open_payload(src, into / "backup.tar.gz", passphrase)
    try:
        with tarfile.open(tar_path, "r:gz") as tar:
            tar.extractall(into / "content", filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise archive.BadBackup(f"the backup {src} cannot be unpacked: {exc}") from None
    finally:
        tar_path.unlink(missing_ok=True)
    content = into / "content"
    try:
        manifest: dict[str, Any] = json.loads((content / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise archive.BadBackup(f"the backup {src} has no readable manifest") from None
    if manifest.get("format") != FORMAT:
        raise archive.BadBackup(
            f"the backup {src} has format {manifest.get('format')!r}; this Astara reads {FORMAT}"
        )
    for member, facts in manifest.get("files", {}).items():
        path = content / member
        if not path.is_file() or file_sha256(path) != facts["sha256"]:
            raise archive.BadBackup(f"the backup's file {member} is missing or does not match its checksum")
    return manifest


def verify_backup(src: Path, passphrase: str | None) -> dict[str, Any]:
    """Check a backup without restoring it: whole, decryptable, each file as its manifest says, and
    the store's tables holding the rows the manifest counted (SQLite; a dump is listed by pg_restore)."""
    with work_dir(src.parent) as work:
        manifest = unpack(src, work, passphrase)
        content = work / "content"
        if manifest["dialect"] == "sqlite":
            reader = create_engine(f"sqlite:///{content / copies.SQLITE_MEMBER}")
            try:
                with reader.connect() as connection:
                    found = store_facts(connection)
            finally:
                reader.dispose()
            check_figures(manifest, found, str(src))
    return manifest


def check_figures(manifest: dict[str, Any], found: dict[str, Any], where: str) -> None:
    for name in ("schema_revision", "tables", "agencies"):
        if manifest.get(name) != found.get(name):
            raise archive.BadBackup(f"the store in {where} does not hold what its manifest counted ({name})")
