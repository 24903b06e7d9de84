"""The instance's Ed25519 key pair, canonical JSON, signatures and fingerprints.

The private key lives under ``DATA_DIR/keys/`` (mode 0600), never in the database. A fingerprint is
the SHA-256 of the raw public key, shown in groups of four so two officers can read it to each other.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from astara.errors import InvalidInput

KEY_FILE = "instance_ed25519.pem"


def canonical(obj: Any) -> bytes:
    """The one byte form of a JSON value that is signed and hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def fingerprint(public_key_b64: str) -> str:
    digest = hashlib.sha256(_raw_public(public_key_b64)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _raw_public(public_key_b64: str) -> bytes:
    try:
        raw = base64.b64decode(public_key_b64.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("the public key is not valid base64", details=[{"field": "key"}]) from exc
    if len(raw) != 32:
        raise InvalidInput(
            f"an Ed25519 public key has 32 bytes, this one {len(raw)}", details=[{"field": "key"}]
        )
    return raw


def public_key_of(public_key_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw_public(public_key_b64))


def verify(public_key_b64: str, data: bytes, signature_b64: str) -> bool:
    """True when ``signature_b64`` is a valid signature of ``data`` by the key."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key_of(public_key_b64).verify(signature, data)
    except (InvalidSignature, binascii.Error, ValueError, InvalidInput):
        return False
    return True


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey

    @property
    def public_b64(self) -> str:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_b64)

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.private.sign(data)).decode()


def key_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_or_create(data_dir: Path) -> KeyPair:
    """The instance key pair, created (mode 0600) on first use."""
    path = key_dir(data_dir) / KEY_FILE
    if not path.exists():
        _write_private(path, Ed25519PrivateKey.generate())
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} does not hold an Ed25519 private key")
    return KeyPair(key)


def make_if_missing(data_dir: Path) -> KeyPair | None:
    """The instance key pair when this call made it, None when there was one: ``astara init`` and
    ``astara serve`` make it, since it signs the audit checkpoints from the chain's first entry."""
    return None if (key_dir(data_dir) / KEY_FILE).exists() else load_or_create(data_dir)


def load_existing(data_dir: Path) -> KeyPair | None:
    """The instance key pair, or None when ``astara keys`` (or a sync) has not created one yet."""
    return load_or_create(data_dir) if (key_dir(data_dir) / KEY_FILE).exists() else None


def public_keys(data_dir: Path) -> list[str]:
    """The current public key and every retired one (base64), to check what they once signed."""
    found = []
    for path in [key_dir(data_dir) / KEY_FILE, *sorted((key_dir(data_dir) / "retired").glob("*.pem"))]:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(key, Ed25519PrivateKey):
                found.append(KeyPair(key).public_b64)
    return found


def rotate(data_dir: Path) -> tuple[KeyPair, str]:
    """Replace the key pair, keeping the old private key under ``keys/retired/``.

    Returns (the new pair, the old fingerprint).
    """
    old = load_or_create(data_dir)
    retired = key_dir(data_dir) / "retired"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    _write_private(retired / f"{stamp}-{old.fingerprint.replace(' ', '')[:16]}.pem", old.private)
    _write_private(key_dir(data_dir) / KEY_FILE, Ed25519PrivateKey.generate())
    return load_or_create(data_dir), old.fingerprint
