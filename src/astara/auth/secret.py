"""The instance's session-signing secret: ``ASTARA_SECRET_KEY``, else the file DATA_DIR/secret_key.

``astara init`` writes that file (random, mode 0600) unless the variable is set. A development or
test server without either writes it on first start; a production server refuses to start, so no
instance ever signs sessions with a key someone else knows.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from astara.errors import InvalidInput
from astara.settings import MIN_SECRET_LENGTH, PLACEHOLDER_SECRETS, Settings

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def secret_path(settings: Settings) -> Path:
    return settings.data_dir / SECRET_FILE


def write_secret(settings: Settings) -> bool:
    """Write a new random secret to the data folder, readable by its owner only; False if one is there."""
    path = secret_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker process wrote it first: use that one
        return False
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    return True


def session_secret(settings: Settings) -> tuple[str, bool]:
    """The key that signs sessions, and whether this call just created it (development and test only)."""
    if settings.secret_key is not None:
        return settings.secret_key, False  # Settings refuses a placeholder or short value
    path = secret_path(settings)
    created = False
    if not path.exists():
        if settings.environment == "production":
            raise InvalidInput(
                f"no secret key to sign sessions: set ASTARA_SECRET_KEY, or run `astara init` to write {path}"
                " (ASTARA_ENVIRONMENT=production never creates one on start)"
            )
        created = write_secret(settings)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_LENGTH or secret in PLACEHOLDER_SECRETS:
        raise InvalidInput(
            f"the secret key in {path} is shorter than {MIN_SECRET_LENGTH} characters or a published"
            " placeholder: delete the file and run `astara init` to write a new one"
        )
    return secret, created
