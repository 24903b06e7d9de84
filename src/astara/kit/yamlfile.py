"""YAML reading with libyaml's C parser when PyYAML has it (ten times faster than the pure-Python one).

PyYAML is loaded on first use: most commands read no YAML once the vocabulary is cached.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from astara.kit.deferred import deferred

if TYPE_CHECKING:
    import yaml
else:
    yaml = deferred("yaml", "most commands read no YAML once the vocabulary is cached")


def safe_load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """``yaml.safe_load``, but fast: safe tags only. Raises ``yaml.YAMLError`` on bad input."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(stream, Loader=loader)  # a safe loader, the C one where there is one
