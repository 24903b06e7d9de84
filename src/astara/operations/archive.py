"""The backup file: a header line, then a gzipped tar, encrypted with a passphrase unless told not to.

``ASTARA-BACKUP 1`` and a JSON header (payload size and SHA-256, and for an encrypted payload the
scrypt salt and the AES-GCM nonce) come first, so a truncated or altered file is told apart from a
wrong passphrase before anything is decrypted. The header is authenticated with the payload (GCM
associated data), so it cannot be edited either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from astara.errors import InvalidInput

MAGIC = b"ASTARA-BACKUP 1\n"
MAX_HEADER = 4096
CHUNK = 1 << 20
TAG_BYTES = 16
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # about 32 MiB and a tenth of a second per guess


class BadBackup(InvalidInput):
    """The file is not a whole, readable Astara backup."""

    code = "bad_backup"


@dataclass(frozen=True)
class Header:
    encrypted: bool
    payload_bytes: int
    payload_sha256: str
    salt: str = ""
    nonce: str = ""

    def line(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True).encode() + b"\n"


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, **SCRYPT).derive(passphrase.encode())


def _chunks(fh: BinaryIO, limit: int) -> Iterator[bytes]:
    left = limit
    while left > 0:
        block = fh.read(min(CHUNK, left))
        if not block:
            return
        left -= len(block)
        yield block


def seal(plain: Path, dest: Path, passphrase: str | None) -> Header:
    """Write ``plain`` (the tar) to ``dest`` as a backup file, encrypted when a passphrase is given."""
    size = plain.stat().st_size
    salt, nonce, body = os.urandom(16), os.urandom(12), dest.with_name(dest.name + ".body")
    digest = hashlib.sha256()
    with plain.open("rb") as src, body.open("wb") as out:
        if passphrase is None:
            for block in _chunks(src, size):
                digest.update(block)
                out.write(block)
            header = Header(False, size, digest.hexdigest())
        else:
            # the header's fixed part is the associated data: its size and digest are only known after
            aad = _aad(salt, nonce)
            enc = Cipher(algorithms.AES(_key(passphrase, salt)), modes.GCM(nonce)).encryptor()
            enc.authenticate_additional_data(aad)
            for block in _chunks(src, size):
                data = enc.update(block)
                digest.update(data)
                out.write(data)
            tail = enc.finalize() + enc.tag
            digest.update(tail)
            out.write(tail)
            header = Header(True, size + TAG_BYTES, digest.hexdigest(), _b64(salt), _b64(nonce))
    try:
        with dest.open("wb") as out, body.open("rb") as src:
            out.write(MAGIC + header.line())
            for block in _chunks(src, header.payload_bytes):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
    finally:
        body.unlink(missing_ok=True)
    return header


def _aad(salt: bytes, nonce: bytes) -> bytes:
    return MAGIC + salt + nonce


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def read_header(path: Path) -> tuple[Header, int]:
    """The header and where the payload starts; a file that is short or altered is refused."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(MAGIC))
            line = fh.readline(MAX_HEADER)
    except OSError as exc:
        raise BadBackup(f"cannot read the backup {path}: {exc.strerror}") from None
    if magic != MAGIC:
        raise BadBackup(f"{path} is not an Astara backup (it does not start with {MAGIC.strip().decode()!r})")
    try:
        fields: dict[str, Any] = json.loads(line)
        header = Header(**fields)
    except (ValueError, TypeError):
        raise BadBackup(f"the header of the backup {path} is damaged or cut short") from None
    start = len(MAGIC) + len(line)
    found = path.stat().st_size - start
    if found != header.payload_bytes:
        raise BadBackup(
            f"the backup {path} is truncated or was appended to: it holds {found:,} bytes of data,"
            f" its header says {header.payload_bytes:,}"
        )
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        fh.seek(start)
        for block in _chunks(fh, header.payload_bytes):
            digest.update(block)
    if digest.hexdigest() != header.payload_sha256:
        raise BadBackup(f"the backup {path} is damaged: its data does not match the checksum in its header")
    return header, start


def open_payload(path: Path, into: Path, passphrase: str | None) -> Path:
    """Write the backup's tar to ``into`` (decrypted and authenticated); returns ``into``."""
    header, start = read_header(path)
    with path.open("rb") as src, into.open("wb") as out:
        src.seek(start)
        if not header.encrypted:
            for block in _chunks(src, header.payload_bytes):
                out.write(block)
            return into
        if not passphrase:
            raise InvalidInput(
                f"the backup {path} is encrypted: give its passphrase (ASTARA_BACKUP_PASSPHRASE)"
            )
        salt, nonce = base64.b64decode(header.salt), base64.b64decode(header.nonce)
        src.seek(start + header.payload_bytes - TAG_BYTES)
        tag = src.read(TAG_BYTES)
        src.seek(start)
        dec = Cipher(algorithms.AES(_key(passphrase, salt)), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(_aad(salt, nonce))
        for block in _chunks(src, header.payload_bytes - TAG_BYTES):
            out.write(dec.update(block))
        try:
            out.write(dec.finalize())
        except InvalidTag:
            raise InvalidInput(
                f"cannot decrypt the backup {path}: wrong passphrase (the file's checksum is right)"
            ) from None
    return into
