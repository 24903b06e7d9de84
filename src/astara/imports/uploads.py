"""Uploads waiting in the browser's check-then-confirm import, kept on the server and bound to a user.

Each is a folder ``DATA_DIR/uploads/<token>/`` with the file, ``upload.json`` (user, agency,
mapping, the file's safe name, when) and, after the import, ``rejects.csv``. The token is random
and must match a strict pattern before any path is built from it; every access checks that the
upload is the acting user's. Nothing about an upload but its token leaves the server.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from astara.agencies.scope import Scope
from astara.errors import NotFound

STALE_SECONDS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24): 192 random bits
METADATA = "upload.json"
REJECTS = "rejects.csv"


@dataclass(frozen=True)
class Upload:
    token: str
    user_id: int | None
    agency_id: int
    mapping: str
    file_name: str
    created: str

    def folder(self, root: Path) -> Path:
        return root / self.token

    def file(self, root: Path) -> Path:
        return root / self.token / self.file_name

    def rejects(self, root: Path) -> Path:
        return root / self.token / REJECTS


def _plain_name(name: str) -> bool:
    return bool(name) and Path(name).name == name and name not in {".", "..", METADATA, REJECTS}


def create(root: Path, scope: Scope, file_name: str, mapping: str) -> Upload:
    """A new, empty upload folder of the acting user; write the file to ``upload.file(root)``."""
    if not _plain_name(file_name):
        raise ValueError(f"not a plain file name: {file_name!r}")  # callers pass safe_file_name(...)
    forget_stale(root)
    upload = Upload(token=secrets.token_urlsafe(24), user_id=scope.user_id, agency_id=scope.agency_id,
                    mapping=mapping, file_name=file_name,
                    created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))  # fmt: skip
    folder = upload.folder(root)
    folder.mkdir(parents=True)
    (folder / METADATA).write_text(json.dumps(asdict(upload)), encoding="utf-8")
    return upload


def find(root: Path, scope: Scope, token: str) -> Upload:
    """The acting user's upload with this token; NotFound for anyone else's, or a token that is not one."""
    gone = NotFound(
        "this upload is no longer here (imported, cancelled or older than a day); upload it again"
    )
    if not TOKEN.fullmatch(token):
        raise gone
    try:
        upload = Upload(**json.loads((root / token / METADATA).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise gone from None
    mine = upload.user_id == scope.user_id and upload.agency_id == scope.agency_id
    if not mine or upload.token != token or not _plain_name(upload.file_name):
        raise gone
    return upload


def remove(root: Path, upload: Upload) -> None:
    shutil.rmtree(upload.folder(root), ignore_errors=True)


def forget_stale(root: Path) -> None:
    """Remove uploads nobody confirmed or cancelled within a day."""
    if root.exists():
        for entry in root.iterdir():
            if entry.is_dir() and time.time() - entry.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
