"""YAML reading with libyaml's C parser when PyYAML has it (ten times faster than the pure-Python one).

PyYAML is imported on first use: most commands read no YAML once the vocabulary is cached.
"""

from __future__ import annotations

from typing import IO, Any


def safe_load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """``yaml.safe_load``, but fast: safe tags only. Raises ``yaml.YAMLError`` on bad input."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader
