"""The one way a module defers loading another until first use: :func:`deferred`.

A short command (``astara seizures show``) should not load what only other paths of the same
service need (the row parser, the sharing outbox). Declare the module under ``TYPE_CHECKING`` for
the type checker and, at run time, as ``deferred(name, why)``: the standard library's lazy loader
runs the module at its first attribute look-up. ``why`` says in a few words what needs it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def deferred(name: str, why: str) -> ModuleType:
    """Module ``name``, loaded when one of its attributes is first read (at once if it already is)."""
    if not why.strip():
        raise ValueError(f"say why {name} is deferred")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:  # as an import would: ``import a.b`` then ``a.b.x`` finds it
        setattr(sys.modules[parent], child, module)
    loader.exec_module(module)
    return module
