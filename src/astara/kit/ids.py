"""Deterministic identifiers: the same input always gives the same id, so re-imports change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path


def stable_id(*parts: str) -> str:
    """A 32-hex-digit id derived from ``parts`` (joined with a separator no part contains)."""
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time (an import's file, a backup's members)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
