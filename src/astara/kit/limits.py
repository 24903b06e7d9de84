"""Limits on what a spreadsheet may expand to while it is read (the ``ASTARA_MAX_*`` settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """How far a file may expand: bytes decompressed, the compression ratio, the longest line,
    the longest cell and the number of columns. The defaults are the settings' defaults."""

    decompressed_bytes: int = 2_000_000_000
    compression_ratio: int = 100
    line_chars: int = 1_000_000
    cell_chars: int = 32_000
    columns: int = 500
