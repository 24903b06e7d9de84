"""The one way a module defers loading another until first use: :func:`deferred`.

A short command (``astara seizures show``) should not load what only other paths of the same
service need (the row parser, the sharing outbox). Declare the module under ``TYPE_CHECKING`` for
the type checker and, at run time, as ``deferred(name, why)``: a stand-in that imports the module
at its first attribute look-up. ``why`` says in a few words what needs it.

The stand-in goes through the ordinary import, not the standard library's ``LazyLoader``: before
Python 3.12 that loader lets a second thread read a half-run module (an AttributeError when two
requests first use one service at once), while the import system makes the second thread wait.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    """Stands for a module not yet imported; every attribute is read from the imported module."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._lock = threading.Lock()
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:  # only for what the stand-in itself lacks
        module = self._module
        if module is None:
            with self._lock:
                module = self._module = importlib.import_module(self.__name__)
        return getattr(module, attr)


def deferred(name: str, why: str) -> ModuleType:
    """Module ``name``, imported when one of its attributes is first read (at once if it already is)."""
    if not why.strip():
        raise ValueError(f"say why {name} is deferred")
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    return _Deferred(name)


def declared(module: ModuleType) -> list[str]:
    """The modules that ``module`` declared deferred and has not used yet."""
    return [
        value.__name__
        for value in vars(module).values()
        if isinstance(value, _Deferred) and not value._module
    ]
