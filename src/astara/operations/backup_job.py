"""``operations.backup``: a scheduled ``astara backup`` into a folder, keeping its newest N backups.

The passphrase is ASTARA_BACKUP_PASSPHRASE (a job has no terminal to ask on); without it an
encrypted backup is refused, naming the variable, rather than written unencrypted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from astara.auth.roles import require
from astara.errors import InvalidInput
from astara.jobs.service import Work
from astara.operations.backup import MIN_PASSPHRASE, create_backup

KEEP = 7
DATED = re.compile(r"astara-\d{8}T\d{6}Z\.backup")  # the names backup_path gives in a folder


def backup_job(work: Work, params: dict[str, Any]) -> dict[str, Any]:
    """Write a backup into ``params.folder``, then remove the folder's dated backups but the newest
    ``params.keep``; ``params.encrypt = false`` writes it unencrypted."""
    with work.unit() as (_session, scope):
        require(scope, "users.manage")  # a backup holds every agency's data and the instance key
    encrypt = params.get("encrypt", True) is not False
    passphrase = work.settings.backup_passphrase if encrypt else None
    if encrypt and not passphrase:
        raise InvalidInput(
            "a scheduled backup is encrypted with ASTARA_BACKUP_PASSPHRASE, which is not set for the "
            "job runner; set it (or params.encrypt = false) and the next run writes the backup"
        )
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"ASTARA_BACKUP_PASSPHRASE has fewer than {MIN_PASSPHRASE} characters")
    folder = Path(str(params["folder"]))
    keep = int(params.get("keep", KEEP))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"the backup folder {folder} cannot be made: {exc.strerror}") from None
    work.progress(0, 2, f"writing a backup into {folder}")
    path, manifest = create_backup(work.settings, folder, passphrase)
    work.progress(1, 2, f"keeping the newest {keep} backups")
    removed = rotate(folder, keep)
    work.progress(2, 2, f"wrote {path.name}")
    return {
        "file": str(path),
        "bytes": path.stat().st_size,
        "encrypted": encrypt,
        "schema_revision": manifest["schema_revision"],
        "kept": len(dated(folder)),
        "removed": len(removed),
    }


def dated(folder: Path) -> list[Path]:
    """The folder's backups named by their time, oldest first (the name sorts as the time does)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and DATED.fullmatch(p.name))


def rotate(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` dated backups; other files in the folder are left alone."""
    old = dated(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old
