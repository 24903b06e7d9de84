"""Deterministic identifiers: the same input always gives the same id, so re-imports change nothing."""

from __future__ import annotations

import hashlib


def stable_id(*parts: str) -> str:
    """A 32-hex-digit id derived from ``parts`` (joined with a separator no part contains)."""
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]
