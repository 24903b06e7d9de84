"""Tables that are slow to build from their sources, kept as pickles the way Python keeps bytecode.

The vocabulary (YAML parsed and validated) and the country-name table (pycountry's names in twenty
languages) each take 0.05-0.15 s to build, in every process that needs them: every command, and an
import's worker before its first batch. A pickle of the result loads in a few milliseconds.

The pickle lives in a ``__pycache__`` folder of the package and is named by a digest of everything
the result is built from (the data files and the code that builds it), so an edited file or class
is never read stale. Like bytecode, it is trusted (this code writes it into the installed
package), rewritten when damaged, and skipped when the folder cannot be written.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def pickled(folder: Path, name: str, sources: Iterable[Path], kind: type[T], build: Callable[[], T]) -> T:
    """``build()``, or the pickle of it in ``folder`` made from the same ``sources``."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    cached = folder / f"{name}-{digest.hexdigest()[:20]}.pickle"
    try:
        with cached.open("rb") as handle:
            found = pickle.load(handle)  # noqa: S301 - written by _keep, like .pyc files
        if isinstance(found, kind):
            return found
    except Exception:  # noqa: S110 - none yet, or damaged: build afresh and replace it
        pass
    value = build()
    _keep(value, cached, name)
    return value


def _keep(value: object, cached: Path, name: str) -> None:
    """Write the pickle whole or not at all (processes may start meanwhile); drop older ones."""
    temporary = None
    try:
        cached.parent.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, prefix=f".{name}-", delete=False) as out:
            temporary = Path(out.name)
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, cached)
        for old in cached.parent.glob(f"{name}-*.pickle"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only installation: built each time
        if temporary is not None:
            temporary.unlink(missing_ok=True)
